from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "patto.core"
    label = "core"

    def ready(self):
        from . import displays
        from .menu import register_entry

        displays.install()

        register_entry(0, _("Home"), "core:home")
