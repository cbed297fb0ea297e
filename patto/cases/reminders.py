"""The families' reminders that come from the passing of time, run by ``manage.py send_reminders``
(registered in ``apps.py``). Each tells only someone who can open the page it links to (a seat in force on
the path) and carries the family's reference, never a name; its dedupe key makes a second run the same
day harmless."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from patto.notifications.kinds import Kind
from patto.notifications.services import notify

from .models import Path, Task, TeamMember, TimePoint
from .queries import seats_in_force, time_points_due_in


@transaction.atomic
def tasks_overdue(today):
    """Each open task past its date, on an open path, to its assignee while they sit in the team: once a
    day."""
    seated = seats_in_force(today).filter(path=OuterRef("path"), user=OuterRef("assignee"))
    tasks = (
        Task.objects.filter(Exists(seated), done_on__isnull=True, due_on__lt=today)
        .exclude(path__state=Path.State.CLOSED)
        .select_related("assignee", "path__family")
    )
    return sum(
        len(
            notify(
                recipients=[task.assignee],
                kind=Kind.TASK_OVERDUE,
                url=reverse("cases:path_detail", kwargs={"pk": task.path_id}),
                reference=task.path.family.reference,
                dedupe_key=f"task:{task.pk}:overdue:{today.isoformat()}",
            )
        )
        for task in tasks
    )


@transaction.atomic
def time_points_due(today):
    """T1 and T2 falling due (or overdue and not done) on the open paths, to their case manager: once per
    path, time point and due date (a new date after the schedule changes is a new reminder)."""
    manager = seats_in_force(today).filter(team_role=TeamMember.TeamRole.CASE_MANAGER)
    paths = Path.objects.filter(
        Exists(manager.filter(path=OuterRef("pk"))), state=Path.State.INTERVENTION
    ).select_related("family", "cohort")
    due = [(path, item) for path, item in time_points_due_in(paths, today) if item.time_point != TimePoint.T0]
    managers = {}
    for seat in manager.filter(path__in={path.pk for path, _item in due}).select_related("user"):
        managers.setdefault(seat.path_id, []).append(seat.user)
    return sum(
        len(
            notify(
                recipients=managers.get(path.pk, []),
                kind=Kind.TIME_POINT_DUE,
                url=reverse("cases:path_detail", kwargs={"pk": path.pk}),
                reference=path.family.reference,
                dedupe_key=f"path:{path.pk}:{item.time_point}:{item.due_on.isoformat()}:due",
            )
        )
        for path, item in due
    )
