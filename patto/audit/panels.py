from django.urls import reverse
from django.utils.translation import gettext as _

from patto.core.home import CARD_TEMPLATE


def auditor_panel(request):
    user = request.user
    if user.has_perm("audit.view_accesses"):
        return {
            "template": CARD_TEMPLATE,
            "title": _("Audit trail"),
            "text": _(
                "Find who accessed the data of a family or a person, export it, and print the "
                "subject-access report; check who did what by person, user, institution, action and "
                "period."
            ),
            "links": [
                (_("Who accessed a family's or a person's data?"), reverse("audit:access_search")),
                (_("Open the audit trail"), reverse("audit:trail")),
            ],
        }
    if user.has_perm("audit.view_trail"):  # the technical administrator: the platform's own events
        return {
            "template": CARD_TEMPLATE,
            "title": _("Platform events"),
            "text": _("Sign-ins, failed sign-ins and other events not tied to an institution."),
            "links": [(_("Open the audit trail"), reverse("audit:trail"))],
        }
    return None
