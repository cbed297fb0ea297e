from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "patto.accounts"
    label = "accounts"

    def ready(self):
        from patto.core.home import register_panel

        from . import panels, signals  # noqa: F401  (signals: auth events → audit trail)

        register_panel(10, panels.institution_panel)
        register_panel(90, panels.security_panel)
