"""Calendar months in Patto's time zone (Europe/Rome): the unit of the audit trail's retention and, on
PostgreSQL, of its partitions."""

from datetime import datetime

from django.utils import timezone


def month_start(moment):
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def first_of(year, month):
    """The first of that month at local midnight."""
    return timezone.make_aware(datetime(year, month, 1), timezone.get_current_timezone())


def add_months(start, months):
    """The first of the month ``months`` after (or before) ``start``, a first of the month, at local midnight."""
    index = start.year * 12 + start.month - 1 + months
    return first_of(index // 12, index % 12 + 1)
