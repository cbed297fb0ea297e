"""Small-cell protection against an independent attacker: exact linear algebra over the published
figures decides whether a hidden small cell can be worked out (the code under test uses graph bridges)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from patto.monitoring.suppression import PRIMARY, SECONDARY, protect
from patto.monitoring.tables import Column, Measure, Table


def _extended(matrix):
    rows, columns = len(matrix), len(matrix[0])
    value = {(i, j): matrix[i][j] for i in range(rows) for j in range(columns)}
    for i in range(rows):
        value[(i, columns)] = sum(matrix[i])
    for j in range(columns):
        value[(rows, j)] = sum(matrix[i][j] for i in range(rows))
    value[(rows, columns)] = sum(sum(r) for r in matrix)
    return value


def determined(matrix, hidden):
    """The hidden cells whose value follows from the shown ones: each row and column of the table with its
    totals is an equation; a hidden cell is determined when its unit vector is in the span of the
    equations restricted to the hidden cells (Gaussian elimination over the rationals)."""
    rows, columns = len(matrix), len(matrix[0])
    unknowns = sorted(hidden)
    index = {cell: k for k, cell in enumerate(unknowns)}
    equations = []
    for i in range(rows + 1):
        line = [(i, j) for j in range(columns)] + [(i, columns)]
        equations.append({cell: (-1 if cell[1] == columns else 1) for cell in line})
    for j in range(columns + 1):
        line = [(i, j) for i in range(rows)] + [(rows, j)]
        equations.append({cell: (-1 if cell[0] == rows else 1) for cell in line})
    matrix_rows = []
    for equation in equations:
        vector = [Fraction(0)] * len(unknowns)
        for cell, sign in equation.items():
            if cell in index:
                vector[index[cell]] += sign
        if any(vector):
            matrix_rows.append(vector)
    basis = _row_reduce(matrix_rows, len(unknowns))
    result = set()
    for cell, k in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[k] = Fraction(1)
        if _in_span(basis, unit):
            result.add(cell)
    return result


def _row_reduce(vectors, width):
    basis = []  # (pivot, vector)
    for vector in vectors:
        vector = _reduce(basis, list(vector))
        pivot = next((k for k in range(width) if vector[k] != 0), None)
        if pivot is not None:
            factor = vector[pivot]
            basis.append((pivot, [x / factor for x in vector]))
    return basis


def _reduce(basis, vector):
    for pivot, row in basis:
        if vector[pivot] != 0:
            factor = vector[pivot]
            vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
    return vector


def _in_span(basis, vector):
    return not any(_reduce(basis, vector))


def test_the_textbook_leak_is_closed():
    """Naive suppression hides only the 3; the row total gives it back (25 − 10 − 12)."""
    matrix = [[3, 10, 12], [20, 30, 40], [15, 25, 35]]
    naive = {(0, 0)}
    assert (0, 0) in determined(matrix, naive)  # the oracle sees the leak
    result = protect(matrix)
    assert result.hidden[(0, 0)] == PRIMARY
    assert SECONDARY in result.hidden.values()
    assert not determined(matrix, set(result.hidden)) & {c for c, r in result.hidden.items() if r == PRIMARY}


def test_a_row_with_one_small_cell_and_zeros_hides_its_total():
    matrix = [[2, 0, 0], [10, 11, 12]]
    result = protect(matrix)
    assert result.hidden[(0, 0)] == PRIMARY
    assert result.hidden[(0, 3)] == PRIMARY  # the row total is 2: small too
    assert not determined(matrix, set(result.hidden)) & {(0, 0), (0, 3)}


def test_a_small_cell_alone_reads_less_than_five():
    table = Table(
        key="s",
        title="Signals",
        row_header="Comune",
        columns=[Column("signals", "Signals")],
        rows=[("A", {"signals": 3}), ("B", {"signals": 40})],
    )
    assert [row[0].text for _label, row in table.cells] == ["<5", "40"]


def test_two_small_cells_whose_sum_tells_them_are_widened():
    """Two "<5" adding up to 2 are both 1 (and to 8 both 4): one more cell is hidden, all read "n.d."."""
    for pair in ((1, 1), (4, 4)):
        result = protect([[pair[0], 20], [pair[1], 30], [10, 5]], show_row_totals=False)
        assert (0, 0) in result.hidden and (1, 0) in result.hidden
        assert result.hidden[(2, 0)] == SECONDARY  # the 10 goes too: the column's total no longer tells
    assert SECONDARY not in protect([[1, 20], [2, 30], [10, 5]], show_row_totals=False).hidden.values()


def _no_narrow_line(matrix, hidden, uniform):
    value = _extended(matrix)
    rows, columns = len(matrix), len(matrix[0])
    lines = [([(i, j) for j in range(columns)], (i, columns)) for i in range(rows + 1)]
    lines += [([(i, j) for i in range(rows)], (rows, j)) for j in range(columns + 1)]
    for inner, total in lines:
        cells = [c for c in inner if c in hidden]
        if total in hidden or len(cells) < 2:
            continue
        amount = sum(value[c] for c in cells)
        assert amount != len(cells), (inner, amount)
        if uniform:
            assert amount != 4 * len(cells), (inner, amount)


def test_zero_is_shown():
    result = protect([[0, 10], [10, 10]])
    assert result.hidden == {}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda rows: st.integers(1, 5).flatmap(
            lambda columns: st.lists(
                st.lists(st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=columns, max_size=columns),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_no_small_cell_can_be_worked_out(matrix):
    result = protect(matrix)
    small = {cell for cell, reason in result.hidden.items() if reason == PRIMARY}
    assert not determined(matrix, set(result.hidden)) & small
    _no_narrow_line(matrix, result.hidden, uniform=SECONDARY not in result.hidden.values())
    value = _extended(matrix)
    assert all(0 < value[cell] < 5 for cell in small)
    assert all(not 0 < v < 5 or cell in result.hidden for cell, v in value.items())


def test_a_table_without_row_totals_protects_its_column_totals_only():
    """One column of counts by comune and the district's total: two small cells hide each other; a lone
    small cell takes the next smallest with it."""
    table = Table(
        key="t",
        title="Signals",
        row_header="Comune",
        columns=[Column("signals", "Signals"), Column("rate", "Rate", kind="rate", base="signals", decimals=1)],
        rows=[
            ("A", {"signals": 3, "rate": 1.2}),
            ("B", {"signals": 40, "rate": 8.0}),
            ("C", {"signals": 7, "rate": 2.5}),
        ],
        column_totals=True,
        total_row={"rate": 5.0},
    )
    shown = {label: [cell.text for cell in row] for label, row in table.cells}
    # The 3 and its complement (the next smallest, 7) read alike: "<5" next to "n.d." would give the 3 away.
    assert shown["A"] == ["n.d.", "n.d."]
    assert shown["C"] == ["n.d.", "n.d."]
    assert shown["B"] == ["40", "8,0"]
    assert table.cells[-1][1][0].text == "50"
    rows = list(table.file_rows())
    assert rows[0] == ["A", "n.d.", "n.d."]
    assert rows[1] == ["B", 40, rows[1][2]] and str(rows[1][2]) == "8.0"


def test_a_mean_on_fewer_than_five_is_not_shown():
    table = Table(
        key="m",
        title="Change",
        row_header="Side",
        columns=[Column("mean", "Mean change", kind="measure", decimals=2)],
        rows=[("Bambino", {"mean": Measure(0.5, 4)}), ("Famiglia", {"mean": Measure(0.25, 12)})],
    )
    assert [row[0].text for _label, row in table.cells] == ["n < 5", "0,25"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.lists(st.integers(0, 7), min_size=2, max_size=2), min_size=3, max_size=3), min_size=2, max_size=3
    )
)
def test_tables_sharing_totals_hide_them_alike(cube):
    """Stages per cohort and stages per comune (the programme page) publish the same per-stage totals: a
    total hidden in one is hidden in the other, or the two tables together would give it back."""
    from patto.monitoring.tables import TOTAL, joint

    cohorts, stages, comuni = len(cube), len(cube[0]), len(cube[0][0])
    per_cohort = [[sum(cube[c][s]) for c in range(cohorts)] for s in range(stages)]
    per_comune = [[sum(cube[c][s][k] for c in range(cohorts)) for s in range(stages)] for k in range(comuni)]

    def build(forced):
        first = Table(
            key="a",
            title="a",
            row_header="stage",
            columns=[Column(f"c{c}", f"c{c}") for c in range(cohorts)],
            rows=[(f"s{s}", {f"c{c}": per_cohort[s][c] for c in range(cohorts)}) for s in range(stages)],
            column_totals=True,
            row_totals=True,
            forced=forced.get(0, ()),
        )
        second = Table(
            key="b",
            title="b",
            row_header="comune",
            columns=[Column(f"s{s}", f"s{s}") for s in range(stages)],
            rows=[(f"k{k}", {f"s{s}": per_comune[k][s] for s in range(stages)}) for k in range(comuni)],
            column_totals=True,
            row_totals=True,
            forced=forced.get(1, ()),
        )
        return [first, second]

    links = [((0, s, TOTAL), (1, comuni, f"s{s}")) for s in range(stages)] + [((0, stages, TOTAL), (1, comuni, TOTAL))]
    first, second = joint(build, links)
    for s in range(stages):
        assert bool(first.cells[s][1][-1].hidden) == bool(second.cells[comuni][1][s].hidden)
    assert bool(first.cells[stages][1][-1].hidden) == bool(second.cells[comuni][1][-1].hidden)
