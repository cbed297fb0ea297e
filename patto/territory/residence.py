"""The seam through which the territory's page lists and maps the comuni of residence written as free text.

People belong to the cases app, below this one: it registers, when it is ready, the two functions that read
and change them (``cases.residence``), as the home page's panels are registered. Without a source the page
lists nothing to map.

A text may be more than a comune (an address typed in the comune's field, "Via Roma 3, Rimini"): the page
shows it cut (``shown_as``) and its form carries an opaque key of the text (``residence_key``), never the text;
the mapping targets the full text whose key was posted, and only a text listed as unmapped now."""

import re

from django.utils.crypto import salted_hmac

_source = {}
_DIGITS = re.compile(r"\d+")


def register_residence_source(*, unmapped, assign):
    """``unmapped(district)``: rows {"value", "people"} (GROUP BY the text, one query); ``assign(*, actor,
    district, value, comune)``: gives the comune to every person of the district with that text; returns how
    many."""
    _source.update(unmapped=unmapped, assign=assign)


def unmapped_residences(district):
    return _source["unmapped"](district) if "unmapped" in _source else []


def assign_residence(*, actor, district, value, comune):
    if "assign" not in _source:
        return 0
    return _source["assign"](actor=actor, district=district, value=value, comune=comune)


def residence_key(value):
    """An opaque key of the text, for the page's form: keyed with the secret, so that it cannot be guessed
    from a candidate address."""
    return salted_hmac("patto.territory.residence", value).hexdigest()[:32]


def shown_as(value):
    """The text as the page shows it: as written when it has no digits; otherwise (an address, a postcode)
    only its part after the last comma, with digits masked: "Via Roma 3, Rimini" is "…, Rimini"."""
    if not _DIGITS.search(value):
        return value
    _head, comma, last = value.rpartition(",")
    masked = " ".join(_DIGITS.sub("…", last).split())
    return f"…, {masked}" if comma else masked


def listed_value(district, key):
    """The unmapped text of the district whose key is ``key`` (one query), or None."""
    if not key:
        return None
    return next((row["value"] for row in unmapped_residences(district) if residence_key(row["value"]) == key), None)
