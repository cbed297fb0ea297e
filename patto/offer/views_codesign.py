"""Co-design processes (co-progettazione, art. 55 D.Lgs. 117/2017): listed and read by the governance roles of
the district's signatories, managed by the pact coordinator. Meetings and minutes are the governance body's
(the co-design table); documents go through the upload pipeline."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.core.forms import run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for
from patto.documents.responses import attachment_response
from patto.governance.models import BodyMeeting

from . import services
from .forms import AdvanceForm, CapacityForm, DocumentForm, MeetingPhaseForm, ProcessEditForm, ProcessForm
from .models import CodesignDocument, CodesignProcess, MeetingPhase
from .queries import codesign_district, codesign_visible_to

VIEW, CHANGE = "offer.view_codesign", "offer.change_codesign"


def _process(request, pk, perm):
    return get_object_for(request.user, perm, codesign_visible_to(request.user).select_related("body"), pk=pk)


@require_GET
def codesign_list(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    processes = codesign_visible_to(request.user).order_by("-started_on", "title", "pk")
    page = Paginator(processes, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "offer/codesign_list.html", {"page": page, "can_change": request.user.has_perm(CHANGE)})


@once_per_form
def codesign_add(request):
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    district = codesign_district(request.user)
    form = ProcessForm(request.POST or None, district=district, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        result = {}
        saved, _conflict = run_service(
            form,
            lambda: result.setdefault(
                "process", services.start_process(actor=request.user, district=district, **form.cleaned_data)
            ),
        )
        if saved:
            messages.success(request, _("Co-design process recorded."))
            return redirect("offer:codesign_detail", pk=result["process"].pk)
    return render(request, "offer/codesign_form.html", {"form": form})


def _phases_with_meetings(process, meetings):
    """The phases begun (with their meetings under each), then any phase not begun yet with meetings assigned
    to it; and each meeting's phase. One query (the assignments), whatever their number."""
    by_pk = {meeting.pk: meeting for meeting in meetings}
    assigned = {}
    phase_of = {}
    for row in MeetingPhase.objects.filter(process=process, meeting_id__in=list(by_pk)).order_by("pk"):
        assigned.setdefault(row.phase, []).append(by_pk[row.meeting_id])
        phase_of[row.meeting_id] = row.phase
    for rows in assigned.values():
        rows.sort(key=lambda meeting: meeting.starts_at)
    labels = dict(CodesignProcess.Phase.choices)
    phases = []
    for change in process.phase_changes.select_related("recorded_by"):
        phases.append({"change": change, "label": labels[change.phase], "meetings": assigned.pop(change.phase, [])})
    for phase in CodesignProcess.Phase.values:
        if phase in assigned:
            phases.append({"change": None, "label": labels[phase], "meetings": assigned.pop(phase)})
    return phases, phase_of


@require_GET
def codesign_detail(request, pk):
    process = _process(request, pk, VIEW)
    meetings = (
        list(BodyMeeting.objects.filter(body_id=process.body_id).order_by("starts_at")) if process.body_id else []
    )
    can_change = request.user.has_perm(CHANGE)
    district = process.district
    phases, phase_of = _phases_with_meetings(process, meetings)
    meeting_rows = [
        {
            "meeting": meeting,
            "phase": CodesignProcess.Phase(phase_of[meeting.pk]).label if meeting.pk in phase_of else "",
            "form": MeetingPhaseForm(meeting=meeting, initial={"phase": phase_of.get(meeting.pk, services.NO_PHASE)})
            if can_change
            else None,
        }
        for meeting in meetings
    ]
    return render(
        request,
        "offer/codesign_detail.html",
        {
            "process": process,
            "participants": process.participants.order_by("name"),
            "phases": phases,
            "documents": process.documents.select_related("attachment"),
            "capacities": process.capacities.select_related("offer__device_type", "offer__provider"),
            "meetings": meeting_rows,
            "can_change": can_change and not process.is_concluded,
            "advance_form": AdvanceForm(initial={"version": process.version, "on": timezone.localdate()})
            if can_change and not process.is_concluded
            else None,
            "capacity_form": CapacityForm(district=district) if can_change and not process.is_concluded else None,
            "document_form": DocumentForm(initial={"phase": process.phase}) if can_change else None,
            "can_upload": can_change,
        },
    )


