from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "patto.cases"
    label = "cases"

    def ready(self):
        from patto.core.home import register_panel

        from . import panels
        from . import audit_subjects  # noqa: F401  (registers the DPO's "who read this family?" finder)

        register_panel(5, panels.paths_panel)
        register_panel(6, panels.time_points_panel)
        register_panel(7, panels.tasks_panel)

        from patto.governance.indicators import register

        from .queries import families_in_path

        register("families_in_path", families_in_path)
