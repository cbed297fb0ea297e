from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patto.audit.models import AuditEvent
from patto.core.exceptions import ConflictError
from patto.funding import services
from patto.funding.models import Expenditure, Proposal
from patto.funding.queries import line_spent, signed_by_all

from .conftest import fund

pytestmark = pytest.mark.django_db


def _spend(project, people, amount, line=None, **extra):
    return services.record_expenditure(
        actor=people.coordinator,
        project=project,
        budget_line=line or project.staff,
        partner=next(iter(project.partner.values())),
        spent_on=date(2026, 3, 1),
        amount=amount,
        supplier="Fornitore demo",
        **extra,
    )


# --- Confirmations: "signed by all" is a fact ----------------------------------------------------------------


def test_signed_by_all_follows_the_partners_confirmations(funding, world):
    proposal = funding.proposal
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    partners = {p.institution_id: p for p in proposal.partners.all()}
    assert not signed_by_all(Proposal.objects.filter(pk=proposal.pk)).exists()
    with pytest.raises(ValidationError, match="ogni partner|every partner"):
        services.move_proposal(
            actor=funding.coordinator, proposal=proposal, version=proposal.version, status="submitted"
        )

    services.confirm_participation(
        actor=funding.coordinator,
        partner=partners[world.comune.pk],
        agreement=partners[world.comune.pk].proposal.agreement_id,
    )
    services.confirm_participation(
        actor=funding.school_referent,
        partner=partners[world.school.pk],
        agreement=partners[world.school.pk].proposal.agreement_id,
    )
    assert not signed_by_all(Proposal.objects.filter(pk=proposal.pk)).exists()
    services.confirm_participation(
        actor=funding.coop_admin,
        partner=partners[world.coop.pk],
        agreement=partners[world.coop.pk].proposal.agreement_id,
    )
    assert signed_by_all(Proposal.objects.filter(pk=proposal.pk)).exists()

    confirmations = AuditEvent.objects.filter(action="funding.partner.confirmed", object_id=str(proposal.pk))
    assert sorted(confirmations.values_list("actor__username", flat=True)) == [
        "coop_admin",
        "coordinator",
        "school_referent",
    ]
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="submitted")
    assert proposal.status == "submitted"


def test_only_the_partners_own_referent_confirms_and_only_once_proposed(funding, world, personas):
    proposal = funding.proposal
    school = proposal.partners.get(institution=world.school)
    with pytest.raises(PermissionDenied):  # still a draft: the terms are not fixed yet
        services.confirm_participation(
            actor=funding.school_referent, partner=school, agreement=school.proposal.agreement_id
        )
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    for outsider in (
        funding.coordinator,
        funding.coop_admin,
        personas["team_member"].user,
        personas["case_manager"].user,
    ):
        with pytest.raises(PermissionDenied):
            services.confirm_participation(actor=outsider, partner=school, agreement=school.proposal.agreement_id)
    services.confirm_participation(
        actor=personas["other_admin"].user, partner=school, agreement=school.proposal.agreement_id
    )  # the school's administrator
    with pytest.raises(PermissionDenied):  # once
        services.confirm_participation(
            actor=funding.school_referent, partner=school, agreement=school.proposal.agreement_id
        )


def test_back_to_draft_withdraws_the_confirmations(funding, world):
    proposal = funding.proposal
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    school = proposal.partners.get(institution=world.school)
    services.confirm_participation(actor=funding.school_referent, partner=school, agreement=proposal.agreement_id)
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="draft")
    assert not proposal.partners.filter(confirmed_at__isnull=False).exists()


def test_a_proposal_is_proposed_only_with_a_partner_besides_the_lead(funding, world):
    proposal = services.create_proposal(
        actor=funding.coordinator, call=funding.call, lead=world.comune, title="Sola", lead_role="Capofila"
    )
    with pytest.raises(ValidationError):
        services.move_proposal(
            actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed"
        )


def test_a_stale_status_change_is_a_conflict(funding):
    proposal = funding.proposal
    stale = proposal.version
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=stale, status="proposed")
    with pytest.raises(ConflictError):
        services.move_proposal(actor=funding.coordinator, proposal=proposal, version=stale, status="draft")


def test_the_lead_moves_its_proposal_other_partners_do_not(funding):
    proposal = funding.proposal
    with pytest.raises(PermissionDenied):
        services.move_proposal(
            actor=funding.school_referent, proposal=proposal, version=proposal.version, status="proposed"
        )
    services.move_proposal(actor=funding.comune_admin, proposal=proposal, version=proposal.version, status="proposed")


def test_partners_are_signatories_in_standing_or_third_sector(funding, world):
    with pytest.raises(ValidationError):  # the second comune has not signed the pact
        services.add_partner(
            actor=funding.coordinator,
            proposal=funding.proposal,
            institution=world.comune_b,
            role="x",
            amount=1,
            cofinancing=0,
        )
    with pytest.raises(ValidationError):  # another district
        services.add_partner(
            actor=funding.coordinator,
            proposal=funding.proposal,
            institution=world.foreign,
            role="x",
            amount=1,
            cofinancing=0,
        )


# --- Projects: CUP, CIG -------------------------------------------------------------------------------------


