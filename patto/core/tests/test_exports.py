"""Every PDF Patto writes is tagged (PDF/UA-1: structure tree, language, title shown) and PDF/A-3u, through
the one helper in core/exports.py; the spreadsheet helper types its cells and accepts any sheet name."""

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace as Namespace

import pikepdf
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from patto.core.exports import Sheet, render_pdf, sheet_title, write_xlsx

PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUA = "{http://www.aiim.org/pdfua/ns/id/}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _archival(content):
    """The document's title, after checking what a screen reader and a conservation system need."""
    with pikepdf.open(io.BytesIO(content)) as pdf:  # the catalog may sit in an object stream: qpdf reads it
        root = pdf.Root
        assert "/StructTreeRoot" in root and bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "it"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with pdf.open_metadata() as xmp:
            assert (xmp[f"{PDFA}part"], xmp[f"{PDFA}conformance"], xmp[f"{PDFUA}part"]) == ("3", "U", "1")
            return xmp[DC_TITLE]


def test_every_kind_of_pdf_is_tagged_and_pdf_a(pact, family_path, personas, login):
    """The family's plan, the pact, the minutes, the monitoring report, the subject-access report and the
    demo's documents."""
    from patto.demo.pact import _document

    meeting = pact.bodies.get().meetings.get()
    child = family_path.family.members.get(kind="child")
    downloads = {
        "case_manager": [reverse("cases:plan_pdf", kwargs={"pk": family_path.pk})],
        "coordinator": [
            reverse("governance:pact_pdf"),
            reverse("governance:minutes_pdf", kwargs={"meeting_pk": meeting.pk}),
            reverse("governance:period_report_pdf", kwargs={"period_pk": pact.periods.get().pk}),
        ],
        "auditor": [reverse("audit:person_report_pdf", kwargs={"key": child.pk})],
    }
    titles = []
    for persona, urls in downloads.items():
        client = login(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
            titles.append(_archival(response.content))
    titles.append(_archival(_document("a.pdf", "Verbale del Gruppo Territoriale", ["Testo."]).read()))
    assert titles[0].startswith("Il nostro progetto") and titles[1] == pact.title
    assert titles[3].startswith("Report di monitoraggio") and titles[-1] == "Verbale del Gruppo Territoriale"
    assert all(titles)


def _plan(actions):
    """What the family's plan template reads, with one goal of ``actions`` actions."""
    goal = Namespace(
        subdimension=Namespace(name="Cura di base"),
        expected_result="Fare colazione prima di scuola",
        check_t1="",
        check_t2="",
        actions=Namespace(
            all=[
                Namespace(
                    description=f"Azione {index}",
                    person=Namespace(first_name="Elena"),
                    professional=None,
                    institution=None,
                    deadline=date(2026, 3, 1),
                )
                for index in range(actions)
            ]
        ),
    )
    member = Namespace(
        user=Namespace(get_full_name="Marco Bianchi"), get_team_role_display="Educatore", institution="Coop Orizzonti"
    )
    return {
        "path": Namespace(family=Namespace(district="Distretto di Rimini", reference="RN-2026-001"), cohort="PIPPI 13"),
        "goals": [goal],
        "team": [member] * 3,
        "parents": [Namespace(first_name="Elena", last_name="Canestrari")],
        "children": ["Aurora"],
        "today": date(2026, 12, 1),
        "pdf": True,
    }


def test_the_signatures_heading_stays_with_the_signature_lines():
    """With eleven actions the heading "Firme" fits at the foot of page 1 and the lines do not: both go to
    page 2 (they were split before)."""
    with translation.override("it"):
        pdf = render_pdf(render_to_string("cases/plan_family.html", _plan(11)))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    heading = [number for number, text in enumerate(pages) if "Firme" in text]
    lines = [number for number, text in enumerate(pages) if "Marco Bianchi" in text]
    assert len(pages) > 1 and heading == lines[:1] == [lines[-1]]


@pytest.mark.parametrize(
    "name, title",
    [
        ("S1 / 2027 \\ bis ? * [ ] : fine", "S1 - 2027 - bis - - - - - fine"),
        ("Un nome di periodo molto più lungo di trentun caratteri", "Un nome di periodo molto più lu"),
        ("'[]'", "--"),
        ("", "Foglio"),
        ("Rapporto\x07", "Rapporto"),
    ],
)
def test_any_name_makes_a_sheet_title(name, title):
    assert sheet_title(name) == title


def test_cells_are_typed_and_the_sheet_filtered_and_frozen(settings):
    settings.TIME_ZONE = "Europe/Rome"
    when = timezone.make_aware(datetime(2026, 12, 1, 23, 30), timezone.get_fixed_timezone(0))
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [
            Sheet(
                "Dati: 1/2",
                ["Testo", "Data", "Ora", "Numero", "Importo"],
                (
                    row
                    for row in [
                        ["=1+1", date(2026, 1, 31), when, 7, Decimal("2.50")],
                        ["x" * 200, None, None, None, None],
                    ]
                ),
            )
        ],
    )
    sheet = load_workbook(buffer).active
    assert sheet.title == "Dati- 1-2" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E3"
    text, day, moment, number, amount = sheet[2]
    assert text.value == "'=1+1" and text.data_type == "s"
    assert day.is_date and day.value == datetime(2026, 1, 31) and day.number_format == "mm-dd-yy"
    assert moment.is_date and moment.value == datetime(2026, 12, 2, 0, 30)  # local time, as people read it
    assert (number.value, number.data_type, amount.value, amount.data_type) == (7, "n", 2.5, "n")
    assert sheet.column_dimensions["A"].width == 60 and sheet["A3"].alignment.wrap_text
    assert 10 <= sheet.column_dimensions["B"].width <= 14


def test_only_the_export_helpers_write_pdfs_and_spreadsheets():
    """A new PDF or spreadsheet goes through core/exports.py, so it is tagged and PDF/A, or typed and safe."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and any(
            marker in path.read_text(encoding="utf-8") for marker in ("write_pdf(", "Workbook(", "import weasyprint")
        )
    }
    assert writers == {"core/exports.py"}
