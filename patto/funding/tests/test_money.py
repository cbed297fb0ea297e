from decimal import Decimal

import pytest

from patto.funding.forms import MoneyField
from patto.funding.models import validate_cig, validate_cup
from patto.funding.money import cents, format_euro


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.56"), "€ 1.234,56"),
        (Decimal("0"), "€ 0,00"),
        (Decimal("211500"), "€ 211.500,00"),
        (Decimal("1234567.891"), "€ 1.234.567,89"),
        (Decimal("-5.5"), "€ -5,50"),
        (None, ""),
    ],
)
def test_amounts_are_shown_the_italian_way(value, shown):
    assert format_euro(value) == shown


def test_cents_rounds_half_up_to_two_places():
    assert cents("2.675") == Decimal("2.68")  # float(2.675) rounds to 2.67
    assert cents(None) == Decimal("0.00")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("€ 1.234,56", Decimal("1234.56")),
        ("1234,5", Decimal("1234.50")),
        ("1234.56", Decimal("1234.56")),
        ("211.500", Decimal("211500")),
        ("0,10", Decimal("0.10")),
    ],
)
def test_amounts_are_typed_the_italian_way(typed, value):
    assert MoneyField().clean(typed) == value


def test_more_than_two_decimals_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        MoneyField().clean("1,234")


@pytest.mark.parametrize("cup", ["F79J22001380004", "C91H22000090006", "J51B21004860006"])
def test_valid_cups(cup):
    validate_cup(cup)


@pytest.mark.parametrize(
    "cup",
    [
        "",
        "F79J2200138000",
        "F79J220013800045",
        "179J22001380004",
        "FA9J22001380004",
        "F791220013800O4",
        "f79j22001380004",
    ],
)
def test_invalid_cups_are_refused_with_the_format(cup):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_cup(cup)
    assert "15" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("cig", "ok"),
    [
        ("9A1B2C3D4E", True),
        ("Z3F1A2B3C4", True),
        ("", True),
        ("12345", False),
        ("9a1b2c3d4e", False),
        ("9A1B2C3D4E5", False),
    ],
)
def test_cig(cig, ok):
    from django.core.exceptions import ValidationError

    if ok:
        validate_cig(cig)
    else:
        with pytest.raises(ValidationError):
            validate_cig(cig)
