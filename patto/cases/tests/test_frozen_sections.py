"""Issue 13: the path page's sections read their rows through statements compiled once a day (``core.frozen``):
the notes and timeline entries for each variant of the audience rules, the team, the consents, the open tasks,
the devices and the meetings (the team's view and a school seat's). The notes and timeline entries must answer
what the audience rules say (written out here by hand), the others what the ORM's own query answers, for every
person of the team (the variants of the audience rules: the team's view, a psychologist's
with the clinical notes, a teacher's school seat), and see a change at the next use."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patto.accounts.models import User
from patto.cases import services
from patto.cases.models import Note, PathEvent, TeamMember
from patto.cases.queries import (
    _audience,
    access_to,
    consents_of,
    latest_events,
    latest_meetings,
    latest_notes,
    meetings_of,
    open_tasks_of_path,
    team_of,
)
from patto.core.frozen import forget_all

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
TEAM = ("case_manager", "health_professional", "school_referent", "team_member")


@pytest.fixture(autouse=True)
def _fresh_statements():
    forget_all()
    yield
    forget_all()


def _notes_of_every_audience(path, personas, world):
    fresh = lambda name: User.objects.get(username=name)  # noqa: E731 (a new User: no request's memo)
    services.add_note(actor=fresh("case_manager"), path=path, audience=Note.Audience.TEAM, text="team")
    services.add_note(actor=fresh("case_manager"), path=path, audience=Note.Audience.INSTITUTION, text="comune")
    services.add_note(
        actor=fresh("case_manager"), path=path, audience=Note.Audience.SCHOOL, text="scuola", school=world.school
    )
    services.add_note(actor=fresh("health_professional"), path=path, audience=Note.Audience.CLINICAL, text="clinica")
    services.add_note(actor=fresh("health_professional"), path=path, audience=Note.Audience.INSTITUTION, text="ausl")
    services.add_note(
        actor=fresh("school_referent"),
        path=path,
        audience=Note.Audience.SCHOOL,
        text="dalla scuola",
        school=world.school,
    )


# The notes of _notes_of_every_audience, newest first, and which each seat reads (written from the audience
# rules, not from the code): the team's notes; "my institution's" only at one's own institution; the clinical
# note only for the AUSL's psychologist; a school seat only what is shared with its school.
NEWEST_FIRST = ["dalla scuola", "ausl", "clinica", "scuola", "comune", "team"]
READS = {
    "case_manager": {"team", "comune", "scuola", "dalla scuola"},
    "health_professional": {"team", "ausl", "clinica", "scuola", "dalla scuola"},
    "school_referent": {"scuola", "dalla scuola"},
    "team_member": {"team", "scuola", "dalla scuola"},
}


def _reads(name, event, world):
    """The same rules for a timeline entry (its institution is the one it is about or shared with)."""
    own = {
        "case_manager": world.comune,
        "health_professional": world.ausl,
        "school_referent": world.school,
        "team_member": world.coop,
    }[name]
    if name == "school_referent":
        return event.audience == Note.Audience.SCHOOL and event.institution_id == world.school.pk
    return (
        event.audience in (Note.Audience.TEAM, Note.Audience.SCHOOL)
        or (event.audience == Note.Audience.INSTITUTION and event.institution_id == own.pk)
        or (event.audience == Note.Audience.CLINICAL and name == "health_professional")
    )


def test_each_section_answers_what_the_rules_and_the_orm_answer_for_every_seat(family_path, personas, world):
    path = family_path
    _notes_of_every_audience(path, personas, world)
    case_manager = User.objects.get(username="case_manager")
    attendees = [case_manager, User.objects.get(username="school_referent")]
    for hour in (9, 11):
        services.schedule_meeting(
            actor=case_manager,
            path=path,
            held_at=datetime(2026, 11, 20, hour, 0, tzinfo=ROME),
            agenda=f"incontro {hour}",
            participants=attendees if hour == 9 else attendees[:1],
            family_participants=list(path.family.members.all()) if hour == 9 else [],
        )
    variants = set()
    for name in TEAM:
        user = User.objects.get(username=name)
        variants.add(_audience(access_to(user, path))[0])
        notes = latest_notes(user, path)
        assert [n.text for n in notes] == [text for text in NEWEST_FIRST if text in READS[name]], name
        events = PathEvent.objects.filter(path=path).order_by("-occurred_at", "-id")
        assert [e.pk for e in latest_events(user, path)] == [e.pk for e in events if _reads(name, e, world)], name
        assert [m.pk for m in latest_meetings(path, user)] == [m.pk for m in meetings_of(path, user)[:20]], name
        shown = latest_meetings(path, user)
        with CaptureQueriesContext(connection) as read:  # the participants come with the meetings
            people = [
                ([u.pk for u in m.participants.all()], [p.pk for p in m.family_participants.all()]) for m in shown
            ]
        assert not read.captured_queries, name
        expected = [
            (sorted(u.pk for u in m.participants.all()), [p.pk for p in m.family_participants.all()])
            for m in meetings_of(path, user)[:20]
        ]
        assert [(sorted(professionals), family) for professionals, family in people] == expected, name
        assert all(note.path is path for note in notes)  # no query to read a note's path
    assert len(variants) == 3  # the team's, with the clinical notes, and a school seat's: each compared
    school = User.objects.get(username="school_referent")
    assert {n.text for n in latest_notes(school, path)} == {"scuola", "dalla scuola"}
    assert [m.agenda for m in latest_meetings(path, school)] == ["incontro 9"]  # only the one attended
    assert [m.pk for m in team_of(path)] == [
        m.pk for m in path.team.select_related("user", "institution").order_by("ended_at", "team_role")
    ]
    assert [c.pk for c in consents_of(path)] == [
        c.pk for c in path.consents.select_related("institution").order_by("withdrawn_on", "given_on")
    ]
    assert [t.pk for t in open_tasks_of_path(path)] == [t.pk for t in path.tasks.filter(done_on__isnull=True)]


def test_a_change_is_seen_at_the_next_use(family_path, personas, world):
    path = family_path
    teacher = User.objects.get(username="school_referent")
    assert latest_notes(teacher, path) == []
    services.add_note(
        actor=User.objects.get(username="case_manager"),
        path=path,
        audience=Note.Audience.SCHOOL,
        text="per la scuola",
        school=world.school,
    )
    assert [n.text for n in latest_notes(User.objects.get(username="school_referent"), path)] == ["per la scuola"]
    before = len(team_of(path))
    TeamMember.objects.filter(path=path, user__username="team_member").update(
        ended_at=datetime(2026, 11, 1, tzinfo=ROME)
    )
    ended = [m for m in team_of(path) if m.user.username == "team_member"]
    assert len(team_of(path)) == before and ended and not ended[0].is_current


def test_the_home_cards_of_actions_and_paths_answer_what_the_orm_answers(family_path, personas, world):
    """The actions card (frozen for seats outside schools, the ORM's query for a school seat) and the paths
    card's count (the paths' states come with the seats), inside a request, against the ORM's queries."""
    from datetime import date

    from patto.cases.models import Path, SubDimension
    from patto.cases.queries import actions_assigned_to, first_actions_assigned_to, my_seats, paths_visible_to
    from patto.cases.tests.test_request_caches import _InRequest

    case_manager = User.objects.get(username="case_manager")
    goal = services.add_goal(
        actor=case_manager,
        path=family_path,
        subdimension=SubDimension.objects.get(side__framework__is_current=True, code="cura"),
        expected_result="Colazione prima di scuola",
    )
    for index in range(6):
        for name in ("health_professional", "school_referent"):
            services.add_action(
                actor=case_manager,
                goal=goal,
                description=f"azione {index}",
                area="social",
                deadline=date(2026, 12, 1 + index),
                professional=User.objects.get(username=name),
            )
    for name in TEAM:
        user = User.objects.get(username=name)
        expected = list(actions_assigned_to(user)[:5]), actions_assigned_to(user).count()
        with _InRequest():
            actions, count = first_actions_assigned_to(user)
            assert ([a.pk for a in actions], count) == ([a.pk for a in expected[0]], expected[1]), name
            assert (
                len(my_seats(user).open_path_ids()) == paths_visible_to(user).exclude(state=Path.State.CLOSED).count()
            )
    with _InRequest():
        psychologist = User.objects.get(username="health_professional")
        assert first_actions_assigned_to(psychologist)[1] == 6


