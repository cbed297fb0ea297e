"""The population loader reads ISTAT's CSV in its real layout (a title line, the POSAS header, ages 0-100 and
999 for the total), in the variants people save it in, sums ages 0-17 into the bands of the comuni known in
Patto, is idempotent and audited, and refuses a wrong layout saying on which line."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from patto.audit.models import AuditEvent
from patto.territory import services
from patto.territory.models import ResidentPopulation, SchoolEnrolment
from patto.territory.parsing import LayoutError, parse_population

SAMPLE = Path(__file__).parent / "data" / "posas_2025_sample.csv"
RIMINI = {"0-2": 3003, "3-5": 3012, "6-10": 5040, "11-13": 3036, "14-17": 4062}
SANTARCANGELO = {"0-2": 303, "3-5": 312, "6-10": 540, "11-13": 336, "14-17": 462}


def bands(code, year=2025):
    return dict(ResidentPopulation.objects.filter(comune__istat_code=code, year=year).values_list("age_band", "count"))


def test_the_sample_in_istats_layout_is_loaded_into_bands_once_and_audited(comuni):
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_population", str(SAMPLE), "--source", "ISTAT POSAS 2025", stdout=out)
    assert bands("099014") == RIMINI and bands("099018") == SANTARCANGELO
    assert "2025" in out.getvalue() and "1 comuni of the file are not in Patto" in out.getvalue()  # Riccione
    row = ResidentPopulation.objects.filter(comune__istat_code="099014").first()
    assert (row.approximate, row.source) == (False, "ISTAT POSAS 2025")
    event = AuditEvent.objects.get(action="territory.population.loaded")
    assert event.changes["comuni"] == [None, 2] and event.changes["unknown_comuni"] == [None, 1]
    assert event.changes["bands_created"] == [None, 10] and event.changes["rows"] == [None, 3 * 101]
    # Again: nothing changes but the audit trail, which says so.
    before = list(ResidentPopulation.objects.order_by("pk").values_list("pk", "count"))
    call_command("load_population", str(SAMPLE), "--source", "ISTAT POSAS 2025", stdout=io.StringIO())
    assert list(ResidentPopulation.objects.order_by("pk").values_list("pk", "count")) == before
    second = AuditEvent.objects.filter(action="territory.population.loaded").order_by("-pk").first()
    assert second.changes["bands_created"] == [None, 0] and second.changes["bands_changed"] == [None, 0]
    # Another year from the same file (--year), marked approximate.
    call_command("load_population", str(SAMPLE), "--year", "2024", "--approximate", stdout=io.StringIO())
    assert bands("099014", 2024) == RIMINI
    assert all(ResidentPopulation.objects.filter(year=2024).values_list("approximate", flat=True))


def test_the_variants_people_save_it_in(comuni):
    text = SAMPLE.read_text(encoding="utf-8")
    # Commas, no quotes, Latin-1, "100 e oltre", no title (the year from --year), a note after the data.
    variant = "\n".join(line.replace('"', "").replace(";", ",") for line in text.splitlines()[1:])
    variant = variant.replace(",100,", ",100 e oltre,") + "\nFonte: Istat\n"
    population = parse_population(variant.encode("latin-1"))
    assert population.year is None and dict(population.bands["099014"]) == RIMINI
    with pytest.raises(Exception) as refused:
        services.load_population(data=variant.encode("latin-1"))
    assert "--year" in str(refused.value)
    services.load_population(data=variant.encode("latin-1"), year=2023)
    assert bands("099014", 2023) == RIMINI
    # UTF-8 with a BOM, codes whose leading zero a spreadsheet dropped.
    with_bom = "\ufeff" + text.replace('"099018"', "99018")
    assert dict(parse_population(with_bom.encode("utf-8")).bands["099018"]) == SANTARCANGELO


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (lambda lines: lines[:1] + ['"Comune";"Anni";"Totale"'] + lines[2:], None, "Codice comune"),
        (lambda lines: lines[:5] + ['"099014";"Rimini";tre;1;1;2'] + lines[6:], 6, "whole number"),
        (lambda lines: lines[:5] + ['"099014";"Rimini";3;1;1;-2'] + lines[6:], 6, "whole number"),
        (lambda lines: lines[:5] + lines[6:], 3, "lacks the ages 3"),
        (lambda lines: lines[:5] + ['"099014";"Rimini";2;1;1;2'] + lines[6:], 6, "appears twice"),
        (lambda lines: lines[:5] + ['"09A014";"Rimini";3;1;1;2'] + lines[6:], 6, "6 digits"),
        (lambda lines: lines[:5] + ['"099014";"Rimini";3'] + lines[6:], 6, "3 columns where the header has 6"),
    ],
)
def test_a_wrong_layout_is_refused_with_its_line_and_nothing_is_loaded(comuni, tmp_path, change, line, words):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "wrong.csv"
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("load_population", str(path), stdout=io.StringIO())
    assert words in str(refused.value)
    if line:
        assert f"Line {line}:" in str(refused.value)
    assert not ResidentPopulation.objects.exists()
    assert not AuditEvent.objects.filter(action="territory.population.loaded").exists()


def test_layout_errors_are_in_italian_by_default(comuni):
    with translation.override("it"), pytest.raises(LayoutError) as refused:
        parse_population(b'"Comune";"Anni"\n"Rimini";3\n')
    assert "Codice comune" in str(refused.value)


def test_enrolment_from_a_csv(world, tmp_path):
    path = tmp_path / "iscritti.csv"
    path.write_text(
        "codice meccanografico;anno scolastico;alunni\nRNIC80901A;2025/26;884\nRNIC80901A;2024;897\n"
        "RNIC99999Z;2025/26;10\n",
        encoding="utf-8",
    )
    with translation.override("en"):
        out = io.StringIO()
        call_command("load_enrolment", str(path), stdout=out)
        assert "2 new" in out.getvalue() and "1 rows of schools not in Patto" in out.getvalue()
        assert dict(SchoolEnrolment.objects.values_list("school_year", "pupils")) == {2025: 884, 2024: 897}
        call_command("load_enrolment", str(path), stdout=out)  # again: the same rows
        assert SchoolEnrolment.objects.count() == 2
        path.write_text("codice meccanografico;anno scolastico;alunni\nRNIC80901A;2025/27;884\n", encoding="utf-8")
        with pytest.raises(CommandError, match="Line 2: the school year"):
            call_command("load_enrolment", str(path), stdout=out)
    assert AuditEvent.objects.filter(action="territory.enrolment.loaded").count() == 2
