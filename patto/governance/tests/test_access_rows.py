"""Issue 8, finding 7: every governance page, PDF or spreadsheet that shows staff names writes an access row
for that request, where the data are fetched. Before, the governance dashboard (owners of action items), the
pact as PDF (signers' names) and the monitoring report page wrote none."""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from patto.audit.models import AuditEvent, AuditSubject
from patto.core.exceptions import AuditUnavailable
from patto.governance import services
from patto.governance.models import ActionItem

TODAY = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def clock():
    """A fixed day, set before the personas and the pact are made."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def staffed(pact, personas, world):
    """An action item due this month owned by the school's head, and the school's update of its commitment."""
    head = personas["other_admin"].user
    meeting = pact.bodies.get().meetings.get()
    ActionItem.objects.create(
        meeting=meeting,
        description="Convocare le scuole",
        owner=head,
        institution=world.school,
        due_on=date(2026, 10, 20),
    )
    services.update_commitment_status(
        actor=head,
        commitment=pact.version_in_force().commitments.get(institution=world.school),
        period=pact.periods.get(),
        status="on_track",
        evidence="Referente nominato",
    )
    return {
        "head": head,
        "meeting": meeting.pk,
        "period": pact.periods.get().pk,
        "commitment": pact.version_in_force().commitments.get(institution=world.school).pk,
        "body": pact.bodies.get().pk,
    }


PAGES = [  # url name, kwargs from the fixture, the access row's action
    ("governance:dashboard", {}, "governance.dashboard.viewed"),
    ("governance:pact_pdf", {}, "governance.pact.pdf"),
    ("governance:signatories", {}, "governance.signatories.viewed"),
    ("governance:commitment_status", {"commitment_pk": "commitment"}, "governance.commitment.history_viewed"),
    ("governance:body_detail", {"body_pk": "body"}, "governance.body.viewed"),
    ("governance:body_meeting", {"meeting_pk": "meeting"}, "governance.meeting.viewed"),
    ("governance:minutes_pdf", {"meeting_pk": "meeting"}, "governance.minutes.pdf"),
    ("governance:period_report", {"period_pk": "period"}, "governance.report.viewed"),
    ("governance:period_report_pdf", {"period_pk": "period"}, "governance.report.pdf"),
    ("governance:period_report_xlsx", {"period_pk": "period"}, "governance.report.xlsx"),
]


@pytest.mark.parametrize("name,kwargs,action", PAGES, ids=[page[0] for page in PAGES])
def test_each_read_naming_staff_writes_one_access_row_for_its_request(name, kwargs, action, staffed, login):
    response = login("coordinator").get(reverse(name, kwargs={k: staffed[v] for k, v in kwargs.items()}))
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert list(rows.values_list("action", flat=True)) == [action]


def test_the_dashboard_names_the_owners_and_logs_them_as_people_concerned(staffed, login):
    response = login("coordinator").get(reverse("governance:dashboard"))
    assert staffed["head"].get_full_name() in response.content.decode()
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert AuditSubject.objects.filter(event=row, kind="user", subject_id=str(staffed["head"].pk)).exists()


@pytest.mark.parametrize("name", ["governance:dashboard", "governance:pact_pdf"])
def test_no_row_no_data(name, staffed, login):
    """Fail closed: when the access row cannot be written, the names are not returned."""
    with mock.patch("patto.governance.queries.record_access", side_effect=AuditUnavailable("x")):
        response = login("coordinator").get(reverse(name))
    assert response.status_code == 503
    assert staffed["head"].get_full_name().encode() not in response.content
    assert b"Firmatario" not in response.content