def test_the_home_cards_of_tasks_and_meetings_answer_what_the_orm_answers(family_path, personas, world):
    """Inside a request the tasks card and the next meetings read frozen statements (the meetings from the start
    of the day, the moment compared in Python); outside one the ORM's queries: the same answers."""
    from datetime import date, timedelta

    from django.utils import timezone

    from patto.cases.models import Task
    from patto.cases.queries import count_open_tasks, read_open_tasks, upcoming_meetings_of
    from patto.cases.tests.test_request_caches import _InRequest

    case_manager = User.objects.get(username="case_manager")
    teacher = User.objects.get(username="school_referent")
    now = timezone.now()
    for hours in (-3, 2, 30, 50):  # one earlier today: not upcoming
        services.schedule_meeting(
            actor=case_manager,
            path=family_path,
            held_at=now + timedelta(hours=hours),
            agenda=f"incontro {hours}",
            participants=[case_manager, teacher],
        )
    for index in range(7):
        Task.objects.create(
            path=family_path,
            description=f"passo {index}",
            assignee=case_manager if index % 2 else teacher,
            due_on=date(2026, 12, 1 + index),
            done_on=date(2026, 11, 1) if index == 6 else None,
        )
    for name in TEAM:
        user = User.objects.get(username=name)
        outside = (
            [t.pk for t in read_open_tasks(user, limit=5)],
            count_open_tasks(user),
            [(when, kind, m.pk) for when, kind, m in upcoming_meetings_of(user)],
        )
        with _InRequest():
            inside = (
                [t.pk for t in read_open_tasks(user, limit=5)],
                count_open_tasks(user),
                [(when, kind, m.pk) for when, kind, m in upcoming_meetings_of(user)],
            )
        assert inside == outside, name
    with _InRequest():
        assert len(upcoming_meetings_of(case_manager)) == 3 and count_open_tasks(teacher) == 3


