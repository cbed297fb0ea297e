"""Who the family's path tells, and about what: the person added to the team, the professionals invited to
a meeting (with its .ics), the assignee of a task; the reminders of overdue tasks and of T1/T2 falling due.
Never the actor, never someone who cannot open the link, never a name."""

from datetime import date, datetime, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from patto.cases import reminders, services
from patto.cases.models import Path, Task, TeamMember
from patto.notifications.kinds import Kind
from patto.notifications.models import Notification
from patto.notifications.reminders import sources

TODAY = date(2026, 11, 16)  # the tests' clock (root conftest)


def _sent(kind):
    """{username: (url, reference)} of the notifications of ``kind``."""
    return {
        n.recipient.username: (n.url, n.reference)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def test_the_people_added_to_the_team_are_told_not_the_actor_nor_a_seat_starting_later(family_path, personas, world):
    url = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    reference = family_path.family.reference
    # The fixture's case manager added the psychologist, the teacher (with consent) and the educator.
    assert _sent(Kind.TEAM_ADDED) == {
        "health_professional": (url, reference),
        "school_referent": (url, reference),
        "team_member": (url, reference),
    }
    case_manager = personas["case_manager"].user
    services.add_team_member(  # the case manager takes a second seat herself: nobody to tell
        actor=case_manager,
        path=family_path,
        user=case_manager,
        institution=world.comune,
        team_role=TeamMember.TeamRole.SOCIAL_WORKER,
        valid_from=TODAY,
    )
    services.add_team_member(  # a seat from next month opens nothing today: no link to send yet
        actor=case_manager,
        path=family_path,
        user=personas["health_professional"].user,
        institution=world.ausl,
        team_role=TeamMember.TeamRole.OTHER,
        valid_from=TODAY + timedelta(days=30),
    )
    assert Notification.objects.filter(kind=Kind.TEAM_ADDED).count() == 3
    assert reference.startswith(world.district.reference_prefix)
    assert "Canestrari" not in "".join(Notification.objects.values_list("reference", flat=True))


def test_a_meeting_convenes_its_professionals_with_an_ics_naming_only_the_family_reference(family_path, personas):
    case_manager = personas["case_manager"].user
    meeting = services.schedule_meeting(
        actor=case_manager,
        path=family_path,
        held_at=timezone.make_aware(datetime(2026, 11, 20, 15, 30)),
        agenda="Parlare della madre Elena",
        place="Servizi sociali",
        participants=[case_manager, personas["school_referent"].user, personas["team_member"].user],
    )
    url = reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    reference = family_path.family.reference
    assert _sent(Kind.MEETING_CONVENED) == {"school_referent": (url, reference), "team_member": (url, reference)}
    ics = bytes(Notification.objects.filter(kind=Kind.MEETING_CONVENED).first().attachment_ics)
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert reference in str(event["summary"]) and settings.PATTO_BASE_URL + url in str(event["description"])
    # The place is free text (it may be the family's home): the e-mailed file does not carry it.
    assert event["dtstart"].dt == meeting.held_at and "Servizi sociali" not in str(event["location"])
    assert b"Elena" not in ics and b"Canestrari" not in ics and b"Aurora" not in ics

    # A meeting recorded after it was held convenes nobody.
    services.schedule_meeting(
        actor=case_manager,
        path=family_path,
        held_at=timezone.make_aware(datetime(2026, 11, 2, 10)),
        agenda="Già svolto",
        participants=[case_manager, personas["team_member"].user],
    )
    assert Notification.objects.filter(kind=Kind.MEETING_CONVENED).count() == 2


def test_next_steps_tell_their_assignee_unless_self_assigned(family_path, personas):
    case_manager, educator = personas["case_manager"].user, personas["team_member"].user
    meeting = services.schedule_meeting(
        actor=case_manager,
        path=family_path,
        held_at=timezone.make_aware(datetime(2026, 11, 10, 15)),
        agenda="Verifica",
        participants=[case_manager, educator],
    )
    services.record_minutes(
        actor=case_manager,
        meeting=meeting,
        version=meeting.version,
        minutes="Sentita la famiglia",
        decisions="",
        next_steps=[
            {"description": "Chiamare la scuola", "assignee": educator, "due_on": date(2026, 11, 30)},
            {"description": "Visita domiciliare", "assignee": educator, "due_on": date(2026, 12, 5)},
            {"description": "Relazione", "assignee": case_manager, "due_on": date(2026, 12, 1)},
        ],
    )
    url = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    assert _sent(Kind.TASK_ASSIGNED) == {"team_member": (url, family_path.family.reference)}


def _task(path, user, due_on, **extra):
    return Task.objects.create(path=path, assignee=user, description="Compito", due_on=due_on, **extra)


def test_overdue_tasks_remind_their_assignee_once_a_day_not_done_ones_nor_on_closed_paths(family_path, personas):
    assert {"cases.tasks_overdue", "cases.time_points_due"} <= set(sources())
    educator, psychologist = personas["team_member"].user, personas["health_professional"].user
    overdue = _task(family_path, educator, TODAY - timedelta(days=3))
    _task(family_path, educator, TODAY)  # due today: not overdue yet
    _task(family_path, educator, TODAY - timedelta(days=3), done_on=TODAY - timedelta(days=1))
    _task(family_path, personas["outsider"].user, TODAY - timedelta(days=3))  # no seat: cannot open the path
    ended = _task(family_path, psychologist, TODAY - timedelta(days=3))
    TeamMember.objects.filter(path=family_path, user=psychologist).update(ended_at=timezone.now())

    assert reminders.tasks_overdue(TODAY) == 1
    assert reminders.tasks_overdue(TODAY) == 0  # the job ran twice today
    reminder = Notification.objects.get(kind=Kind.TASK_OVERDUE)
    assert (reminder.recipient, reminder.url, reminder.reference) == (
        educator,
        reverse("cases:path_detail", kwargs={"pk": family_path.pk}),
        family_path.family.reference,
    )
    assert reminder.dedupe_key == f"task:{overdue.pk}:overdue:2026-11-16"
    assert ended.assignee_id != reminder.recipient_id

    tomorrow = TODAY + timedelta(days=1)
    assert reminders.tasks_overdue(tomorrow) == 2  # a new day, a new reminder; and today's task is late
    Path.objects.filter(pk=family_path.pk).update(state=Path.State.CLOSED)
    assert reminders.tasks_overdue(tomorrow + timedelta(days=1)) == 0


def test_t1_falling_due_reminds_the_case_manager_once_never_on_a_closed_path(family_path, personas):
    # Intervention started on 20 February: T1 (9 months) falls on 20 November, T2 in August 2027.
    Path.objects.filter(pk=family_path.pk).update(state=Path.State.CLOSED, intervention_started_on=date(2026, 2, 20))
    assert reminders.time_points_due(TODAY) == 0
    Path.objects.filter(pk=family_path.pk).update(state=Path.State.INTERVENTION)
    assert reminders.time_points_due(TODAY) == 1
    assert reminders.time_points_due(TODAY) == 0
    assert reminders.time_points_due(TODAY + timedelta(days=7)) == 0  # overdue now, already told
    reminder = Notification.objects.get(kind=Kind.TIME_POINT_DUE)
    assert (reminder.recipient, reminder.url, reminder.reference, reminder.dedupe_key) == (
        personas["case_manager"].user,
        reverse("cases:path_detail", kwargs={"pk": family_path.pk}),
        family_path.family.reference,
        f"path:{family_path.pk}:T1:2026-11-20:due",
    )
