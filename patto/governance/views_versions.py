"""The pact's versions: drafts, their sections and commitments, approval in a body's meeting, comparison."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.core.forms import run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for

from . import forms, services
from .diff import compare
from .models import BodyMeeting, Commitment, PactVersion, Section
from .queries import visible_to
from .views import _institutions, _pact, _version


def versions(request):
    pact = _pact(request, "governance.view_governance")
    in_force = pact.version_in_force()
    return render(
        request,
        "governance/versions.html",
        {
            "pact": pact,
            "versions": pact.versions.select_related("approved_in__body"),
            "in_force": in_force,
            "can_change": request.user.has_perm("governance.change_pact"),
            "draft_form": forms.DraftForm(),
        },
    )


@require_POST
@once_per_form
def version_draft(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.DraftForm(request.POST)
    if form.is_valid():
        try:
            draft = services.draft_version(actor=request.user, pact=pact, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Draft created from the version in force."))
            return redirect("governance:version_detail", number=draft.number)
    return redirect("governance:versions")


def version_detail(request, number):
    version = _version(request, number)
    return render(
        request,
        "governance/version_detail.html",
        {
            "pact": version.pact,
            "pact_version": version,
            "sections": version.sections.all(),
            "commitments": version.commitments.select_related("institution"),
            "in_force": version.pact.version_in_force(),
            "can_edit": request.user.has_perm("governance.change_version", version),
            "can_submit": request.user.has_perm("governance.submit_version", version),
            "can_withdraw": request.user.has_perm("governance.withdraw_version", version),
            "can_approve": request.user.has_perm("governance.approve_version", version),
        },
    )


def section_edit(request, number, key):
    version = _version(request, number, "governance.change_version")
    section = get_object_for(request.user, None, Section.objects.all(), pact_version=version, key=key)
    form = forms.SectionForm(request.POST or None, initial={"text": section.text, "version": section.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.update_section(actor=request.user, section=section, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Section saved."))
            return redirect("governance:version_detail", number=number)
    return render(
        request,
        "governance/section_form.html",
        {"pact_version": version, "section": section, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@once_per_form
def commitment_edit(request, number, commitment_pk=None):
    version = _version(request, number, "governance.change_version")
    commitment = None
    if commitment_pk is not None:
        commitment = get_object_for(
            request.user, None, visible_to(request.user, Commitment).filter(pact_version=version), pk=commitment_pk
        )
    initial = (
        {
            "institution": commitment.institution_id,
            "text": commitment.text,
            "order": commitment.order,
            "version": commitment.version,
        }
        if commitment
        else {}
    )
    form = forms.CommitmentForm(request.POST or None, initial=initial, institutions=_institutions(version.pact))
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form,
            lambda: services.save_commitment(
                actor=request.user, pact_version=version, commitment=commitment, **form.cleaned_data
            ),
        )
        if saved:
            messages.success(request, _("Commitment saved."))
            return redirect("governance:version_detail", number=number)
    return render(
        request,
        "governance/commitment_form.html",
        {"pact_version": version, "commitment": commitment, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def version_approve(request, number):
    version = _version(request, number, "governance.approve_version")
    meetings = BodyMeeting.objects.filter(body__pact=version.pact).select_related("body").order_by("-starts_at")
    form = forms.ApproveForm(request.POST or None, initial={"version": version.version}, meetings=meetings)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.approve_version(actor=request.user, pact_version=version, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Version approved."))
            return redirect("governance:version_detail", number=number)
    return render(
        request,
        "governance/version_approve.html",
        {"pact_version": version, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def version_submit(request, number):
    """The coordinator puts the draft to approval (confirmed on its own page): it becomes read-only and the
    Gruppo Territoriale's members are told."""
    version = _version(request, number, "governance.submit_version")
    return _submission_step(request, version, services.submit_version, _("Draft submitted for approval."))


def version_withdraw(request, number):
    """The submitted draft goes back to drafting, to be edited and submitted again."""
    version = _version(request, number, "governance.withdraw_version")
    return _submission_step(request, version, services.withdraw_from_approval, _("Draft withdrawn from approval."))


def _submission_step(request, version, service, done):
    form = forms.VersionStepForm(request.POST or None, initial={"version": version.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: service(actor=request.user, pact_version=version, version=form.cleaned_data["version"])
        )
        if saved:
            messages.success(request, done)
            return redirect("governance:version_detail", number=version.number)
    return render(
        request,
        "governance/version_submission.html",
        {"pact_version": version, "form": form, "conflict": conflict, "withdraw": version.is_awaiting_approval},
        status=409 if conflict else 200,
    )


def version_compare(request):
    pact = _pact(request, "governance.view_governance")
    numbers = sorted(pact.versions.values_list("number", flat=True))
    try:
        old_number = int(request.GET.get("da", numbers[-2] if len(numbers) > 1 else numbers[0]))
        new_number = int(request.GET.get("a", numbers[-1]))
    except (ValueError, IndexError):
        raise Http404 from None
    versions = visible_to(request.user, PactVersion)
    old = get_object_for(request.user, None, versions, pact=pact, number=old_number)
    new = get_object_for(request.user, None, versions, pact=pact, number=new_number)
    return render(
        request, "governance/compare.html", {"old": old, "new": new, "numbers": numbers, "diff": compare(old, new)}
    )
