"""The pact's computed indicators about sharing: how fast the services answer signals and requests, and
how many are past their time. Working days, pauses for the sender left out (``Request.response_working_days``).
Registered with governance in ``ReferralsConfig.ready()``."""

from django.utils import timezone

from .queries import median, overdue, percentile, response_times


def response_median(pact, period):
    """Median working days to the answer, of the requests answered in the period (None without any)."""
    return median(response_times(pact.district_id, period.starts_on, period.ends_on))


def response_p90(pact, period):
    """90th percentile (nearest rank) of the working days to the answer in the period."""
    return percentile(response_times(pact.district_id, period.starts_on, period.ends_on), 0.9)


def requests_overdue(pact, period):
    """Requests past their response time at the end of the period (or today, if earlier): sent by then,
    due before then, and not answered by then."""
    from django.db.models import Q

    from .models import Request

    day = min(period.ends_on, timezone.localdate())
    if day >= timezone.localdate():
        return overdue(pact.district_id, today=day).count()
    return (
        Request.objects.filter(district_id=pact.district_id, sent_at__date__lte=day, due_on__lt=day)
        .filter(Q(closed_at__isnull=True, status__in=OPEN) | Q(closed_at__date__gt=day))
        .count()
    )


OPEN = ("sent", "assigned")