def test_the_other_frozen_reads_answer_what_the_orm_answers(family_path, personas, world, pact):
    """The pact's card, the bell, the path's requests and waiting entries, the offer's availability: each against
    the query it replaced (as it was before issue 13's frozen statements), for every persona."""
    from patto.governance.models import Pact
    from patto.governance.queries import pact_visible_to, pacts_visible_to
    from patto.notifications.models import Notification
    from patto.notifications.queries import unread_count
    from patto.offer.models import Offer, WaitingEntry
    from patto.offer.queries import availability_for, waiting_of_path, with_figures
    from patto.referrals.models import Request
    from patto.referrals.queries import requests_about_path

    assert Pact.objects.exists()
    for name in personas:
        user = User.objects.get(username=name)
        assert pact_visible_to(user) == pacts_visible_to(user).first(), name
        assert unread_count(user) == Notification.objects.filter(recipient=user, read_at__isnull=True).count(), name
    assert [r.pk for r in requests_about_path(family_path)] == list(
        Request.objects.filter(path=family_path).order_by("-sent_at").values_list("pk", flat=True)
    )
    assert [e.pk for e in waiting_of_path(family_path)] == list(
        WaitingEntry.objects.filter(path=family_path).order_by("ended_on", "since").values_list("pk", flat=True)
    )
    offers = Offer.objects.filter(district_id=world.district.pk, is_active=True)
    assert [(offer.pk, figures.in_use) for offer, figures in availability_for(world.district.pk)] == [
        (offer.pk, offer.in_use) for offer in with_figures(offers)
    ]
