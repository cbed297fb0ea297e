from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "patto.core"
    label = "core"

    def ready(self):
        from .menu import register_entry

        register_entry(0, _("Home"), "core:home")
