from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "patto.governance"
    label = "governance"

    def ready(self):
        from patto.core.home import register_panel

        from . import panels

        register_panel(3, panels.pact_panel)
