"""Issue 8, finding 9: mass assignment. A procedure's owner POSTed ``owner=`` and ``approved_on=2020-01-01``
and transferred or back-dated the procedure. What a role may set is decided in ``rules.py``; forms offer only
that, and the services refuse the rest whatever their caller sends."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from patto.accounts.tests.factories import InstitutionFactory
from patto.governance import services
from patto.governance.models import ActionItem, Body, BodyMember, MonitoringPeriod, Pact

TODAY = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def clock():
    """A fixed day, set before the personas and the pact are made."""
    with time_machine.travel(TODAY, tick=False):
        yield


# --- Procedures: the owner writes the content; the coordinator transfers and approves --------------------


def test_the_owner_cannot_transfer_or_back_date_a_procedure(pact, login, world):
    """The exploit as found: the Comune's referent (owner) posts owner, approval and review dates."""
    procedure = pact.procedures.get()
    url = reverse("governance:procedure", kwargs={"procedure_pk": procedure.pk})
    response = login("institution_admin").post(
        url,
        {
            "title": procedure.title,
            "text": "Testo rivisto dal Comune.",
            "response_working_days": 5,
            "owner": world.school.pk,
            "approved_on": "2020-01-01",
            "review_on": "2099-01-01",
            "revision": 9,
            "version": procedure.version,
        },
    )
    assert response.status_code == 302  # the content is saved ...
    procedure.refresh_from_db()
    assert procedure.text == "Testo rivisto dal Comune."
    # ... and nothing else: owner, approval, review date and revision number are not the owner's to set.
    assert (procedure.owner, procedure.approved_on, procedure.review_on, procedure.revision) == (
        world.comune,
        date(2024, 3, 1),
        date(2025, 3, 1),
        2,
    )


@pytest.mark.parametrize(
    "field,value", [("owner", "school"), ("approved_on", date(2020, 1, 1)), ("review_on", date(2099, 1, 1))]
)
def test_the_service_refuses_what_the_owner_may_not_set(field, value, pact, personas, world):
    procedure = pact.procedures.get()
    owner = personas["institution_admin"].user
    value = world.school if value == "school" else value
    with pytest.raises(PermissionDenied):
        services.revise_procedure(actor=owner, procedure=procedure, version=procedure.version, **{field: value})
    services.revise_procedure(
        actor=personas["coordinator"].user, procedure=procedure, version=procedure.version, **{field: value}
    )
    procedure.refresh_from_db()
    assert getattr(procedure, field) == value


def test_only_the_coordinator_creates_a_procedure(pact, personas, world):
    fields = {
        "title": "x",
        "owner": world.comune,
        "text": "x",
        "response_working_days": 5,
        "approved_on": date(2026, 1, 1),
        "review_on": date(2027, 1, 1),
    }
    with pytest.raises(PermissionDenied):
        services.create_procedure(actor=personas["institution_admin"].user, pact=pact, **fields)
    with pytest.raises(ValidationError):  # an owner from another district
        services.create_procedure(actor=personas["coordinator"].user, pact=pact, **{**fields, "owner": world.foreign})


# --- Action items: the owner marks done; only the coordinator cancels or reopens ----------------------------


@pytest.fixture
def item(pact, personas, world):
    return ActionItem.objects.create(
        meeting=pact.bodies.get().meetings.get(),
        description="Convocare le scuole",
        owner=personas["other_admin"].user,
        institution=world.school,
        due_on=date(2026, 11, 1),
    )


