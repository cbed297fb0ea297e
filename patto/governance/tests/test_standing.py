"""Issue 8, standing in governance: an institution whose adhesion is withdrawn (from its date) or that is
inactive gives its people no governance from the next request: pages, PDFs, spreadsheets, the panel on the
home page, and the updates a party gives on its commitments."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from patto.accounts.models import Institution

TODAY = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def clock():
    """A fixed day, set before the personas and the pact are made."""
    with time_machine.travel(TODAY, tick=False):
        yield


def _urls(pact, world):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    period, body = pact.periods.get().pk, pact.bodies.get()
    return [
        reverse(name, kwargs=kwargs)
        for name, kwargs in [
            ("governance:pact", {}),
            ("governance:pact_pdf", {}),
            ("governance:signatories", {}),
            ("governance:procedures", {}),
            ("governance:procedure", {"procedure_pk": pact.procedures.get().pk}),
            ("governance:dashboard", {}),
            ("governance:versions", {}),
            ("governance:version_detail", {"number": 1}),
            ("governance:commitments", {}),
            ("governance:commitment_status", {"commitment_pk": commitment.pk}),
            ("governance:periods", {}),
            ("governance:period_report", {"period_pk": period}),
            ("governance:period_report_pdf", {"period_pk": period}),
            ("governance:period_report_xlsx", {"period_pk": period}),
            ("governance:bodies", {}),
            ("governance:body_detail", {"body_pk": body.pk}),
            ("governance:body_meeting", {"meeting_pk": body.meetings.get().pk}),
            ("governance:minutes_pdf", {"meeting_pk": body.meetings.get().pk}),
            ("governance:meeting_ics", {"meeting_pk": body.meetings.get().pk}),
            ("governance:calendar_settings", {}),
        ]
    ]


def _statuses(client, urls):
    return {url: client.get(url).status_code for url in urls}


def _panel_titles(client):
    return [panel["title"] for panel in client.get(reverse("core:home")).context["panels"]]


def test_the_schools_governance_members_read_the_pact_while_it_is_in_standing(pact, world, login):
    urls = _urls(pact, world)
    client = login("other_admin")
    assert set(_statuses(client, urls).values()) == {200}
    assert "Il Patto" in _panel_titles(client)


@pytest.mark.parametrize("how", ["withdrawn today", "withdrawn earlier", "inactive"])
def test_without_standing_every_governance_read_is_404(how, pact, world, login):
    urls = _urls(pact, world)
    if how == "inactive":
        Institution.objects.filter(pk=world.school.pk).update(is_active=False)
    else:
        pact.adhesions.filter(institution=world.school).update(
            withdrawn_on=date(2026, 10, 15) if how == "withdrawn today" else date(2026, 9, 1)
        )
    for persona in ("other_admin", "school_referent"):
        client = login(persona)
        assert set(_statuses(client, urls).values()) == {404}, persona
        assert "Il Patto" not in _panel_titles(client)


def test_a_withdrawal_counts_from_its_date(pact, world, login):
    pact.adhesions.filter(institution=world.school).update(withdrawn_on=date(2026, 10, 16))
    assert login("school_referent").get(reverse("governance:pact")).status_code == 200


@pytest.mark.parametrize("how", ["withdrawn today", "inactive"])
def test_a_party_without_standing_cannot_update_its_commitment(how, pact, world, login):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    indicator = commitment.indicators.create(name="Referenti", unit="n.", target=1, source="manual")
    if how == "inactive":
        Institution.objects.filter(pk=world.school.pk).update(is_active=False)
    else:
        pact.adhesions.filter(institution=world.school).update(withdrawn_on=date(2026, 10, 15))
    client = login("school_referent")
    update = client.post(
        reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk}),
        {"status": "done", "evidence": "Referente nominato"},
    )
    value = client.post(
        reverse("governance:indicator_value", kwargs={"indicator_pk": indicator.pk}),
        {"value": "1", "evidence": "Nomina"},
    )
    assert (update.status_code, value.status_code) == (404, 404)
    assert not commitment.updates.exists() and not indicator.values.exists()


def test_the_cooperatives_educator_loses_the_pact_when_it_withdraws(pact, world, login):
    client = login("team_member")
    assert client.get(reverse("governance:pact")).status_code == 200
    pact.adhesions.filter(institution=world.coop).update(withdrawn_on=date(2026, 10, 15))
    for name in ("governance:pact", "governance:pact_pdf", "governance:signatories", "governance:procedures"):
        assert client.get(reverse(name)).status_code == 404, name


def test_bodies_seat_people_only_for_institutions_in_standing(pact, personas, world, login):
    from django.core.exceptions import ValidationError

    from patto.governance import services

    form = login("coordinator").get(reverse("governance:body_detail", kwargs={"body_pk": pact.bodies.get().pk}))
    offered = form.context["form"].fields
    assert world.comune_b not in offered["institution"].queryset  # never signed
    assert personas["outsider"].user not in offered["user"].queryset  # not named in the list either
    pact.adhesions.filter(institution=world.coop).update(withdrawn_on=date(2026, 10, 1))
    with pytest.raises(ValidationError):
        services.add_body_member(
            actor=personas["coordinator"].user,
            body=pact.bodies.get(),
            user=personas["team_member"].user,
            institution=world.coop,
            valid_from=date(2026, 10, 15),
        )
