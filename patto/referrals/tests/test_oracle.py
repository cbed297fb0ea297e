"""Who sees which request, against an independent oracle (issue 10: "the generated adversary covers
every new object"). Hypothesis draws worlds — institutions of each kind in or out of standing, people
with one or two memberships (current, ended or not yet started), requests of every kind between them,
assigned or not — and the oracle below, written from the rules in plain Python and sharing no code with
``referrals.queries``, says who may see each request and from which side. Any disagreement fails.

``PATTO_REFERRALS_ORACLE_EXAMPLES`` sets the number of worlds (30 by default)."""

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.accounts.models import District, Institution, Membership, User
from patto.governance.models import Adhesion, Pact
from patto.referrals.models import Request
from patto.referrals.queries import (
    inbox_counts,
    inbox_of,
    inbox_running,
    open_inbox_page,
    requests_visible_to,
    side_of,
)

EXAMPLES = int(os.environ.get("PATTO_REFERRALS_ORACLE_EXAMPLES", "30"))
TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))

# The world's institutions: (kind, roles that exist there).
KINDS = [
    ("comune", ["social_worker", "service_head", "pact_coordinator", "educator"]),
    ("comune", ["social_worker", "service_head"]),
    ("school", ["school_head", "school_referent", "institution_admin"]),
    ("ausl", ["psychologist", "service_head", "health_professional"]),
    ("educational_service", ["educational_staff", "service_head", "educator"]),
]
HEADS = {"service_head", "school_head"}
INTAKE = {
    "consultation": HEADS | {"social_worker"},
    "signal": HEADS | {"social_worker"},
    "transfer": HEADS | {"social_worker"},
    "professional": HEADS,
}


@dataclass(frozen=True)
class M:  # a membership: institution index, role, state
    institution: int
    role: str
    state: str  # current / ended / future


@dataclass(frozen=True)
class R:  # a request
    kind: str
    sender: int
    sender_institution: int
    receiver: int
    assignee: int | None
    status: str = "sent"
    due: int = 0  # days from TODAY


OPEN = {"sent", "assigned", "waiting_sender"}
RUNNING = {"sent", "assigned"}  # the clock runs (not waiting for the sender)
TWO_WORKING_DAYS = date(2026, 11, 18)  # TODAY is a Monday


@st.composite
def worlds(draw):
    standing = draw(st.lists(st.sampled_from([True, True, True, False]), min_size=len(KINDS), max_size=len(KINDS)))
    people = []
    for _person in range(draw(st.integers(3, 6))):
        memberships = []
        for _m in range(draw(st.integers(1, 2))):
            i = draw(st.integers(0, len(KINDS) - 1))
            memberships.append(
                M(
                    i,
                    draw(st.sampled_from(KINDS[i][1])),
                    draw(st.sampled_from(["current", "current", "current", "ended", "future"])),
                )
            )
        people.append(memberships)
    requests = []
    for _r in range(draw(st.integers(1, 6))):
        sender = draw(st.integers(0, len(people) - 1))
        requests.append(
            R(
                kind=draw(st.sampled_from(list(INTAKE))),
                sender=sender,
                # Usually where the sender works; sometimes where they no longer do.
                sender_institution=draw(
                    st.sampled_from([m.institution for m in people[sender]] + [draw(st.integers(0, len(KINDS) - 1))])
                ),
                receiver=draw(st.integers(0, len(KINDS) - 1)),
                assignee=draw(st.one_of(st.none(), st.integers(0, len(people) - 1))),
                status=draw(st.sampled_from(["sent", "sent", "assigned", "waiting_sender", "closed"])),
                due=draw(st.sampled_from([-1, 0, 2, 10])),
            )
        )
    return standing, people, requests


# --- the oracle: the rules in words, as plain Python over the drawn world --------------------------------


def oracle(standing, people, request, person):
    """(sees, sender side, receiver side) for ``person`` and ``request``."""
    held = [m for m in people[person] if m.state == "current" and standing[m.institution]]
    at = lambda institution: [m.role for m in held if m.institution == institution]  # noqa: E731
    sender = (request.sender == person and bool(at(request.sender_institution))) or bool(
        HEADS & set(at(request.sender_institution))
    )
    receiver_roles = set(at(request.receiver))
    receiver = bool(receiver_roles & (HEADS | INTAKE[request.kind])) or (
        request.assignee == person and bool(receiver_roles)
    )
    return sender or receiver, sender, receiver


