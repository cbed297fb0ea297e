from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo district (seed_demo). Last in the layering: it may use every app."""

    name = "patto.demo"
    label = "demo"
