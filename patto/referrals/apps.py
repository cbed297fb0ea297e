from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "patto.referrals"
    label = "referrals"
    verbose_name = _("Requests and signals")

    def ready(self):
        from patto.governance.indicators import register
        from patto.notifications.reminders import register_source

        from . import audit_subjects, indicators, rules, services  # noqa: F401  (rules, audit_subjects register themselves)
        from .queries import median, p90

        register("request_response_median", rows=indicators.answered_times, reduce=median)
        register("request_response_p90", rows=indicators.answered_times, reduce=p90)
        register("requests_overdue", indicators.requests_overdue)
        register_source("referrals.requests_overdue", services.overdue_reminders)

        from patto.governance.dashboard import register_section

        from . import panels

        register_section(10, panels.dashboard_section)

        from patto.cases.sections import register_path_section, register_team_action, team_view_only

        from . import views_path

        register_path_section(  # loaded on demand (the path page's query budget)
            10,
            views_path.path_requests_section,
            name="richieste",
            title=_("Requests and signals"),
            shown=team_view_only,
        )
        register_team_action(10, views_path.path_team_actions)

        from patto.core.home import register_panel
        from patto.core.menu import register_entry

        from . import menu

        register_entry(22, _("Requests received"), "referrals:inbox", shown=menu.shows_inbox)
        register_entry(24, _("Signals and consultations"), "referrals:sent", shown=menu.shows_sent)
        register_panel(4, panels.inbox_panel)
        register_panel(12, panels.sent_panel)
