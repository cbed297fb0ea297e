"""Indicator values computed from Patto's own data, per source. Apps below governance (cases) register
their sources here in AppConfig.ready(), so governance imports none of them."""

from django.utils.translation import gettext_lazy as _

_computed = {}

# What each computed source counts, in words: shown with its value on the commitments page and in the report.
# Every one counts by the dates of the facts (an agreement signed, a meeting held, an answer given), never by
# when a record was entered.
DEFINITIONS = {
    "school_referents": _(
        "Schools that signed the pact with a PIPPI school referent in office on the last day of the period "
        "(or today, if earlier)."
    ),
    "meetings_held": _("Meetings of the pact's governance bodies held in the period (by their date) with minutes."),
    "families_in_path": _(
        "Families with their agreement to PIPPI in force at some time in the period: signed by its last day and "
        "the path not closed before its first day. Families still at the signal or the pre-assessment are not "
        "counted. From 1 to 4: shown as “<5”."
    ),
    "request_response_median": _(
        "Median of the working days from a signal or request to its answer, over those answered in the period "
        "(the pauses waiting for the sender left out)."
    ),
    "request_response_p90": _(
        "90th percentile (nearest rank) of the working days from a signal or request to its answer, over those "
        "answered in the period."
    ),
    "requests_overdue": _(
        "Signals and requests sent by the last day of the period (or today, if earlier), due before then and not "
        "answered by then."
    ),
    "helpdesk_answered": _(
        "Questions of the schools and educational services to the legal help desk answered in the period (by the "
        "date of the answer)."
    ),
    "helpdesk_response_median": _(
        "Median of the working days from a question to the legal help desk to its answer, over those answered in "
        "the period (the pauses waiting for the school's clarification left out)."
    ),
    "helpdesk_response_p90": _(
        "90th percentile (nearest rank) of the working days from a question to the legal help desk to its "
        "answer, over those answered in the period."
    ),
    "faqs_published": _(
        "Answers of the legal help desk published as FAQs for the district's schools in the period (by the date "
        "first published)."
    ),
    "codesign_in_progress": _(
        "Co-design processes (art. 55 of the Third-Sector Code) under way on the last day of the period (or today, "
        "if earlier): the public notice published by then and the agreement not yet signed."
    ),
    "codesign_concluded": _("Co-design processes whose agreement was signed in the period (by the date of signing)."),
    "places_added": _(
        "Places added to the offer of the dispositivi by the co-design agreements signed in the period (the places "
        "each agreement creates, per dispositivo and provider)."
    ),
    "partnerships_signed": _(
        "Partnership proposals for a call signed by all their partners, the last partner's confirmation in Patto "
        "given in the period (by its date)."
    ),
    "projects_funded": _(
        "Funded projects of the district running at some time in the period: started by its last day and not "
        "ended before its first day."
    ),
    "project_spending": _(
        "Euro of expenditure recorded on the district's funded projects, dated within the period (two decimal "
        "places, summed exactly)."
    ),
}


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
            result[indicator.pk] = {
                "value": computed.get(indicator.source),
                "evidence": "",
                "computed": True,
                "definition": DEFINITIONS.get(indicator.source, ""),
            }
    return result
