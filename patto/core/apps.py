from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "patto.core"
    label = "core"
