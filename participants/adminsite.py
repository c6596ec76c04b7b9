"""The admin site: support staff only (superusers, `Action.ADMINISTER`). Every other login, whatever its
model permissions, gets the admin's login page: the product's pages are where roles work, and the admin
knows nothing of organisations (DOMAIN.md 1). Installed by config.apps.SupportAdminConfig."""

from django.contrib import admin

from . import access


class SupportAdminSite(admin.AdminSite):
    site_header = "Flightpath support"
    site_title = "Flightpath support"

    def has_permission(self, request) -> bool:
        return access.may(request.user, access.Action.ADMINISTER)
