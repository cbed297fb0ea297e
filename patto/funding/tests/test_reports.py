"""The project's report reconciles with the records: the page, the spreadsheet and the PDF show the sums of the
expenditure of the period, per line, per partner and in total."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from patto.funding import services
from patto.funding.models import Expenditure
from patto.funding.money import format_euro
from patto.funding.reports import build_report

pytestmark = pytest.mark.django_db

# Amounts whose float sum is not exact: 0.1 + 0.2 + ... in binary drifts.
AMOUNTS = [
    (date(2025, 3, 31), "staff", "0.10", "9A1B2C3D4E"),
    (date(2025, 6, 30), "staff", "0.20", "9A1B2C3D4E"),
    (date(2025, 9, 30), "services", "1234.56", "Z3F1A2B3C4"),
    (date(2026, 1, 31), "services", "3333.33", "Z3F1A2B3C4"),
    (date(2026, 2, 28), "staff", "0.70", ""),
    (date(2026, 5, 31), "services", "999.99", "9A1B2C3D4E"),
]


@pytest.fixture
def books(project, funding, world):
    lines = {"staff": project.staff, "services": project.services}
    partners = [project.partner[world.comune.pk], project.partner[world.school.pk]]
    for index, (day, line, amount, cig) in enumerate(AMOUNTS):
        services.record_expenditure(
            actor=funding.coordinator,
            project=project,
            budget_line=lines[line],
            partner=partners[index % 2],
            spent_on=day,
            amount=Decimal(amount),
            supplier=f"Fornitore {cig or 'interno'}",
            cig=cig,
        )
    return project


def pdf_text(content):
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _db_sum(project, start, end):
    return Expenditure.objects.filter(project=project, spent_on__gte=start, spent_on__lte=end).aggregate(
        total=Sum("amount")
    )["total"]


def test_the_report_reconciles_with_the_records(books):
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    report = build_report(books, start, end)
    assert report.total_in_period == Decimal("1234.86") == _db_sum(books, start, end)
    assert sum(e.amount for e in report.expenditures) == report.total_in_period
    assert sum(line.spent_in_period for line in report.lines) == report.total_in_period
    assert sum(p.spent_in_period for p in report.partners) == report.total_in_period
    assert sum(p["total"] for p in report.procedures) == report.total_in_period  # every one has a CIG in 2025
    staff = next(line for line in report.lines if line.category == "staff")
    assert staff.spent_in_period == Decimal("0.30")  # float: 0.30000000000000004
    whole = build_report(books, date(2025, 1, 1), date(2026, 11, 16))
    assert (
        whole.total_to_date
        == whole.total_in_period
        == Decimal("5568.88")
        == _db_sum(books, date(2025, 1, 1), date(2026, 12, 31))
    )
    assert report.total_to_date == report.total_in_period  # nothing before 2025


def test_the_spreadsheet_reconciles(books, login):
    from openpyxl import load_workbook

    client = login("coordinator")
    url = reverse("funding:report_xlsx", args=[books.pk]) + "?dal=2026-01-01&al=2026-12-31"
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = workbook.sheetnames
    assert len(sheets) == 6
    expenditure = list(workbook[sheets[3]].iter_rows(min_row=2, values_only=True))
    *rows, total = expenditure
    expected = _db_sum(books, date(2026, 1, 1), date(2026, 12, 31))
    assert expected == Decimal("4334.02")
    assert Decimal(str(total[6])) == expected
    assert sum(Decimal(str(row[6])) for row in rows) == expected
    lines = list(workbook[sheets[2]].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(row[3])) for row in lines) == expected
    partners = list(workbook[sheets[1]].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(row[4])) for row in partners) == expected


def test_the_page_and_the_pdf_show_the_same_total(books, login):
    client = login("coordinator")
    query = "?dal=2025-01-01&al=2026-12-31"
    page = client.get(reverse("funding:report", args=[books.pk]) + query)
    total = format_euro(_db_sum(books, date(2025, 1, 1), date(2026, 12, 31)))
    assert total == "€ 5.568,88"
    assert total in page.content.decode()
    pdf = client.get(reverse("funding:report_pdf", args=[books.pk]) + query)
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert total in text
    for heading in ("Anagrafica", "Spese", "Indicatori e target", "Procedure"):
        assert heading in text, heading


def test_a_live_target_counts_the_families_of_the_projects_cohorts(project, funding, family_path):
    """The families-in-path definition on the project's cohorts; one family is a small count: "<5"."""
    from patto.funding.reports import milestone_values

    services.add_milestone(
        actor=funding.coordinator,
        project=project,
        title="30 famiglie",
        due_on=date(2026, 12, 31),
        target=30,
        source="families_in_path",
    )
    (milestone,) = milestone_values(project)
    assert milestone.live and milestone.value == 0  # no cohort chosen yet
    project.cohorts.set([family_path.cohort])
    (milestone,) = milestone_values(project)
    from patto.cases.models import Path

    counted = (
        Path.objects.filter(cohort=family_path.cohort, agreement__isnull=False).values("family").distinct().count()
    )
    assert milestone.value == (None if 0 < counted < 5 else counted)


