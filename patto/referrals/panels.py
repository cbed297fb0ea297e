"""The referrals app's parts of other pages: the coordinator's dashboard section (aggregates only: numbers,
kinds, services and dates, never a name) and the home page's cards of the receiving service and the sender."""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patto.accounts.roles import Role
from patto.core.frozen import FrozenQuery
from patto.core.home import CARD_TEMPLATE
from patto.core.workdays import add_working_days

from .models import Request
from .queries import (
    HEAD_ROLES,
    OPEN_STATUSES,
    SENDER_ROLES,
    _memberships_in_standing,
    inbox_counts,
    inbox_running,
    median,
    overdue,
    percentile,
    read_requests,
    response_times,
    sent_by_institution_of,
)


def _per_service(day, district_id):
    """Open requests per receiving service on ``day``: open, waiting for the sender, due within two working
    days and overdue (the clock not paused)."""
    soon = add_working_days(day, 2)
    running = ~Q(status=Request.Status.WAITING_SENDER)
    return (
        Request.objects.filter(district_id=district_id, status__in=OPEN_STATUSES)
        .values("receiver__name")
        .annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(status=Request.Status.WAITING_SENDER)),
            due_soon=Count("pk", filter=Q(due_on__gte=day, due_on__lte=soon) & running),
            late=Count("pk", filter=Q(due_on__lt=day) & running),
        )
        .order_by("receiver__name")
    )


def _late(day, district_id):
    return overdue(district_id, day).select_related("receiver").order_by("due_on")[:20]


def _times_this_year(day, district_id):
    return response_times(district_id, date(day.year, 1, 1), day).values_list(
        "kind", "receiver__name", "response_working_days"
    )


# The dashboard's section, compiled once a day (core.frozen): the district's key is the variable.
_PER_SERVICE = FrozenQuery("referrals.dashboard_per_service", _per_service, {"district_id": int})
_LATE = FrozenQuery("referrals.dashboard_late", _late, {"district_id": int})
_TIMES_THIS_YEAR = FrozenQuery("referrals.dashboard_times", _times_this_year, {"district_id": int})


def dashboard_section(request, pact):
    """Signals and requests of the district: open, due within two working days and overdue per receiving
    service; the overdue ones by number; response times this year (median, 90th percentile). Three statements
    compiled once a day (``tests/test_dashboard_section.py`` compares them with the ORM's)."""
    today = timezone.localdate()
    per_service = _PER_SERVICE.rows(day=today, district_id=pact.district_id)
    late = _LATE.rows(day=today, district_id=pact.district_id)
    times, by_kind, by_service = _response_times_by(_TIMES_THIS_YEAR.rows(day=today, district_id=pact.district_id))
    return {
        "template": "referrals/_dashboard_section.html",
        "per_service": per_service,
        "late": late,
        "late_total": sum(row["late"] for row in per_service),
        "answered": len(times),
        "median": median(times),
        "p90": percentile(times, 0.9),
        "by_kind": by_kind,
        "by_service": by_service,
        "year": today.year,
        "today": today,
    }


# --- home-page cards ------------------------------------------------------------------------------------

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)
SHOWN = 5


def _acts_as(request, roles):
    """The card is for the role acted in now (read from the request, no query) with its standing."""
    membership = request.user.acting_membership
    return (
        membership is not None
        and membership.role in roles
        and any(m.pk == membership.pk for m in _memberships_in_standing(request.user))
    )


def inbox_panel(request):
    """The receiving service's card: how many requests are open, due within two working days and overdue,
    and the first few by due date."""
    if not _acts_as(request, HEAD_ROLES | {Role.SOCIAL_WORKER}):
        return None
    user = request.user
    today = timezone.localdate()
    counts = inbox_counts(user, today)
    items = read_requests(user, inbox_running(user) if counts["open"] else [], "referrals.inbox.viewed")
    links = []
    for item in items:
        label = _("%(number)s · %(kind)s · due %(date)s") % {
            "number": item.number,
            "kind": item.get_kind_display(),
            "date": date_format(item.due_on, "SHORT_DATE_FORMAT"),
        }
        if item.is_overdue(today):
            label = _("%(request)s (overdue)") % {"request": label}
        links.append((label, reverse("referrals:detail", args=[item.pk])))
    text = ngettext(
        "%(count)d request to answer: %(soon)d due within two working days, %(late)d overdue.",
        "%(count)d requests to answer: %(soon)d due within two working days, %(late)d overdue.",
        counts["open"],
    ) % {"count": counts["open"], "soon": counts["due_soon"], "late": counts["overdue"]}
    return {
        "template": CARD,
        "title": _("Requests received"),
        "text": text,
        "links": links,
        "more": (_("All the requests received"), reverse("referrals:inbox")),
    }


def sent_panel(request):
    """The sender's card: the latest answers to what they (their institution) sent, and how to send."""
    if not _acts_as(request, SENDER_ROLES):
        return None
    user = request.user
    answered = sent_by_institution_of(user).filter(status=Request.Status.CLOSED).order_by("-closed_at")
    items = read_requests(user, answered[:SHOWN], "referrals.sent.viewed")
    links = [
        (
            _("%(number)s · %(outcome)s (%(date)s)")
            % {
                "number": item.number,
                "outcome": item.get_outcome_display(),
                "date": date_format(timezone.localtime(item.closed_at), "SHORT_DATE_FORMAT"),
            },
            reverse("referrals:detail", args=[item.pk]),
        )
        for item in items
    ]
    links += [
        (_("Ask an anonymous consultation"), reverse("referrals:consultation_create")),
        (_("Signal a child"), reverse("referrals:signal_create")),
    ]
    text = (
        _("The latest answers of the services to your signals and consultations.")
        if items
        else _("Worried about a child? Ask the social service, anonymously, or signal the child.")
    )
    return {
        "template": CARD,
        "title": _("Signals and consultations"),
        "text": text,
        "links": links,
        "more": (_("All the requests sent"), reverse("referrals:sent")),
    }


def _response_times_by(rows):
    """From (kind, receiving service, working days to the answer) of the requests answered, shortest first: the
    days, and their median and 90th percentile per kind of request and per receiving service."""
    kinds, services = {}, {}
    for kind, service, days in rows:
        kinds.setdefault(kind, []).append(days)
        services.setdefault(service, []).append(days)
    labels = dict(Request._meta.get_field("kind").choices)

    def summary(label, values):
        values = sorted(values)
        return {"label": label, "answered": len(values), "median": median(values), "p90": percentile(values, 0.9)}

    return (
        [days for _kind, _service, days in rows],
        [summary(labels.get(kind, kind), values) for kind, values in sorted(kinds.items())],
        [summary(service, values) for service, values in sorted(services.items())],
    )
