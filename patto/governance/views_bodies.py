"""Governance bodies, their members and meetings: agenda, attendance, minutes, decisions, action items,
the meeting as an iCalendar file and the minutes as PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.accounts.middleware import mfa_exempt
from patto.core.calendar import calendar_bytes, ics_response
from patto.core.exceptions import TransitionError
from patto.core.exports import pdf_response
from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form

from . import forms, queries, services
from .ics import meeting_events
from .models import ActionItem, Body, BodyMeeting, CalendarFeed
from .queries import agenda_from, needs_attention
from .rules import action_item_statuses
from .views import _fetch, _pact


def _body(request, body_pk, perm):
    return _fetch(request, perm, Body, related=("pact__district",), pk=body_pk)


def _meeting(request, meeting_pk, perm):
    return _fetch(request, perm, BodyMeeting, related=("body__pact",), pk=meeting_pk)


def body_list(request):
    pact = _pact(request, "governance.view_governance")
    can_change = request.user.has_perm("governance.change_pact")
    return render(
        request,
        "governance/bodies.html",
        {
            "pact": pact,
            "bodies": pact.bodies.prefetch_related("members"),
            "can_change": can_change,
            "form": forms.BodyForm() if can_change else None,
        },
    )


@require_POST
@once_per_form
def body_add(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.BodyForm(request.POST)
    if form.is_valid():
        body = services.create_body(actor=request.user, pact=pact, **form.cleaned_data)
        messages.success(request, _("Body created."))
        return redirect("governance:body_detail", body_pk=body.pk)
    return render(
        request, "governance/bodies.html", {"pact": pact, "bodies": pact.bodies.all(), "can_change": True, "form": form}
    )


def body_detail(request, body_pk):
    """A body with its members (named: the read is logged); the coordinator adds members here."""
    perm = "governance.change_pact" if request.method == "POST" else "governance.view_governance"
    body = _body(request, body_pk, perm)
    can_change = request.user.has_perm("governance.change_pact")
    form = forms.BodyMemberForm(request.POST or None, district=body.pact.district) if can_change else None
    if request.method == "POST" and form.is_valid():
        try:
            services.add_body_member(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("governance:body_detail", body_pk=body.pk)
    with transaction.atomic():
        members = queries.read_body_members(actor=request.user, body=body)
        return render(
            request,
            "governance/body_detail.html",
            {"body": body, "members": members, "meetings": body.meetings.all(), "can_change": can_change, "form": form},
        )


@once_per_form
def body_meeting_add(request, body_pk):
    body = _body(request, body_pk, "governance.change_pact")
    attention = needs_attention(body.pact)
    form = forms.BodyMeetingForm(request.POST or None, initial={"agenda": agenda_from(attention)})
    if request.method == "POST" and form.is_valid():
        meeting = services.schedule_body_meeting(actor=request.user, body=body, **form.cleaned_data)
        messages.success(request, _("Meeting scheduled."))
        return redirect("governance:body_meeting", meeting_pk=meeting.pk)
    return render(request, "governance/body_meeting_form.html", {"body": body, "form": form, "attention": attention})


def body_meeting_change(request, meeting_pk):
    """The coordinator moves a meeting still to be held (date, time, place, agenda); its members are told."""
    meeting = _meeting(request, meeting_pk, "governance.change_pact")
    if not meeting.can_be_rescheduled:
        messages.error(request, _("This meeting has already been held or has minutes: it can no longer be changed."))
        return redirect("governance:body_meeting", meeting_pk=meeting.pk)
    fields = ("starts_at", "duration_minutes", "place", "agenda")
    initial = {"version": meeting.version, **{name: getattr(meeting, name) for name in fields}}
    form = forms.BodyMeetingChangeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.reschedule_body_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Meeting changed: its members have been told."))
            return redirect("governance:body_meeting", meeting_pk=meeting.pk)
    return render(
        request,
        "governance/body_meeting_change.html",
        {"meeting": meeting, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def body_meeting(request, meeting_pk):
    """A meeting with its attendance and action items (named: the read is logged); the coordinator records
    the minutes here."""
    meeting = _meeting(
        request, meeting_pk, "governance.change_pact" if request.method == "POST" else "governance.view_governance"
    )
    can_change = request.user.has_perm("governance.change_pact")
    with transaction.atomic():
        data = queries.read_meeting(actor=request.user, meeting=meeting)
        for item in data["action_items"]:
            item.can_mark_done = ActionItem.Status.DONE in action_item_statuses(request.user, item)
        form = None
        conflict = None
        if can_change:
            initial = {
                "version": meeting.version,
                "minutes": meeting.minutes,
                "decisions": meeting.decisions,
                **{f"attendance_{a.member_id}": a.status for a in data["attendance"]},
            }
            form = forms.BodyMinutesForm(request.POST or None, initial=initial, members=data["members"])
            if request.method == "POST" and form.is_valid():
                saved, conflict = run_service(
                    form,
                    lambda: services.record_body_minutes(
                        actor=request.user,
                        meeting=meeting,
                        version=form.cleaned_data["version"],
                        minutes=form.cleaned_data["minutes"],
                        decisions=form.cleaned_data["decisions"],
                        attendance=form.attendance(),
                        action_items=form.action_items(),
                    ),
                )
                if saved:
                    messages.success(request, _("Minutes saved."))
                    return redirect("governance:body_meeting", meeting_pk=meeting.pk)
        previous = (
            (
                meeting.body.meetings.filter(starts_at__lt=meeting.starts_at, minutes_approved_in__isnull=True)
                .exclude(minutes="")
                .first()
            )
            if can_change
            else None
        )
        return render(
            request,
            "governance/body_meeting.html",
            {
                "meeting": meeting,
                "form": form,
                "conflict": conflict,
                "previous_to_approve": previous,
                "attendance": data["attendance"],
                "action_items": data["action_items"],
                "can_change": can_change,
            },
            status=409 if conflict else 200,
        )


@require_POST
def minutes_approve(request, meeting_pk, previous_pk):
    meeting = _meeting(request, meeting_pk, "governance.change_pact")
    previous = _meeting(request, previous_pk, "governance.change_pact")
    try:
        services.approve_minutes(actor=request.user, meeting=previous, in_meeting=meeting)
    except (ValidationError, TransitionError):
        messages.error(request, _("Those minutes cannot be approved in this meeting."))
    else:
        messages.success(request, _("Minutes of the previous meeting approved."))
    return redirect("governance:body_meeting", meeting_pk=meeting.pk)


@require_POST
def action_item_status(request, item_pk):
    """Its owner marks an action item done; the coordinator also reopens or cancels it."""
    item = _fetch(request, "governance.change_action_item", ActionItem, pk=item_pk)
    form = forms.ActionItemStatusForm(request.POST, allowed=action_item_statuses(request.user, item))
    if form.is_valid():
        services.set_action_item_status(actor=request.user, item=item, status=form.cleaned_data["status"])
    else:
        messages.error(request, _("This action item cannot take that status."))
    return redirect("governance:body_meeting", meeting_pk=item.meeting_id)


def meeting_ics(request, meeting_pk):
    """The meeting as an iCalendar file: body, time, place and agenda; no data about families."""
    meeting = _meeting(request, meeting_pk, "governance.view_governance")
    return ics_response(meeting_events([meeting]), f"riunione-{meeting.pk}.ics", name="Governance")


def minutes_pdf(request, meeting_pk):
    meeting = _meeting(request, meeting_pk, "governance.view_governance")
    with transaction.atomic():
        data = queries.read_meeting(actor=request.user, meeting=meeting, action="governance.minutes.pdf")
        context = {
            "meeting": meeting,
            "pact": meeting.body.pact,
            "pdf": True,
            "attendance": data["attendance"],
            "action_items": data["action_items"],
        }
        return pdf_response(request, "governance/minutes_document.html", context, f"verbale-{meeting.pk}.pdf")


def calendar_settings(request):
    """The user's secret calendar link for the meetings of the bodies they belong to."""
    _pact(request, "governance.view_governance")
    active = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).exists()
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_feed(actor=request.user)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("governance:calendar_settings")
        token = services.create_calendar_feed(actor=request.user)
        active = True
    link = request.build_absolute_uri(reverse("governance:calendar_feed", kwargs={"token": token})) if token else None
    return render(request, "governance/calendar_settings.html", {"active": active, "link": link})


@login_not_required
@mfa_exempt
def calendar_feed(request, token):
    """Read by calendar apps, which cannot sign in: the secret token is the key. The feed holds only the
    meetings of the bodies the user sits on now for an institution in standing where they still hold a
    governance role (time, place, agenda), never data about families; it stops working when revoked."""
    meetings = queries.calendar_feed_meetings(token)
    if meetings is None:
        raise Http404
    response = HttpResponse(
        calendar_bytes(meeting_events(meetings), name="Governance"), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response
