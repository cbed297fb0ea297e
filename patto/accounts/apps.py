from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "patto.accounts"
    label = "accounts"

    def ready(self):
        from patto.core.home import register_panel

        from . import panels, signals  # noqa: F401  (signals: auth events → audit trail)

        register_panel(10, panels.institution_panel)
        register_panel(90, panels.security_panel)

        from patto.core.menu import register_entry

        register_entry(50, _("Institutions"), "accounts:institution_list", permission="accounts.view_directory")
        register_entry(
            60,
            _("People of my institution"),
            "accounts:institution_people",
            shown=lambda request: request.user.has_perm("accounts.view_people", request.user.acting_institution),
            url_kwargs=lambda request: {"pk": request.user.acting_membership.institution_id},
        )
        register_entry(90, _("My profile"), "accounts:profile")
