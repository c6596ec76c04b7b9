from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"

    def ready(self) -> None:
        # Register the Celery tasks in every process, not only in workers: the import enqueues
        # compliance.tasks.recompute_contract by name and skips names the app does not know.
        from . import tasks  # noqa: F401
