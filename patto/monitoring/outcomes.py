"""Outcomes T0→T2 of "Il Mondo del Bambino", per side and per sub-dimension, the team's ratings and the
family's kept apart: what the national PIPPI reports show for the country, here for one district (a
cohort). There is no comune filter: the means of a comune against the district's would give the ratings of
a child who lives elsewhere by difference (the security review).

Definitions (said on the page in plain words, ``monitoring/_outcomes.html``):

- **Who counts.** For each rater (the team, the family), the children of the district with a *complete*
  assessment at T0 and a complete one at T2 by that rater in the same path. Drafts, and children with only
  T0 (or only T2), are left out. A sub-dimension counts for a child only where it was rated at both times
  (a rating left empty, "not assessable", drops the pair).
- **Sub-dimension.** The paired difference d = rating at T2 − rating at T0 (the scale grows towards
  strength, so d > 0 is an improvement).
- **Side.** Per child, the mean of their ratings over the side's sub-dimensions rated at both times, at T0
  and at T2; d = the difference of the two means (the mean of the sub-dimension differences). A child
  counts on a side when at least one of its sub-dimensions was rated at both times.
- **Improved / unchanged / worse**: d > 0, d = 0, d < 0; counts protected by the table's suppression,
  shares only where the count and the number of children are shown and there are 5 children or more.
- **Mean paired change** with its **95% confidence interval**, Student's t with n − 1 degrees of freedom
  (``stats.mean_interval``), shown only on 10 children or more; means on 5 or more.

Computed in the database in one query: the pairs come from a GROUP BY of the ratings per rater, path,
child and sub-dimension, with the T0 and T2 values side by side by conditional aggregation
(``Max(Case(When(time_point="T0", then=value)))``); two GROUP BYs over those pairs (per sub-dimension;
per side over each child's side means) return n, Σ, Σ² and the counts of improved, unchanged and worse.
The variance comes from the sums; no rating is loaded into Python. A second query reads the labels.
"""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, F, Max, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.cases.models import Assessment, Rating, SubDimension, TimePoint

from .stats import mean_interval
from .suppression import protect, threshold
from .tables import COUNT, MEASURE, RATE, Chart, Column, Measure, Table

# The interval is shown from this many children on (a setting would only invite smaller ones).
MIN_N_INTERVAL = 10

RATERS = (Assessment.Rater.TEAM, Assessment.Rater.FAMILY)
_SLUG = {Assessment.Rater.TEAM: "equipe", Assessment.Rater.FAMILY: "famiglia"}  # the tables' keys, in the URL

LEVEL = 95  # the confidence level of the interval, in percent

# The method, named on the page (and in the report that quotes these figures).
METHOD = gettext_lazy(
    "%(level)s%% confidence interval of the mean of the paired differences, Student's t distribution with n−1 "
    "degrees of freedom"
)


def method():
    return METHOD % {"level": LEVEL}


def pairs(district, cohort=None):
    """One row per rater, path, child and sub-dimension with both ratings: ``v0`` at T0 and ``v2`` at T2,
    complete assessments only (a queryset: it runs inside the aggregate query, never on its own)."""
    ratings = Rating.objects.filter(
        assessment__path__cohort__district=district,
        assessment__is_complete=True,
        assessment__time_point__in=(TimePoint.T0, TimePoint.T2),
        value__isnull=False,
    )
    if cohort is not None:
        ratings = ratings.filter(assessment__path__cohort=cohort)
    return (
        ratings.order_by()
        .values(
            pair_rater=F("assessment__rater"),
            pair_path=F("assessment__path_id"),
            pair_child=F("assessment__child_id"),
            pair_sub=F("subdimension_id"),
            pair_side=F("subdimension__side_id"),
        )
        .annotate(
            v0=Max(Case(When(assessment__time_point=TimePoint.T0, then=F("value")))),
            v2=Max(Case(When(assessment__time_point=TimePoint.T2, then=F("value")))),
        )
        .filter(v0__isnull=False, v2__isnull=False)
    )


