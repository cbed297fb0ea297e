"""Reading the CSV files the territory is loaded from: ISTAT's resident population by single year of age per
comune, and schools' enrolment. Pure functions over bytes (no database): every refusal says on which line
and why, in the user's language, and nothing is written when a file is refused.

ISTAT's layout (demo.istat.it, "Popolazione residente al 1° gennaio", POSAS), one file per year::

    "Popolazione residente per età e sesso al 1° gennaio 2025"
    "Codice comune";"Comune";"Età";"Totale maschi";"Totale femmine";"Totale"
    "099014";"Rimini";0;...;...;1020
    ...
    "099014";"Rimini";100;...;...;41        (100 = "100 e oltre")
    "099014";"Rimini";999;...;...;150000    (999 = all ages: skipped)

Newer files add the marital-status columns between "Età" and "Totale"; only "Codice comune", "Età" and
"Totale" are read. Accepted: ``;`` or ``,`` as separator, quoted or not, UTF-8 with or without BOM, or
Latin-1; a title line (or none) before the header; notes after the data (lines of one cell)."""

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .bands import MAX_AGE, band_of

TOTAL_AGE = 999
OLDEST_AGE = 100  # "100 e oltre"
HEADER_SEARCH_LINES = 5


class LayoutError(ValueError):
    """The file is not in the expected layout: ``line`` is 1-based (None for the whole file)."""

    def __init__(self, message, line=None):
        self.line = line
        super().__init__(_("Line %(line)s: %(message)s") % {"line": line, "message": message} if line else message)


