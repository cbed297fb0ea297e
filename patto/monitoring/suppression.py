"""Small-cell protection of a table of counts: primary and secondary suppression.

**Primary.** A count from 1 to ``threshold - 1`` (``PATTO_SMALL_CELL``, 5) is not shown: it reads "<5".
Zero is shown (it identifies nobody). A total is a count like the others.

**Secondary.** Hiding the small cells is not enough when the table also shows totals: in a row
``3 | 10 | 12 | total 25`` the hidden 3 is 25 − 10 − 12. Patto hides further cells ("n.d.") until no
small cell can be worked out from what is shown. The test is exact, not a rule of thumb: think of the
table with its totals as a bipartite graph, one node per row and per column (the totals' row and column
included), one edge per cell. Every node carries one equation (the row's cells add up to the row's
total). The hidden cells are the unknowns, and an unknown is determined by the published figures exactly
when its edge is a *bridge* of the graph of hidden cells (an edge on no cycle: a cycle of hidden cells
can be shifted by +1, −1 around it without changing any total, so its values stay unknown). So: while a
small cell is a bridge, hide one more cell in its row or column, choosing the one that closes a cycle
through it, and among those the smallest non-zero one (least information lost); totals last. Totals the
table does not show are unknowns from the start.

**Bounds.** A reader also knows what the markers say: "<5" is 1 to 4, and a hidden cell is never 0 (zeros are
shown). So two "<5" adding up to 2 are both 1, and two adding up to 8 both 4. Lines whose shown total leaves
their hidden cells no choice are widened with one more hidden cell. And once a table needs secondary
suppression, every hidden cell of it reads the same ("n.d."), in the page and in the files: a cell hidden
as a complement is 5 or more, and a different marker would tell which one is the small one (in a column
``<5 | n.d. | 20`` of total 26, the "<5" would be 26 − 20 − 5 or less, i.e. 1).

What this does not do: it guarantees that no small cell can be *worked out* from one table, not that its range
cannot be narrowed (a hidden pair in a row of total 40 with 20 shown tells that the two add up to 20), nor
that two different tables sharing a total are protected jointly. That is the usual standard of statistical
offices for tables of this size (Sistan; Eurostat's τ-ARGUS aims at the same property); pages publish from
fixed tables (a column per cohort, a row per comune, whole months) rather than from sets a reader can
choose and subtract.
"""

from dataclasses import dataclass

from django.conf import settings

PRIMARY, SECONDARY = "primary", "secondary"


def threshold():
    return getattr(settings, "PATTO_SMALL_CELL", 5)


def is_small(count, limit=None):
    limit = threshold() if limit is None else limit
    return count is not None and 0 < count < limit


@dataclass(frozen=True)
class Protected:
    """The hidden cells of a count table with its totals: ``hidden[(i, j)]`` is PRIMARY or SECONDARY, where
    row ``R`` and column ``C`` (``len(matrix)``, ``len(matrix[0])``) are the totals."""

    matrix: tuple
    row_totals: tuple
    column_totals: tuple
    grand_total: int
    hidden: dict

    def reason(self, i, j):
        return self.hidden.get((i, j))


def protect(matrix, *, show_row_totals=True, show_column_totals=True, limit=None, forced=()):
    """Decide which cells of ``matrix`` (a list of rows of non-negative ints) and of its totals are hidden.
    ``forced``: cells hidden from the start, as complements (a total another table hides: see ``joint``)."""
    limit = threshold() if limit is None else limit
    rows = len(matrix)
    columns = len(matrix[0]) if rows else 0
    row_totals = tuple(sum(row) for row in matrix)
    column_totals = tuple(sum(matrix[i][j] for i in range(rows)) for j in range(columns))
    grand = sum(row_totals)
    value = {(i, j): matrix[i][j] for i in range(rows) for j in range(columns)}
    value.update({(i, columns): row_totals[i] for i in range(rows)})
    value.update({(rows, j): column_totals[j] for j in range(columns)})
    value[(rows, columns)] = grand

    hidden = {cell: PRIMARY for cell, count in value.items() if is_small(count, limit)}
    # Totals that are not published are unknowns to whoever reads the table (not small cells to protect).
    unpublished = set()
    if not show_row_totals:
        unpublished |= {(i, columns) for i in range(rows + 1)}
    if not show_column_totals:
        unpublished |= {(rows, j) for j in range(columns + 1)}
    if not (show_row_totals and show_column_totals):
        unpublished.add((rows, columns))
    for cell in unpublished:
        hidden.setdefault(cell, SECONDARY)
    for cell in forced:
        hidden.setdefault(cell, SECONDARY)

    while True:
        exposed = sorted(cell for cell in _bridges(hidden) if hidden[cell] == PRIMARY and cell not in unpublished)
        if exposed:
            hidden[_complement(exposed[0], hidden, value, rows, columns)] = SECONDARY
            continue
        line = _narrowed_line(hidden, value, rows, columns, limit, unpublished)
        if line is None:
            break
        hidden[_widen(line, hidden, value)] = SECONDARY
    return Protected(
        matrix=tuple(tuple(row) for row in matrix),
        row_totals=row_totals,
        column_totals=column_totals,
        grand_total=grand,
        hidden={cell: reason for cell, reason in hidden.items() if cell not in unpublished},
    )


