"""Who sees which call, proposal, partner and project, and who may confirm a partner's participation, against an
independent oracle. Hypothesis draws worlds — institutions of each kind in or out of standing (adhesion signed,
withdrawn, never signed; active or not), a second district, people with one or two memberships (current, ended
or not yet started) in governance roles or not — and the oracle below, written from the policy's words in plain
Python and sharing no code with ``funding.queries`` or ``funding.rules``, says what each person may do. Any
disagreement fails.

The policy in words: calls, proposals and projects are known to the people of an institution in standing of the
same district (active, adhesion in force), acting under a current membership; they are read by governance roles
(pact coordinator, institution administrator, school head, school referent, legal office) and refused (403) to
any other role; everyone else is told nothing exists (404). A partner's participation is confirmed by a
governance role of that partner institution, acting for it, while the proposal is proposed and not yet
confirmed. ``PATTO_FUNDING_ORACLE_EXAMPLES`` sets the number of worlds (25 by default)."""

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.accounts.models import District, Institution, Membership, User
from patto.core.shortcuts import get_object_for
from patto.funding import queries
from patto.funding.models import Call, Partner, Project, Proposal
from patto.governance.models import Adhesion, Pact

EXAMPLES = int(os.environ.get("PATTO_FUNDING_ORACLE_EXAMPLES", "25"))
TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))

# (district, kind, roles that exist there); the last institution is in the other district.
INSTITUTIONS = [
    ("A", "comune", ["pact_coordinator", "social_worker", "institution_admin", "legal_office"]),
    ("A", "school", ["school_head", "school_referent", "institution_admin"]),
    ("A", "ausl", ["psychologist", "service_head", "institution_admin"]),
    ("A", "third_sector", ["educator", "institution_admin", "service_head"]),
    ("B", "comune", ["pact_coordinator", "institution_admin", "social_worker"]),
]
GOVERNANCE = {"pact_coordinator", "institution_admin", "school_head", "school_referent", "legal_office"}


@dataclass(frozen=True)
class M:
    institution: int
    role: str
    state: str  # current / ended / future


@st.composite
def worlds(draw):
    standing = [
        draw(st.sampled_from(["signed", "signed", "signed", "withdrawn", "none", "inactive"])) for _ in INSTITUTIONS
    ]
    people = []
    for _person in range(draw(st.integers(3, 6))):
        memberships = []
        for _m in range(draw(st.integers(1, 2))):
            i = draw(st.integers(0, len(INSTITUTIONS) - 1))
            role = draw(st.sampled_from(INSTITUTIONS[i][2]))
            state = draw(st.sampled_from(["current", "current", "current", "ended", "future"]))
            memberships.append(M(i, role, state))
        people.append(memberships)
    # Partners of the proposal in district A (institution 0 leads), and which of them confirmed.
    partners = sorted(set(draw(st.lists(st.integers(1, 3), max_size=3))))
    confirmed = {p: draw(st.booleans()) for p in [0, *partners]}
    status = draw(st.sampled_from(["draft", "proposed", "proposed", "submitted"]))
    return standing, people, partners, confirmed, status


# --- the oracle ----------------------------------------------------------------------------------------------


def acting(people, person):
    """The membership acted under: the first current one, by institution's name then role (no switcher here)."""
    current = sorted(
        (m for m in people[person] if m.state == "current"), key=lambda m: (f"Ente {m.institution}", m.role)
    )
    return current[0] if current else None


def in_standing(standing, institution):
    return standing[institution] == "signed"  # "inactive" is signed but the institution is not active


def oracle_view(standing, people, person, district):
    m = acting(people, person)
    if m is None or not in_standing(standing, m.institution) or INSTITUTIONS[m.institution][0] != district:
        return "hidden"
    return "ok" if m.role in GOVERNANCE else "forbidden"


def oracle_confirm(standing, people, person, partner, confirmed, status):
    m = acting(people, person)
    return (
        oracle_view(standing, people, person, "A") == "ok"
        and m.institution == partner
        and status == "proposed"
        and not confirmed[partner]
    )


