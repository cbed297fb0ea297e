"""The pact's computed indicators, read in one statement (``governance.indicators``), against an independent
oracle: each source written as the plain ORM query that says what it counts (as they were written before the
statement existed), over the seeded demo district, for periods whose first and last days fall on, just before and
just after the dates of the demo's own facts, and for several "today"s (inside, before and after the period).
Boundaries are where a rewritten condition goes wrong: every fact's date is one."""

import random
from datetime import timedelta

from django.db.models import F, Max, Q
from django.utils import timezone

from patto.accounts.models import Membership
from patto.accounts.roles import Role
from patto.cases.models import Path
from patto.core.stats import suppress_small
from patto.funding.models import Expenditure, Partner, Project, Proposal
from patto.funding.money import cents
from patto.funding.queries import money_sum, with_confirmations
from patto.governance.indicators import _computed, computed_values, scope_of
from patto.governance.models import BodyMeeting, Pact
from patto.governance.queries import active_adhesions
from patto.helpdesk.models import Faq, Question
from patto.offer.models import CapacityLine, CodesignProcess
from patto.referrals.models import Request
from patto.referrals.queries import median, percentile
from patto.referrals.queries import overdue as requests_overdue

PERIODS = 40


def the_indicators_match_their_oracle():
    pact = Pact.objects.get()
    days = sorted(_fact_days(pact.district_id))
    assert len(days) >= 20, "the demo's facts give the periods' boundaries"
    rng = random.Random(13)
    near = [day + timedelta(days=shift) for day in days for shift in (-1, 0, 1)]
    checked = 0
    for _ in range(PERIODS):
        first, last = sorted(rng.sample(near, 2))
        for today in {rng.choice(near), first + (last - first) / 2, last + timedelta(days=30)}:
            period = _Period(first, last)
            expected = _oracle(pact, period, today)
            assert set(expected) == set(_computed), "every registered source has its oracle"
            answered = computed_values(list(_computed), scope_of(pact, period, today))
            assert answered == expected, (first, last, today)
            checked += 1
    assert checked >= PERIODS


class _Period:
    def __init__(self, starts_on, ends_on):
        self.starts_on, self.ends_on = starts_on, ends_on


def _fact_days(district_id):
    """The days on which the demo's facts happened: where a period's boundary is worth putting."""
    dates = set()
    for model, fields in (
        (Path, ("agreement__signed_on", "closed_on")),
        (CodesignProcess, ("started_on", "concluded_on")),
        (Project, ("starts_on", "ends_on")),
        (Expenditure, ("spent_on",)),
        (Request, ("due_on",)),
    ):
        for field in fields:
            dates |= set(model.objects.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True))
    for model, field in (
        (Partner, "confirmed_at"),
        (Question, "answered_at"),
        (Faq, "published_at"),
        (BodyMeeting, "starts_at"),
        (Request, "closed_at"),
        (Request, "sent_at"),
    ):
        dates |= {
            timezone.localdate(moment)
            for moment in model.objects.exclude(**{f"{field}__isnull": True}).values_list(field, flat=True)
        }
    return {day for day in dates if day is not None}


def _oracle(pact, period, today):
    """Every source as the plain ORM query (and Python) that says what it counts."""
    district = pact.district_id
    start, end = period.starts_on, period.ends_on
    last = min(end, today)
    schools = active_adhesions(pact, end).filter(institution__kind="school").values("institution")
    proposals = with_confirmations(Proposal.objects.filter(call__district_id=district)).annotate(
        last_confirmation=Max("partners__confirmed_at")
    )
    request_times = sorted(
        Request.objects.filter(
            district_id=district,
            response_working_days__isnull=False,
            closed_at__date__gte=start,
            closed_at__date__lte=end,
        ).values_list("response_working_days", flat=True)
    )
    question_times = sorted(
        Question.objects.filter(
            district_id=district,
            response_working_days__isnull=False,
            answered_at__date__gte=start,
            answered_at__date__lte=end,
        ).values_list("response_working_days", flat=True)
    )
    if last >= today:
        overdue = requests_overdue(district, today=last)
    else:
        overdue = Request.objects.filter(district_id=district, sent_at__date__lte=last, due_on__lt=last).filter(
            Q(closed_at__isnull=True, status__in=("sent", "assigned")) | Q(closed_at__date__gt=last)
        )
    return {
        "school_referents": Membership.objects.current(on=last)
        .filter(institution__in=schools, role=Role.SCHOOL_REFERENT)
        .values("institution")
        .distinct()
        .count(),
        "meetings_held": BodyMeeting.objects.filter(
            body__pact=pact, starts_at__date__gte=start, starts_at__date__lte=end
        )
        .exclude(minutes="")
        .count(),
        "families_in_path": suppress_small(
            Path.objects.filter(family__district_id=district, agreement__signed_on__lte=end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
            .values("family")
            .distinct()
            .count()
        ),
        "request_response_median": median(request_times),
        "request_response_p90": percentile(request_times, 0.9),
        "requests_overdue": overdue.count(),
        "helpdesk_answered": Question.objects.filter(
            district_id=district, answered_at__date__gte=start, answered_at__date__lte=end
        ).count(),
        "helpdesk_response_median": median(question_times),
        "helpdesk_response_p90": percentile(question_times, 0.9),
        "faqs_published": Faq.objects.filter(
            district_id=district, published_at__date__gte=start, published_at__date__lte=end
        ).count(),
        "codesign_in_progress": CodesignProcess.objects.filter(district_id=district, started_on__lte=last)
        .filter(Q(concluded_on__isnull=True) | Q(concluded_on__gt=last))
        .count(),
        "codesign_concluded": CodesignProcess.objects.filter(
            district_id=district, concluded_on__gte=start, concluded_on__lte=end
        ).count(),
        "places_added": sum(
            CapacityLine.objects.filter(
                process__district_id=district, process__concluded_on__gte=start, process__concluded_on__lte=end
            ).values_list("places_added", flat=True)
        ),
        "partnerships_signed": proposals.filter(partner_count__gt=0, confirmed_count=F("partner_count"))
        .filter(last_confirmation__date__gte=start, last_confirmation__date__lte=end)
        .count(),
        "projects_funded": Project.objects.filter(
            proposal__call__district_id=district, ends_on__gte=start, starts_on__lte=end
        ).count(),
        "project_spending": cents(
            Expenditure.objects.in_force()
            .filter(project__proposal__call__district_id=district, spent_on__gte=start, spent_on__lte=end)
            .aggregate(total=money_sum("amount"))["total"]
        ),
    }
