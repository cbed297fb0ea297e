"""Meetings of a co-design process's table (governance body meetings, with their minutes) assigned to the
process's phases: audited, checked (the table's own meetings, a phase of the process, the coordinator), shown
under the phase on the process's page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.offer import services
from patto.offer.models import MeetingPhase

from .conftest import fresh

TODAY = date(2026, 11, 16)


def _meeting(coordinator, body, days_ago, place):
    from patto.governance import services as governance

    return governance.schedule_body_meeting(
        actor=coordinator,
        body=body,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=60,
        place=place,
        agenda="Tavolo di co-progettazione",
    )


@pytest.fixture
def table(world, personas, pact):
    coordinator = fresh(personas["coordinator"].user)
    body = pact.bodies.get()
    process = services.start_process(
        actor=coordinator,
        district=world.district,
        title="Co-progettazione 2027",
        started_on=TODAY - timedelta(days=30),
        body=body,
    )
    first = body.meetings.order_by("starts_at").first() or _meeting(coordinator, body, 20, "Sala A")
    second = _meeting(coordinator, body, 5, "Sala consiliare")
    return process, first, second, coordinator


def _events():
    return AuditEvent.objects.filter(action="offer.codesign.meeting_assigned").order_by("pk")


def test_a_meeting_is_assigned_moved_and_unassigned_audited(table):
    process, first, _second, coordinator = table
    row = services.assign_meeting_phase(actor=coordinator, process=process, meeting=first, phase="notice")
    assert row.phase == "notice" and row.assigned_by == coordinator
    services.assign_meeting_phase(actor=coordinator, process=process, meeting=first, phase="notice")  # no change
    services.assign_meeting_phase(actor=coordinator, process=process, meeting=first, phase="tables")
    assert MeetingPhase.objects.get(process=process, meeting=first).phase == "tables"
    services.assign_meeting_phase(actor=coordinator, process=process, meeting=first, phase=services.NO_PHASE)
    assert not MeetingPhase.objects.filter(process=process).exists()
    changes = [event.changes["phase"] for event in _events()]
    assert changes == [[None, "notice"], ["notice", "tables"], ["tables", None]]
    assert all(event.object_id == str(process.pk) for event in _events())


def test_only_the_tables_meetings_and_the_processs_phases(table, world, personas, pact):
    from patto.governance import services as governance

    process, first, _second, coordinator = table
    other_body = governance.create_body(actor=coordinator, pact=pact, kind="working_group", name="Altro gruppo")
    foreign = _meeting(coordinator, other_body, 3, "Altrove")
    with pytest.raises(ValidationError):
        services.assign_meeting_phase(actor=coordinator, process=process, meeting=foreign, phase="notice")
    with pytest.raises(ValidationError):
        services.assign_meeting_phase(actor=coordinator, process=process, meeting=first, phase="ballot")
    without_table = services.start_process(
        actor=coordinator, district=world.district, title="Senza tavolo", started_on=TODAY
    )
    with pytest.raises(ValidationError):
        services.assign_meeting_phase(actor=coordinator, process=without_table, meeting=first, phase="notice")
    assert not MeetingPhase.objects.exists() and not _events().exists()


@pytest.mark.parametrize("username", ["case_manager", "other_admin", "foreigner", "institution_admin"])
def test_who_may_not_assign_raises_and_writes_nothing(table, personas, username):
    process, first, _second, _coordinator = table
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.assign_meeting_phase(
            actor=fresh(personas[username].user), process=process, meeting=first, phase="notice"
        )
    assert AuditEvent.objects.count() == before and not MeetingPhase.objects.exists()


def test_the_process_page_shows_each_meeting_under_its_phase(table, personas, login):
    process, first, second, _coordinator = table
    url = reverse("offer:codesign_meeting_phase", args=[process.pk, second.pk])
    client = login("coordinator")
    response = client.post(url, {f"incontro-{second.pk}-phase": "tables"})  # a phase not begun yet
    assert response.status_code == 302
    assert client.post(url, {f"incontro-{second.pk}-phase": "ballot"}).status_code == 400
    client.post(
        reverse("offer:codesign_meeting_phase", args=[process.pk, first.pk]), {f"incontro-{first.pk}-phase": "notice"}
    )
    page = client.get(reverse("offer:codesign_detail", args=[process.pk])).content.decode()
    phases = page[page.index('id="phases-heading"') : page.index('id="meetings-heading"')]
    notice, tables = phases.index("Avviso pubblico"), phases.index("Tavoli di co-progettazione")
    assert notice < phases.index(first.place) < tables < phases.index("Sala consiliare")
    assert "non ancora iniziata" in phases
    assert "Assegna alla fase" in page
    reader = login("other_admin").get(reverse("offer:codesign_detail", args=[process.pk])).content.decode()
    assert "Sala consiliare" in reader and "Assegna alla fase" not in reader


def test_a_meeting_of_another_body_is_not_found_and_a_reader_may_not_post(table, pact, personas, login):
    from patto.governance import services as governance

    process, first, _second, coordinator = table
    other_body = governance.create_body(actor=coordinator, pact=pact, kind="working_group", name="Altro gruppo")
    foreign = _meeting(coordinator, other_body, 3, "Altrove")
    url = reverse("offer:codesign_meeting_phase", args=[process.pk, foreign.pk])
    assert login("coordinator").post(url, {f"incontro-{foreign.pk}-phase": "notice"}).status_code == 404
    url = reverse("offer:codesign_meeting_phase", args=[process.pk, first.pk])
    assert login("other_admin").post(url, {f"incontro-{first.pk}-phase": "notice"}).status_code == 403
    assert login("coordinator").get(url).status_code == 405
    assert not MeetingPhase.objects.exists()