# Per sub-dimension over the pairs; per side over each child's means on the side (k sub-dimensions rated at
# both times: mean at T0 = s0 / k, at T2 = s2 / k; the sign of the change is the sign of s2 − s0, exact).
_SUMS_SQL = """
WITH pairs AS ({pairs}),
child_side AS (
    SELECT pair_rater, pair_path, pair_child, pair_side,
           COUNT(*) AS k, SUM(v0) AS s0, SUM(v2) AS s2
    FROM pairs
    GROUP BY pair_rater, pair_path, pair_child, pair_side
)
SELECT 'sub' AS level, pair_rater, pair_sub AS item, COUNT(*) AS n,
       SUM(v0) AS sum_t0, SUM(v2) AS sum_t2,
       SUM(v2 - v0) AS sum_d, SUM((v2 - v0) * (v2 - v0)) AS sum_d2,
       SUM(CASE WHEN v2 > v0 THEN 1 ELSE 0 END) AS improved,
       SUM(CASE WHEN v2 = v0 THEN 1 ELSE 0 END) AS unchanged,
       SUM(CASE WHEN v2 < v0 THEN 1 ELSE 0 END) AS worse
FROM pairs
GROUP BY pair_rater, pair_sub
UNION ALL
SELECT 'side', pair_rater, pair_side, COUNT(*),
       SUM(s0 * 1.0 / k), SUM(s2 * 1.0 / k),
       SUM((s2 - s0) * 1.0 / k), SUM((s2 - s0) * (s2 - s0) * 1.0 / (k * k)),
       SUM(CASE WHEN s2 > s0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN s2 = s0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN s2 < s0 THEN 1 ELSE 0 END)
FROM child_side
GROUP BY pair_rater, pair_side
"""


@dataclass(frozen=True)
class Sums:
    n: int
    sum_t0: float
    sum_t2: float
    sum_d: float
    sum_d2: float
    improved: int
    unchanged: int
    worse: int


def outcome_sums(district, cohort=None):
    """``{(level, rater, item id): Sums}`` with level "sub" (item a sub-dimension) or "side" (a side): one
    query, whatever the number of children."""
    queryset = pairs(district, cohort)
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(_SUMS_SQL.format(pairs=sql), params)
        rows = cursor.fetchall()
    return {
        (level, rater, item): Sums(int(n), float(t0), float(t2), float(d), float(d2), int(up), int(same), int(down))
        for level, rater, item, n, t0, t2, d, d2, up, same, down in rows
    }


def _subdimensions(item_ids):
    """The sub-dimensions to show: those of the framework in use and any other the figures come from."""
    return list(
        SubDimension.objects.filter(Q(side__framework__is_current=True) | Q(pk__in=item_ids))
        .select_related("side__framework")
        .order_by("-side__framework__is_current", "side__framework_id", "side__order", "order", "pk")
    )


def _columns():
    return [
        Column("mean_t0", _("Mean at T0"), MEASURE, decimals=2),
        Column("mean_t2", _("Mean at T2"), MEASURE, decimals=2),
        Column("change", _("Mean change"), MEASURE, decimals=2),
        Column("ci_low", _("%(level)s%% CI: lower bound") % {"level": LEVEL}, MEASURE, decimals=2, charted=False),
        Column("ci_high", _("%(level)s%% CI: upper bound") % {"level": LEVEL}, MEASURE, decimals=2, charted=False),
        Column("improved", _("Improved"), COUNT, charted=False),
        Column("unchanged", _("Unchanged"), COUNT, charted=False),
        Column("worse", _("Worse"), COUNT, charted=False),
        Column("improved_share", _("Improved (%)"), RATE, base="improved", charted=False),
        Column("unchanged_share", _("Unchanged (%)"), RATE, base="unchanged", charted=False),
        Column("worse_share", _("Worse (%)"), RATE, base="worse", charted=False),
    ]


