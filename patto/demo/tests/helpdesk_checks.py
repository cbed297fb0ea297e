"""Checks of the demo's legal help desk (issue 12, section 3): six questions of the schools and the nido, two past
their response time, three answered and published as FAQs (one after a clarification, one late), one waiting for
clarification; clocks that agree with the working days; the templates library with a revision; and what each
side may open."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.accounts.models import User
from patto.core.workdays import add_working_days, working_days_between
from patto.governance.indicators import values_for
from patto.governance.models import Indicator, Pact
from patto.helpdesk.models import Faq, Question, Template
from patto.helpdesk.queries import overdue
from patto.referrals.services import patron_day_of


def the_help_desk_tells_its_stories():
    questions = Question.objects.select_related("office", "asker")
    today = timezone.localdate()
    assert questions.count() == 6
    assert overdue(today=today).count() == 2
    assert Faq.objects.filter(published_at__isnull=False, unpublished_at__isnull=True).count() == 3
    for faq in Faq.objects.all():  # each with its history: published once, by the legal office, on its day
        assert list(faq.revisions.values_list("number", "event", "created_at")) == [(1, "published", faq.published_at)]
    assert questions.filter(status="waiting").count() == 1
    assert {q.asker.username for q in questions} == {"demo.referente", "demo.referente2", "demo.nido", "demo.dirigente"}
    for question in questions:
        patron = patron_day_of(question.office)
        sent = timezone.localdate(question.sent_at)
        paused = sum(
            working_days_between(p.started_on, p.ended_on, patron) for p in question.pauses.exclude(ended_on=None)
        )
        assert question.due_on == add_working_days(
            add_working_days(sent, question.working_days, patron), paused, patron
        )
        if question.answered_at:
            answered = timezone.localdate(question.answered_at)
            assert question.response_working_days == working_days_between(sent, answered, patron) - paused
            assert question.answered_at <= timezone.now()
    late = [q for q in questions if q.answered_at and q.response_working_days > q.working_days]
    assert len(late) == 1  # answered past its time
    assert Template.objects.count() == 5 and Template.objects.filter(revision=2).count() == 1
    assert set(Template.objects.values_list("kind", flat=True)) == {
        "signal_form",
        "privacy_notice",
        "consent",
        "letter",
    }
    # Commitment 8's indicators say it (the demo's answers fall in the period in force): 3 answered, in 6, 6 and
    # 12 working days, so a median of 6 and a 90th percentile of 12; 3 FAQs.
    period = Pact.objects.get().periods.get(starts_on__lte=today, ends_on__gte=today)
    indicators = list(Indicator.objects.filter(commitment__text__startswith="Rendersi disponibile"))
    computed = values_for(indicators, period)
    values = {indicator.source: computed[indicator.pk]["value"] for indicator in indicators}
    assert values == {
        "helpdesk_answered": 3,
        "helpdesk_response_median": 6,
        "helpdesk_response_p90": 12,
        "faqs_published": 3,
    }
    lawyer, other_school = Client(), Client()
    lawyer.force_login(User.objects.get(username="demo.legale"))
    other_school.force_login(User.objects.get(username="demo.referente2"))
    page = lawyer.get(reverse("helpdesk:questions")).content.decode()
    assert page.count('class="overdue ') == 2
    mine = questions.filter(asker__username="demo.referente").first()
    assert other_school.get(reverse("helpdesk:question", args=[mine.pk])).status_code == 404
    assert other_school.get(reverse("helpdesk:faqs")).content.decode().count("<article") == 3
