"""The referrals app's parts of other pages: the coordinator's dashboard section (aggregates only: numbers,
kinds, services and dates, never a name)."""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from patto.core.workdays import add_working_days

from .models import Request
from .queries import OPEN_STATUSES, median, overdue, percentile, response_times


def dashboard_section(request, pact):
    """Signals and requests of the district: open, due within two working days and overdue per receiving
    service; the overdue ones by number; response times this year (median, 90th percentile)."""
    today = timezone.localdate()
    soon = add_working_days(today, 2)
    open_requests = Request.objects.filter(district_id=pact.district_id, status__in=OPEN_STATUSES)
    per_service = list(
        open_requests.values("receiver__name")
        .annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(status=Request.Status.WAITING_SENDER)),
            due_soon=Count(
                "pk", filter=Q(due_on__gte=today, due_on__lte=soon) & ~Q(status=Request.Status.WAITING_SENDER)
            ),
            late=Count("pk", filter=Q(due_on__lt=today) & ~Q(status=Request.Status.WAITING_SENDER)),
        )
        .order_by("receiver__name")
    )
    late = list(overdue(pact.district_id, today).select_related("receiver").order_by("due_on")[:20])
    times = response_times(pact.district_id, date(today.year, 1, 1), today)
    return {
        "template": "referrals/_dashboard_section.html",
        "per_service": per_service,
        "late": late,
        "late_total": overdue(pact.district_id, today).count(),
        "answered": len(times),
        "median": median(times),
        "p90": percentile(times, 0.9),
        "year": today.year,
        "today": today,
    }
