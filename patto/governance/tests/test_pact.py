from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.documents.tests import samples
from patto.governance import services
from patto.governance.diff import word_diff
from patto.governance.models import CommitmentUpdate, PactVersion


def test_word_diff_escapes_and_marks_changes():
    html = word_diff("Il Comune <b>presidia</b> la governance", "Il Comune coordina la governance")
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<del>" in html and "<ins>coordina</ins>" in html


def test_coordinator_amends_a_commitment_the_gt_approves_and_the_diff_shows_it(pact, personas, login, world):
    client = login("coordinator")
    draft = pact.versions.get(number=2)
    commitment = draft.commitments.get(institution=world.comune)
    url = reverse("governance:commitment_edit", kwargs={"number": 2, "commitment_pk": commitment.pk})
    response = client.post(
        url,
        {
            "institution": world.comune.pk,
            "order": 0,
            "version": commitment.version,
            "text": "Presidiare e coordinare il sistema di governance integrata.",
        },
    )
    assert response.status_code == 302
    approve = reverse("governance:version_approve", kwargs={"number": 2})
    bad = client.post(
        approve,
        {
            "version": draft.version,
            "approved_on": "2026-03-12",
            "approval_reference": "GT del 12/03/2026",
            "effective_from": "2026-03-01",
        },
    )
    assert bad.status_code == 200 and "effective_from" in bad.context["form"].errors
    ok = client.post(
        approve,
        {
            "version": draft.version,
            "approved_on": "2026-03-12",
            "approval_reference": "GT del 12/03/2026, decisione n. 4",
            "effective_from": "2026-04-01",
        },
    )
    assert ok.status_code == 302
    assert pact.version_in_force().number == 2
    assert pact.version_in_force(on=date(2026, 3, 31)).number == 1  # earlier versions stay readable
    page = client.get(reverse("governance:version_compare") + "?da=1&a=2")
    changed = [item for item in page.context["diff"]["commitments"] if item["state"] == "changed"]
    assert (
        len(changed) == 1
        and changed[0]["html"] == "Presidiare<ins> e coordinare</ins> il sistema di governance integrata."
    )
    assert AuditEvent.objects.filter(action="governance.version.approved", purpose__contains="GT del").exists()


def test_an_approved_version_cannot_be_edited(pact, personas, login):
    section = pact.versions.get(number=1).sections.first()
    response = login("coordinator").get(reverse("governance:section_edit", kwargs={"number": 1, "key": section.key}))
    assert response.status_code == 403


