"""The path list (order, filters, count, pagination) and the home page's cards with the full lists behind
them (tasks, plan actions, meetings, time points): need-to-know first, the read logged, query counts flat.

Dates are relative to today (the personas' memberships start today): nothing depends on the calendar."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import Cohort, Path, SubDimension, Task

TODAY = timezone.localdate


def _open(actor, cohort, world, name):
    return services.open_path(
        actor=actor,
        cohort=cohort,
        signal_source=world.school,
        signal_date=date(2025, 9, 1),
        signal_summary="s",
        legal_basis="public_interest",
        child={
            "first_name": name,
            "last_name": "Prova",
            "birth_date": date(2018, 1, 1),
            "sex": "M",
            "fiscal_code": "",
            "town": "",
            "school": None,
            "school_site": None,
        },
    )


def _set_state(path, state):
    Path.objects.filter(pk=path.pk).update(state=state)  # arranging the data: the transitions are tested elsewhere


def _task(path, user, days):
    return Task.objects.create(
        path=path, description=f"Compito {days}", due_on=TODAY() + timedelta(days=days), assignee=user
    )


def _action(path, actor, days, **who):
    goal = services.add_goal(
        actor=actor,
        path=path,
        expected_result="Risultato",
        subdimension=SubDimension.objects.filter(side__framework__is_current=True).first(),
    )
    return services.add_action(
        actor=actor,
        goal=goal,
        description=f"Azione {days}",
        area="social",
        deadline=TODAY() + timedelta(days=days),
        **who,
    )


def _references(response):
    return [path.family.reference for path in response.context["page"]]


def test_open_paths_by_phase_then_next_date_then_last_change_closed_last(login, family_path, personas, world):
    actor = personas["case_manager"].user
    cohort = family_path.cohort
    closed, later, sooner, undated, pre = (
        _open(actor, cohort, world, name) for name in ("Chiuso", "Dopo", "Prima", "Senza", "Pre")
    )
    _set_state(closed, Path.State.CLOSED)
    for path in (later, sooner, undated):
        _set_state(path, Path.State.INTERVENTION)
    _set_state(pre, Path.State.PRE_ASSESSMENT)
    _action(later, actor, 20, person=later.family.members.get())
    _task(sooner, actor, 5)
    Task.objects.create(path=sooner, description="Fatto", due_on=TODAY(), assignee=actor, done_on=TODAY())  # ignored
    _action(sooner, actor, 30, person=sooner.family.members.get())
    Path.objects.filter(pk=undated.pk).update(updated_at=timezone.now() + timedelta(hours=1))  # the latest change

    response = login("case_manager").get(reverse("cases:path_list"))

    assert _references(response) == [p.family.reference for p in (family_path, pre, sooner, later, undated, closed)]
    assert response.context["page"].paginator.count == 6
    nexts = {path.family.reference: path.next_due for path in response.context["page"]}
    assert nexts[sooner.family.reference] == TODAY() + timedelta(days=5)
    assert nexts[later.family.reference] == TODAY() + timedelta(days=20)
    assert nexts[undated.family.reference] is None
    # Each child's name once, no stray comma after the last child (the parent is not listed).
    assert re.search(r"<td>Aurora \(\d+\)</td>", response.content.decode())


def test_each_filter_narrows_what_the_user_may_see_and_no_more(login, family_path, personas, world):
    actor = personas["case_manager"].user
    other_cohort = Cohort.objects.create(district=world.district, name="PIPPI 14 — Rimini", start_date=date(2026, 9, 1))
    closed = _open(actor, family_path.cohort, world, "Chiuso")
    _set_state(closed, Path.State.CLOSED)
    later = _open(actor, other_cohort, world, "Nuovo")
    # A colleague's path: not visible to the case manager, whatever the filters say.
    colleague = MembershipFactory(
        user=UserFactory(username="colleague"), institution=world.comune, role=Role.SOCIAL_WORKER
    ).user
    hidden = _open(colleague, family_path.cohort, world, "Altrui")
    client = login("case_manager")

    def refs(**query):
        return set(_references(client.get(reverse("cases:path_list"), query)))

    every = {family_path.family.reference, closed.family.reference, later.family.reference}
    assert refs() == every
    assert refs(state="signal") == {family_path.family.reference, later.family.reference}
    assert refs(status="open") == {family_path.family.reference, later.family.reference}
    assert refs(status="closed") == {closed.family.reference}
    assert refs(cohort=other_cohort.pk) == {later.family.reference}
    assert refs(reference=later.family.reference[-4:]) == {later.family.reference}
    assert refs(reference=hidden.family.reference) == set()
    assert refs(mine="case_manager") == every
    # A cohort the user has no path in is not offered, and asking for it is an error that keeps the rest.
    response = client.get(reverse("cases:path_list"), {"cohort": 999999, "status": "closed"})
    assert response.context["form"].errors["cohort"]
    assert _references(response) == [closed.family.reference]
    assert 'value="closed" selected' in response.content.decode()
    assert "Altrui" not in client.get(reverse("cases:path_list")).content.decode()

    # The educator is in the family's team, not its case manager.
    educator = login("team_member")
    assert set(_references(educator.get(reverse("cases:path_list"), {"mine": "team"}))) == {
        family_path.family.reference
    }
    assert _references(educator.get(reverse("cases:path_list"), {"mine": "case_manager"})) == []
    assert _references(login("outsider").get(reverse("cases:path_list"), {"reference": "RN"})) == []


def test_path_list_queries_do_not_grow_and_pagination_keeps_the_filters(login, family_path, personas, world, settings):
    settings.PATTO_PAGE_SIZE = 2
    actor = personas["case_manager"].user
    client = login("case_manager")
    url = reverse("cases:path_list")

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"status": "open"})
        assert response.status_code == 200
        return len(queries), response

    one, _response = measure()
    for name in ("Due", "Tre", "Quattro", "Cinque"):
        path = _open(actor, family_path.cohort, world, name)
        _task(path, actor, 3)
        _action(path, actor, 9, person=path.family.members.get())
    three, response = measure()  # a full page of 2, and a path list of 5
    assert one == three
    assert response.context["page"].paginator.count == 5
    assert 'href="?status=open&amp;page=2"' in response.content.decode()
    second = client.get(url, {"status": "open", "page": 2})
    assert 'href="?status=open&amp;page=1"' in second.content.decode()
    event = AuditEvent.objects.filter(action="cases.path.listed").latest("pk")
    assert event.subjects.count() == 2  # the families on the page read, each with its members (one child each)


# --- The home page's cards and their full lists ------------------------------------------------------


@pytest.fixture
def busy(family_path, personas, world, pact):
    """Seven open tasks for the case manager, an action of the plan for the psychologist, a team meeting
    and a meeting of the Gruppo Territoriale for the teacher (the school referent sits on it)."""
    from patto.governance import services as governance

    actor = personas["case_manager"].user
    for days in range(7):
        _task(family_path, actor, days - 2)
    psychologist = personas["health_professional"].user
    _action(family_path, actor, 10, professional=psychologist)
    teacher = personas["school_referent"].user
    services.schedule_meeting(
        actor=actor,
        path=family_path,
        held_at=timezone.now() + timedelta(days=3),
        agenda="Verifica",
        participants=[actor, teacher],
        place="Scuola",
    )
    body = pact.bodies.get()
    governance.add_body_member(
        actor=personas["coordinator"].user, body=body, user=teacher, institution=world.school, valid_from=TODAY()
    )
    governance.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=body,
        starts_at=timezone.now() + timedelta(days=10),
        duration_minutes=60,
        place="Sala Giunta",
        agenda="1. Monitoraggio",
    )
    _set_state(family_path, Path.State.ASSESSMENT)  # T0 is due now: the case manager's time point
    return family_path


def _panel(response, list_name):
    """The home card whose "see all" link leads to ``list_name``, or None."""
    url = reverse(list_name)
    return next((panel for panel in response.context["panels"] if panel.get("more", ("", ""))[1] == url), None)


def test_every_card_says_its_total_and_links_to_the_full_list(busy, login, personas):
    client = login("case_manager")
    tasks = _panel(client.get(reverse("core:home")), "cases:my_tasks")
    assert len(tasks["links"]) == 5 and "7" in tasks["text"] and "7" in tasks["more"][0]
    page = client.get(reverse("cases:my_tasks"))
    assert page.context["page"].paginator.count == 7
    assert page.content.decode().count(busy.family.reference) == 7
    assert AuditEvent.objects.filter(action="cases.tasks.listed", actor=personas["case_manager"].user).count() == 2

    points = client.get(reverse("cases:time_points_due"))
    assert [due.time_point for _path, due in points.context["page"]] == ["T0"]
    assert "1" in _panel(client.get(reverse("core:home")), "cases:time_points_due")["text"]

    psychologist = login("health_professional")
    card = _panel(psychologist.get(reverse("core:home")), "cases:my_actions")
    assert card["links"][0][1] == reverse("cases:plan", kwargs={"pk": busy.pk})
    actions = psychologist.get(reverse("cases:my_actions"))
    assert [action.description for action in actions.context["page"]] == ["Azione 10"]
    assert AuditEvent.objects.filter(action="cases.actions.listed", actor=personas["health_professional"].user).exists()

    teacher = login("school_referent")
    card = _panel(teacher.get(reverse("core:home")), "cases:my_meetings")
    assert [url for _label, url in card["links"]] == [
        reverse("cases:meeting_detail", kwargs={"pk": busy.pk, "meeting_pk": busy.meetings.get().pk}),
        reverse("governance:body_meeting", kwargs={"meeting_pk": card_meeting_pk(busy)}),
    ]
    meetings = teacher.get(reverse("cases:my_meetings"))
    assert [kind for _when, kind, _meeting in meetings.context["page"]] == ["team", "body"]
    assert teacher.get(reverse("cases:my_actions")).context["page"].paginator.count == 0

    # The outsider has none of these: no card, empty lists.
    outsider = login("outsider")
    home = outsider.get(reverse("core:home"))
    for name in ("cases:my_tasks", "cases:my_actions", "cases:my_meetings", "cases:time_points_due"):
        assert _panel(home, name) is None
        assert outsider.get(reverse(name)).context["page"].paginator.count == 0


def card_meeting_pk(path):
    from patto.governance.models import BodyMeeting

    return BodyMeeting.objects.filter(starts_at__gt=timezone.now()).get().pk


def test_an_ended_seat_takes_the_action_and_the_meeting_off_the_lists(busy, login, personas):
    from patto.cases.models import TeamMember

    TeamMember.objects.filter(path=busy, user=personas["health_professional"].user).update(
        valid_to=TODAY() - timedelta(days=1)
    )
    assert login("health_professional").get(reverse("cases:my_actions")).context["page"].paginator.count == 0
    TeamMember.objects.filter(path=busy, user=personas["school_referent"].user).update(ended_at=timezone.now())
    page = login("school_referent").get(reverse("cases:my_meetings")).context["page"]
    assert [kind for _when, kind, _meeting in page] == ["body"]


def test_the_full_lists_query_counts_do_not_grow(family_path, personas, world, login):
    actor = personas["case_manager"].user
    client = login("case_manager")
    names = ("cases:my_tasks", "cases:my_actions", "cases:my_meetings", "cases:time_points_due", "core:home")

    def add_items():
        path = _open(actor, family_path.cohort, world, f"Bimbo{Path.objects.count()}")
        _set_state(path, Path.State.ASSESSMENT)
        _task(path, actor, 4)
        _action(path, actor, 6, professional=actor)
        services.schedule_meeting(
            actor=actor, path=path, held_at=timezone.now() + timedelta(days=2), agenda="A", participants=[actor]
        )

    def measure():
        counts = {}
        for name in names:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name))
            assert response.status_code == 200
            counts[name] = (len(queries), response.context.get("page") and response.context["page"].paginator.count)
        return counts

    add_items()
    one = measure()
    add_items()
    add_items()
    three = measure()
    for name in names[:-1]:
        assert one[name][1] == 1 and three[name][1] == 3, name
    assert {name: count for name, (count, _n) in one.items()} == {name: count for name, (count, _n) in three.items()}


def test_the_home_page_logs_each_card_read_in_one_go_and_fails_closed(busy, login, personas, audit_refused):
    """Each card's read is its own row (its action, the families' members as the people concerned), written
    together once the page is made (``audit.services.reads_logged_together``); if they cannot be written, the
    page is not shown."""

    client = login("case_manager")
    reader = personas["case_manager"].user
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("core:home")).status_code == 200
    rows = list(AuditEvent.objects.filter(id__gt=last, actor=reader))
    actions = sorted(row.action for row in rows)
    assert {"cases.tasks.listed", "cases.time_points.listed", "cases.meetings.listed"} <= set(actions)
    assert len(actions) == len(set(actions))  # one row per card
    members = {str(pk) for pk in busy.family.members.values_list("pk", flat=True)}
    for row in rows:
        if row.action.startswith("cases."):
            assert set(row.subjects.values_list("subject_id", flat=True)) >= members
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT INTO")]
    assert len([sql for sql in inserts if "audit_auditevent" in sql]) == 1

    with audit_refused():
        response = client.get(reverse("core:home"))
    assert response.status_code == 503
    assert busy.family.reference.encode() not in response.content


def test_the_soonest_of_two_dates_either_of_which_may_be_missing(family_path):
    """The list's next date is the earlier of the next task and the next action, either of which may be missing:
    PostgreSQL's LEAST ignores NULLs (each subquery once), SQLite's MIN does not (coalesced there): the same
    answer on both, in either order."""
    from django.db.models import DateField, Value

    from patto.cases.queries import _Soonest

    early, late = date(2026, 11, 20), date(2026, 12, 5)
    for first, second, expected in (
        (early, late, early),
        (late, early, early),
        (early, None, early),
        (None, late, late),
        (None, None, None),
    ):
        soonest = _Soonest(Value(first, output_field=DateField()), Value(second, output_field=DateField()))
        assert Path.objects.annotate(soonest=soonest).values_list("soonest", flat=True).get() == expected
