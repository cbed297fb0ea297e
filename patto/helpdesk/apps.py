from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "patto.helpdesk"
    label = "helpdesk"
    verbose_name = _("Legal help desk for schools")

    def ready(self):
        from patto.core.home import register_panel
        from patto.core.menu import register_entry
        from patto.governance.dashboard import register_section
        from patto.governance.indicators import register
        from patto.notifications.reminders import register_source

        from . import indicators, menu, panels, rules, services  # noqa: F401  (rules register themselves)

        register("helpdesk_answered", indicators.answered)
        from patto.referrals.queries import median, p90

        register("helpdesk_response_median", rows=indicators.answered_times, reduce=median)
        register("helpdesk_response_p90", rows=indicators.answered_times, reduce=p90)
        register("faqs_published", indicators.faqs_published)
        register_source("helpdesk.questions_overdue", services.overdue_reminders)
        register_source("helpdesk.templates_review_due", services.template_review_reminders)
        register_section(20, panels.dashboard_section)
        register_entry(26, _("Legal help desk"), "helpdesk:questions", shown=menu.shows_questions)
        register_entry(27, _("FAQs and templates"), "helpdesk:faqs", shown=menu.shows_library)
        register_panel(5, panels.office_panel)
        register_panel(13, panels.asker_panel)