_COUNTS = ("improved", "unchanged", "worse")


def _rows(items):
    """The table's rows from ``[(label, Sums or None)]``: measures on n, shares only where the count and the
    number of children are both shown (a share of a hidden count, or of a hidden n, would give it back)."""
    matrix = [[getattr(s, key) if s else 0 for key in _COUNTS] for _label, s in items]
    protected = protect(matrix, show_row_totals=True, show_column_totals=False) if matrix else None
    rows = []
    for i, (label, s) in enumerate(items):
        values = dict.fromkeys(_COUNTS, 0)
        if s is None or s.n == 0:
            rows.append((label, values))
            continue
        summary = mean_interval(s.n, s.sum_d, s.sum_d2, level=LEVEL / 100, min_n=MIN_N_INTERVAL)
        values.update(
            mean_t0=Measure(s.sum_t0 / s.n, s.n),
            mean_t2=Measure(s.sum_t2 / s.n, s.n),
            change=Measure(summary.mean, s.n),
            ci_low=Measure(summary.low, s.n),
            ci_high=Measure(summary.high, s.n),
            **{key: getattr(s, key) for key in _COUNTS},
        )
        total_shown = protected.reason(i, len(_COUNTS)) is None
        if s.n >= threshold() and total_shown:
            values.update({f"{key}_share": 100 * getattr(s, key) / s.n for key in _COUNTS})
        rows.append((label, values))
    return rows


def _rater_words(rater):
    return _("the team's ratings") if rater == Assessment.Rater.TEAM else _("the family's ratings")


def outcome_tables(district, cohort=None):
    """The outcome figures: for the team's ratings and then the family's, a table per side and one per
    sub-dimension (``Table``: protected once, shown as HTML, chart, CSV and XLSX). Two queries."""
    sums = outcome_sums(district, cohort)
    subdimensions = _subdimensions({item for level, _rater, item in sums if level == "sub"})
    sides = list({sub.side_id: sub.side for sub in subdimensions}.values())
    several = len({side.framework_id for side in sides}) > 1

    def side_label(side):
        return f"{side} ({side.framework.version})" if several else str(side)

    note = _(
        "Children with a complete assessment at T0 and at T2 by the same rater; a sub-dimension counts where it "
        "was rated at both times. Means and shares are not shown on fewer than %(n)s children, the confidence "
        "interval on fewer than %(ci)s."
    ) % {"n": threshold(), "ci": MIN_N_INTERVAL}
    total_label = _("Children (n)")
    tables = []
    for rater in RATERS:
        words = _rater_words(rater)
        side_items = [(side_label(side), sums.get(("side", rater, side.pk))) for side in sides]
        sub_items = [
            (
                _("%(side)s — %(subdimension)s") % {"side": side_label(sub.side), "subdimension": sub},
                sums.get(("sub", rater, sub.pk)),
            )
            for sub in subdimensions
        ]
        tables.append(
            Table(
                key=f"esiti-{_SLUG[rater]}-lati",
                title=_("Change T0→T2 by side, %(rater)s") % {"rater": words},
                row_header=_("Side"),
                columns=_columns(),
                rows=_rows(side_items),
                row_totals=True,
                total_label=total_label,
                note=note,
                chart=Chart(kind="bar"),
            )
        )
        # The sub-dimensions' chart: the mean change only (a bar each), the rest in the table.
        columns = [Column(c.key, c.label, c.kind, c.base, c.decimals, charted=c.key == "change") for c in _columns()]
        tables.append(
            Table(
                key=f"esiti-{_SLUG[rater]}-sottodimensioni",
                title=_("Change T0→T2 by sub-dimension, %(rater)s") % {"rater": words},
                row_header=_("Sub-dimension"),
                columns=columns,
                rows=_rows(sub_items),
                row_totals=True,
                total_label=total_label,
                note=note,
                chart=Chart(kind="bar", horizontal=True),
            )
        )
    return tables
