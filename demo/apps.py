from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The realistic demo: its generator, the lived-in workspace and `manage.py seed_demo`."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
