"""The path's side of requests: the case manager asks for a professional or a transfer from the family's
path, and the path page lists the path's requests (registered with ``cases.sections``: cases imports no
referrals)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from patto.cases.queries import fetch_path
from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form

from . import services
from .forms_path import ProfessionalRequestForm, TransferRequestForm
from .queries import requests_about_path

PERM = "cases.manage_team"  # the case manager of an open path: who asks for the team and hands it over


@once_per_form
def path_professional(request, path_id):
    path = fetch_path(request.user, path_id, PERM)
    form = ProfessionalRequestForm(request.POST or None, path=path)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_professional(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s sent: the service's head will name the professional.") % {"number": sent.number},
            )
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "referrals/path_professional.html", {"path": path, "form": form})


@once_per_form
def path_transfer(request, path_id):
    path = fetch_path(request.user, path_id, PERM)
    form = TransferRequestForm(request.POST or None, path=path)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_transfer(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Request %(number)s sent: you stay the case manager until a social worker of the service accepts.")
                % {"number": sent.number},
            )
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "referrals/path_transfer.html", {"path": path, "form": form})


# --- on the path page ------------------------------------------------------------------------------------


def path_requests_section(request, path, access):
    """The path's requests (the signals it came from, the professionals asked for, the transfers) for the
    équipe's view; a link to a request for whoever may open it. Two queries whatever their number (the
    requests, and the user's standing once for the permission on each)."""
    if not access.team_view:
        return None
    user = request.user
    rows = [(item, user.has_perm("referrals.view_request", item)) for item in requests_about_path(path)]
    if not rows and not access.is_case_manager:
        return None
    return {"template": "referrals/_path_section.html", "rows": rows}


def path_team_actions(request, path, access):
    """The case manager's links, in the team section."""
    if not request.user.has_perm(PERM, path):
        return None
    return [
        (_("Request a professional"), reverse("referrals:path_professional", kwargs={"path_id": path.pk})),
        (_("Request a transfer"), reverse("referrals:path_transfer", kwargs={"path_id": path.pk})),
    ]
