"""The regimes app's pages, under /regimes/."""

app_name = "regimes"

urlpatterns: list = []
