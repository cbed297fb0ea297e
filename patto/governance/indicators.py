"""Indicator values computed from Patto's own data, per source. Apps below governance (cases) register
their sources here in AppConfig.ready(), so governance imports none of them."""

_computed = {}


def register(source, function):
    """``function(pact, period) -> number``; counts about families must be small-cell suppressed."""
    _computed[source] = function


def school_referents(pact, period):
    from patto.accounts.models import Membership
    from patto.accounts.roles import Role

    from .queries import active_adhesions

    schools = active_adhesions(pact, period.ends_on).filter(institution__kind="school").values("institution")
    return (
        Membership.objects.current(on=min(period.ends_on, _today()))
        .filter(institution__in=schools, role=Role.SCHOOL_REFERENT)
        .values("institution")
        .distinct()
        .count()
    )


def meetings_held(pact, period):
    from .models import BodyMeeting

    return (
        BodyMeeting.objects.filter(
            body__pact=pact, starts_at__date__gte=period.starts_on, starts_at__date__lte=period.ends_on
        )
        .exclude(minutes="")
        .count()
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


register("school_referents", school_referents)
register("meetings_held", meetings_held)


def values_for(indicators, period):
    """{indicator id: value} for the period: each computed source evaluated once, manual values from the
    latest entry. A fixed number of queries whatever the number of indicators."""
    from .models import IndicatorValue

    if period is None:
        return {}
    sources = {i.source for i in indicators if i.source != "manual"}
    computed = {source: _computed[source](period.pact, period) for source in sources if source in _computed}
    manual_ids = [i.pk for i in indicators if i.source == "manual"]
    latest = {}
    entries = (
        IndicatorValue.objects.filter(indicator_id__in=manual_ids, period=period)
        .select_related("evidence_file")
        .order_by("created_at")
    )
    for entry in entries:
        latest[entry.indicator_id] = entry
    result = {}
    for indicator in indicators:
        if indicator.source == "manual":
            entry = latest.get(indicator.pk)
            result[indicator.pk] = {
                "value": entry.value if entry else None,
                "evidence": entry.evidence if entry else "",
                "file": entry.evidence_file if entry else None,
            }
        else:
            result[indicator.pk] = {"value": computed.get(indicator.source), "evidence": "", "computed": True}
    return result
