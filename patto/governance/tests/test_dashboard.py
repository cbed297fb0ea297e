"""The governance dashboard keeps what is overdue apart from what falls due this month, each section with its
own empty state, and links every item. The clock is fixed on the 15th of a month ahead (forward only: the
personas' memberships start today), and every date is set from it."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from patto.governance import services
from patto.governance.models import ActionItem, Procedure
from patto.governance.queries import dashboard


@pytest.fixture
def day():
    ahead = timezone.localdate() + timedelta(days=40)
    return ahead.replace(day=15)


def _section(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _item(pact, personas, world, description, due_on):
    return ActionItem.objects.create(
        meeting=pact.bodies.get().meetings.get(),
        description=description,
        due_on=due_on,
        owner=personas["coordinator"].user,
        institution=world.comune,
    )


def test_overdue_and_due_this_month_are_apart_and_every_item_links(pact, personas, world, login, day):
    overdue = _item(pact, personas, world, "Inviare il modulo", day - timedelta(days=20))
    due = _item(pact, personas, world, "Convocare le scuole", day + timedelta(days=5))
    _item(pact, personas, world, "Preparare il bilancio", day + timedelta(days=40))  # next month: in neither
    old_procedure = pact.procedures.get()  # its review date (1 March 2025) has long passed
    this_month = services.create_procedure(
        actor=personas["coordinator"].user,
        pact=pact,
        title="Passaggio al nido",
        owner=world.comune,
        text="Testo.",
        response_working_days=5,
        approved_on=day - timedelta(days=300),
        review_on=day + timedelta(days=3),
    )

    data = dashboard(pact, today=day)
    assert data["overdue"] == [overdue] and data["due_this_month"] == [due]
    assert data["procedures_overdue"] == [old_procedure] and data["procedures_due"] == [this_month]

    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(10))), tick=False):
        html = login("coordinator").get(reverse("governance:dashboard")).content.decode()
    late, month = _section(html, "overdue-heading"), _section(html, "due-heading")
    meeting_url = reverse("governance:body_meeting", kwargs={"meeting_pk": overdue.meeting_id})
    assert f'<a href="{meeting_url}">Inviare il modulo</a>' in late
    assert reverse("governance:procedure", kwargs={"procedure_pk": old_procedure.pk}) in late
    assert "Convocare le scuole" not in late and "Passaggio al nido" not in late
    assert f'<a href="{meeting_url}">Convocare le scuole</a>' in month
    assert reverse("governance:procedure", kwargs={"procedure_pk": this_month.pk}) in month
    assert "Inviare il modulo" not in month and old_procedure.title not in month and "bilancio" not in html
    with translation.override("it"):
        assert gettext("Nothing falls due this month.") not in month
        assert gettext("Nothing is overdue.") not in late


def test_each_section_has_its_own_empty_state(pact, personas, world, login, day):
    Procedure.objects.filter(pact=pact).update(review_on=day + timedelta(days=60))  # reviewed, next due later
    _item(pact, personas, world, "Convocare le scuole", day + timedelta(days=2))
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(10))), tick=False):
        html = login("coordinator").get(reverse("governance:dashboard")).content.decode()
    late, month = _section(html, "overdue-heading"), _section(html, "due-heading")
    with translation.override("it"):
        assert gettext("Nothing is overdue.") in late and "<li" not in late
        assert gettext("Nothing falls due this month.") not in month and "Convocare le scuole" in month
    ActionItem.objects.filter(description="Convocare le scuole").update(status=ActionItem.Status.DONE)
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(11))), tick=False):
        html = login("coordinator").get(reverse("governance:dashboard")).content.decode()
    month = _section(html, "due-heading")
    with translation.override("it"):
        assert gettext("Nothing falls due this month.") in month and not re.search(r"<li", month)


def test_action_items_and_the_version_in_force_read_as_the_orm_reads_them(pact, personas, world, day):
    """The frozen statements the dashboard reads (the open action items due by the month's end, split into overdue
    and due this month; the version in force) against plain ORM queries, on the boundaries: due yesterday, today,
    on the month's last day and the day after; a done item; each day around the versions' effective dates."""
    import calendar

    from patto.governance.models import PactVersion

    month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    for due_on in (day - timedelta(days=1), day, month_end, month_end + timedelta(days=1), day.replace(day=1)):
        _item(pact, personas, world, f"Azione del {due_on}", due_on)
    done = _item(pact, personas, world, "Fatta", day)
    ActionItem.objects.filter(pk=done.pk).update(status=ActionItem.Status.DONE)
    for today in (day - timedelta(days=1), day, month_end, month_end + timedelta(days=1)):
        last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        items = ActionItem.objects.filter(meeting__body__pact=pact, status=ActionItem.Status.OPEN).order_by(
            "due_on", "pk"
        )
        data = dashboard(pact, today=today)
        assert data["overdue"] == list(items.filter(due_on__lt=today))
        assert data["due_this_month"] == list(items.filter(due_on__gte=today, due_on__lte=last))
    effective = sorted(set(pact.versions.exclude(effective_from=None).values_list("effective_from", flat=True)))
    assert effective
    for today in [d + timedelta(days=shift) for d in effective for shift in (-1, 0, 1)]:
        expected = (
            PactVersion.objects.filter(pact=pact, status=PactVersion.Status.APPROVED, effective_from__lte=today)
            .order_by("-effective_from", "-number")
            .first()
        )
        assert pact.version_in_force(today) == expected


def test_participation_procedures_and_drafts_read_as_the_orm_reads_them(pact, personas, world, day):
    """The dashboard's other frozen statements (each signatory's meetings attended and updates given, the
    procedures due by the month's end, the drafts, the open period) against plain ORM queries, on days around the
    procedures' review dates."""
    import calendar

    from django.db.models import Count

    from patto.governance.models import Attendance, CommitmentUpdate, MonitoringPeriod, PactVersion
    from patto.governance.queries import active_adhesions, needs_attention

    meeting = pact.bodies.get().meetings.get()
    for member in meeting.body.members.all():
        Attendance.objects.update_or_create(
            meeting=meeting, member=member, defaults={"status": Attendance.Status.PRESENT}
        )
    services.update_commitment_status(
        actor=personas["coordinator"].user,
        commitment=pact.version_in_force().commitments.get(institution=world.comune),
        period=pact.periods.get(),
        status="on_track",
        evidence="In linea.",
    )
    reviews = sorted(set(pact.procedures.values_list("review_on", flat=True)))
    for today in [day] + [r + timedelta(days=shift) for r in reviews for shift in (-1, 0, 1)]:
        data = dashboard(pact, today=today)
        attended = dict(
            Attendance.objects.filter(meeting__body__pact=pact, status=Attendance.Status.PRESENT)
            .values("member__institution")
            .annotate(n=Count("id"))
            .values_list("member__institution", "n")
        )
        updates = dict(
            CommitmentUpdate.objects.filter(period__pact=pact)
            .values("commitment__institution")
            .annotate(n=Count("id"))
            .values_list("commitment__institution", "n")
        )
        expected = [
            (a.institution, attended.get(a.institution_id, 0), updates.get(a.institution_id, 0))
            for a in active_adhesions(pact, today).select_related("institution").order_by("institution__name")
        ]
        assert [
            (p["institution"], p["meetings_attended"], p["updates_given"]) for p in data["participation"]
        ] == expected
        assert any(p["meetings_attended"] for p in data["participation"])
        assert any(p["updates_given"] for p in data["participation"])
        month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        procedures = list(pact.procedures.filter(review_on__lte=month_end).order_by("review_on"))
        assert data["procedures_overdue"] + data["procedures_due"] == procedures
        assert all(p.review_on < today for p in data["procedures_overdue"])
        assert data["drafts"] == list(pact.versions.filter(status=PactVersion.Status.DRAFT))
    period = MonitoringPeriod.objects.filter(pact=pact, opened_at__isnull=False, closed_at__isnull=True).first()
    assert period is not None
    services.close_period(actor=personas["coordinator"].user, period=period)
    assert needs_attention(pact, day)["troubled"] == []  # no open period: nothing at risk to read
