"""Money: ``Decimal`` with two places, shown the Italian way (€ 1.234,56) in every language, as the amounts
of the calls, budgets and expenditure are written in the documents they come from."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value):
    """``value`` as a Decimal with exactly two places (None and empty as zero)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def format_euro(value):
    """``€ 1.234,56`` (``€ -1.234,56`` when negative); None as an empty string."""
    if value is None:
        return ""
    amount = cents(value)
    sign = "-" if amount < 0 else ""
    whole, _dot, decimals = f"{abs(amount):,.2f}".partition(".")
    return f"€ {sign}{whole.replace(',', '.')},{decimals}"
