"""The pact's computed indicators about the help desk (commitment 8): questions answered in the period, the
median and 90th percentile of the working days to the answer (pauses for clarification left out), FAQs
published in the period. Registered with governance in ``HelpdeskConfig.ready()``."""

from patto.referrals.queries import median, percentile

from .models import Faq, Question
from .queries import response_times


def answered(pact, period):
    """Questions answered in the period (by the date of the answer)."""
    return Question.objects.filter(
        district_id=pact.district_id,
        answered_at__date__gte=period.starts_on,
        answered_at__date__lte=period.ends_on,
    ).count()


def response_median(pact, period):
    return median(response_times(pact.district_id, period.starts_on, period.ends_on))


def response_p90(pact, period):
    return percentile(response_times(pact.district_id, period.starts_on, period.ends_on), 0.9)


def faqs_published(pact, period):
    """FAQs first published in the period (a withdrawn one still counts: it was published)."""
    return Faq.objects.filter(
        district_id=pact.district_id,
        published_at__date__gte=period.starts_on,
        published_at__date__lte=period.ends_on,
    ).count()
