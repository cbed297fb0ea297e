"""The pact's computed indicators about the help desk (commitment 8): questions answered in the period, the
median and 90th percentile of the working days to the answer (pauses for clarification left out), FAQs
published in the period. Registered with governance in ``HelpdeskConfig.ready()`` (``scope``: see
``governance.indicators``)."""

from patto.governance.indicators import count_of

from .models import Faq, Question
from .queries import response_times


def answered(scope):
    """Questions answered in the period (by the date of the answer)."""
    return count_of(
        Question.objects.filter(
            district_id=scope.district_id,
            answered_at__date__gte=scope.starts_on,
            answered_at__date__lte=scope.ends_on,
        )
    )


def answered_times(scope):
    """The working days to the answer of the questions answered in the period, shortest first."""
    return response_times(scope.district_id, scope.starts_on, scope.ends_on)


def faqs_published(scope):
    """FAQs first published in the period (a withdrawn one still counts: it was published)."""
    return count_of(
        Faq.objects.filter(
            district_id=scope.district_id,
            published_at__date__gte=scope.starts_on,
            published_at__date__lte=scope.ends_on,
        )
    )
