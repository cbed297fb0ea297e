"""The pact: its page, public page, text as PDF and documents, the governance dashboard, and the helpers
that fetch and authorise the pact's records for every governance view (views_versions, views_signatories,
views_monitoring, views_bodies, views_procedures)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.accounts.middleware import mfa_exempt
from patto.accounts.models import Institution
from patto.core.exports import pdf_response
from patto.core.shortcuts import check_object_for, get_object_for
from patto.documents.responses import attachment_response

from . import queries, services
from .dashboard import sections_for
from .models import Pact, PactVersion
from .queries import (
    acting_district_id,
    active_adhesions,
    document_owner,
    pact_visible_to,
    pacts_visible_to,
    visible_to,
)


def _pact(request, perm="governance.view_pact"):
    """The pact of the user's district, fetched and authorised like every record: no standing → 404, not
    allowed → 403, each refusal audited (the pact is looked up by the district, so it is named even when
    the user's institution has lost its standing). The standing comes from the request's memberships and the
    pact from a statement compiled once a day (``pact_visible_to``)."""
    return check_object_for(
        request.user, perm, Pact, pact_visible_to(request.user), district_id=acting_district_id(request.user)
    )


def _fetch(request, perm, model, related=(), **lookup):
    """A record of the pact visible to the user (404, audited when it exists), ``perm`` on it (403, audited)."""
    return get_object_for(request.user, perm, visible_to(request.user, model).select_related(*related), **lookup)


def _version(request, number, perm=None):
    pact = _pact(request, "governance.view_governance")
    return get_object_for(
        request.user, perm, visible_to(request.user, PactVersion).select_related("pact"), pact=pact, number=number
    )


def _institutions(pact):
    return Institution.objects.filter(district_id=pact.district_id, is_active=True).order_by("name")


def pact(request):
    pact = _pact(request)
    in_force = pact.version_in_force()
    return render(
        request,
        "governance/pact.html",
        {
            "pact": pact,
            "in_force": in_force,
            "sections": in_force.sections.all() if in_force else [],
            "commitments": in_force.commitments.select_related("institution") if in_force else [],
            "signatory_count": active_adhesions(pact).count(),
            "governance": request.user.has_perm("governance.view_governance"),
            "can_publish": request.user.has_perm("governance.change_pact"),
            "public_url": request.build_absolute_uri(reverse("public_pact", kwargs={"public_id": pact.public_id})),
        },
    )


def governance_dashboard(request):
    """The coordinator's home for the pact (readable by every governance role)."""
    pact = _pact(request, "governance.view_governance")
    with transaction.atomic():
        data = queries.read_dashboard(actor=request.user, pact=pact)
        sections = sections_for(request, pact)
        return render(request, "governance/dashboard.html", {"pact": pact, "sections": sections, **data})


@require_POST
def publication(request):
    pact = _pact(request, "governance.change_pact")
    services.set_publication(actor=request.user, pact=pact, is_public=request.POST.get("publish") == "1")
    messages.success(request, _("The public page is online.") if pact.is_public else _("The public page is offline."))
    return redirect("governance:pact")


@login_not_required
@mfa_exempt
def public_pact(request, public_id):
    """The pact as a signatory can share it: the text in force and the signatories (institutions and dates,
    no signers' names), readable without signing in once the coordinator publishes it."""
    pact = Pact.objects.filter(public_id=public_id, is_public=True).first()
    in_force = pact.version_in_force() if pact else None
    if in_force is None:
        raise Http404
    return render(
        request,
        "governance/public_pact.html",
        {
            "pact": pact,
            "in_force": in_force,
            "sections": in_force.sections.all(),
            "commitments": in_force.commitments.select_related("institution"),
            "signatories": active_adhesions(pact).select_related("institution").order_by("institution__name"),
        },
    )


def document(request, attachment_id):
    """A document of the pact (a signed adhesion, the evidence of an update or of an indicator's value),
    for the members with a governance role; served as a download with a name made by the server."""
    attachment = get_object_for(
        request.user, "governance.view_governance", queries.documents_visible_to(request.user), pk=attachment_id
    )
    owner, filename = document_owner(attachment, pacts_visible_to(request.user))
    return attachment_response(
        request, attachment, filename=filename, action="governance.document.downloaded", obj=owner
    )


def pact_pdf(request):
    """The text in force with its signatories (their signers' names: the read is logged)."""
    pact = _pact(request)
    with transaction.atomic():
        context = queries.read_pact_document(actor=request.user, pact=pact)
        if context is None:
            raise Http404
        return pdf_response(
            request, "governance/pact_document.html", context, f"patto-versione-{context['in_force'].number}.pdf"
        )
