from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "patto.referrals"
    label = "referrals"
    verbose_name = _("Requests and signals")

    def ready(self):
        from patto.governance.indicators import register
        from patto.notifications.reminders import register_source

        from . import indicators, rules, services  # noqa: F401  (rules registers the permission names)

        register("request_response_median", indicators.response_median)
        register("request_response_p90", indicators.response_p90)
        register("requests_overdue", indicators.requests_overdue)
        register_source("referrals.requests_overdue", services.overdue_reminders)

        from patto.governance.dashboard import register_section

        from . import panels

        register_section(10, panels.dashboard_section)
