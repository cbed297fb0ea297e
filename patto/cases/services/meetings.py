"""The team's meetings, minutes and tasks."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.versioning import update_versioned

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
    return meeting


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
    return tasks


@transaction.atomic
def complete_task(*, actor, task):
    if task.done_on is not None:
        return task
    task.done_on = timezone.localdate()
    task.save(update_fields=["done_on"])
    record_event(actor=actor, action="cases.task.done", obj=task)
    return task
