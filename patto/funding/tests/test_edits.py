"""The review's findings and the edit screens: the live target counted only at fixed points (F2), the agreement
replaced only while the terms are open, withdrawing the confirmations (F3), optimistic locking on every edit
(F4), and the edits and removals of shares, budget lines, milestones and expenditure (never deleting money)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.core.exceptions import ConflictError
from patto.documents.tests import samples
from patto.funding import reports, services
from patto.funding.models import BudgetLine, Expenditure, Milestone, Partner, Proposal
from patto.funding.queries import documents_visible_to, line_spent

from .conftest import fund

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _upload(name="accordo.pdf"):
    return SimpleUploadedFile(name, samples.pdf())


def _spend(project, people, amount, line=None, day=date(2026, 3, 1), **extra):
    return services.record_expenditure(
        actor=people.coordinator,
        project=project,
        budget_line=line or project.staff,
        partner=next(iter(project.partner.values())),
        spent_on=day,
        amount=amount,
        supplier="Fornitore demo",
        **extra,
    )


# --- F2: the live target is counted only on fixed points ----------------------------------------------------


def test_two_consecutive_days_cannot_be_asked(project, funding, login, monkeypatch):
    """A report ending on one day and one ending on the next count the live target on the same day: the end of
    the last whole quarter, never the day asked; and that is the only day the count is ever taken on."""
    services.add_milestone(
        actor=funding.coordinator,
        project=project,
        title="30 famiglie",
        due_on=date(2026, 12, 31),
        target=30,
        source="families_in_path",
    )
    asked = []
    real = reports.families_in_project_cohorts

    def spy(project, on=None):
        asked.append(on)
        return real(project, on)

    monkeypatch.setattr(reports, "families_in_project_cohorts", spy)
    client = login("coordinator")
    url = reverse("funding:report", args=[project.pk])
    first = client.get(url + "?dal=2025-01-01&al=2026-05-10")
    second = client.get(url + "?dal=2025-01-01&al=2026-05-11")
    assert first.status_code == second.status_code == 200
    assert asked == [date(2026, 3, 31), date(2026, 3, 31)]
    assert "31/03/2026" in first.content.decode()
    assert reports.count_day(project, date(2026, 5, 10)) == reports.count_day(project, date(2026, 5, 11))
    # The same through the downloads.
    asked.clear()
    client.get(reverse("funding:report_xlsx", args=[project.pk]) + "?dal=2025-01-01&al=2026-08-02")
    client.get(reverse("funding:report_pdf", args=[project.pk]) + "?dal=2025-01-01&al=2026-08-03")
    assert asked == [date(2026, 6, 30), date(2026, 6, 30)]


def test_the_count_points_are_quarter_ends_and_today(project):
    today = date(2026, 11, 16)  # the tests' clock
    points = reports.count_points(project, today)
    assert points[0] == date(2025, 3, 31) and points[-2:] == [date(2026, 9, 30), today]
    assert all((later - earlier).days >= 90 for earlier, later in zip(points[:-2], points[1:-1], strict=True))
    assert reports.count_day(project, date(2030, 1, 1), today) == today  # past today: today
    assert reports.count_day(project, date(2025, 2, 15), today) is None  # before the first quarter's end
    # After the project's end, the last calendar quarter end within it (not its end date, which whoever records the
    # project chooses: a project ending on any past day would be counted on that day).
    project.ends_on = date(2026, 8, 15)
    assert reports.count_points(project, today)[-1] == date(2026, 6, 30)
    assert reports.count_day(project, today, today) == date(2026, 6, 30)
    # Nor its start: a project starting mid-quarter is counted on the calendar's quarter ends.
    project.starts_on, project.ends_on = date(2025, 2, 10), date(2025, 12, 31)
    assert reports.count_points(project, today) == [
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
    ]


def test_a_project_of_any_past_dates_is_counted_only_on_quarter_ends(funding, world):
    """Two projects recorded a day apart cannot tell a family's dates by difference: the points are the
    calendar's, the cut for closed paths the first day of the start's quarter."""
    from datetime import timedelta

    fund(funding.proposal, funding)
    probe = date(2026, 5, 20)  # any day the coordinator would like to count on
    project = services.create_project(
        actor=funding.coordinator,
        proposal=funding.proposal,
        cup="F79J22001380004",
        title="Sonda",
        funding_source="region",
        measure="x",
        total=Decimal("1.00"),
        starts_on=probe - timedelta(days=1),
        ends_on=probe,
    )
    assert reports.count_points(project, date(2026, 11, 16)) == []
    assert reports.count_day(project, probe, date(2026, 11, 16)) is None
    from patto.funding.queries import quarter_start

    assert quarter_start(probe) == date(2026, 4, 1) and quarter_start(date(2026, 12, 31)) == date(2026, 10, 1)


def test_a_project_links_only_its_districts_cohorts(funding, world):
    from patto.accounts.models import District
    from patto.cases.models import Cohort

    fund(funding.proposal, funding)
    elsewhere = Cohort.objects.create(
        district=District.objects.create(name="Altrove"), name="PIPPI 12 — Altrove", start_date=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        services.create_project(
            actor=funding.coordinator,
            proposal=funding.proposal,
            cup="F79J22001380004",
            title="Sonda",
            funding_source="region",
            measure="x",
            total=Decimal("1.00"),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            cohorts=[elsewhere],
        )
    assert "cohorts" in refused.value.message_dict


def test_a_period_before_the_first_quarter_end_says_the_target_is_not_counted(project, funding, login):
    services.add_milestone(
        actor=funding.coordinator,
        project=project,
        title="30 famiglie",
        due_on=date(2026, 12, 31),
        target=30,
        source="families_in_path",
    )
    page = login("coordinator").get(reverse("funding:report", args=[project.pk]) + "?dal=2025-01-01&al=2025-02-15")
    text = page.content.decode()
    assert "non sono contati per questo periodo" in text
    (milestone,) = reports.build_report(project, date(2025, 1, 1), date(2025, 2, 15)).milestones
    assert milestone.live and milestone.counted_on is None and milestone.value is None


def test_the_report_offers_the_quarters(project, login):
    text = login("coordinator").get(reverse("funding:report", args=[project.pk])).content.decode()
    assert "?dal=2026-07-01&amp;al=2026-09-30" in text
    assert "?dal=2026-10-01&amp;al=2026-11-16" in text  # the current quarter, to today


# --- F3: the agreement ----------------------------------------------------------------------------------------


def _proposed_and_confirmed(funding):
    proposal = funding.proposal
    services.attach_agreement(
        actor=funding.coordinator, proposal=proposal, upload=_upload("v1.pdf"), version=proposal.version
    )
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    for partner in proposal.partners.all():
        for user in (funding.coordinator, funding.school_referent, funding.coop_admin):
            if user.has_perm("funding.confirm_partner", partner):
                services.confirm_participation(actor=user, partner=partner, agreement=partner.proposal.agreement_id)
    proposal.refresh_from_db()
    return proposal


def test_replacing_the_agreement_withdraws_the_confirmations_and_keeps_the_old_file(funding):
    proposal = _proposed_and_confirmed(funding)
    assert not proposal.partners.filter(confirmed_at__isnull=True).exists()
    first = proposal.agreement
    services.attach_agreement(
        actor=funding.coordinator, proposal=proposal, upload=_upload("v2.pdf"), version=proposal.version
    )
    proposal.refresh_from_db()
    assert proposal.agreement.original_name == "v2.pdf"
    assert first in proposal.previous_agreements.all()  # with the fixture's letter of intent before it
    assert proposal.partners.filter(confirmed_at__isnull=False).count() == 0
    assert proposal.status == Proposal.Status.PROPOSED  # the partners confirm again on the new text
    event = AuditEvent.objects.filter(action="funding.proposal.agreement_replaced").latest("pk")
    assert event.changes["agreement"] == ["v1.pdf", "v2.pdf"]
    assert "Scuola" in event.changes["confirmations_withdrawn"][0] or event.changes["confirmations_withdrawn"][0]
    # The old file stays downloadable by who may read the proposal.
    assert documents_visible_to(funding.coordinator).filter(pk=first.pk).exists()


def test_the_agreement_is_not_replaced_once_submitted_or_funded(funding):
    proposal = _proposed_and_confirmed(funding)
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="submitted")
    with pytest.raises(ValidationError):
        services.attach_agreement(
            actor=funding.coordinator, proposal=proposal, upload=_upload(), version=proposal.version
        )
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="funded")
    with pytest.raises(ValidationError):
        services.attach_agreement(
            actor=funding.coordinator, proposal=proposal, upload=_upload(), version=proposal.version
        )
    proposal.refresh_from_db()
    assert proposal.agreement.original_name == "v1.pdf"
    assert [a.original_name for a in proposal.previous_agreements.all()] == ["lettera-di-intenti.pdf"]
    assert not proposal.partners.filter(confirmed_at__isnull=True).exists()


def test_a_partnership_is_proposed_and_confirmed_only_on_an_agreement(funding, world):
    """A confirmation is given to the document read: none before one is attached, and a new one (the first one
    too) withdraws those given."""
    bare = services.create_proposal(
        actor=funding.coordinator, call=funding.call, lead=world.comune, title="Senza lettera", lead_role="Capofila"
    )
    services.add_partner(
        actor=funding.coordinator, proposal=bare, institution=world.school, role="Scuola", amount="1", cofinancing="0"
    )
    bare.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.move_proposal(actor=funding.coordinator, proposal=bare, version=bare.version, status="proposed")
    assert "prima di proporre il partenariato" in str(refused.value)
    school = bare.partners.get(institution=world.school)
    Proposal.objects.filter(pk=bare.pk).update(
        status=Proposal.Status.PROPOSED
    )  # as a proposal proposed before this rule
    with pytest.raises(ValidationError):
        services.confirm_participation(actor=funding.school_referent, partner=school, agreement=None)
    assert not bare.partners.filter(confirmed_at__isnull=False).exists()
    # The first document attached to such a proposal withdraws what was confirmed without one.
    bare.partners.filter(pk=school.pk).update(confirmed_at=timezone.now(), confirmed_by=funding.school_referent)
    bare.refresh_from_db()
    services.attach_agreement(actor=funding.coordinator, proposal=bare, upload=_upload("v1.pdf"), version=bare.version)
    assert not bare.partners.filter(confirmed_at__isnull=False).exists()
    event = AuditEvent.objects.filter(action="funding.proposal.agreement_attached", object_id=str(bare.pk)).get()
    assert "IC Rimini Marina" in str(event.changes["confirmations_withdrawn"][0])


def test_a_confirmation_from_a_page_showing_the_old_agreement_is_a_conflict(funding, world):
    proposal = funding.proposal
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    client = _client(funding.school_referent)
    page = client.get(reverse("funding:proposal", args=[proposal.pk])).content.decode()
    assert "lettera-di-intenti.pdf" in page  # what the school reads, and confirms
    read = proposal.agreement_id
    proposal.refresh_from_db()
    services.attach_agreement(
        actor=funding.coordinator, proposal=proposal, upload=_upload("v2.pdf"), version=proposal.version
    )
    partner = proposal.partners.get(institution=world.school)
    url = reverse("funding:partner_confirm", args=[partner.pk])
    response = client.post(url, {"agreement": read})
    assert response.status_code == 409 and "v2.pdf" in response.content.decode()
    assert "sostituit" in response.content.decode()  # the message says the document was replaced
    assert Partner.objects.get(pk=partner.pk).confirmed_at is None
    assert client.post(url).status_code == 409  # a form without the document read confirms nothing either
    proposal.refresh_from_db()
    assert client.post(url, {"agreement": proposal.agreement_id}).status_code == 302
    assert Partner.objects.get(pk=partner.pk).confirmed_at is not None


def test_a_stale_agreement_form_is_a_conflict(funding):
    proposal = funding.proposal
    stale = proposal.version
    services.attach_agreement(actor=funding.coordinator, proposal=proposal, upload=_upload("v1.pdf"), version=stale)
    with pytest.raises(ConflictError):
        services.attach_agreement(actor=funding.coordinator, proposal=proposal, upload=_upload("v2.pdf"), version=stale)
    client = _client(funding.coordinator)
    url = reverse("funding:proposal_agreement", args=[proposal.pk])
    response = client.post(url, {"agreement": _upload("v3.pdf"), "version": stale})
    assert response.status_code == 409
    proposal.refresh_from_db()
    assert proposal.agreement.original_name == "v1.pdf"
    page = client.get(reverse("funding:proposal", args=[proposal.pk])).content.decode()
    assert "Sostituisci la lettera" in page


def test_the_agreement_form_is_gone_once_submitted(funding):
    proposal = _proposed_and_confirmed(funding)
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="submitted")
    page = _client(funding.coordinator).get(reverse("funding:proposal", args=[proposal.pk])).content.decode()
    assert 'name="agreement"' not in page


# --- F4 and item 4: partners' shares ---------------------------------------------------------------------------


def test_a_partners_share_is_edited_while_draft_with_a_version(funding):
    partner = funding.proposal.partners.get(role="Scuola")
    client = _client(funding.coordinator)
    url = reverse("funding:partner_edit", args=[partner.pk])
    assert client.get(url).status_code == 200
    data = {"role": "Scuola capofila", "amount": "1.234,56", "cofinancing": "0,10", "version": partner.version}
    assert client.post(url, data).status_code == 302
    partner.refresh_from_db()
    assert (partner.amount, partner.cofinancing, partner.role) == (Decimal("1234.56"), Decimal("0.10"), data["role"])
    event = AuditEvent.objects.filter(action="funding.partner.changed").latest("pk")
    assert event.changes["amount"] == ["5000.00", "1234.56"]
    # The same form sent again: stale, 409, what was typed kept.
    again = client.post(url, {**data, "amount": "9,99"})
    assert again.status_code == 409
    assert 'value="9,99"' in again.content.decode()
    partner.refresh_from_db()
    assert partner.amount == Decimal("1234.56")
    # Bad input comes back with its Italian message, input kept.
    bad = client.post(url, {**data, "amount": "molti", "version": partner.version})
    assert bad.status_code == 200 and 'value="molti"' in bad.content.decode()
    assert "Inserisci un numero" in bad.content.decode()


def test_a_partners_share_is_frozen_once_proposed(funding):
    partner = funding.proposal.partners.get(role="Scuola")
    proposal = funding.proposal
    services.move_proposal(actor=funding.coordinator, proposal=proposal, version=proposal.version, status="proposed")
    assert _client(funding.coordinator).get(reverse("funding:partner_edit", args=[partner.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_partner_share(
            actor=funding.coordinator, partner=partner, role="x", amount="1", cofinancing="0", version=partner.version
        )
    # The school's referent reads the proposal but never edits shares.
    assert _client(funding.school_referent).get(reverse("funding:partner_edit", args=[partner.pk])).status_code == 403


def test_a_partner_is_removed_from_a_draft_but_never_the_lead(funding):
    proposal = funding.proposal
    lead = proposal.partners.get(institution=proposal.lead)
    school = proposal.partners.get(role="Scuola")
    with pytest.raises(ValidationError):
        services.remove_partner(actor=funding.coordinator, partner=lead, version=lead.version)
    with pytest.raises(ConflictError):
        services.remove_partner(actor=funding.coordinator, partner=school, version=school.version + 1)
    client = _client(funding.coordinator)
    response = client.post(reverse("funding:partner_remove", args=[school.pk]), {"version": school.version})
    assert response.status_code == 302
    assert not Partner.objects.filter(pk=school.pk).exists()
    assert AuditEvent.objects.get(action="funding.partner.removed").changes["amount"] == ["5000.00", None]


def test_a_partner_from_another_district_is_not_there(funding, personas):
    partner = funding.proposal.partners.first()
    assert (
        _client(personas["foreigner"].user).get(reverse("funding:partner_edit", args=[partner.pk])).status_code == 404
    )


# --- Budget lines -------------------------------------------------------------------------------------------


def test_a_budget_line_is_edited_but_never_below_what_is_spent(project, funding):
    _spend(project, funding, "4000")
    client = _client(funding.comune_admin)  # the lead's referent keeps the books too
    url = reverse("funding:budget_line_edit", args=[project.pk, project.staff.pk])
    assert client.get(url).status_code == 200
    low = client.post(url, {"category": "staff", "description": "Coach", "amount": "3.999,99", "version": 1})
    assert low.status_code == 200
    text = low.content.decode()
    assert "€ 3.999,99" in text and "€ 4.000,00" in text and 'value="3.999,99"' in text
    ok = client.post(url, {"category": "staff", "description": "Coach PIPPI", "amount": "12.000", "version": 1})
    assert ok.status_code == 302
    line = BudgetLine.objects.get(pk=project.staff.pk)
    assert (line.amount, line.description, line.version) == (Decimal("12000.00"), "Coach PIPPI", 2)
    stale = client.post(url, {"category": "staff", "description": "Altro", "amount": "1", "version": 1})
    assert stale.status_code == 409
    assert AuditEvent.objects.get(action="funding.budget_line.changed").changes["amount"] == ["10000.00", "12000.00"]


def test_a_budget_line_with_expenditure_is_never_removed(project, funding):
    expenditure = _spend(project, funding, "10")
    services.cancel_expenditure(
        actor=funding.coordinator, expenditure=expenditure, version=expenditure.version, reason="Doppia"
    )
    with pytest.raises(ValidationError):  # even a cancelled expenditure keeps its line
        services.remove_budget_line(actor=funding.coordinator, line=project.staff, version=project.staff.version)
    client = _client(funding.coordinator)
    url = reverse("funding:budget_line_remove", args=[project.pk, project.staff.pk])
    assert client.post(url, {"version": 1}).status_code == 302
    assert BudgetLine.objects.filter(pk=project.staff.pk).exists()
    assert client.post(reverse("funding:budget_line_remove", args=[project.pk, project.services.pk]), {"version": 1})
    assert not BudgetLine.objects.filter(pk=project.services.pk).exists()
    assert AuditEvent.objects.get(action="funding.budget_line.removed").changes["amount"] == ["15000.00", None]


def test_the_school_referent_cannot_edit_a_budget_line(project, funding):
    url = reverse("funding:budget_line_edit", args=[project.pk, project.staff.pk])
    assert _client(funding.school_referent).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.update_budget_line(
            actor=funding.school_referent,
            line=project.staff,
            version=1,
            category="staff",
            description="x",
            amount="1",
        )


# --- Milestones ---------------------------------------------------------------------------------------------


def test_a_milestone_is_edited_and_removed_with_its_version(project, funding):
    milestone = services.add_milestone(
        actor=funding.coordinator, project=project, title="Coach formati", due_on=date(2026, 6, 30), target=6
    )
    client = _client(funding.coordinator)
    url = reverse("funding:milestone_edit", args=[project.pk, milestone.pk])
    data = {"title": "Coach formati (8)", "due_on": "2026-09-30", "target": "8", "source": "manual", "reached": "3"}
    assert client.post(url, {**data, "version": 1}).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.target, milestone.reached, milestone.version) == (data["title"], 8, 3, 2)
    assert client.post(url, {**data, "target": "9", "version": 1}).status_code == 409
    # Made live: the value entered by hand goes (a live target is counted).
    services.update_milestone(
        actor=funding.coordinator,
        milestone=milestone,
        version=2,
        title="Famiglie",
        due_on=date(2026, 9, 30),
        target=10,
        source="families_in_path",
        reached=5,
    )
    milestone.refresh_from_db()
    assert milestone.reached is None
    remove = reverse("funding:milestone_remove", args=[project.pk, milestone.pk])
    assert client.post(remove, {"version": 1}).status_code == 302  # stale: back to the edit page, not removed
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    assert client.post(remove, {"version": 3}).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert AuditEvent.objects.get(action="funding.milestone.removed").changes["milestone"] == ["Famiglie", None]


# --- Expenditure: corrected, or cancelled with a reason (never deleted) ----------------------------------------


def test_an_expenditure_is_corrected_with_the_same_checks(project, funding):
    expenditure = _spend(project, funding, "9000")
    client = _client(funding.coordinator)
    url = reverse("funding:expenditure_edit", args=[project.pk, expenditure.pk])
    assert client.get(url).status_code == 200
    data = {
        "spent_on": "2026-03-02",
        "budget_line": project.staff.pk,
        "partner": expenditure.partner_id,
        "amount": "10.000,01",
        "supplier": "Fornitore demo",
        "cig": "",
        "description": "",
        "override_reason": "",
        "version": 1,
    }
    over = client.post(url, data)  # its own 9,000 is not counted twice: 10,000.01 on a 10,000 line
    assert over.status_code == 200
    assert "€ 10.000,01" in over.content.decode() and "€ 0,01" in over.content.decode()
    assert client.post(url, {**data, "amount": "10.000,00"}).status_code == 302
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("10000.00") and expenditure.spent_on == date(2026, 3, 2)
    assert line_spent(project.staff) == Decimal("10000.00")
    event = AuditEvent.objects.get(action="funding.expenditure.changed")
    assert event.changes["amount"] == ["9000.00", "10000.00"]
    assert client.post(url, {**data, "amount": "1"}).status_code == 409  # version 1 is stale now
    with_reason = {**data, "amount": "10.500", "override_reason": "Proroga", "version": 2}
    assert client.post(url, with_reason).status_code == 302
    assert AuditEvent.objects.filter(action="funding.expenditure.changed_over_budget").exists()


def test_an_expenditure_is_cancelled_with_a_reason_and_stays_listed(project, funding):
    expenditure = _spend(project, funding, "250")
    kept = _spend(project, funding, "100")
    client = _client(funding.coordinator)
    url = reverse("funding:expenditure_cancel", args=[project.pk, expenditure.pk])
    assert client.get(url).status_code == 405
    no_reason = client.post(url, {"cancel-version": 1, "cancel-reason": "  "})
    assert no_reason.status_code == 200
    assert client.post(url, {"cancel-version": 1, "cancel-reason": "Fattura registrata due volte"}).status_code == 302
    expenditure.refresh_from_db()
    assert expenditure.cancelled_at and expenditure.cancelled_by == funding.coordinator
    assert Expenditure.objects.filter(pk=expenditure.pk).exists()
    assert line_spent(project.staff) == kept.amount
    event = AuditEvent.objects.get(action="funding.expenditure.cancelled")
    assert event.changes["cancellation_reason"] == ["", "Fattura registrata due volte"]
    page = client.get(reverse("funding:project", args=[project.pk])).content.decode()
    assert "annullata" in page and "<del>€ 250,00</del>" in page
    # Cancelled: neither changed nor cancelled again.
    with pytest.raises(ValidationError):
        services.cancel_expenditure(
            actor=funding.coordinator, expenditure=expenditure, version=expenditure.version, reason="Ancora"
        )
    edit = reverse("funding:expenditure_edit", args=[project.pk, expenditure.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"amount": "1"}).status_code == 302
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("250.00")


def test_the_school_referent_cannot_cancel_an_expenditure(project, funding):
    expenditure = _spend(project, funding, "250")
    url = reverse("funding:expenditure_cancel", args=[project.pk, expenditure.pk])
    assert _client(funding.school_referent).post(url, {"cancel-version": 1, "cancel-reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.cancel_expenditure(actor=funding.school_referent, expenditure=expenditure, version=1, reason="x")
    expenditure.refresh_from_db()
    assert expenditure.cancelled_at is None


def test_an_expenditure_of_another_project_is_not_there(project, funding, world):
    expenditure = _spend(project, funding, "1")
    other = services.create_proposal(
        actor=funding.coordinator, call=funding.call, lead=world.comune, title="Altra", lead_role="Capofila"
    )
    services.add_partner(
        actor=funding.coordinator, proposal=other, institution=world.coop, role="x", amount="1", cofinancing="0"
    )
    other.refresh_from_db()
    fund(other, funding)
    second = services.create_project(
        actor=funding.coordinator,
        proposal=other,
        cup="F79J22001380005",
        title="Altra",
        funding_source="region",
        total="1",
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    url = reverse("funding:expenditure_edit", args=[second.pk, expenditure.pk])
    assert _client(funding.coordinator).get(url).status_code == 404
