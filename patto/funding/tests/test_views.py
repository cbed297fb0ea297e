from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.funding import services
from patto.funding.models import Call, Expenditure, Partner

from .conftest import fund

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _calls(funding, count):
    for index in range(count - 1):  # the fixture's call is the first
        services.create_call(
            actor=funding.coordinator,
            district=funding.call.district,
            funder="foundation",
            title=f"Bando {index}",
            deadline=date(2027, 2, 1 + index),
            amount=Decimal("1000.00"),
        )


def _projects(funding, world, count):
    from .conftest import fund as fund_proposal

    for index in range(count):
        proposal = services.create_proposal(
            actor=funding.coordinator, call=funding.call, lead=world.comune, title=f"P{index}", lead_role="Capofila"
        )
        services.add_partner(
            actor=funding.coordinator,
            proposal=proposal,
            institution=world.school,
            role="s",
            amount="1",
            cofinancing="0",
        )
        proposal.refresh_from_db()
        fund_proposal(proposal, funding)
        project = services.create_project(
            actor=funding.coordinator,
            proposal=proposal,
            cup=f"F79J2200138000{index}",
            title=f"P{index}",
            funding_source="region",
            total="100",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
        line = services.add_budget_line(
            actor=funding.coordinator, project=project, category="staff", description="c", amount="50"
        )
        services.record_expenditure(
            actor=funding.coordinator,
            project=project,
            budget_line=line,
            partner=proposal.partners.first(),
            spent_on=date(2026, 2, 1),
            amount="10.05",
            supplier="s",
        )


@pytest.mark.parametrize("count", [1, 3])
def test_the_calls_list_costs_the_same_with_one_or_three(count, funding, django_assert_num_queries):
    _calls(funding, count)
    client = _client(funding.coordinator)
    with django_assert_num_queries(7):
        response = client.get(reverse("funding:calls"))
    assert response.status_code == 200 and len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_projects_list_costs_the_same_with_one_or_three(count, funding, world, django_assert_num_queries):
    _projects(funding, world, count)
    client = _client(funding.coordinator)
    with django_assert_num_queries(7):
        response = client.get(reverse("funding:projects"))
    assert response.status_code == 200 and len(response.context["page"]) == count
    assert response.context["page"][0].spent == Decimal("10.05")


def test_the_coordinator_records_a_call_and_sees_its_deadline_on_the_home_page(funding, world):
    client = _client(funding.coordinator)
    response = client.post(
        reverse("funding:call_add"),
        {
            "funder": "pnrr",
            "title": "Avviso nazionale",
            "reference": "1/2027",
            "deadline": "2026-12-15",
            "amount": "1.234.567,89",
            "eligible_partners": "ATS",
        },
    )
    call = Call.objects.get(title="Avviso nazionale")
    assert response.status_code == 302 and call.amount == Decimal("1234567.89")
    home = client.get("/").content.decode()
    assert "Avviso nazionale" in home and "15/12/2026" in home
    page = client.get(reverse("funding:call", args=[call.pk])).content.decode()
    assert "€ 1.234.567,89" in page


def test_a_stale_edit_of_a_call_is_a_conflict_and_keeps_what_was_typed(funding):
    client = _client(funding.coordinator)
    url = reverse("funding:call", args=[funding.call.pk])
    data = {
        "funder": "region",
        "title": "Titolo nuovo",
        "deadline": "2027-01-31",
        "amount": "150.000,00",
        "version": funding.call.version,
    }
    assert client.post(url, data).status_code == 302
    data["title"] = "Titolo di un altro"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Titolo di un altro" in response.content.decode()
    funding.call.refresh_from_db()
    assert funding.call.title == "Titolo nuovo"


def test_the_schools_referent_confirms_in_patto(funding, world):
    proposal = funding.proposal
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    client = _client(funding.school_referent)
    page = client.get(reverse("funding:proposal", args=[proposal.pk])).content.decode()
    assert "Conferma la partecipazione di IC Rimini Marina" in page
    partner = proposal.partners.get(institution=world.school)
    confirm = reverse("funding:partner_confirm", args=[partner.pk])
    assert client.post(confirm, {"agreement": proposal.agreement_id}).status_code == 302
    partner.refresh_from_db()
    assert partner.confirmed_by == funding.school_referent
    assert AuditEvent.objects.filter(action="funding.proposal.viewed", actor=funding.school_referent).exists()
    # The cooperative's confirmation is not the school's to give.
    coop = proposal.partners.get(institution=world.coop)
    assert (
        client.post(
            reverse("funding:partner_confirm", args=[coop.pk]), {"agreement": proposal.agreement_id}
        ).status_code
        == 403
    )
    assert Partner.objects.get(pk=coop.pk).confirmed_at is None


def test_an_expenditure_over_budget_is_refused_in_the_form_then_recorded_with_a_reason(project, funding, world):
    client = _client(funding.coordinator)
    url = reverse("funding:expenditure_add", args=[project.pk])
    data = {
        "spent_on": "2026-03-01",
        "budget_line": project.staff.pk,
        "partner": project.partner[world.comune.pk].pk,
        "amount": "10.000,01",
        "supplier": "Coop",
        "cig": "9A1B2C3D4E",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "€ 10.000,01" in text and "€ 10.000,00" in text and "€ 0,01" in text
    assert not Expenditure.objects.exists()
    data["override_reason"] = "Rimodulazione autorizzata"
    assert client.post(url, data).status_code == 302
    assert Expenditure.objects.get().override_reason == "Rimodulazione autorizzata"


def test_a_wrong_cup_is_refused_in_the_form(funding):
    fund(funding.proposal, funding)
    client = _client(funding.coordinator)
    response = client.post(
        reverse("funding:project_add", args=[funding.proposal.pk]),
        {
            "title": "P",
            "cup": "ABCDEFGHIJKLMNO",
            "funding_source": "pnrr",
            "total": "100",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert "15 caratteri" in response.content.decode()


def test_the_proposal_status_form_moves_it_and_a_stale_one_is_a_conflict(funding):
    client = _client(funding.coordinator)
    url = reverse("funding:proposal_status", args=[funding.proposal.pk])
    version = funding.proposal.version
    assert client.post(url, {"status": "proposed", "version": version}).status_code == 302
    assert client.post(url, {"status": "draft", "version": version}).status_code == 409
    funding.proposal.refresh_from_db()
    assert funding.proposal.status == "proposed"


def test_the_value_reached_is_saved_from_the_project_page(project, funding):
    milestone = services.add_milestone(
        actor=funding.coordinator, project=project, title="Coach formati", due_on=date(2026, 6, 30), target=6
    )
    client = _client(funding.coordinator)
    page = client.get(reverse("funding:project", args=[project.pk])).content.decode()
    assert f'name="m{milestone.pk}-reached"' in page and "Valore raggiunto: Coach formati" in page
    url = reverse("funding:milestone_reached", args=[project.pk, milestone.pk])
    assert f'name="m{milestone.pk}-version"' in page
    loaded = milestone.version
    assert client.post(url, {f"m{milestone.pk}-reached": "6", f"m{milestone.pk}-version": loaded}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.reached == 6
    assert (
        client.post(url, {f"m{milestone.pk}-reached": "-1", f"m{milestone.pk}-version": milestone.version}).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.reached == 6
    # A second form loaded before the first save: 409, nothing saved, the page says so.
    stale = client.post(url, {f"m{milestone.pk}-reached": "2", f"m{milestone.pk}-version": loaded})
    assert stale.status_code == 409
    assert "Qualcun altro" in stale.content.decode()
    milestone.refresh_from_db()
    assert milestone.reached == 6
