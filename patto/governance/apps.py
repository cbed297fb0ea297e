from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "patto.governance"
    label = "governance"

    def ready(self):
        from patto.core.home import register_panel
        from patto.core.menu import register_entry

        from . import menu, panels

        register_panel(3, panels.pact_panel)
        register_entry(10, _("The Pact"), "governance:pact", shown=menu.sees_pact)

        from patto.territory.standing import register_standing_source

        from .queries import institutions_in_standing_of

        register_standing_source(institutions_in_standing_of)

        from patto.accounts.models import annotate_current_memberships

        from .queries import membership_in_standing

        annotate_current_memberships("in_standing", membership_in_standing)

        from patto.notifications.reminders import register_source

        from . import reminders

        register_source("governance.commitment_updates_due", reminders.commitment_updates_due)

        from patto.core.exports import register_export

        from . import reports, views_monitoring

        register_export(
            "governance.report_pdf",
            build=reports.build_report_pdf,
            check=views_monitoring.report_download_check,
            title=_("Monitoring report (PDF)"),
        )
        register_export(
            "governance.report_xlsx",
            build=reports.build_report_xlsx,
            check=views_monitoring.report_download_check,
            title=_("Monitoring report (XLSX)"),
        )
