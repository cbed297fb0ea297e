"""Small statistics for the monitoring, without SciPy: the quantile of Student's t distribution and the
confidence interval of a mean computed from the sums the database returns (n, Σx, Σx²).

The t quantile is G. W. Hill's algorithm 396 (Communications of the ACM 13(10), 1970, the one R's ``qt``
starts from): a closed-form approximation, an expansion about the normal quantile for the central
probabilities, and a direct formula in the tails. For the two-sided 95% interval it agrees with the exact
quantile to better than 1e-4 from 1 degree of freedom up (the tests check it against the exact
distribution function, which for an integer number of degrees of freedom is a finite sum).
"""

import math
from dataclasses import dataclass
from statistics import NormalDist


def t_quantile(p, df):
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (``0 < p < 1``, ``df ≥ 1``)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if p == 0.5:
        return 0.0
    two_sided = 2 * min(p, 1 - p)  # P(|T| > t)
    sign = 1 if p > 0.5 else -1
    return sign * _hill(two_sided, df)


def _hill(two_sided, n):
    """The t with P(|T| > t) = ``two_sided``, n degrees of freedom (Hill 1970, algorithm 396)."""
    if n == 1:
        angle = two_sided * math.pi / 2
        return math.cos(angle) / math.sin(angle)
    if n == 2:
        return math.sqrt(2 / (two_sided * (2 - two_sided)) - 2)
    a = 1 / (n - 0.5)
    b = 48 / (a * a)
    c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    d = ((94.5 / (b + c) - 3) / b + 1) * math.sqrt(a * math.pi / 2) * n
    y = (d * two_sided) ** (2 / n)
    if y > 0.05 + a:  # central probabilities: an expansion about the normal quantile
        x = NormalDist().inv_cdf(two_sided / 2)
        y = x * x
        if n < 5:
            c += 0.3 * (n - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
        y = math.expm1(a * y * y)
    else:  # far tails
        y = ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1) * (n + 1) / (
            n + 2
        ) + 1 / y
    return math.sqrt(n * y)


@dataclass(frozen=True)
class MeanSummary:
    n: int
    mean: float | None
    sd: float | None  # sample standard deviation (n − 1)
    low: float | None  # confidence interval of the mean, None below ``min_n``
    high: float | None


def mean_interval(n, total, total_of_squares, *, level=0.95, min_n=10):
    """The mean, the sample standard deviation and the ``level`` confidence interval of the mean from the
    sums ``n``, Σx and Σx² (Student's t with n − 1 degrees of freedom): mean ± t · s / √n. The interval
    only from ``min_n`` values on; the standard deviation from 2."""
    n = int(n or 0)
    if n == 0:
        return MeanSummary(0, None, None, None, None)
    total, total_of_squares = float(total), float(total_of_squares)
    mean = total / n
    if n < 2:
        return MeanSummary(n, mean, None, None, None)
    variance = max(0.0, (total_of_squares - total * total / n) / (n - 1))  # rounding never below 0
    sd = math.sqrt(variance)
    if n < min_n:
        return MeanSummary(n, mean, sd, None, None)
    half = t_quantile(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    return MeanSummary(n, mean, sd, mean - half, mean + half)
