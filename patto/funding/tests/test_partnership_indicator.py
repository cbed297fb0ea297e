"""The indicator "partnerships signed" (a proposal signed by all its partners, the last confirmation in the period),
read in the pact's one statement as three conditions on the partners, against its plain formulation (the latest
confirmation's day, all partners confirmed): partners confirming on different days around the period's first and
last day, a partner not yet confirmed, a proposal with no partner."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.db.models import F, Max
from django.utils import timezone

from patto.funding.models import Partner, Proposal
from patto.funding.queries import with_confirmations
from patto.governance.indicators import computed


def _plain(pact, starts_on, ends_on):
    proposals = with_confirmations(Proposal.objects.filter(call__district_id=pact.district_id)).annotate(
        last_confirmation=Max("partners__confirmed_at")
    )
    return (
        proposals.filter(partner_count__gt=0, confirmed_count=F("partner_count"))
        .filter(last_confirmation__date__gte=starts_on, last_confirmation__date__lte=ends_on)
        .count()
    )


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_partnerships_signed_as_the_plain_formulation_counts_them(funding, pact):
    from patto.funding import services

    first, second = list(funding.proposal.partners.order_by("pk"))[:2]
    early, late = date(2026, 3, 10), date(2026, 5, 20)
    Partner.objects.filter(pk=first.pk).update(confirmed_at=_at(early, 9))
    Partner.objects.filter(pk=second.pk).update(confirmed_at=_at(late, 23))  # late in the evening: the local day
    Partner.objects.filter(proposal=funding.proposal).exclude(pk__in=[first.pk, second.pk]).update(
        confirmed_at=_at(early, 12)
    )
    services.create_proposal(  # no partner: never signed by all
        actor=funding.coordinator, call=funding.call, lead=funding.proposal.lead, title="Vuota", lead_role="Capofila"
    )
    days = [day + timedelta(days=shift) for day in (early, late) for shift in (-1, 0, 1)]
    seen = set()
    for starts_on in days:
        for ends_on in days:
            if starts_on > ends_on:
                continue
            period = SimpleNamespace(starts_on=starts_on, ends_on=ends_on)
            expected = _plain(pact, starts_on, ends_on)
            assert computed("partnerships_signed", pact, period) == expected, (starts_on, ends_on)
            seen.add(expected)
    assert seen == {0, 1}
    Partner.objects.filter(pk=second.pk).update(confirmed_at=None)  # one partner not yet confirmed: not signed
    whole = SimpleNamespace(starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert computed("partnerships_signed", pact, whole) == _plain(pact, whole.starts_on, whole.ends_on) == 0
