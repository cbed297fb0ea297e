from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "patto.audit"
    label = "audit"

    def ready(self):
        from patto.core import audit as audit_seam
        from patto.core.home import register_panel

        from . import (  # noqa: F401  (receivers: policy refusals → audit trail)
            checks,  # noqa: F401  (deploy check: the runtime database role cannot change the trail)
            panels,
            receivers,
            services,
        )

        # accounts sits below audit and writes its events through core's seam (core/audit.py)
        audit_seam.register(services)
        register_panel(20, panels.auditor_panel)

        from patto.core.menu import register_entry

        register_entry(70, _("Audit trail"), "audit:trail", permission="audit.view_trail")
