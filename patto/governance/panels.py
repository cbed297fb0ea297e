from django.urls import reverse
from django.utils.translation import gettext as _

from patto.core.home import CARD_TEMPLATE

from .queries import pact_visible_to, sees_governance


def pact_panel(request):
    pact = pact_visible_to(request.user)
    if pact is None:
        return None
    links = [(_("The pact in force"), reverse("governance:pact"))]
    if sees_governance(request.user):
        links += [
            (_("Governance dashboard"), reverse("governance:dashboard")),
            (_("Commitments and their status"), reverse("governance:commitments")),
            (_("Versions of the pact"), reverse("governance:versions")),
            (_("Monitoring"), reverse("governance:periods")),
        ]
    return {"template": CARD_TEMPLATE, "title": _("The Pact"), "text": pact.title, "links": links}