def test_the_report_reconciles_after_an_edit_and_a_cancellation(books, funding, login):
    """One expenditure corrected (0.20 → 0.25, moved to 2025-07-01) and one cancelled (1,234.56): the page, the
    spreadsheet and the sums count the correction and never the cancelled one, which stays among the records."""
    from openpyxl import load_workbook

    rows = {e.amount: e for e in Expenditure.objects.filter(project=books)}
    edited, cancelled = rows[Decimal("0.20")], rows[Decimal("1234.56")]
    services.update_expenditure(
        actor=funding.coordinator,
        expenditure=edited,
        version=edited.version,
        budget_line=edited.budget_line,
        partner=edited.partner,
        spent_on=date(2025, 7, 1),
        amount=Decimal("0.25"),
        supplier=edited.supplier,
        cig=edited.cig,
        description="corretta",
    )
    services.cancel_expenditure(
        actor=funding.coordinator, expenditure=cancelled, version=cancelled.version, reason="Registrata due volte"
    )
    assert Expenditure.objects.filter(project=books).count() == len(AMOUNTS)  # nothing deleted
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    in_force = Expenditure.objects.filter(cancelled_at__isnull=True)
    expected = in_force.filter(project=books, spent_on__gte=start, spent_on__lte=end).aggregate(t=Sum("amount"))["t"]
    assert expected == Decimal("0.35")  # 0.10 + 0.25
    report = build_report(books, start, end)
    assert report.total_in_period == expected == report.total_to_date
    assert sum(e.amount for e in report.expenditures) == expected
    assert cancelled.pk not in {e.pk for e in report.expenditures}
    assert sum(line.spent_in_period for line in report.lines) == expected
    assert sum(p.spent_in_period for p in report.partners) == expected
    assert sum(p["total"] for p in report.procedures) == expected
    services_line = next(line for line in report.lines if line.category == "services")
    assert services_line.spent_in_period == Decimal("0.00")
    client = login("coordinator")
    query = "?dal=2025-01-01&al=2025-12-31"
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("funding:report_xlsx", args=[books.pk]) + query).content), read_only=True
    )
    *sheet_rows, total = list(workbook[workbook.sheetnames[3]].iter_rows(min_row=2, values_only=True))
    assert Decimal(str(total[6])) == expected == sum(Decimal(str(row[6])) for row in sheet_rows)
    assert format_euro(expected) in client.get(reverse("funding:report", args=[books.pk]) + query).content.decode()
    whole = build_report(books, date(2025, 1, 1), date(2026, 11, 16))
    assert whole.total_in_period == Decimal("5568.88") - Decimal("1234.56") + Decimal("0.05")
