"""The Italian codice fiscale of a person: format and check character (omocodia included)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PATTERN = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            2,
            4,
            18,
            20,
            11,
            3,
            6,
            8,
            12,
            14,
            16,
            10,
            22,
            25,
            24,
            23,
        ],
    )
)
_EVEN = {c: (int(c) if c.isdigit() else ord(c) - ord("A")) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def normalise(value):
    return (value or "").replace(" ", "").upper()


def check_character(first_fifteen):
    total = sum(_ODD[c] if i % 2 == 0 else _EVEN[c] for i, c in enumerate(first_fifteen))
    return chr(ord("A") + total % 26)


def is_valid(value):
    code = normalise(value)
    return bool(PATTERN.match(code)) and check_character(code[:15]) == code[15]


def validate_fiscal_code(value):
    if not is_valid(value):
        raise ValidationError(
            _("This codice fiscale is not valid: check it against the health card."), code="invalid_fiscal_code"
        )