# --- building the world in the database -------------------------------------------------------------------


def build(standing, people, requests):
    district = District.objects.create(name="Distretto oracolo", reference_prefix="OR")
    pact = Pact.objects.create(district=district, title="Patto", valid_from=date(2024, 1, 1))
    institutions = []
    for index, (kind, _roles) in enumerate(KINDS):
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
        user = User.objects.create(username=f"oracolo{index}")
        for m in memberships:
            valid_from, valid_to = {
                "current": (date(2025, 1, 1), None),
                "ended": (date(2025, 1, 1), date(2026, 10, 31)),
                "future": (date(2026, 12, 1), None),
            }[m.state]
            Membership.objects.create(
                user=user,
                institution=institutions[m.institution],
                role=m.role,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        users.append(user)
    created = []
    for index, r in enumerate(requests):
        created.append(
            Request.objects.create(
                district=district,
                kind=r.kind,
                number=f"OR-{index}",
                sender=users[r.sender],
                sender_institution=institutions[r.sender_institution],
                sender_role="x",
                receiver=institutions[r.receiver],
                assignee=users[r.assignee] if r.assignee is not None else None,
                working_days=5,
                due_on=TODAY + timedelta(days=r.due),
                status=r.status,
            )
        )
    return users, created


def check_inbox(standing, people, requests, created, person, user):
    """The receiving side's inbox and its home-page card (statements compiled once for each shape of the
    user's memberships, ``core.frozen``) against the oracle: open requests received, the running ones, those
    due within two working days and those overdue; the card's first five as the inbox lists them."""
    inbox = [
        (r, obj)
        for r, obj in zip(requests, created, strict=True)
        if oracle(standing, people, r, person)[2] and r.status in OPEN
    ]
    running = [(r, obj) for r, obj in inbox if r.status in RUNNING]
    expected = {
        "open": len(inbox),
        "due_soon": sum(TODAY <= TODAY + timedelta(days=r.due) <= TWO_WORKING_DAYS for r, _obj in running),
        "overdue": sum(r.due < 0 for r, _obj in running),
    }
    assert inbox_counts(user, TODAY) == expected, (person, people[person], standing)
    assert set(inbox_of(user).values_list("pk", flat=True)) == {obj.pk for _r, obj in inbox}
    # The inbox page (its keys and its rows, compiled once for each shape) pages the ORM's list, in its order.
    with override_settings(PATTO_PAGE_SIZE=2):
        listed, number, page = [], 1, None
        while page is None or page.has_next():
            page = open_inbox_page(user, number)
            listed += [(request.pk, request.receiver.pk, request.path_id) for request in page]
            number += 1
    assert listed == [(r.pk, r.receiver_id, r.path_id) for r in inbox_of(user)]
    card = inbox_running(user)
    assert [request.pk for request in card] == list(
        inbox_of(user).filter(status__in=RUNNING).values_list("pk", flat=True)[:5]
    )
    assert {request.pk for request in card} <= {obj.pk for _r, obj in running}
    assert len(card) == min(5, len(running))
    return len(inbox)


def test_request_visibility_answers_what_the_oracle_says(db):
    tally = {"worlds": 0, "comparisons": 0, "visible": 0, "in inboxes": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def check(drawn):
        standing, people, requests = drawn
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            users, created = build(standing, people, requests)
            tally["worlds"] += 1
            for person, user in enumerate(users):
                fresh = User.objects.get(pk=user.pk)
                visible = set(requests_visible_to(fresh).values_list("pk", flat=True))
                for r, obj in zip(requests, created, strict=True):
                    sees, sender, receiver = oracle(standing, people, r, person)
                    tally["comparisons"] += 1
                    tally["visible"] += sees
                    assert (obj.pk in visible) == sees, (person, r, people[person], standing)
                    if sees:
                        side = side_of(fresh, obj)
                        assert (side.sender, side.receiver) == (sender, receiver), (person, r, people[person])
                tally["in inboxes"] += check_inbox(
                    standing, people, requests, created, person, User.objects.get(pk=user.pk)
                )
            transaction.set_rollback(True)

    check()
    print(
        f"\nreferrals oracle: {tally['worlds']} worlds, {tally['comparisons']} comparisons, {tally['visible']} visible, "
        f"{tally['in inboxes']} in inboxes, 0 disagreements"
    )
    assert tally["visible"] > 0 and tally["in inboxes"] > 0
