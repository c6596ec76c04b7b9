from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants and contracts"

    def ready(self):
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="participants.sync_role_groups")
