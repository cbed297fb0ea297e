"""The team's meetings, minutes and tasks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.calendar import calendar_bytes
from patto.core.versioning import update_versioned
from patto.notifications.kinds import Kind
from patto.notifications.services import notify

from ..ics import meeting_event
from ..models import Meeting, Task
from ..queries import seats_in_force
from .path import _event


def _check_participants(path, participants, family_participants):
    team = set(seats_in_force().filter(path=path).values_list("user_id", flat=True))
    if any(user.pk not in team for user in participants):
        raise ValidationError({"participants": _("Only members of the team take part as professionals.")})
    if any(person.family_id != path.family_id for person in family_participants):
        raise ValidationError({"family_participants": _("Choose members of this family.")})


@transaction.atomic
def schedule_meeting(*, actor, path, held_at, agenda, participants, family_participants=(), with_family=True, place=""):
    _check_participants(path, participants, family_participants)
    meeting = Meeting.objects.create(
        path=path, held_at=held_at, agenda=agenda, with_family=with_family, place=place, created_by=actor
    )
    meeting.participants.set(participants)
    meeting.family_participants.set(family_participants)
    _event(path, actor, "meeting.scheduled", held_at=held_at.isoformat())
    record_event(actor=actor, action="cases.meeting.scheduled", obj=meeting, subjects=list(family_participants))
    if held_at >= timezone.now():  # a meeting recorded after it was held convenes nobody
        page = reverse("cases:meeting_detail", kwargs={"pk": path.pk, "meeting_pk": meeting.pk})
        notify(
            recipients=participants,
            kind=Kind.MEETING_CONVENED,
            url=page,
            reference=path.family.reference,
            ics=_invitation(meeting, path.family.reference, page),
            exclude=actor,
        )
    return meeting


@transaction.atomic
def reschedule_meeting(*, actor, meeting, version, held_at, place, agenda):
    """A meeting still to be held (no minutes yet) moves to another date, time or place, or changes its
    agenda. The professionals taking part who still hold a seat are told, with the .ics that replaces the
    event in their calendars (same UID, higher SEQUENCE)."""
    if not meeting.can_be_rescheduled:
        raise ValidationError(_("This meeting has already been held or has minutes: it can no longer be changed."))
    if held_at <= timezone.now():
        raise ValidationError({"held_at": _("Choose a date and time still to come.")})
    path = meeting.path
    changes = update_versioned(meeting, version, {"held_at": held_at, "place": place, "agenda": agenda})
    record_event(
        actor=actor,
        action="cases.meeting.changed",
        obj=meeting,
        # The agenda may speak of the family: the trail says that it changed, not what it says.
        changes={name: ["…", "…"] if name == "agenda" else values for name, values in changes.items()},
        subjects=list(meeting.family_participants.all()),
    )
    if changes:
        _event(path, actor, "meeting.changed", held_at=held_at.isoformat())
        page = reverse("cases:meeting_detail", kwargs={"pk": path.pk, "meeting_pk": meeting.pk})
        seats = seats_in_force().filter(path=path).values("user")
        notify(
            recipients=meeting.participants.filter(pk__in=seats),
            kind=Kind.MEETING_CHANGED,
            url=page,
            reference=path.family.reference,
            ics=_invitation(meeting, path.family.reference, page),
            exclude=actor,
        )
    return meeting


def _invitation(meeting, reference, page):
    """The .ics sent with the invitation: one file for every recipient, in the district's language, with
    the page's address where Patto is served (``PATTO_BASE_URL``) and not the place (it may be the family's
    home: the e-mail never carries it)."""
    with translation.override(settings.LANGUAGE_CODE):
        page_url = settings.PATTO_BASE_URL + page
        event = meeting_event(meeting, reference=reference, page_url=page_url, with_place=False)
        return calendar_bytes([event], name="Cases")


@transaction.atomic
def record_minutes(*, actor, meeting, version, minutes, decisions, next_steps=()):
    """Minutes and decisions of a meeting; each next step becomes a task with a person and a due date."""
    team = set(seats_in_force().filter(path=meeting.path).values_list("user_id", flat=True))
    if any(step["assignee"].pk not in team for step in next_steps):
        raise ValidationError(_("Next steps go to members of the team."))
    changes = update_versioned(meeting, version, {"minutes": minutes, "decisions": decisions})
    tasks = Task.objects.bulk_create([Task(path=meeting.path, meeting=meeting, **step) for step in next_steps])
    _event(meeting.path, actor, "meeting.minutes", tasks=len(tasks))
    record_event(
        actor=actor,
        action="cases.meeting.minutes_recorded",
        obj=meeting,
        changes=changes,
        subjects=list(meeting.family_participants.all()),
    )
    if tasks:
        notify(
            recipients=[task.assignee for task in tasks],
            kind=Kind.TASK_ASSIGNED,
            url=reverse("cases:path_detail", kwargs={"pk": meeting.path_id}),
            reference=meeting.path.family.reference,
            exclude=actor,
        )
    return tasks


@transaction.atomic
def complete_task(*, actor, task):
    if task.done_on is not None:
        return task
    task.done_on = timezone.localdate()
    task.save(update_fields=["done_on"])
    record_event(actor=actor, action="cases.task.done", obj=task)
    return task