def _complement(cell, hidden, value, rows, columns):
    """The cell to hide next so that ``cell`` is no longer a bridge: one in its row or column, preferring
    one that closes a cycle through it, then inner cells before totals, then non-zero, then the smallest.

    ``cell`` joins row ``i`` and column ``j``; without it the hidden graph falls in two parts, one holding
    row ``i``, the other column ``j``. A new hidden cell closes a cycle through ``cell`` exactly when it
    joins those two parts: computed once, then each candidate is a look-up."""
    i, j = cell
    others = {c: r for c, r in hidden.items() if c != cell}
    row_side, column_side = _component(others, ("r", i)), _component(others, ("c", j))
    candidates = [(i, k) for k in range(columns + 1) if (i, k) not in hidden]
    candidates += [(k, j) for k in range(rows + 1) if (k, j) not in hidden]
    if not candidates:  # every cell of its row and column hidden: hide any other cell of the table
        candidates = [c for c in value if c not in hidden]

    def cost(candidate):
        row, column = ("r", candidate[0]), ("c", candidate[1])
        closes_cycle = (row in row_side and column in column_side) or (row in column_side and column in row_side)
        is_total = candidate[0] == rows or candidate[1] == columns
        count = value[candidate]
        return (not closes_cycle, is_total, count == 0, count, candidate)

    return min(candidates, key=cost)


def _lines(rows, columns):
    """Each row and column of the table with its totals: (its inner cells, its total)."""
    for i in range(rows + 1):
        yield [(i, j) for j in range(columns)], (i, columns)
    for j in range(columns + 1):
        yield [(i, j) for i in range(rows)], (rows, j)


def _narrowed_line(hidden, value, rows, columns, limit, unpublished):
    """A line whose shown total leaves its hidden cells no choice: a hidden cell is never 0 (zeros are shown),
    so k hidden cells adding up to k are all 1; and while every hidden cell reads "<5" (no secondary
    suppression in the table), k cells adding up to 4k are all 4. None when there is no such line."""
    uniform = not any(r == SECONDARY for c, r in hidden.items() if c not in unpublished)
    for inner, total in _lines(rows, columns):
        if total in hidden:
            continue  # no known sum
        cells = [c for c in inner if c in hidden]
        if len(cells) < 2:
            continue
        amount = sum(value[c] for c in cells)
        small_only = uniform and all(hidden[c] == PRIMARY for c in cells)
        if amount == len(cells) or (small_only and amount == (limit - 1) * len(cells)):
            return inner, total
    return None


def _widen(line, hidden, value):
    """One more cell of the line to hide: its smallest non-zero shown cell, else its total."""
    inner, total = line
    shown = [c for c in inner if c not in hidden]
    return min(shown, key=lambda c: (value[c] == 0, value[c], c)) if shown else total


def _component(hidden, start):
    """The nodes reached from ``start`` through hidden cells."""
    adjacency = {}
    for i, j in hidden:
        adjacency.setdefault(("r", i), []).append(("c", j))
        adjacency.setdefault(("c", j), []).append(("r", i))
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        for neighbour in adjacency.get(node, ()):
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return seen


def _bridges(hidden):
    """The bridges of the bipartite graph whose edges are the hidden cells (row node ``("r", i)``, column
    node ``("c", j)``); Tarjan's lowlink, recursive (tables are small)."""
    adjacency = {}
    for i, j in hidden:
        adjacency.setdefault(("r", i), []).append((("c", j), (i, j)))
        adjacency.setdefault(("c", j), []).append((("r", i), (i, j)))
    order, low, found = {}, {}, set()

    def visit(node, via):
        order[node] = low[node] = len(order)
        for neighbour, edge in adjacency[node]:
            if edge == via:
                continue
            if neighbour in order:
                low[node] = min(low[node], order[neighbour])
            else:
                visit(neighbour, edge)
                low[node] = min(low[node], low[neighbour])
                if low[neighbour] > order[node]:
                    found.add(edge)

    for node in adjacency:
        if node not in order:
            visit(node, None)
    return found
