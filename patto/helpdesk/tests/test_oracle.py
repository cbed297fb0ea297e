"""Who sees which question, FAQ and template, against an independent oracle (issue 12: "the generated adversary
covers every new object"). Hypothesis draws worlds — institutions of each kind in or out of standing, people
with one or two memberships (current, ended or not yet started) — and questions asked by them (or by someone who
has since left), addressed to a legal office; and the oracle below, written from the rules in plain Python and
sharing no code with ``helpdesk.queries``, says who may see each one. Any disagreement fails.

``PATTO_HELPDESK_ORACLE_EXAMPLES`` sets the number of worlds (30 by default)."""

import os
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.accounts.models import District, Institution, Membership, User
from patto.governance.models import Adhesion, Pact
from patto.helpdesk.models import Faq, Question, Template
from patto.helpdesk.queries import faqs_visible_to, questions_visible_to, templates_visible_to

EXAMPLES = int(os.environ.get("PATTO_HELPDESK_ORACLE_EXAMPLES", "30"))
TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))

# The world's institutions: (kind, roles that exist there).
KINDS = [
    ("comune", ["legal_office", "social_worker", "pact_coordinator", "service_head"]),
    ("district_office", ["legal_office", "pact_coordinator", "auditor"]),
    ("school", ["school_head", "school_referent", "institution_admin"]),
    ("school", ["school_head", "school_referent"]),
    ("educational_service", ["educational_staff", "service_head", "educator", "institution_admin"]),
    ("ausl", ["legal_office", "psychologist", "service_head"]),
]
ASKING = {"school": {"school_head", "school_referent"}, "educational_service": {"educational_staff", "service_head"}}
HEADS = {"school": {"school_head"}, "educational_service": {"service_head"}}
STAFF = {
    "school": {"school_head", "school_referent"},
    "educational_service": {"educational_staff", "service_head", "educator"},
}


@dataclass(frozen=True)
class M:
    institution: int
    role: str
    state: str  # current / ended / future


@dataclass(frozen=True)
class Q:
    asker: int
    institution: int
    office: int


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
    questions = []
    for _q in range(draw(st.integers(1, 5))):
        asker = draw(st.integers(0, len(people) - 1))
        questions.append(
            Q(
                asker=asker,
                institution=draw(
                    st.sampled_from([m.institution for m in people[asker]] + [draw(st.sampled_from([2, 3, 4]))])
                ),
                office=draw(st.sampled_from([0, 1])),
            )
        )
    faq_published = draw(st.booleans())
    return standing, people, questions, faq_published


# --- the oracle ------------------------------------------------------------------------------------------


def _held(standing, people, person):
    return [m for m in people[person] if m.state == "current" and standing[m.institution]]


def sees_question(standing, people, question, person):
    held = _held(standing, people, person)
    kind = KINDS[question.institution][0]
    asker = question.asker == person and any(m.institution == question.institution for m in held)
    head = any(m.institution == question.institution and m.role in HEADS.get(kind, ()) for m in held)
    office = any(m.institution == question.office and m.role == "legal_office" for m in held)
    return asker or head or office


def reads_library(standing, people, person):
    for m in _held(standing, people, person):
        kind = KINDS[m.institution][0]
        if m.role in STAFF.get(kind, ()) or m.role == "pact_coordinator":
            return True
        if m.role == "legal_office" and kind in ("comune", "district_office"):
            return True
    return False


def is_office(standing, people, person):
    return any(
        m.role == "legal_office" and KINDS[m.institution][0] in ("comune", "district_office")
        for m in _held(standing, people, person)
    )


# --- the world in the database ---------------------------------------------------------------------------


def build(standing, people, questions, faq_published):
    from patto.documents.models import Attachment

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
    for index, q in enumerate(questions):
        created.append(
            Question.objects.create(
                district=district,
                number=f"OR-QUE-{index}",
                institution=institutions[q.institution],
                asker=users[q.asker],
                asker_role="x",
                office=institutions[q.office],
                category="other",
                subject="Quesito",
                text="Testo",
                working_days=10,
                due_on=TODAY,
            )
        )
    faq = Faq.objects.create(
        district=district,
        category="other",
        question="D",
        answer="R",
        published_at=timezone.now(),
        unpublished_at=None if faq_published else timezone.now(),
        published_by=users[0],
    )
    file = Attachment.objects.create(
        storage_name=f"or/{district.pk}",
        original_name="m.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        scope="x",
        uploaded_by=users[0],
    )
    template = Template.objects.create(
        district=district,
        title="Modello",
        kind="letter",
        owner=institutions[0],
        file=file,
        approved_on=date(2025, 1, 1),
        review_on=date(2027, 1, 1),
    )
    return users, created, faq, template


def test_helpdesk_visibility_answers_what_the_oracle_says(db):
    tally = {"worlds": 0, "comparisons": 0, "visible": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def check(drawn):
        standing, people, questions, faq_published = drawn
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            users, created, faq, template = build(standing, people, questions, faq_published)
            tally["worlds"] += 1
            for person, user in enumerate(users):
                visible = set(questions_visible_to(User.objects.get(pk=user.pk)).values_list("pk", flat=True))
                for q, obj in zip(questions, created, strict=True):
                    sees = sees_question(standing, people, q, person)
                    tally["comparisons"] += 1
                    tally["visible"] += sees
                    assert (obj.pk in visible) == sees, (person, q, people[person], standing)
                reader = reads_library(standing, people, person)
                fresh = User.objects.get(pk=user.pk)
                assert faqs_visible_to(fresh).filter(pk=faq.pk).exists() == (
                    reader and (faq_published or is_office(standing, people, person))
                ), (person, people[person], standing, faq_published)
                fresh = User.objects.get(pk=user.pk)
                assert templates_visible_to(fresh).filter(pk=template.pk).exists() == reader, (person, people[person])
            transaction.set_rollback(True)

    check()
    print(
        f"\nhelpdesk oracle: {tally['worlds']} worlds, {tally['comparisons']} comparisons, "
        f"{tally['visible']} visible, 0 disagreements"
    )
    assert tally["visible"] > 0
