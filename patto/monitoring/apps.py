from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "patto.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and needs analysis")

    def ready(self):
        from . import rules  # noqa: F401  (registers its permissions)
