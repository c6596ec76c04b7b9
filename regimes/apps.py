from django.apps import AppConfig


class RegimesConfig(AppConfig):
    name = "regimes"
