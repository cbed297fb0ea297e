"""The pact's computed indicators for commitment 7 (partnerships for public funds), registered with governance
in ``FundingConfig.ready()``. Dates of the facts (a confirmation given, a project's dates, an expenditure's
date), never of the records."""

from django.db.models import F, Max, Q

from .models import Expenditure, Project, Proposal
from .money import cents
from .queries import money_sum, with_confirmations


def partnerships_signed(pact, period):
    """Proposals of the district signed by all their partners, the last confirmation given in the period."""
    proposals = with_confirmations(Proposal.objects.filter(call__district_id=pact.district_id)).annotate(
        last_confirmation=Max("partners__confirmed_at")
    )
    return (
        proposals.filter(partner_count__gt=0, confirmed_count=F("partner_count"))
        .filter(last_confirmation__date__gte=period.starts_on, last_confirmation__date__lte=period.ends_on)
        .count()
    )


def projects_funded(pact, period):
    """Funded projects of the district running at some time in the period."""
    return Project.objects.filter(
        Q(ends_on__gte=period.starts_on), proposal__call__district_id=pact.district_id, starts_on__lte=period.ends_on
    ).count()


def project_spending(pact, period):
    """Euro of expenditure recorded on the district's projects, dated within the period (a Decimal)."""
    return cents(
        Expenditure.objects.in_force()
        .filter(
            project__proposal__call__district_id=pact.district_id,
            spent_on__gte=period.starts_on,
            spent_on__lte=period.ends_on,
        )
        .aggregate(total=money_sum("amount"))["total"]
    )
