import io

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from patto.audit.models import AuditEvent
from patto.core.exports import safe_cell
from patto.governance import services


def test_spreadsheet_formulas_are_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("-1+2") == "'-1+2" and safe_cell("Testo") == "Testo" and safe_cell(3) == 3


def test_report_as_xlsx_and_pdf(pact, personas, login, world):
    school = pact.version_in_force().commitments.get(institution=world.school)
    services.update_commitment_status(
        actor=personas["other_admin"].user,
        commitment=school,
        period=pact.periods.get(),
        status="done",
        evidence="=SUM(A1:A9) referente nominato",
    )
    client = login("coordinator")
    xlsx = client.get(reverse("governance:period_report_xlsx", kwargs={"period_pk": pact.periods.get().pk}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Nominare un referente scolastico PIPPI."][2] == "Completato"
    assert rows["Nominare un referente scolastico PIPPI."][4] == "'=SUM(A1:A9) referente nominato"
    pdf = client.get(reverse("governance:period_report_pdf", kwargs={"period_pk": pact.periods.get().pk}))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Report di monitoraggio" in text and "Nominare un referente scolastico PIPPI." in text
    assert AuditEvent.objects.filter(action__in=["governance.report.pdf", "governance.report.xlsx"]).count() == 2


def test_pact_as_pdf(pact, login):
    pdf = login("health_professional").get(reverse("governance:pact_pdf"))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Patto territoriale PIPPI" in text and "Presidiare il sistema di governance integrata." in text
