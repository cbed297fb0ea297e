"""Home-page panels of the accounts app: what the person can do now with people and institutions."""

from django.urls import reverse
from django.utils.translation import gettext as _

from patto.core.home import CARD_TEMPLATE

from .roles import Role
from .services import has_mfa

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)


def institution_panel(request):
    user = request.user
    institution = user.acting_institution
    if institution is None:
        return None
    links = []
    if user.has_perm("accounts.view_people", institution):
        links.append(
            (
                _("People and roles of %(name)s") % {"name": institution},
                reverse("accounts:institution_people", kwargs={"pk": institution.pk}),
            )
        )
    if user.has_perm("accounts.add_membership", institution):
        links.append((_("Add a person"), reverse("accounts:membership_add", kwargs={"pk": institution.pk})))
    links.append((_("Institutions of the district"), reverse("accounts:institution_list")))
    if user.has_perm("accounts.add_institution"):
        links.append((_("Add an institution"), reverse("accounts:institution_create")))
    text = (
        _("You manage who works in Patto for your institution: add people, change roles, end them.")
        if user.acting_role in (Role.INSTITUTION_ADMIN, Role.TECHNICAL_ADMIN)
        else _("Who works in Patto for your institution, and the institutions of the district.")
    )
    return {"template": CARD, "title": _("People and institutions"), "text": text, "links": links}


def security_panel(request):
    enabled = request.user.is_verified() or has_mfa(request.user)
    text = (
        _("Two-factor authentication is on.")
        if enabled
        else _("Two-factor authentication is off: turn it on to protect the families' data.")
    )
    label = _("My profile and security") if enabled else _("Turn on two-factor authentication")
    url = reverse("accounts:profile") if enabled else reverse("accounts:mfa_enrol")
    return {"template": CARD, "title": _("My profile"), "text": text, "links": [(label, url)]}