def test_only_a_funded_proposal_becomes_a_project_and_its_cup_is_checked(funding):
    fields = {
        "title": "P",
        "funding_source": "region",
        "total": Decimal("1"),
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
    }
    with pytest.raises(ValidationError):
        services.create_project(actor=funding.coordinator, proposal=funding.proposal, cup="F79J22001380004", **fields)
    fund(funding.proposal, funding)
    with pytest.raises(ValidationError) as refused:
        services.create_project(actor=funding.coordinator, proposal=funding.proposal, cup="F79J2200138000", **fields)
    assert "15" in str(refused.value.message_dict["cup"])
    project = services.create_project(
        actor=funding.coordinator, proposal=funding.proposal, cup="f79j22001380004", **fields
    )
    assert project.cup == "F79J22001380004"


def test_a_cig_is_checked(project, funding):
    with pytest.raises(ValidationError) as refused:
        _spend(project, funding, "10", cig="12345")
    assert "cig" in refused.value.message_dict
    assert _spend(project, funding, "10", cig="9a1b2c3d4e").cig == "9A1B2C3D4E"


# --- The budget line: refused with the amounts, or recorded with a reason ----------------------------------


def test_an_expenditure_over_its_line_is_refused_with_the_amounts(project, funding, settings):
    settings.LANGUAGE_CODE = "it"
    _spend(project, funding, Decimal("9000.00"))
    with pytest.raises(ValidationError) as refused:
        _spend(project, funding, Decimal("1234.56"))
    message = refused.value.message_dict["amount"][0]
    for amount in ("€ 1.234,56", "€ 10.234,56", "€ 10.000,00", "€ 234,56", "€ 9.000,00"):
        assert amount in message, (amount, message)
    assert Expenditure.objects.count() == 1
    assert not AuditEvent.objects.filter(action="funding.expenditure.over_budget").exists()


def test_an_expenditure_over_its_line_is_recorded_with_a_reason_and_audited_as_such(project, funding):
    _spend(project, funding, Decimal("9000.00"))
    over = _spend(project, funding, Decimal("1234.56"), override_reason="Rimodulazione autorizzata")
    assert over.override_reason == "Rimodulazione autorizzata"
    event = AuditEvent.objects.get(action="funding.expenditure.over_budget")
    assert event.changes["override_reason"] == [None, "Rimodulazione autorizzata"]
    assert event.changes["line_spent"] == ["9000.00", "10234.56"]
    # Within the budget a reason is not needed, and not kept.
    assert _spend(project, funding, "1", line=project.services, override_reason="non serve").override_reason == ""


def test_exactly_the_budget_fits(project, funding):
    _spend(project, funding, Decimal("9999.99"))
    _spend(project, funding, Decimal("0.01"))
    with pytest.raises(ValidationError):
        _spend(project, funding, Decimal("0.01"))


def test_sums_are_decimal_where_float_would_drift(project, funding):
    """0.10 ten times is 1.00 in Decimal (float says 0.9999999999999999); the line of exactly 1.00 takes ten,
    and refuses the eleventh."""
    assert sum([0.1] * 10) != 1.0  # why it matters
    line = services.add_budget_line(
        actor=funding.coordinator, project=project, category="other", description="Piccole spese", amount="1.00"
    )
    for _ in range(10):
        _spend(project, funding, "0.10", line=line)
    assert line_spent(line) == Decimal("1.00")
    with pytest.raises(ValidationError):
        _spend(project, funding, "0.01", line=line)
    # A third of a cent is rounded half up to two places, never carried as a binary fraction.
    odd = _spend(project, funding, Decimal("0.335"))
    odd.refresh_from_db()
    assert odd.amount == Decimal("0.34")


def test_a_budget_line_or_partner_of_another_project_is_refused(project, funding, world):
    other = services.create_proposal(
        actor=funding.coordinator, call=funding.call, lead=world.comune, title="Altra", lead_role="Capofila"
    )
    with pytest.raises(ValidationError):
        services.record_expenditure(
            actor=funding.coordinator,
            project=project,
            budget_line=project.staff,
            partner=other.partners.get(),
            spent_on=date(2026, 3, 1),
            amount="1",
            supplier="X",
        )


def test_only_the_coordinator_and_the_leads_referent_keep_the_books(project, funding, personas):
    with pytest.raises(PermissionDenied):
        services.record_expenditure(
            actor=funding.school_referent,
            project=project,
            budget_line=project.staff,
            partner=next(iter(project.partner.values())),
            spent_on=date(2026, 3, 1),
            amount="1",
            supplier="X",
        )
    services.add_budget_line(actor=funding.comune_admin, project=project, category="goods", description="M", amount="5")


def test_the_value_reached_is_entered_for_a_manual_milestone_only(project, funding):
    manual = services.add_milestone(
        actor=funding.coordinator, project=project, title="Coach formati", due_on=date(2026, 6, 30), target=6
    )
    live = services.add_milestone(
        actor=funding.coordinator,
        project=project,
        title="30 famiglie",
        due_on=date(2026, 12, 31),
        target=30,
        source="families_in_path",
    )
    services.set_milestone_reached(actor=funding.comune_admin, milestone=manual, reached=6, version=manual.version)
    manual.refresh_from_db()
    assert manual.reached == 6
    event = AuditEvent.objects.get(action="funding.milestone.reached")
    assert event.changes["reached"] == [None, 6]
    with pytest.raises(ValidationError):
        services.set_milestone_reached(actor=funding.coordinator, milestone=live, reached=30, version=live.version)
    with pytest.raises(PermissionDenied):
        services.set_milestone_reached(
            actor=funding.school_referent, milestone=manual, reached=1, version=manual.version
        )
