from django import template

from patto.funding.money import format_euro

register = template.Library()


@register.filter
def euro(value):
    """An amount the Italian way: € 1.234,56."""
    return format_euro(value)


@register.filter
def small_count(value):
    """A live count suppressed as “<5” (None) by ``core.stats.suppress_small``."""
    return "<5" if value is None else value


@register.filter
def subtract(value, other):
    """``value - other`` (two Decimals: a budget less what was spent)."""
    return value - other
