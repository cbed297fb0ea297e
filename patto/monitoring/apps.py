from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "patto.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and needs analysis")

    def ready(self):
        from patto.core.home import register_panel
        from patto.core.menu import register_entry

        from . import panels, rules  # noqa: F401  (rules registers its permissions)

        register_entry(28, _("Monitoring"), "monitoring:index", shown=panels.shows_menu)
        register_panel(30, panels.figures_panel)
