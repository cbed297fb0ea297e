"""The DPO answers the Garante's question in the browser: who read family RN-…? A social worker opens
the family's path; the DPO finds the access by the family's reference, sees it in words, downloads it as
a spreadsheet and opens the subject-access report for the child (issue 8)."""

import io
from datetime import date
from pathlib import Path as FilePath

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.audit.actions import action_label
from patto.cases import services
from patto.cases.models import Cohort, Path
from patto.governance import services as governance
from patto.governance.models import Pact

pytestmark = pytest.mark.browser


@pytest.fixture
def district_family(rimini):
    """A district whose Comune signed the pact, a social worker who started a family's path, a DPO."""
    district, comune, office = rimini.district, rimini.comune, rimini.office
    pact = Pact.objects.create(district=district, title="Patto territoriale PIPPI", valid_from=date(2024, 3, 1))
    for institution in (comune, office):
        governance.record_adhesion(
            actor=None,
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on=date(2024, 3, 1),
            method="digital",
        )
    social_worker = MembershipFactory(
        user=UserFactory(username="assistente", first_name="Giulia", last_name="Fabbri"),
        institution=comune,
        role=Role.SOCIAL_WORKER,
    ).user
    MembershipFactory(
        user=UserFactory(username="dpo", first_name="Paolo", last_name="Neri"), institution=office, role=Role.AUDITOR
    )
    cohort = Cohort.objects.create(district=district, name="PIPPI 13 — Rimini", start_date=date(2025, 9, 15))
    return services.open_path(
        actor=social_worker,
        cohort=cohort,
        signal_source=comune,
        signal_date=date(2025, 9, 1),
        signal_summary="Segnalazione del servizio.",
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        child={
            "first_name": "Aurora",
            "last_name": "Canestrari",
            "birth_date": date(2017, 4, 12),
            "sex": "F",
            "fiscal_code": "",
            "town": "Rimini",
            "school": None,
            "school_site": None,
        },
    )


def test_the_dpo_finds_who_read_a_family_and_prints_the_childs_report(visit, district_family):
    path = district_family
    reference = path.family.reference
    with translation.override("it"):
        opened = str(action_label("cases.path.viewed"))

    social_worker = visit()
    social_worker.sign_in("assistente")
    assert social_worker.open(reverse("cases:path_detail", kwargs={"pk": path.pk})).status == 200

    dpo = visit()
    dpo.sign_in("dpo")
    dpo.page.click(f"main a[href='{reverse('audit:access_search')}']")  # the auditor's home panel
    dpo.check()
    dpo.page.fill("#id_query", reference)
    dpo.page.click("main form button[type=submit]")
    dpo.check()
    assert dpo.page.url.endswith(reverse("audit:family_accesses", kwargs={"key": path.family_id}))
    assert "family_accesses" not in dpo.page.url and "Canestrari" not in dpo.page.url
    read = dpo.page.locator("main table tbody tr", has_text=opened)
    assert read.count() >= 1
    assert "Giulia Fabbri" in read.first.inner_text() and "Comune di Rimini" in read.first.inner_text()
    assert reference in read.first.inner_text() and "cases.path.viewed" not in dpo.page.content()

    with dpo.page.expect_download() as download:
        dpo.page.click("main a[href$='accessi.xlsx']")
    assert download.value.suggested_filename == f"accessi-{reference}.xlsx"
    workbook = load_workbook(io.BytesIO(FilePath(download.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert any(row[1] == "Giulia Fabbri" and row[4] == opened and row[6] == reference for row in rows[1:])

    child = path.family.members.get()
    dpo.page.click(f"main a[href='{reverse('audit:person_report', kwargs={'key': child.pk})}']")
    dpo.check()
    assert dpo.page.get_attribute("html", "lang") == "it"
    report = dpo.page.inner_text("main")
    assert "Aurora Canestrari" in report and "Giulia Fabbri" in report and opened in report
    dpo.page.click(f"main a[href='{reverse('audit:person_accesses', kwargs={'key': child.pk})}']")
    dpo.check()
    assert dpo.page.locator("main table tbody tr", has_text=opened).count() >= 1
