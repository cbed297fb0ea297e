"""Team meetings (with the family or not), their minutes, and the tasks they produce."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.core.calendar import ics_response
from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for

from . import forms, services
from .ics import meeting_event
from .models import Task
from .queries import meetings_of, team_users
from .views import _path_for


@once_per_form
def meeting_add(request, pk):
    path = _path_for(request, pk, "cases.add_meeting")
    form = forms.MeetingForm(request.POST or None, path=path, team_users=team_users(path))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting scheduled."))
            return redirect("cases:meeting_detail", pk=path.pk, meeting_pk=meeting.pk)
    return render(request, "cases/meeting_form.html", {"path": path, "form": form})


def meeting_change(request, pk, meeting_pk):
    """Whoever may schedule the path's meetings moves one still to be held; its participants are told."""
    path = _path_for(request, pk, "cases.add_meeting", action="cases.meeting.viewed")
    meeting = get_object_for(request.user, None, meetings_of(path, request.user), pk=meeting_pk)
    if not meeting.can_be_rescheduled:
        messages.error(request, _("This meeting has already been held or has minutes: it can no longer be changed."))
        return redirect("cases:meeting_detail", pk=path.pk, meeting_pk=meeting.pk)
    initial = {"version": meeting.version, "held_at": meeting.held_at, "place": meeting.place, "agenda": meeting.agenda}
    form = forms.MeetingChangeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.reschedule_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Meeting changed: its participants have been told."))
            return redirect("cases:meeting_detail", pk=path.pk, meeting_pk=meeting.pk)
    context = {"path": path, "meeting": meeting, "form": form, "conflict": conflict}
    return render(request, "cases/meeting_change.html", context, status=409 if conflict else 200)


def meeting_detail(request, pk, meeting_pk):
    """The meeting and its minutes; team members (not the school) write the minutes and next steps."""
    path = _path_for(request, pk, action="cases.meeting.viewed")
    meeting = get_object_for(request.user, None, meetings_of(path, request.user), pk=meeting_pk)
    can_edit = request.user.has_perm("cases.add_meeting", path)
    form = None
    conflict = None
    if can_edit:
        initial = {"version": meeting.version, "minutes": meeting.minutes, "decisions": meeting.decisions}
        form = forms.MinutesForm(request.POST or None, initial=initial, team_users=team_users(path))
        if request.method == "POST" and form.is_valid():
            saved, conflict = run_service(
                form,
                lambda: services.record_minutes(
                    actor=request.user,
                    meeting=meeting,
                    version=form.cleaned_data["version"],
                    minutes=form.cleaned_data["minutes"],
                    decisions=form.cleaned_data["decisions"],
                    next_steps=form.next_steps(),
                ),
            )
            if saved:
                messages.success(request, _("Minutes saved."))
                return redirect("cases:meeting_detail", pk=path.pk, meeting_pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "path": path,
        "meeting": meeting,
        "form": form,
        "conflict": conflict,
        "tasks": meeting.tasks.select_related("assignee"),
        "can_reschedule": can_edit and meeting.can_be_rescheduled,
    }
    return render(request, "cases/meeting_detail.html", context, status=409 if conflict else 200)


@require_GET
def meeting_ics(request, pk, meeting_pk):
    """The meeting as an iCalendar file, for whoever may open the meeting's page (``ics.meeting_event``:
    when, where, the family's reference and the page's address, nothing else)."""
    path = _path_for(request, pk, action="cases.meeting.calendar")
    meeting = get_object_for(request.user, None, meetings_of(path, request.user), pk=meeting_pk)
    page = reverse("cases:meeting_detail", kwargs={"pk": path.pk, "meeting_pk": meeting.pk})
    event = meeting_event(meeting, reference=path.family.reference, page_url=request.build_absolute_uri(page))
    return ics_response([event], f"incontro-{meeting.pk}.ics", name="Cases")


@require_POST
def task_done(request, pk, task_pk):
    path = _path_for(request, pk)
    task = get_object_for(request.user, None, Task.objects.filter(path=path, assignee=request.user), pk=task_pk)
    services.complete_task(actor=request.user, task=task)
    messages.success(request, _("Task marked as done."))
    return redirect("cases:path_detail", pk=path.pk)
