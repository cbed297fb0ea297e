from django.urls import reverse
from django.utils.translation import gettext as _


def auditor_panel(request):
    if not request.user.has_perm("audit.view_trail"):
        return None
    return {"template": "accounts/panels/_card.html", "title": _("Audit trail"),
            "text": _("Check who did what and who read which personal data, by person, user, institution, "
                      "action and period."),
            "links": [(_("Open the audit trail"), reverse("audit:trail"))]}