# --- the world in the database -------------------------------------------------------------------------------


def build(standing, people, partners, confirmed, status):
    districts = {name: District.objects.create(name=f"Distretto {name}", reference_prefix=name * 2) for name in "AB"}
    pacts = {
        name: Pact.objects.create(district=d, title="Patto", valid_from=date(2024, 1, 1))
        for name, d in districts.items()
    }
    institutions = []
    for index, (district, kind, _roles) in enumerate(INSTITUTIONS):
        institution = Institution.objects.create(
            district=districts[district],
            kind=kind,
            name=f"Ente {index}",
            town="Rimini",
            is_active=standing[index] != "inactive",
        )
        if standing[index] in ("signed", "withdrawn", "inactive"):
            Adhesion.objects.create(
                pact=pacts[district],
                institution=institution,
                signer_name="F",
                signer_role="D",
                signed_on=date(2024, 1, 1),
                method="digital",
                withdrawn_on=date(2026, 6, 1) if standing[index] == "withdrawn" else None,
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
    calls = {
        name: Call.objects.create(district=d, funder="region", title=f"Bando {name}", deadline=TODAY, amount=1)
        for name, d in districts.items()
    }
    proposal = Proposal.objects.create(call=calls["A"], lead=institutions[0], title="P", status=status)
    partner_rows = {}
    for index in [0, *partners]:
        partner_rows[index] = Partner.objects.create(
            proposal=proposal,
            institution=institutions[index],
            role="r",
            confirmed_at=NOW if confirmed[index] else None,
        )
    funded = Proposal.objects.create(call=calls["B"], lead=institutions[4], title="F", status="funded")
    project = Project.objects.create(
        proposal=funded,
        title="Pr",
        cup="F79J22001380004",
        funding_source="region",
        total=1,
        starts_on=TODAY,
        ends_on=TODAY,
    )
    objects = [("A", calls["A"], queries.calls_visible_to), ("B", calls["B"], queries.calls_visible_to)]
    objects += [("A", proposal, queries.proposals_visible_to), ("B", project, queries.projects_visible_to)]
    objects += [("A", row, queries.partners_visible_to) for row in partner_rows.values()]
    return users, objects, partner_rows


def answer(user, obj, visible):
    try:
        get_object_for(user, "funding.view", visible(user), pk=obj.pk)
    except Http404:
        return "hidden"
    except PermissionDenied:
        return "forbidden"
    return "ok"


def test_funding_visibility_and_confirmation_answer_what_the_oracle_says(db):
    tally = {"worlds": 0, "comparisons": 0, "ok": 0, "forbidden": 0, "confirm": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def check(drawn):
        standing, people, partners, confirmed, status = drawn
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            users, objects, partner_rows = build(*drawn)
            tally["worlds"] += 1
            for person, user in enumerate(users):
                for district, obj, visible in objects:
                    fresh = User.objects.get(pk=user.pk)
                    expected = oracle_view(standing, people, person, district)
                    assert answer(fresh, obj, visible) == expected, (person, obj, people[person], standing)
                    tally["comparisons"] += 1
                    tally[expected] = tally.get(expected, 0) + 1
                for index, row in partner_rows.items():
                    fresh = User.objects.get(pk=user.pk)
                    row = Partner.objects.select_related("proposal").get(pk=row.pk)
                    may = oracle_confirm(standing, people, person, index, confirmed, status)
                    patto = (
                        fresh.has_perm("funding.confirm_partner", row)
                        and answer(fresh, row, queries.partners_visible_to) == "ok"
                    )
                    assert patto == may, (person, index, people[person], standing, status, confirmed)
                    tally["confirm"] += may
            transaction.set_rollback(True)

    check()
    print(f"\nfunding oracle: {tally}")
    assert tally["ok"] > 0 and tally["forbidden"] > 0