def plain(text):
    """Lower case, no accents, single spaces: "  Età " → "eta"; "Forlì" → "forli"."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def decode(data):
    """UTF-8 (with or without BOM), else Latin-1 (ISTAT's older files, and Excel on Windows)."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _rows(text, header_is):
    """(delimiter, header line number, header cells, the rows after it as (line number, cells))."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        delimiter = ";" if line.count(";") >= line.count(",") else ","
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if header_is([plain(cell) for cell in cells]):
            body = csv.reader(io.StringIO("\n".join(lines[index + 1 :])), delimiter=delimiter)
            return lines[:index], index + 1, [plain(cell) for cell in cells], body
    return None


def _integer(value, line, what):
    value = (value or "").strip().replace(" ", "")
    if not value.isdigit():
        raise LayoutError(
            _("%(what)s should be a whole number not below zero, not “%(value)s”.") % {"what": what, "value": value},
            line,
        )
    return int(value)


def _istat_code(value, line):
    code = (value or "").strip().strip("'")
    if code.isdigit() and len(code) < 6:  # a spreadsheet dropped the leading zeros: 99014 → 099014
        code = code.zfill(6)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise LayoutError(
            _("the ISTAT code of a comune has 6 digits (e.g. 099014), not “%(value)s”.") % {"value": code}, line
        )
    return code


@dataclass
class Population:
    """What a population file says: the year (from the title, if any), and per ISTAT code the residents of
    each band, with the comune's name as written in the file."""

    year: int | None
    bands: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    names: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # code → first line, for messages
    rows: int = 0


def parse_population(data):
    text = decode(data)
    found = _rows(text, lambda cells: "codice comune" in cells and "eta" in cells and "totale" in cells)
    if found is None:
        raise LayoutError(
            _(
                "this is not ISTAT's CSV of the resident population by age: no header with the columns "
                "“Codice comune”, “Età” and “Totale” in the first %(count)s lines."
            )
            % {"count": HEADER_SEARCH_LINES}
        )
    title, header_line, header, body = found
    year = None
    for line in title:
        match = re.search(r"gennaio\s+([0-9]{4})", line, re.IGNORECASE)
        if match:
            year = int(match.group(1))
    code_at, age_at, total_at = header.index("codice comune"), header.index("eta"), header.index("totale")
    name_at = header.index("comune") if "comune" in header else None
    population = Population(year=year)
    seen = defaultdict(set)
    for offset, cells in enumerate(body, start=1):
        line = header_line + offset
        if not any(cell.strip() for cell in cells) or len(cells) == 1:
            continue  # blank lines, and the notes ISTAT puts after the data
        if len(cells) < len(header):
            raise LayoutError(
                _("%(found)s columns where the header has %(expected)s.")
                % {"found": len(cells), "expected": len(header)},
                line,
            )
        code = _istat_code(cells[code_at], line)
        age_text = plain(cells[age_at])
        age = OLDEST_AGE if age_text.startswith("100") else _integer(cells[age_at], line, _("The age"))
        if age == TOTAL_AGE:
            continue
        if age > OLDEST_AGE:
            raise LayoutError(
                _("the age %(age)s is not one ISTAT uses (0 to 100, 999 for the total).") % {"age": age}, line
            )
        if age in seen[code]:
            raise LayoutError(
                _("the age %(age)s of the comune %(code)s appears twice.") % {"age": age, "code": code}, line
            )
        seen[code].add(age)
        total = _integer(cells[total_at], line, _("The total"))
        population.rows += 1
        population.lines.setdefault(code, line)
        if name_at is not None:
            population.names.setdefault(code, cells[name_at].strip())
        band = band_of(age)
        if band is not None:
            population.bands[code][band] += total
    for code, ages in seen.items():
        missing = sorted(set(range(MAX_AGE + 1)) - ages)
        if missing:
            raise LayoutError(
                _("the comune %(code)s lacks the ages %(ages)s: every age from 0 to 17 is needed.")
                % {"code": code, "ages": ", ".join(map(str, missing))},
                population.lines[code],
            )
    if not seen:
        raise LayoutError(_("the file has a header but no data."), header_line)
    return population


def parse_school_year(value, line):
    """2025, "2025/26", "2025/2026", "2025-26" → 2025."""
    text = (value or "").strip()
    match = re.fullmatch(r"([0-9]{4})(?:\s*[/-]\s*([0-9]{2}|[0-9]{4}))?", text)
    if match:
        start = int(match.group(1))
        end = match.group(2)
        if end is None or int(end) % 100 == (start + 1) % 100:
            return start
    raise LayoutError(_("the school year is written as 2025/26 (or 2025), not “%(value)s”.") % {"value": text}, line)


def parse_enrolment(data):
    """[(line, codice meccanografico, school year, pupils)] from ``codice meccanografico;anno scolastico;alunni``."""
    text = decode(data)
    found = _rows(
        text, lambda cells: "codice meccanografico" in cells and "anno scolastico" in cells and "alunni" in cells
    )
    if found is None:
        raise LayoutError(
            _(
                "no header with the columns “codice meccanografico”, “anno scolastico” and “alunni” in the first "
                "%(count)s lines."
            )
            % {"count": HEADER_SEARCH_LINES}
        )
    _title, header_line, header, body = found
    code_at, year_at, pupils_at = (
        header.index(name) for name in ("codice meccanografico", "anno scolastico", "alunni")
    )
    rows, seen = [], {}
    for offset, cells in enumerate(body, start=1):
        line = header_line + offset
        if not any(cell.strip() for cell in cells) or len(cells) == 1:
            continue
        if len(cells) < len(header):
            raise LayoutError(
                _("%(found)s columns where the header has %(expected)s.")
                % {"found": len(cells), "expected": len(header)},
                line,
            )
        code = cells[code_at].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{2}[0-9A-Z]{6}", code):
            raise LayoutError(
                _("a codice meccanografico has 10 characters (e.g. RNIC80000X), not “%(value)s”.") % {"value": code},
                line,
            )
        year = parse_school_year(cells[year_at], line)
        if (code, year) in seen:
            raise LayoutError(
                _("the school %(code)s has the year %(year)s already on line %(other)s.")
                % {"code": code, "year": cells[year_at].strip(), "other": seen[(code, year)]},
                line,
            )
        seen[(code, year)] = line
        rows.append((line, code, year, _integer(cells[pupils_at], line, _("The number of pupils"))))
    if not rows:
        raise LayoutError(_("the file has a header but no data."), header_line)
    return rows
