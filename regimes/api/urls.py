"""The regimes app's part of /api/v1/ (DATA.md "Regimes, notices and KPIs")."""

urlpatterns: list = []
