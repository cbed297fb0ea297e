from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "patto.funding"
    label = "funding"
    verbose_name = _("Funds and partnerships")

    def ready(self):
        from patto.core.home import register_panel
        from patto.core.menu import register_entry
        from patto.governance.indicators import register

        from . import indicators, panels, rules  # noqa: F401  (rules register themselves)

        register("partnerships_signed", indicators.partnerships_signed)
        register("projects_funded", indicators.projects_funded)
        register("project_spending", indicators.project_spending, reduce=indicators.in_euro)
        register_entry(60, _("Funds and partnerships"), "funding:calls", shown=panels.shows_menu)
        register_panel(14, panels.deadlines_panel)
