"""The help desk's parts of other pages: the legal office's home card (open and overdue questions), the
asker's card, and the coordinator's dashboard section (numbers only: no question's text, nobody's name)."""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patto.core.frozen import FrozenQuery
from patto.core.home import CARD_TEMPLATE
from patto.referrals.queries import median, percentile

from .models import OPEN, RUNNING, Category, Faq, Question
from .queries import (
    is_legal_office,
    may_ask,
    memberships_in_standing,
    office_counts,
    questions_for_list,
)

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)
SHOWN = 5


def _acting(request, test):
    membership = request.user.acting_membership
    return (
        membership is not None
        and test(membership)
        and any(m.pk == membership.pk for m in memberships_in_standing(request.user))
    )


def office_panel(request):
    """The legal office's card: open questions, those past their date, the first few by due date."""
    if not _acting(request, is_legal_office):
        return None
    user = request.user
    today = timezone.localdate()
    counts = office_counts(user, today)
    items = list(questions_for_list(user).filter(status__in=RUNNING)[:SHOWN])
    if items:
        from patto.audit.services import record_access

        record_access(actor=user, action="helpdesk.questions.viewed")
    links = []
    for item in items:
        label = _("%(number)s · %(category)s · due %(date)s") % {
            "number": item.number,
            "category": item.get_category_display(),
            "date": date_format(item.due_on, "SHORT_DATE_FORMAT"),
        }
        if item.is_overdue(today):
            label = _("%(question)s (overdue)") % {"question": label}
        links.append((label, reverse("helpdesk:question", args=[item.pk])))
    text = ngettext(
        "%(count)d question to answer, %(late)d overdue, %(waiting)d waiting for clarification.",
        "%(count)d questions to answer, %(late)d overdue, %(waiting)d waiting for clarification.",
        counts["open"],
    ) % {"count": counts["open"], "late": counts["overdue"], "waiting": counts["waiting"]}
    return {
        "template": CARD,
        "title": _("Legal help desk"),
        "text": text,
        "links": links,
        "more": (_("All the questions"), reverse("helpdesk:questions")),
    }


def asker_panel(request):
    """The school's card: how to ask, the FAQs, the templates."""
    if not _acting(request, may_ask):
        return None
    return {
        "template": CARD,
        "title": _("Legal help desk"),
        "text": _(
            "A doubt about privacy, absences, separated parents, the courts? Read the FAQs, use the templates "
            "or ask the Comune's legal office."
        ),
        "links": [
            (_("Ask the legal office"), reverse("helpdesk:ask")),
            (_("Frequently asked questions"), reverse("helpdesk:faqs")),
            (_("Templates"), reverse("helpdesk:templates")),
        ],
        "more": (_("Your institution's questions"), reverse("helpdesk:questions")),
    }


def _questions_this_year(day, district_id):
    """The district's open questions and those answered this year up to ``day``, due first."""
    start = date(day.year, 1, 1)
    return (
        Question.objects.filter(district_id=district_id)
        .filter(Q(status__in=OPEN) | Q(answered_at__date__gte=start, answered_at__date__lte=day))
        .values_list("number", "category", "status", "due_on", "response_working_days", "answered_at")
        .order_by("due_on", "number")
    )


def _faqs_this_year(day, district_id):
    """How many FAQs the district published this year (one row, or none when it published none)."""
    return (
        Faq.objects.filter(district_id=district_id, published_at__date__gte=date(day.year, 1, 1))
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


# The dashboard's section, compiled once a day (core.frozen): the district's key is the variable.
_QUESTIONS_THIS_YEAR = FrozenQuery("helpdesk.dashboard_questions", _questions_this_year, {"district_id": int})
_FAQS_THIS_YEAR = FrozenQuery("helpdesk.dashboard_faqs", _faqs_this_year, {"district_id": int})


def dashboard_section(request, pact):
    """For the coordinator: this year's questions answered and their response times, open and overdue questions
    (by number and category only: never the text, nobody's name), FAQs published. Two statements compiled once
    a day (``tests/test_dashboard_section.py`` compares them with the ORM's)."""
    today = timezone.localdate()
    rows = _QUESTIONS_THIS_YEAR.rows(day=today, district_id=pact.district_id)
    labels = dict(Category.choices)
    times = sorted(days for *_rest, days, answered in rows if answered is not None and days is not None)
    late = [
        {"number": number, "category": labels.get(category, category), "due_on": due_on}
        for number, category, status, due_on, _days, _answered in rows
        if status in RUNNING and due_on < today
    ]
    # Answered this year after their due date (the due date moved on by the pauses, as the clock counts).
    answered_late = [
        {
            "number": number,
            "category": labels.get(category, category),
            "due_on": due_on,
            "answered_on": timezone.localdate(answered),
        }
        for number, category, _status, due_on, _days, answered in rows
        if answered is not None and timezone.localdate(answered) > due_on
    ]
    return {
        "template": "helpdesk/_dashboard_section.html",
        "open": sum(1 for row in rows if row[2] in OPEN),
        "waiting": sum(1 for row in rows if row[2] == Question.Status.WAITING),
        "late": len(late),
        "late_list": late[:20],
        "answered_late": len(answered_late),
        "answered_late_list": answered_late[:20],
        "answered": len(times),
        "median": median(times),
        "p90": percentile(times, 0.9),
        "faqs": sum(_FAQS_THIS_YEAR.rows(day=today, district_id=pact.district_id)),
        "year": today.year,
    }
