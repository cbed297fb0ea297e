from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfferConfig(AppConfig):
    name = "patto.offer"
    label = "offer"
    verbose_name = _("Offer, waiting lists and co-design")

    def ready(self):
        from patto.cases.hooks import on_device_activated
        from patto.cases.sections import register_path_section, register_team_action, team_view_only
        from patto.core.menu import register_entry
        from patto.governance.indicators import register

        from . import indicators, menu, rules, services, views_waiting  # noqa: F401  (rules registers its permissions)

        register("codesign_in_progress", indicators.codesign_in_progress)
        register("codesign_concluded", indicators.codesign_concluded)
        register("places_added", indicators.places_added, reduce=indicators.none_as_zero)

        on_device_activated(services.end_waiting_on_activation)  # cases' own form ends the family's waiting
        register_path_section(  # loaded on demand (the path page's query budget)
            20,
            views_waiting.path_waiting_section,
            name="liste-di-attesa",
            title=_("Waiting lists"),
            shown=team_view_only,
        )
        register_team_action(20, views_waiting.path_team_actions)

        register_entry(21, _("Waiting lists"), "offer:waiting_list", shown=menu.shows_waiting)
        register_entry(25, _("Offer of the dispositivi"), "offer:map", shown=menu.shows_offer)
        register_entry(29, _("Co-design"), "offer:codesign_list", shown=menu.shows_codesign)
