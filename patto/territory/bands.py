"""The age bands of the resident population aged 0-17, as data: the bands the national PIPPI reports and the
district's needs analysis use (0-2, 3-5, 6-10, 11-13, 14-17), with the age of a birth date as a database
expression, so that people are grouped by band in the database (GROUP BY), never in Python."""

import datetime

from django.db import models
from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    B0_2 = "0-2", _("0–2 years")
    B3_5 = "3-5", _("3–5 years")
    B6_10 = "6-10", _("6–10 years")
    B11_13 = "11-13", _("11–13 years")
    B14_17 = "14-17", _("14–17 years")


# (band, first age, last age), in order: the one place the bands' limits are written.
AGE_BANDS = (
    (AgeBand.B0_2, 0, 2),
    (AgeBand.B3_5, 3, 5),
    (AgeBand.B6_10, 6, 10),
    (AgeBand.B11_13, 11, 13),
    (AgeBand.B14_17, 14, 17),
)
MAX_AGE = AGE_BANDS[-1][2]


def band_of(age):
    """The band of an age in whole years, or None outside 0-17."""
    for band, first, last in AGE_BANDS:
        if first <= age <= last:
            return band
    return None


def years_before(day, years):
    """The same day ``years`` earlier (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_case(birth_date_field, on_date):
    """A ``Case`` expression: the band of ``birth_date_field`` on ``on_date`` (None outside 0-17).

    Someone is at least N years old on a day when born on or before the same day N years earlier, so each
    band is a range of birth dates compared with fixed thresholds: no database date arithmetic, the same SQL
    on SQLite and PostgreSQL, and an index on the birth date can serve it."""
    if isinstance(on_date, datetime.datetime):
        on_date = on_date.date()
    whens = []
    for band, first, last in AGE_BANDS:
        # age >= first  ⇔  born on or before on_date - first years
        # age <= last   ⇔  born after on_date - (last + 1) years
        whens.append(
            When(
                **{
                    f"{birth_date_field}__lte": years_before(on_date, first),
                    f"{birth_date_field}__gt": years_before(on_date, last + 1),
                },
                then=Value(band.value),
            )
        )
    return Case(*whens, default=Value(None), output_field=CharField(max_length=5))
