"""Issue 12's funding journey in the browser (axe-core finds 0 violations on every page, the CSP holds): the
coordinator records a call, builds a partnership proposal, two partners confirm in Patto, the project is funded
(a wrong CUP refused first), an expenditure over its budget line is refused with the amounts, then recorded with
a reason, and the budget line is edited; the project's report PDF and XLSX reconcile with the records."""

import io
from decimal import Decimal

import pytest
from django.db.models import Sum

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.documents.tests import samples
from patto.funding.models import Expenditure, Project, Proposal
from patto.governance.models import Adhesion, Pact

from .test_reports import pdf_text

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    pact = Pact.objects.create(district=rimini.district, title="Patto territoriale PIPPI", valid_from="2024-03-01")
    for institution in (rimini.comune, rimini.school, rimini.ausl):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on="2024-03-01",
            method="digital",
        )
    for username, institution, role, first, last in (
        ("coordinatore", rimini.comune, Role.PACT_COORDINATOR, "Elena", "Gori"),
        ("docente", rimini.school, Role.SCHOOL_REFERENT, "Sara", "Valli"),
    ):
        MembershipFactory(
            user=UserFactory(username=username, first_name=first, last_name=last), institution=institution, role=role
        )
    return rimini


def test_a_call_a_partnership_confirmed_by_all_a_funded_project_and_its_books(visit, district, tmp_path):
    rt = visit()
    rt.sign_in("coordinatore")
    rt.open("/finanziamenti/")
    rt.page.click("main a:has-text('Registra un bando')")
    rt.check()
    rt.page.select_option("#id_funder", "region")
    rt.page.fill("#id_title", "Reti per le famiglie 2027")
    rt.page.fill("#id_reference", "Avviso regionale 7/2026")
    rt.page.fill("#id_deadline", "2027-01-29")
    rt.page.fill("#id_amount", "120.000,00")
    rt.submit()
    assert "€ 120.000,00" in rt.page.inner_text("main")

    rt.page.click("main a:has-text('Costruisci una proposta')")
    rt.check()
    rt.page.fill("#id_title", "Rete territoriale per le famiglie")
    rt.page.select_option("#id_lead", label="Comune di Rimini")
    rt.submit()
    proposal = Proposal.objects.get()
    rt.page.select_option("#id_institution", label="IC Rimini Marina")
    rt.page.fill("#id_role", "Sportello per i genitori")
    rt.page.fill("#id_amount", "9.000,00")
    rt.page.fill("#id_cofinancing", "1.200,00")
    rt.submit("main form[action$='/partner/'] button[type=submit]")
    # The letter of intent the partners read and confirm: without it the partnership cannot be proposed.
    rt.page.select_option("#id_status", "proposed")
    rt.submit("main form[action$='/stato/'] button[type=submit]")
    assert "prima di proporre il partenariato" in rt.page.inner_text("main")
    letter = tmp_path / "lettera-di-intenti.pdf"
    letter.write_bytes(samples.pdf())
    rt.page.set_input_files("#id_agreement", str(letter))
    rt.submit("main form[action$='/accordo/'] button[type=submit]")
    rt.page.select_option("#id_status", "proposed")
    rt.submit("main form[action$='/stato/'] button[type=submit]")
    rt.submit("main button:has-text('Conferma la partecipazione di Comune di Rimini')")
    assert "Firmata da tutti" not in rt.page.inner_text("main")

    school = visit()
    school.sign_in("docente")
    school.open(f"/finanziamenti/proposte/{proposal.pk}/")
    school.submit("main button:has-text('Conferma la partecipazione di IC Rimini Marina')")
    assert "Firmata da tutti" in school.page.inner_text("main")
    assert "Sara Valli" in school.page.inner_text("main")

    for status in ("submitted", "funded"):
        rt.open(f"/finanziamenti/proposte/{proposal.pk}/")
        rt.page.select_option("#id_status", status)
        rt.submit("main form[action$='/stato/'] button[type=submit]")
    rt.page.click("main a:has-text('Registra il progetto finanziato')")
    rt.check()
    rt.page.fill("#id_cup", "F79J2200138000X")
    rt.page.select_option("#id_funding_source", "region")
    rt.page.fill("#id_total", "9.000,00")
    rt.page.fill("#id_starts_on", "2026-01-01")
    rt.page.fill("#id_ends_on", "2027-12-31")
    rt.submit()
    assert "15 caratteri" in rt.page.inner_text("main")
    rt.page.fill("#id_cup", "F79J22001380004")
    rt.submit()
    project = Project.objects.get()

    rt.page.select_option("#id_line-category", "training")
    rt.page.fill("#id_line-description", "Formazione")
    rt.page.fill("#id_line-amount", "1.000,00")
    rt.submit("main form[action$='/voci/'] button[type=submit]")
    rt.page.click("main a:has-text('Registra una spesa')")
    rt.check()
    rt.page.fill("#id_spent_on", "2026-03-10")
    rt.page.select_option("#id_budget_line", index=1)
    rt.page.select_option("#id_partner", label="IC Rimini Marina")
    rt.page.fill("#id_amount", "1.234,56")
    rt.page.fill("#id_supplier", "Formazione Adriatica")
    rt.page.fill("#id_cig", "Z3F1A2B3C4")
    rt.submit()
    text = rt.page.inner_text("main")
    assert "€ 1.234,56" in text and "€ 1.000,00" in text and "€ 234,56" in text
    assert not Expenditure.objects.exists()
    rt.page.fill("#id_override_reason", "Rimodulazione autorizzata dalla Regione")
    rt.submit()
    assert Expenditure.objects.get().override_reason == "Rimodulazione autorizzata dalla Regione"

    # The budget line edited: a budget below what is spent is refused with the amounts (the input kept), then
    # raised to cover the expenditure. The edit page passes axe like the rest.
    line = project.budget_lines.get()
    rt.page.click(f"main a[href$='/voci/{line.pk}/']")
    rt.check()
    rt.page.fill("#id_amount", "1.200,00")
    rt.submit("main form:not([action]) button[type=submit]")
    text = rt.page.inner_text("main")
    assert "€ 1.200,00" in text and "€ 1.234,56" in text
    assert rt.page.input_value("#id_amount") == "1.200,00"
    rt.page.fill("#id_amount", "1.500,00")
    rt.submit("main form:not([action]) button[type=submit]")
    line.refresh_from_db()
    assert line.amount == Decimal("1500.00") and line.version == 2
    assert "€ 265,44" in rt.page.inner_text("main")  # remaining on the line

    rt.page.click("main a:has-text('Relazione')")
    rt.check()
    total = Expenditure.objects.filter(project=project).aggregate(total=Sum("amount"))["total"]
    assert total == Decimal("1234.56") and "€ 1.234,56" in rt.page.inner_text("main")
    pdf = rt.page.request.get(rt.base_url + rt.page.locator("main a:has-text('Scarica il PDF')").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    assert "€ 1.234,56" in text and "F79J22001380004" in text
    from openpyxl import load_workbook

    xlsx = rt.page.request.get(
        rt.base_url + rt.page.locator("main a:has-text('Scarica il foglio di calcolo')").get_attribute("href")
    )
    workbook = load_workbook(io.BytesIO(xlsx.body()), read_only=True)
    *_rows, last = list(workbook[workbook.sheetnames[3]].iter_rows(min_row=2, values_only=True))
    assert Decimal(str(last[6])) == total
