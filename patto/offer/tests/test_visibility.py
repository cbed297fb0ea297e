"""Who sees which waiting-list entry, against an independent oracle. Hypothesis draws worlds: institutions of
each kind in or out of standing, people with memberships (current, ended or not yet started) in roles that fit a
seat or not, seats on paths (current, expired, not yet started, ended), and entries on those paths; the oracle
below, the rule in plain Python sharing no code with ``offer.queries``, says who may see each entry: whoever
holds, today, a seat on the entry's path at an institution in standing that is not a school or an educational
service, with a current membership there in a role that fits the seat. Any disagreement fails."""

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.accounts.models import District, Institution, Membership, User
from patto.cases.models import Cohort, DeviceType, Family, Path, TeamMember
from patto.governance.models import Adhesion, Pact
from patto.offer.models import Offer, WaitingEntry
from patto.offer.queries import waiting_visible_to

EXAMPLES = int(os.environ.get("PATTO_OFFER_ORACLE_EXAMPLES", "30"))
TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))

KINDS = ["comune", "ausl", "third_sector", "school", "educational_service"]
ROLES = ["social_worker", "psychologist", "educator", "school_referent", "educational_staff", "institution_admin"]
SEAT_ROLES = ["case_manager", "psychologist", "educator", "teacher", "educational_staff"]
# Which membership role may hold which seat (written out here, apart from cases.queries.TEAM_ROLE_FIT).
FITS = {
    ("case_manager", "social_worker"),
    ("psychologist", "psychologist"),
    ("educator", "educator"),
    ("teacher", "school_referent"),
    ("educational_staff", "educational_staff"),
    ("educational_staff", "educator"),
}
SEAT_DATES = {
    "current": (date(2026, 1, 1), None, False),
    "expired": (date(2026, 1, 1), date(2026, 10, 1), False),
    "future": (date(2026, 12, 1), None, False),
    "ended": (date(2026, 1, 1), None, True),
}
MEMBERSHIP_DATES = {
    "current": (date(2025, 1, 1), None),
    "ended": (date(2025, 1, 1), date(2026, 10, 31)),
    "future": (date(2026, 12, 1), None),
}


@dataclass(frozen=True)
class M:
    institution: int
    role: str
    state: str


@dataclass(frozen=True)
class Seat:
    person: int
    path: int
    institution: int
    team_role: str
    state: str


@st.composite
def worlds(draw):
    standing = draw(st.lists(st.sampled_from([True, True, False]), min_size=len(KINDS), max_size=len(KINDS)))
    people = [
        draw(
            st.lists(
                st.builds(
                    M,
                    st.integers(0, len(KINDS) - 1),
                    st.sampled_from(ROLES),
                    st.sampled_from(["current", "current", "ended", "future"]),
                ),
                min_size=1,
                max_size=2,
            )
        )
        for _ in range(draw(st.integers(2, 5)))
    ]
    paths = draw(st.integers(1, 3))
    seats = draw(
        st.lists(
            st.builds(
                Seat,
                st.integers(0, len(people) - 1),
                st.integers(0, paths - 1),
                st.integers(0, len(KINDS) - 1),
                st.sampled_from(SEAT_ROLES),
                st.sampled_from(["current", "current", "expired", "future", "ended"]),
            ),
            max_size=8,
        )
    )
    waiting = draw(st.lists(st.integers(0, paths - 1), min_size=1, max_size=paths, unique=True))
    return standing, people, paths, seats, waiting


def oracle(standing, people, seats, person, path):
    for seat in seats:
        if seat.person != person or seat.path != path or seat.state != "current":
            continue
        if not standing[seat.institution] or KINDS[seat.institution] in ("school", "educational_service"):
            continue
        if any(
            m.institution == seat.institution and m.state == "current" and (seat.team_role, m.role) in FITS
            for m in people[person]
        ):
            return True
    return False


def build(standing, people, paths, seats, waiting):
    district = District.objects.create(name="Distretto oracolo", reference_prefix="OW")
    pact = Pact.objects.create(district=district, title="Patto", valid_from=date(2024, 1, 1))
    institutions = []
    for index, kind in enumerate(KINDS):
        institution = Institution.objects.create(district=district, kind=kind, name=f"Ente {index}", town="Rimini")
        if standing[index]:
            Adhesion.objects.create(
                pact=pact,
                institution=institution,
                signer_name="F",
                signer_role="D",
                signed_on=date(2024, 1, 1),
                method="digital",
            )
        institutions.append(institution)
    users = []
    for index, memberships in enumerate(people):
        user = User.objects.create(username=f"attesa{index}")
        for m in memberships:
            valid_from, valid_to = MEMBERSHIP_DATES[m.state]
            Membership.objects.create(
                user=user,
                institution=institutions[m.institution],
                role=m.role,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        users.append(user)
    cohort = Cohort.objects.create(district=district, name="C", start_date=date(2025, 1, 1))
    created_paths = []
    for index in range(paths):
        family = Family.objects.create(district=district, reference=f"OW-{index}")
        created_paths.append(
            Path.objects.create(
                family=family, cohort=cohort, signal_source=institutions[0], signal_summary="x", state="intervention"
            )
        )
    for seat in seats:
        valid_from, valid_to, ended = SEAT_DATES[seat.state]
        TeamMember.objects.create(
            path=created_paths[seat.path],
            user=users[seat.person],
            institution=institutions[seat.institution],
            team_role=seat.team_role,
            valid_from=valid_from,
            valid_to=valid_to,
            ended_at=NOW if ended else None,
        )
    offer = Offer.objects.create(
        district=district,
        device_type=DeviceType.objects.get(code="gruppi"),
        provider=institutions[2],
        age_bands=",6-10,",
        places=5,
    )
    entries = {
        index: WaitingEntry.objects.create(
            offer=offer, path=created_paths[index], need="x", since=date(2026, 10, 1), entered_by=users[0]
        )
        for index in waiting
    }
    return users, entries


def test_waiting_entries_are_seen_exactly_as_the_oracle_says(db):
    tally = {"worlds": 0, "comparisons": 0, "visible": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def check(drawn):
        standing, people, paths, seats, waiting = drawn
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            users, entries = build(standing, people, paths, seats, waiting)
            tally["worlds"] += 1
            for person, user in enumerate(users):
                fresh = User.objects.get(pk=user.pk)
                visible = set(waiting_visible_to(fresh).values_list("pk", flat=True))
                for path_index, entry in entries.items():
                    sees = oracle(standing, people, seats, person, path_index)
                    tally["comparisons"] += 1
                    tally["visible"] += sees
                    assert (entry.pk in visible) == sees, (person, path_index, people[person], seats, standing)
            transaction.set_rollback(True)

    check()
    assert tally["worlds"] > 0
