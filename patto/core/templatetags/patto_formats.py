"""``|date`` with each format read once (a builtin of the project's templates, in place of Django's filter).

Django's filter builds a formatter object for every value and splits the format string with a regular
expression each time; a datetime is also checked for an ambiguous or imaginary local time, for specifiers no
page of Patto uses. A list page formats fifty dates or more: about a twentieth of its rendering (issue 13).
Here a format is split once into its literal text and its specifiers; a date or datetime whose format uses
only day, month, year, hour, minute, second and the names of months and weekdays is written directly from
those parts. Any other value or format (a time zone, an ordinal, a week number...) goes to Django's filter.
The output is Django's own (``core/tests/test_date_filter.py`` compares them over many values and every
format, in both languages)."""

import datetime
import functools
import re

from django.template import Library
from django.template.defaultfilters import date as django_date
from django.utils import dates
from django.utils.formats import get_format

register = Library()

_SPECIFIER = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")  # django.utils.dateformat's
_ESCAPED = re.compile(r"\\(.)")

_DATE_PARTS = {
    "d": lambda v: "%02d" % v.day,
    "j": lambda v: str(v.day),
    "m": lambda v: "%02d" % v.month,
    "n": lambda v: str(v.month),
    "y": lambda v: "%02d" % (v.year % 100),
    "Y": lambda v: "%04d" % v.year,
    "F": lambda v: str(dates.MONTHS[v.month]),
    "b": lambda v: str(dates.MONTHS_3[v.month]),
    "M": lambda v: str(dates.MONTHS_3[v.month]).title(),
    "E": lambda v: str(dates.MONTHS_ALT[v.month]),
    "N": lambda v: str(dates.MONTHS_AP[v.month]),
    "l": lambda v: str(dates.WEEKDAYS[v.weekday()]),
    "D": lambda v: str(dates.WEEKDAYS_ABBR[v.weekday()]),
}
_TIME_PARTS = {
    "H": lambda v: "%02d" % v.hour,
    "G": lambda v: str(v.hour),
    "i": lambda v: "%02d" % v.minute,
    "s": lambda v: "%02d" % v.second,
}


@functools.lru_cache(maxsize=256)
def _compiled(format_string):
    """The format as ([text or part function, ...], uses a time part), or None if it has another specifier."""
    pieces, timed = [], False
    for index, piece in enumerate(_SPECIFIER.split(format_string)):
        if index % 2:
            if piece in _DATE_PARTS:
                pieces.append(_DATE_PARTS[piece])
            elif piece in _TIME_PARTS:
                pieces.append(_TIME_PARTS[piece])
                timed = True
            else:
                return None
        elif piece:
            pieces.append(_ESCAPED.sub(r"\1", piece))
    return pieces, timed


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter, faster for the formats Patto's pages use."""
    kind = type(value)
    if kind is datetime.date or kind is datetime.datetime:
        format_string = get_format(arg or "DATE_FORMAT")
        compiled = _compiled(format_string) if type(format_string) is str else None
        if compiled is not None and (kind is datetime.datetime or not compiled[1]):
            return "".join(piece if type(piece) is str else piece(value) for piece in compiled[0])
    return django_date(value, arg)
