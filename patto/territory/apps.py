from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "patto.territory"
    label = "territory"
    verbose_name = _("The territory")

    def ready(self):
        from patto.core.menu import register_entry

        from . import rules  # noqa: F401  (registers the permissions)

        register_entry(60, _("Comuni"), "territory:comuni", permission="territory.view_comuni")
        register_entry(62, _("Pupils enrolled"), "territory:enrolment", permission="territory.view_enrolment")
