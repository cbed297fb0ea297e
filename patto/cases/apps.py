from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "patto.cases"
    label = "cases"

    def ready(self):
        from patto.core.home import register_panel

        from . import (
            audit_subjects,  # noqa: F401  (registers the DPO's "who read this family?" finder)
            panels,
            views_sections,
        )

        views_sections.register()  # the path page's sections, loaded on demand
        register_panel(5, panels.paths_panel)
        register_panel(6, panels.time_points_panel)
        register_panel(7, panels.tasks_panel)
        register_panel(8, panels.actions_panel)
        register_panel(9, panels.meetings_panel)

        from patto.core.menu import register_entry

        register_entry(20, _("Families"), "cases:path_list", shown=lambda request: request.user.acting_membership)
        register_entry(30, _("Cohorts"), "cases:cohort_list", permission="cases.view_cohorts")
        register_entry(40, _("Volunteers"), "cases:volunteer_list", permission="cases.view_volunteers")

        from patto.core.stats import suppress_small
        from patto.governance.indicators import register

        from .queries import families_in_path

        register("families_in_path", families_in_path, reduce=suppress_small)

        from patto.territory.residence import register_residence_source

        from .queries import unmapped_residences
        from .services import assign_residence

        register_residence_source(unmapped=unmapped_residences, assign=assign_residence)

        from patto.notifications.reminders import register_source

        from . import reminders

        register_source("cases.tasks_overdue", reminders.tasks_overdue)
        register_source("cases.time_points_due", reminders.time_points_due)
