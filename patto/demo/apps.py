from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register


class DemoConfig(AppConfig):
    """The fictional demo district (seed_demo). Last in the layering: it may use every app.

    Never in production: the settings leave it out when PATTO_ENV=production, and if someone adds it back the
    system check below stops every management command and the server from starting."""

    name = "patto.demo"
    label = "demo"

    def ready(self):
        register(demo_not_in_production)


def demo_not_in_production(app_configs=None, **kwargs):
    if settings.PATTO_ENV != "production":
        return []
    return [
        Error(
            "The demo app (patto.demo) is installed with PATTO_ENV=production.",
            hint="Remove it from INSTALLED_APPS: its accounts have a published password.",
            id="demo.E001",
        )
    ]