def test_the_owner_of_an_action_item_cannot_cancel_it(item, login, personas):
    url = reverse("governance:action_item_status", kwargs={"item_pk": item.pk})
    assert login("other_admin").post(url, {"status": "cancelled"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    with pytest.raises(PermissionDenied):
        services.set_action_item_status(actor=personas["other_admin"].user, item=item, status="cancelled")
    assert login("other_admin").post(url, {"status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert login("coordinator").post(url, {"status": "open"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_the_service_refuses_an_action_item_to_someone_else(item, personas):
    with pytest.raises(PermissionDenied):
        services.set_action_item_status(actor=personas["institution_admin"].user, item=item, status="done")


# --- Commitment updates: the party, its own institution, this pact's open period -------------------------


def test_a_commitment_update_takes_its_author_and_institution_from_the_actor(pact, personas, login, world):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    comune_commitment = pact.version_in_force().commitments.get(institution=world.comune)
    response = login("school_referent").post(
        reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk}),
        {
            "status": "done",
            "evidence": "Referente nominato",
            "author": personas["coordinator"].user.pk,
            "author_institution": world.comune.pk,
            "commitment": comune_commitment.pk,
            "period": 999,
        },
    )
    assert response.status_code == 302
    update = commitment.updates.get()
    assert (update.author, update.author_institution, update.period) == (
        personas["school_referent"].user,
        world.school,
        pact.periods.get(),
    )
    assert not comune_commitment.updates.exists()


def test_the_service_refuses_an_update_by_another_party_or_for_another_pacts_period(pact, personas, world):
    comune_commitment = pact.version_in_force().commitments.get(institution=world.comune)
    with pytest.raises(PermissionDenied):
        services.update_commitment_status(
            actor=personas["other_admin"].user,
            commitment=comune_commitment,
            period=pact.periods.get(),
            status="done",
            evidence="x",
        )
    foreign_period = MonitoringPeriod.objects.create(
        pact=Pact.objects.get(district=world.foreign_district),
        name="x",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        opened_at=TODAY,
    )
    with pytest.raises(PermissionDenied):
        services.update_commitment_status(
            actor=personas["coordinator"].user,
            commitment=comune_commitment,
            period=foreign_period,
            status="done",
            evidence="x",
        )
    assert not comune_commitment.updates.exists()


def test_the_service_refuses_an_indicator_value_by_another_party(pact, personas, world):
    indicator = pact.version_in_force().commitments.get(institution=world.comune).indicators.get()
    with pytest.raises(PermissionDenied):
        services.record_indicator_value(
            actor=personas["other_admin"].user, indicator=indicator, period=pact.periods.get(), value=3, evidence="x"
        )


# --- Records chosen by id: only this pact's, this district's, this body's ---------------------------------


def test_a_commitment_is_for_an_institution_of_the_district(pact, personas, world):
    with pytest.raises(ValidationError):
        services.save_commitment(
            actor=personas["coordinator"].user,
            pact_version=pact.versions.get(number=2),
            institution=world.foreign,
            text="x",
        )


def test_a_body_member_is_from_the_district(pact, personas, world):
    foreign_school = InstitutionFactory(district=world.foreign_district, name="IC Forlì", istat_code="")
    with pytest.raises(ValidationError):
        services.add_body_member(
            actor=personas["coordinator"].user,
            body=pact.bodies.get(),
            user=personas["foreigner"].user,
            institution=foreign_school,
            valid_from=date(2026, 1, 1),
        )


def test_minutes_record_only_the_bodys_members(pact, personas, world):
    coordinator = personas["coordinator"].user
    meeting = pact.bodies.get().meetings.get()
    other = Body.objects.create(pact=pact, kind="working_group", name="Altro gruppo")
    outsider_seat = BodyMember.objects.create(
        body=other, user=personas["case_manager"].user, institution=world.comune, valid_from=date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.record_body_minutes(
            actor=coordinator,
            meeting=meeting,
            version=meeting.version,
            minutes="x",
            decisions="",
            attendance={outsider_seat.pk: "present"},
        )
    with pytest.raises(ValidationError):
        services.record_body_minutes(
            actor=coordinator,
            meeting=meeting,
            version=meeting.version,
            minutes="x",
            decisions="",
            attendance={},
            action_items=[
                {
                    "description": "x",
                    "owner": personas["case_manager"].user,
                    "institution": world.comune,
                    "due_on": date(2026, 11, 1),
                }
            ],
        )


def test_a_new_adhesion_cannot_be_posted_as_withdrawn(pact, login, world):
    response = login("coordinator").post(
        reverse("governance:adhesion_add"),
        {
            "institution": world.comune_b.pk,
            "signer_name": "Sindaca",
            "signer_role": "Sindaca",
            "signed_on": "2026-09-01",
            "method": "digital",
            "withdrawn_on": "2026-09-02",
            "withdrawal_reason": "x",
        },
    )
    assert response.status_code == 302
    assert pact.adhesions.get(institution=world.comune_b).withdrawn_on is None


def test_the_posted_version_is_only_a_lock(pact, login):
    section = pact.versions.get(number=2).sections.get(key="governance")
    url = reverse("governance:section_edit", kwargs={"number": 2, "key": "governance"})
    assert login("coordinator").post(url, {"version": 999, "text": "Testo"}).status_code == 409
    section.refresh_from_db()
    assert (section.version, section.text) == (1, "")
