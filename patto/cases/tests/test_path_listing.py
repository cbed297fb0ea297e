"""The path list read in a request (``PathListing``: one frozen statement, the filters and the order applied
in Python) against the ORM's queries it replaced (``my_paths``: filters and ORDER BY in SQL), for every
combination of the filters, for a case manager and a team member, in a world of paths in every phase,
two cohorts, tasks and plan actions due on different days, and changes at the same moment (the key breaks
the tie)."""

import itertools
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from patto.accounts.models import User
from patto.cases.models import Cohort, Path, TeamMember
from patto.cases.queries import PathListing, my_paths
from patto.cases.tests.test_lists import _action, _open, _set_state, _task
from patto.cases.tests.test_request_caches import _InRequest


@pytest.fixture
def many(family_path, personas, world):
    actor = personas["case_manager"].user
    educator = personas["team_member"].user
    chance = random.Random(13)
    other = Cohort.objects.create(
        district=world.district, name="PIPPI 14 — Rimini", start_date=family_path.cohort.start_date
    )
    states = [state for state, _label in Path.State.choices]
    moment = timezone.now().replace(microsecond=0)
    paths = [family_path]
    for index in range(11):
        path = _open(actor, other if index % 3 == 0 else family_path.cohort, world, f"Bimbo{index}")
        _set_state(path, states[index % len(states)])
        if index % 2:
            _task(path, actor, chance.randint(-3, 20))
        if index % 4 == 1:
            _action(path, actor, chance.randint(1, 40), person=path.family.members.get())
        if index % 3 == 2:
            TeamMember.objects.create(
                path=path,
                user=educator,
                institution=personas["team_member"].institution,
                team_role=TeamMember.TeamRole.EDUCATOR,
                valid_from=timezone.localdate(),
            )
        paths.append(path)
    # Three paths changed at the same moment: the order falls back on the key.
    Path.objects.filter(pk__in=[path.pk for path in paths[2:5]]).update(updated_at=moment)
    return paths, (family_path.cohort, other)


def _filters(cohorts, reference):
    states = [""] + [state for state, _label in Path.State.choices]
    for state, status, mine, cohort, ref in itertools.product(
        states, ["", "open", "closed"], ["", "case_manager", "team"], [None, *cohorts], ["", reference]
    ):
        yield {
            name: value
            for name, value in dict(state=state, status=status, mine=mine, cohort=cohort, reference=ref).items()
            if value not in ("", None)
        }


@pytest.mark.parametrize("username", ["case_manager", "team_member"])
def test_the_listing_in_a_request_is_the_orm_s_list_for_every_filter(many, username):
    paths, cohorts = many
    user = User.objects.get(username=username)
    reference = paths[3].family.reference[-3:].lower()  # part of a reference, in another case
    compared = 0
    for filters in _filters(cohorts, reference):
        expected = list(my_paths(user, **filters))  # outside a request: the ORM's filters and ORDER BY
        with _InRequest():
            listing = PathListing(user)
            assert listing.rows is not None
            ids = listing.ordered_ids(**filters)
            page = listing.page(filters, 1)
        assert ids == [path.pk for path in expected], filters
        assert [(path.pk, path.next_due) for path in page] == [
            (path.pk, path.next_due) for path in expected[: len(page)]
        ]
        for shown in page:
            assert [m.pk for m in shown.family.members.all()] == list(shown.family.members.values_list("pk", flat=True))
        compared += bool(expected)
    assert compared > 50  # most combinations list something


def test_the_cohorts_offered_are_those_of_the_visible_paths(many):
    from patto.cases.queries import cohorts_of_visible_paths

    for username in ("case_manager", "team_member", "outsider"):
        user = User.objects.get(username=username)
        with _InRequest():
            listing = PathListing(user)
            offered, choices = list(listing.cohorts()), listing.cohort_choices()
        expected = list(cohorts_of_visible_paths(user))
        assert offered == expected, username
        assert choices == [(cohort.pk, cohort.name) for cohort in expected], username


def test_a_page_past_the_end_and_a_new_seat_are_seen_at_once(many, personas):
    paths, _cohorts = many
    user = personas["team_member"].user
    with _InRequest():
        before = PathListing(user).page({}, 99)  # past the end: the last page, as Django's get_page gives
    assert before.number == before.paginator.num_pages
    seated = {path.pk for path in my_paths(user)}
    newcomer = next(path for path in paths if path.pk not in seated)
    TeamMember.objects.create(
        path=newcomer,
        user=user,
        institution=personas["team_member"].institution,
        team_role=TeamMember.TeamRole.EDUCATOR,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    with _InRequest():
        assert newcomer.pk in PathListing(user).ordered_ids()
