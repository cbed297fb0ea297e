from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "patto.audit"
    label = "audit"

    def ready(self):
        from patto.core.home import register_panel

        from . import panels, receivers  # noqa: F401  (receivers: policy refusals → audit trail)
        from . import checks  # noqa: F401  (deploy check: the runtime database role cannot change the trail)

        register_panel(20, panels.auditor_panel)
