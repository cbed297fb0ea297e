"""The pact's computed indicators about sharing: how fast the services answer signals and requests, and
how many are past their time. Working days, pauses for the sender left out (``Request.response_working_days``).
Registered with governance in ``ReferralsConfig.ready()`` (``scope``: see ``governance.indicators``)."""

from django.db.models import Q

from patto.governance.indicators import count_of

from .models import Request
from .queries import overdue, response_times

OPEN = ("sent", "assigned")


def answered_times(scope):
    """The working days to the answer of the requests answered in the period, shortest first."""
    return response_times(scope.district_id, scope.starts_on, scope.ends_on)


def requests_overdue(scope):
    """Requests past their response time at the end of the period (or today, if earlier): sent by then,
    due before then, and not answered by then."""
    day = scope.last_day
    if day >= scope.today:
        return count_of(overdue(scope.district_id, today=day))
    return count_of(
        Request.objects.filter(district_id=scope.district_id, sent_at__date__lte=day, due_on__lt=day).filter(
            Q(closed_at__isnull=True, status__in=OPEN) | Q(closed_at__date__gt=day)
        )
    )
