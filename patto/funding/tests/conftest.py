from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.documents.tests import samples


@pytest.fixture
def funding(personas, world):
    """A regional call; a proposal led by the Comune with the school and the cooperative as partners, proposed
    to them; the cooperative's administrator (a governance role there) confirms for it."""
    from patto.funding import services
    from patto.funding.models import Funder

    coop_admin = MembershipFactory(
        user=UserFactory(username="coop_admin"), institution=world.coop, role=Role.INSTITUTION_ADMIN
    ).user
    coordinator = personas["coordinator"].user
    call = services.create_call(
        actor=coordinator,
        district=world.district,
        funder=Funder.REGION,
        title="Bando famiglie 2027",
        reference="DGR 100/2026",
        deadline=date(2027, 1, 31),
        amount=Decimal("150000.00"),
        eligible_partners="Comuni, scuole, terzo settore",
    )
    proposal = services.create_proposal(
        actor=coordinator, call=call, lead=world.comune, title="Rete famiglie", lead_role="Capofila"
    )
    services.add_partner(
        actor=coordinator, proposal=proposal, institution=world.school, role="Scuola", amount="5000", cofinancing="500"
    )
    services.add_partner(
        actor=coordinator, proposal=proposal, institution=world.coop, role="Educativa", amount="20000", cofinancing="0"
    )
    proposal.refresh_from_db()
    # The letter of intent the partners read and confirm (a proposal cannot be proposed without one).
    services.attach_agreement(
        actor=coordinator,
        proposal=proposal,
        upload=SimpleUploadedFile("lettera-di-intenti.pdf", samples.pdf()),
        version=proposal.version,
    )
    proposal.refresh_from_db()
    return SimpleNamespace(
        coordinator=coordinator,
        coop_admin=coop_admin,
        school_referent=personas["school_referent"].user,
        comune_admin=personas["institution_admin"].user,
        call=call,
        proposal=proposal,
    )


def fund(proposal, people):
    """Take ``proposal`` through proposed → confirmed by all → submitted → funded (as the services allow)."""
    from patto.funding import services

    if proposal.agreement_id is None:
        services.attach_agreement(
            actor=people.coordinator,
            proposal=proposal,
            upload=SimpleUploadedFile("accordo.pdf", samples.pdf()),
            version=proposal.version,
        )
        proposal.refresh_from_db()
    services.move_proposal(actor=people.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    for user in (people.coordinator, people.school_referent, people.coop_admin):
        for partner in proposal.partners.all():
            if user.has_perm("funding.confirm_partner", partner):
                services.confirm_participation(actor=user, partner=partner, agreement=partner.proposal.agreement_id)
    for status in ("submitted", "funded"):
        services.move_proposal(actor=people.coordinator, proposal=proposal, version=proposal.version, status=status)
    return proposal


@pytest.fixture
def project(funding):
    from patto.funding import services

    fund(funding.proposal, funding)
    project = services.create_project(
        actor=funding.coordinator,
        proposal=funding.proposal,
        cup="F79J22001380004",
        title="Rete famiglie",
        funding_source="region",
        measure="DGR 100/2026",
        total=Decimal("25000.00"),
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    project.staff = services.add_budget_line(
        actor=funding.coordinator, project=project, category="staff", description="Coach", amount=Decimal("10000.00")
    )
    project.services = services.add_budget_line(
        actor=funding.coordinator, project=project, category="services", description="Educativa", amount="15000"
    )
    project.partner = {p.institution_id: p for p in project.proposal.partners.all()}
    return project
