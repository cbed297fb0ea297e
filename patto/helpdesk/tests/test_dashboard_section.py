"""The coordinator's dashboard section of the help desk reads its questions and FAQs by statements compiled once a
day (``helpdesk.panels``): on days before, during and after the questions' lives, and in the next year, it says
what the plain ORM queries say."""

from datetime import date, datetime

import time_machine
from django.db.models import Q
from django.utils import timezone

from patto.governance.models import Pact
from patto.helpdesk import services
from patto.helpdesk.models import OPEN, RUNNING, Faq, Question
from patto.helpdesk.panels import dashboard_section
from patto.helpdesk.tests.conftest import ask, fresh
from patto.helpdesk.tests.test_services import _procedure


def _at(day, hour=10):
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, hour)), tick=False)


def _by_the_orm(district_id, today):
    start = date(today.year, 1, 1)
    rows = list(
        Question.objects.filter(district_id=district_id)
        .filter(Q(status__in=OPEN) | Q(answered_at__date__gte=start, answered_at__date__lte=today))
        .values_list("number", "category", "status", "due_on", "response_working_days", "answered_at")
        .order_by("due_on", "number")
    )
    faqs = Faq.objects.filter(district_id=district_id, published_at__date__gte=start).count()
    return rows, faqs


def test_the_section_says_what_the_orm_says_on_each_day(desk):
    _procedure(desk)
    with _at(date(2026, 11, 16)):
        first, second, third = ask(desk), ask(desk, category="schooling"), ask(desk)
    with _at(date(2026, 11, 18)):
        services.answer_question(actor=fresh(desk.lawyer), question=first, version=first.version, answer="Sì.")
    with _at(date(2026, 11, 30), hour=23):  # late in the evening: the day in Rome, not in UTC
        second.refresh_from_db()
        services.answer_question(actor=fresh(desk.lawyer), question=second, version=second.version, answer="No.")
        first.refresh_from_db()
        services.publish_faq(
            actor=fresh(desk.lawyer), source_question=first, category="privacy", question="D?", answer="R."
        )
    pact = Pact.objects.get(district=desk.district)
    seen = set()
    for day in (date(2026, 11, 16), date(2026, 11, 24), date(2026, 11, 30), date(2026, 12, 1), date(2027, 1, 2)):
        with _at(day):
            section = dashboard_section(None, pact)
            rows, faqs = _by_the_orm(desk.district.pk, day)
        open_ = sum(1 for row in rows if row[2] in OPEN)
        answered = sorted(row[4] for row in rows if row[5] is not None and row[4] is not None)
        assert (section["open"], section["answered"], section["faqs"]) == (open_, len(answered), faqs), day
        assert section["late"] == sum(1 for row in rows if row[2] in RUNNING and row[3] < day), day
        seen.add((section["open"], section["answered"], section["faqs"], section["late"]))
    assert len(seen) >= 3  # the days differ: the comparison is not of empty sections
    assert third.pk
