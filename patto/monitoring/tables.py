"""A figure of the monitoring: one table, protected once, shown three ways from the same cells: the
accessible HTML table (with a chart beside it when it has one), the CSV and the XLSX. What is hidden on
the page is hidden in the files; a download is exactly what the page shows.

Columns are of four kinds:
- ``count``: people or families; protected by ``suppression.protect`` (with the table's totals);
- ``measure``: a median, a mean, a share, with the number of children or families it is computed on
  (``Measure(value, n)``): not shown on fewer than the small-cell threshold;
- ``rate``: computed from a count column (``base``): hidden when that count is hidden;
- ``value``: shown as it is (the resident population, a year, a label).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.core.exports import Sheet, safe_cell, xlsx_download

from .suppression import PRIMARY, SECONDARY, is_small, protect, threshold

COUNT, MEASURE, RATE, VALUE = "count", "measure", "rate", "value"
TOTAL = "__total__"  # the key of the row totals' column


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    base: str | None = None  # for a rate: the count column it is computed from
    decimals: int = 0
    charted: bool = True


@dataclass(frozen=True)
class Measure:
    value: object
    n: int


@dataclass(frozen=True)
class Shown:
    """A cell as published: ``text`` for the page, ``value`` for the files (None when empty, a string
    when hidden), ``hidden`` PRIMARY/SECONDARY/"" for the legend."""

    text: str
    value: object
    hidden: str = ""

    @property
    def chart_value(self):
        return None if self.hidden or not isinstance(self.value, (int, float, Decimal)) else float(self.value)


@dataclass(frozen=True)
class Chart:
    kind: str = "bar"  # bar, line
    stacked: bool = False
    horizontal: bool = False


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list
    rows: list  # [(label, {column key: value})]
    column_totals: bool = False  # a last row "Total" summing the count columns over the rows
    row_totals: bool = False  # a last column "Total" summing the count columns of each row
    total_row: dict = field(default_factory=dict)  # the total row's values of the other columns
    total_label: str = gettext_lazy("Total")
    note: str = ""
    chart: Chart | None = None
    # Cells hidden from the start, as (row index, column key): a total another table shares and hides
    # (``joint``); the total row's index is ``len(rows)``, the total column's key ``TOTAL``.
    forced: tuple = ()
    cells: list = field(init=False)

    def __post_init__(self):
        self.cells = self._protect()

    # --- protection -------------------------------------------------------------------------------------

    def _protect(self):
        counts = [c for c in self.columns if c.kind == COUNT]
        matrix = [[int(values.get(c.key) or 0) for c in counts] for _label, values in self.rows]
        protected = None
        if counts and self.rows:
            index = {c.key: j for j, c in enumerate(counts)} | {TOTAL: len(counts)}
            protected = protect(
                matrix,
                show_row_totals=self.row_totals,
                show_column_totals=self.column_totals,
                forced=[(i, index[key]) for i, key in self.forced],
            )
        hidden_at = {}  # (row index, column key) -> reason
        if protected is not None:
            # Once a cell is hidden as a complement, every hidden cell reads the same: "<5" next to "n.d."
            # would tell which is the small one (suppression.py, "Bounds").
            uniform = SECONDARY if SECONDARY in protected.hidden.values() else None
            for (i, j), reason in protected.hidden.items():
                key = counts[j].key if j < len(counts) else TOTAL
                hidden_at[(i, key)] = uniform or reason
        table_rows = [(label, values) for label, values in self.rows]
        if self.column_totals:
            totals = dict(self.total_row)
            for j, c in enumerate(counts):
                totals[c.key] = protected.column_totals[j] if protected else 0
            table_rows.append((self.total_label, totals))
        result = []
        for i, (label, values) in enumerate(table_rows):
            row = []
            for column in self.columns:
                row.append(self._cell(column, values.get(column.key), hidden_at.get((i, column.key)), hidden_at, i))
            if self.row_totals and protected is not None:
                total = protected.grand_total if i == len(self.rows) else protected.row_totals[i]
                row.append(_count(total, hidden_at.get((i, TOTAL))))
            result.append((label, row))
        return result

    def _cell(self, column, value, reason, hidden_at, i):
        if column.kind == COUNT:
            return _count(int(value or 0), reason)
        if column.kind == RATE:
            base_hidden = hidden_at.get((i, column.base))
            if base_hidden:  # a rate would give its count back (rate × population / 1,000)
                return Shown(_("n.a."), _("n.a."), SECONDARY)
            return _number(value, column.decimals)
        if column.kind == MEASURE:
            if value is None or value.value is None:
                return Shown("—", None)
            if value.n < threshold():
                text = _("n < %(n)s") % {"n": threshold()}
                return Shown(text, text, "measure")
            return _number(value.value, column.decimals)
        if isinstance(value, (int, float, Decimal)):
            return _number(value, column.decimals)
        return Shown("" if value is None else str(value), value)

    # --- the three ways it is shown -----------------------------------------------------------------------

    @property
    def header(self):
        labels = [self.row_header] + [c.label for c in self.columns]
        return labels + [str(self.total_label)] if self.row_totals else labels

    @property
    def has_hidden(self):
        return any(cell.hidden for _label, row in self.cells for cell in row)

    def chart_data(self):
        if self.chart is None:
            return None
        body = self.cells[: len(self.rows)]  # the chart shows the rows, not the totals
        datasets = [
            {"label": str(column.label), "data": [row[index].chart_value for _label, row in body]}
            for index, column in enumerate(self.columns)
            if column.charted and column.kind != VALUE
        ]
        return {
            "type": self.chart.kind,
            "stacked": self.chart.stacked,
            "horizontal": self.chart.horizontal,
            "labels": [str(label) for label, _row in body],
            "datasets": datasets,
        }

    @property
    def chart_id(self):
        return f"chart-data-{self.key}"

    def file_rows(self):
        for label, row in self.cells:
            yield [str(label)] + [cell.value for cell in row]

    def csv_response(self, filename):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(str(label)) for label in self.header])
        for row in self.file_rows():
            writer.writerow([safe_cell(value) if value is not None else "" for value in row])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    def sheet(self):
        return Sheet(self.title, [str(label) for label in self.header], list(self.file_rows()))

    def xlsx_response(self, filename):
        return xlsx_download([self.sheet()], f"{filename}.xlsx")


def _hidden_text(reason):
    return _("<%(n)s") % {"n": threshold()} if reason == PRIMARY else _("n.a.")


def _count(value, reason):
    if reason:
        text = _hidden_text(reason)
        return Shown(text, text, reason)
    return Shown(number_format(value, force_grouping=True), value)


def _number(value, decimals):
    if value is None:
        return Shown("—", None)
    if decimals:
        quantum = Decimal(1).scaleb(-decimals)
        value = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
        return Shown(number_format(value, decimals, force_grouping=True), value)
    value = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Shown(number_format(value, force_grouping=True), value)


def joint(build, links, rounds=10):
    """Tables that publish the same totals, protected together: ``build(forced)`` makes the tables with the
    cells ``forced[i]`` hidden in table ``i``; ``links`` are pairs ((table, row, key), (table, row, key)) of
    cells showing the same figure. A figure hidden in one table is hidden in the other, and the tables are
    made again until they agree (each round hides more, so it ends)."""
    forced = {}
    for _round in range(rounds):
        tables = build({i: tuple(cells) for i, cells in forced.items()})
        changed = False
        for one, other in links:
            hidden = [_is_hidden(tables, cell) for cell in (one, other)]
            if any(hidden) and not all(hidden):
                table, row, key = other if hidden[0] else one
                forced.setdefault(table, set()).add((row, key))
                changed = True
        if not changed:
            return tables
    raise RuntimeError("tables sharing totals did not agree on what to hide")


def _is_hidden(tables, cell):
    table, row, key = cell
    keys = [c.key for c in tables[table].columns] + ([TOTAL] if tables[table].row_totals else [])
    cells = tables[table].cells[row][1] if row < len(tables[table].cells) else []
    index = keys.index(key) if key in keys else len(cells)
    return index < len(cells) and bool(cells[index].hidden)  # a table without counts has no totals: not hidden


def small(count):
    """Whether a count would be hidden on its own (for text that quotes a figure)."""
    return is_small(count)


def download(request, tables, filename):
    """The table named by ``?tabella=`` in the format of ``?formato=`` (csv, xlsx), or None."""
    key, fmt = request.GET.get("tabella"), request.GET.get("formato")
    table = next((t for t in tables if t.key == key), None)
    if table is None or fmt not in ("csv", "xlsx"):
        return None
    name = f"{filename}-{table.key}"
    return table.csv_response(name) if fmt == "csv" else table.xlsx_response(name)
