"""Who may know which calls, proposals and projects exist: the people of an institution in standing in the
district (``governance.queries.pacts_visible_to``: active, adhesion in force); reading them needs a governance
role (``rules``: 403 otherwise). Sums of money are computed in the database, as Decimals."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patto.core.stats import suppress_small
from patto.documents.models import Attachment
from patto.governance.queries import pacts_visible_to

from .models import MONEY, BudgetLine, Call, Expenditure, Partner, Project, Proposal
from .money import cents

ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def money_sum(field, **options):
    """SUM(field) as a two-place Decimal, zero when there is no row."""
    return Coalesce(Sum(field, **options), ZERO, output_field=DecimalField(**MONEY))


def _districts(user):
    return pacts_visible_to(user).values("district_id")


def calls_visible_to(user):
    return Call.objects.filter(district_id__in=_districts(user))


def with_confirmations(proposals):
    """Each proposal with its number of partners and of confirmations: "signed by all" is derived from them."""
    return proposals.annotate(
        partner_count=Count("partners", distinct=True),
        confirmed_count=Count("partners", filter=Q(partners__confirmed_at__isnull=False), distinct=True),
    )


def proposals_visible_to(user):
    return Proposal.objects.filter(call__district_id__in=_districts(user))


def partners_visible_to(user):
    return Partner.objects.filter(proposal__call__district_id__in=_districts(user))


def projects_visible_to(user):
    return Project.objects.filter(proposal__call__district_id__in=_districts(user))


def documents_visible_to(user):
    """The files of the calls, proposals and expenditures the user may know: nothing else is reachable here."""
    districts = _districts(user)
    return Attachment.objects.filter(
        Q(pk__in=Call.documents.through.objects.filter(call__district_id__in=districts).values("attachment"))
        | Q(pk__in=Proposal.objects.filter(call__district_id__in=districts).values("agreement"))
        | Q(
            pk__in=Proposal.previous_agreements.through.objects.filter(
                proposal__call__district_id__in=districts
            ).values("attachment")
        )
        | Q(pk__in=Expenditure.objects.filter(project__proposal__call__district_id__in=districts).values("document"))
    )


def upcoming_deadlines(district_id, today=None, limit=5):
    """The calls of the district still open (deadline today or later), nearest first."""
    day = today or timezone.localdate()
    return Call.objects.filter(district_id=district_id, deadline__gte=day).order_by("deadline", "pk")[:limit]


def signed_by_all(proposals):
    """The proposals every partner of which confirmed (at least one partner)."""
    return with_confirmations(proposals).filter(partner_count__gt=0, partner_count=F("confirmed_count"))


# --- A project's progress: spent against the budget, per line and per partner ----------------------------


def line_spent(budget_line, exclude=None):
    """What is recorded on a budget line so far, summed in the database."""
    rows = Expenditure.objects.in_force().filter(budget_line=budget_line)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return cents(rows.aggregate(total=money_sum("amount"))["total"])


def _spent_filters(start, end):
    """The expenditures a sum counts: not cancelled, dated by ``end`` (upto) and also from ``start`` (within)."""
    upto = Q(expenditures__cancelled_at__isnull=True)
    if end:
        upto &= Q(expenditures__spent_on__lte=end)
    within = upto & Q(expenditures__spent_on__gte=start) if start else upto
    return upto, within


def project_spent():
    """A project's spending to date, as an annotation (cancelled expenditure excluded)."""
    return money_sum("expenditures__amount", filter=Q(expenditures__cancelled_at__isnull=True))


def lines_progress(project, start=None, end=None):
    """The budget lines with what was spent on each by ``end`` (``spent``) and within [start, end]
    (``spent_in_period``): one query."""
    upto, within = _spent_filters(start, end)
    return BudgetLine.objects.filter(project=project).annotate(
        spent=money_sum("expenditures__amount", filter=upto),
        spent_in_period=money_sum("expenditures__amount", filter=within),
    )


def partners_progress(project, start=None, end=None):
    """The project's partners with their share and what they spent by ``end`` and within [start, end]: one query."""
    upto, within = _spent_filters(start, end)
    return (
        Partner.objects.filter(proposal_id=project.proposal_id)
        .select_related("institution")
        .annotate(
            spent=money_sum("expenditures__amount", filter=upto),
            spent_in_period=money_sum("expenditures__amount", filter=within),
        )
    )


def quarter_start(day):
    """The first day of the calendar quarter of ``day``."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def families_in_project_cohorts(project, on=None):
    """Families of the project's cohorts with their agreement to PIPPI signed by ``on`` (today) and the path not
    closed before the quarter the project started in: the families-in-path definition of the pact's indicator,
    restricted to the project's cohorts and time. The cut is a quarter's first day, not the start date itself
    (which whoever records the project chooses: two projects a day apart would tell a closing date by
    difference). Small counts suppressed (None = "<5")."""
    from patto.cases.models import Path

    day = on or timezone.localdate()
    count = (
        Path.objects.filter(cohort__in=project.cohorts.all(), agreement__signed_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=quarter_start(project.starts_on)))
        .values("family")
        .distinct()
        .count()
    )
    return suppress_small(count)
