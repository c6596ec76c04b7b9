"""The admin app with the support-only site (participants.adminsite), in place of django.contrib.admin."""

from django.contrib.admin.apps import AdminConfig


class SupportAdminConfig(AdminConfig):
    default_site = "participants.adminsite.SupportAdminSite"