def codesign_edit(request, pk):
    process = _process(request, pk, CHANGE)
    initial = {
        "title": process.title,
        "reference": process.reference,
        "description": process.description,
        "started_on": process.started_on,
        "participants": list(process.participants.all()),
        "body": process.body,
        "needs_year": process.needs_year,
        "version": process.version,
    }
    form = ProcessEditForm(request.POST or None, initial=initial, district=process.district)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.update_process(actor=request.user, process=process, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Co-design process saved."))
            return redirect("offer:codesign_detail", pk=process.pk)
    return render(
        request,
        "offer/codesign_form.html",
        {"form": form, "process": process, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_POST
def codesign_advance(request, pk):
    process = _process(request, pk, CHANGE)
    form = AdvanceForm(request.POST)
    conflict = None
    if form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.advance_phase(actor=request.user, process=process, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Phase recorded: %(phase)s.") % {"phase": process.get_phase_display()})
            return redirect("offer:codesign_detail", pk=process.pk)
    return render(
        request,
        "offer/codesign_step.html",
        {"process": process, "form": form, "conflict": conflict, "title": _("Next phase")},
        status=409 if conflict else 400,
    )


@require_POST
@once_per_form
def codesign_capacity(request, pk):
    process = _process(request, pk, CHANGE)
    form = CapacityForm(request.POST, district=process.district)
    if form.is_valid():
        saved, _conflict = run_service(
            form, lambda: services.add_capacity(actor=request.user, process=process, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Added to what the agreement creates."))
            return redirect("offer:codesign_detail", pk=process.pk)
    return render(
        request,
        "offer/codesign_step.html",
        {"process": process, "form": form, "title": _("What the agreement creates")},
        status=400,
    )


@require_POST
@once_per_form
def codesign_document(request, pk):
    process = _process(request, pk, CHANGE)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        saved, _conflict = run_service(
            form,
            lambda: services.add_document(
                actor=request.user, process=process, phase=data["phase"], title=data["title"], upload=data["file"]
            ),
        )
        if saved:
            messages.success(request, _("Document added."))
            return redirect("offer:codesign_detail", pk=process.pk)
    return render(
        request,
        "offer/codesign_step.html",
        {"process": process, "form": form, "title": _("Add a document")},
        status=400,
    )


@require_POST
def codesign_meeting_phase(request, pk, meeting_pk):
    """The coordinator assigns a meeting of the process's table to one of its phases (or to none)."""
    process = _process(request, pk, CHANGE)
    meeting = get_object_for(
        request.user,
        None,
        BodyMeeting.objects.filter(body_id=process.body_id) if process.body_id else BodyMeeting.objects.none(),
        pk=meeting_pk,
    )
    form = MeetingPhaseForm(request.POST, meeting=meeting)
    if form.is_valid():
        saved, _conflict = run_service(
            form,
            lambda: services.assign_meeting_phase(
                actor=request.user, process=process, meeting=meeting, phase=form.cleaned_data["phase"]
            ),
        )
        if saved:
            messages.success(request, _("Meeting assigned to the phase."))
            return redirect("offer:codesign_detail", pk=process.pk)
    return render(
        request,
        "offer/codesign_step.html",
        {"process": process, "form": form, "title": _("Phase of a meeting")},
        status=400,
    )


@require_GET
def codesign_document_download(request, pk, document_pk):
    process = _process(request, pk, VIEW)
    document = get_object_for(
        request.user,
        None,
        CodesignDocument.objects.filter(process=process).select_related("attachment"),
        pk=document_pk,
    )
    return attachment_response(
        request,
        document.attachment,
        filename=f"coprogettazione-{document.pk}",
        action="offer.codesign.document_read",
        obj=process,
    )