def test_only_one_draft_at_a_time(pact, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.draft_version(actor=personas["coordinator"].user, pact=pact)


def test_section_edits_do_not_overwrite_each_other(pact, login):
    section = pact.versions.get(number=2).sections.get(key="governance")
    url = reverse("governance:section_edit", kwargs={"number": 2, "key": "governance"})
    client = login("coordinator")
    assert client.post(url, {"version": section.version, "text": "Il GT si riunisce ogni due mesi."}).status_code == 302
    stale = client.post(url, {"version": section.version, "text": "Il GT si riunisce ogni tre mesi."})
    assert stale.status_code == 409 and "ogni tre mesi" in stale.content.decode()
    section.refresh_from_db()
    assert section.text == "Il GT si riunisce ogni due mesi."


def test_each_party_updates_its_own_commitment_and_history_is_kept(pact, personas, login, world):
    comune_commitment = pact.version_in_force().commitments.get(institution=world.comune)
    school_commitment = pact.version_in_force().commitments.get(institution=world.school)
    school_head = login("other_admin")
    assert (
        school_head.get(
            reverse("governance:commitment_status", kwargs={"commitment_pk": comune_commitment.pk})
        ).status_code
        == 403
    )
    url = reverse("governance:commitment_status", kwargs={"commitment_pk": school_commitment.pk})
    missing = school_head.post(url, {"status": "done", "evidence": ""})
    assert missing.status_code == 200 and "evidence" in missing.context["form"].errors
    for status, evidence in (("on_track", "Referente nominato a settembre"), ("done", "Delibera del collegio docenti")):
        assert school_head.post(url, {"status": status, "evidence": evidence}).status_code == 302
    assert list(school_commitment.updates.values_list("status", flat=True)) == ["done", "on_track"]
    report = login("coordinator").get(reverse("governance:period_report", kwargs={"period_pk": pact.periods.get().pk}))
    rows = {c.pk: c for c in report.context["commitments"]}
    assert rows[school_commitment.pk].latest.status == CommitmentUpdate.Status.DONE
    assert rows[comune_commitment.pk].latest is None
    assert "Delibera del collegio docenti" in report.content.decode()


def test_a_closed_period_takes_no_update(pact, personas):
    from django.core.exceptions import ValidationError

    period = pact.periods.get()
    services.close_period(actor=personas["coordinator"].user, period=period)
    with pytest.raises(ValidationError):
        services.update_commitment_status(
            actor=personas["coordinator"].user,
            commitment=pact.version_in_force().commitments.first(),
            period=period,
            status="done",
            evidence="x",
        )


def test_a_school_joins_later_and_an_institution_withdraws(pact, personas, login, world):
    client = login("coordinator")
    response = client.post(
        reverse("governance:adhesion_add"),
        {
            "institution": world.comune_b.pk,
            "signer_name": "Sindaca (demo)",
            "signer_role": "Sindaca",
            "signed_on": "2025-09-01",
            "method": "digital",
            "document_reference": "Prot. 123",
        },
    )
    assert response.status_code == 302
    assert login("outsider").get(reverse("governance:pact")).status_code == 200  # Santarcangelo has now signed
    client = login("coordinator")  # the login fixture signs the same test client in as someone else
    again = client.post(
        reverse("governance:adhesion_add"),
        {
            "institution": world.comune_b.pk,
            "signer_name": "x",
            "signer_role": "x",
            "signed_on": "2025-09-02",
            "method": "digital",
        },
    )
    assert again.status_code == 200 and again.context["form"].errors
    coop = pact.adhesions.get(institution=world.coop)
    url = reverse("governance:adhesion_withdraw", kwargs={"adhesion_pk": coop.pk})
    assert client.post(url, {"withdrawn_on": "2026-10-01", "reason": "Fine dell'appalto"}).status_code == 302
    assert login("team_member").get(reverse("governance:pact")).status_code == 404  # the cooperative has withdrawn


def test_pact_page_shows_the_version_in_force_to_every_signatory_user(pact, login):
    body = login("health_professional").get(reverse("governance:pact")).content.decode()
    assert "Presidiare il sistema di governance integrata." in body
    assert "Versioni del patto" not in body and "Versions of the pact" not in body  # not a governance role


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("page,queries", [("governance:commitments", 11), ("governance:period_report", 14)])
def test_commitments_and_report_query_count(page, queries, count, pact, personas, world, django_assert_num_queries):
    """Both list every commitment with its latest update and its evidence file (the report also logs its read)."""
    coordinator = personas["coordinator"].user
    version = pact.version_in_force()
    for index in range(count):
        commitment = version.commitments.create(institution=world.ausl, text=f"Impegno {index}", order=index)
        services.update_commitment_status(
            actor=coordinator,
            commitment=commitment,
            period=pact.periods.get(),
            status="on_track",
            evidence="ok",
            evidence_file=SimpleUploadedFile("verbale.pdf", samples.pdf()),
        )
    client = Client()
    client.force_login(coordinator)
    kwargs = {"period_pk": pact.periods.get().pk} if page == "governance:period_report" else {}
    with django_assert_num_queries(queries):
        assert client.get(reverse(page, kwargs=kwargs)).status_code == 200


def test_version_status_labels(pact):
    assert pact.versions.get(number=2).status == PactVersion.Status.DRAFT


def test_the_school_referent_updates_the_schools_commitment(pact, login, world):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    response = login("school_referent").post(
        reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk}),
        {"status": "on_track", "evidence": "Referente nominato"},
    )
    assert response.status_code == 302 and commitment.updates.get().author.username == "school_referent"
