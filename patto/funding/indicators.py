"""The pact's computed indicators for commitment 7 (partnerships for public funds), registered with governance
in ``FundingConfig.ready()`` (``scope``: see ``governance.indicators``). Dates of the facts (a confirmation given, a
project's dates, an expenditure's date), never of the records."""

from django.db.models import DecimalField, Exists, OuterRef

from patto.governance.indicators import count_of, sum_of

from .models import MONEY, Expenditure, Partner, Project, Proposal
from .money import cents


def partnerships_signed(scope):
    """Proposals of the district signed by all their partners, the last confirmation given in the period: at least
    one partner confirmed on or after its first day, none unconfirmed and none confirmed after its last day."""
    partners = Partner.objects.filter(proposal=OuterRef("pk"))
    signed = Proposal.objects.filter(
        Exists(partners.filter(confirmed_at__date__gte=scope.starts_on)),
        ~Exists(partners.filter(confirmed_at__isnull=True)),
        ~Exists(partners.filter(confirmed_at__date__gt=scope.ends_on)),
        call__district_id=scope.district_id,
    )
    return count_of(signed)


def projects_funded(scope):
    """Funded projects of the district running at some time in the period."""
    return count_of(
        Project.objects.filter(
            proposal__call__district_id=scope.district_id, ends_on__gte=scope.starts_on, starts_on__lte=scope.ends_on
        )
    )


def project_spending(scope):
    """Euro of expenditure recorded on the district's projects, dated within the period (see ``in_euro``)."""
    spent = Expenditure.objects.in_force().filter(
        project__proposal__call__district_id=scope.district_id,
        spent_on__gte=scope.starts_on,
        spent_on__lte=scope.ends_on,
    )
    return sum_of(spent, "amount", DecimalField(**MONEY))


def in_euro(total):
    """The sum as a Decimal with two places (zero without any expenditure)."""
    return cents(total)
