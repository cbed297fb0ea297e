"""The trail pages by keyset (issue 13): no COUNT over the table, no OFFSET, no DISTINCT; every event once
across the pages, in order, whatever the filters; a date filter includes its last day."""

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.audit.queries import filter_events
from patto.audit.services import record_event


def test_pages_cover_every_event_once_newest_first_without_count_or_distinct(login, personas, settings):
    settings.PATTO_PAGE_SIZE = 7
    admin = personas["institution_admin"].user
    concerned = [personas["case_manager"].user, personas["school_referent"].user]
    ids = {record_event(actor=admin, action="accounts.person.viewed", subjects=concerned).pk for _ in range(23)}
    client = login("auditor")
    seen, url, pages = [], reverse("audit:trail"), 0
    person = personas["case_manager"].user.pk
    query = f"?person={person}"
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + query)
        trail = [q["sql"].upper() for q in queries.captured_queries if 'FROM "AUDIT_AUDITEVENT"' in q["sql"].upper()]
        sql = " ".join(trail)
        assert trail and "DISTINCT" not in sql and "COUNT(" not in sql and "OFFSET" not in sql
        page = response.context["page"]
        seen.extend(event.pk for event in page)
        pages += 1
        if not page.older:
            break
        query = f"?person={person}&prima={page.older}"
    assert pages == 4 and len(seen) == len(set(seen)) and ids <= set(seen)
    times = [AuditEvent.objects.get(pk=pk).occurred_at for pk in seen]
    assert times == sorted(times, reverse=True)
    # And back towards the newest from the last page.
    back = client.get(url + f"?person={person}&dopo={page.newer}").context["page"]
    assert [e.pk for e in back] == seen[-len(page) - 7 : -len(page)]
    assert re.search(rb"prima=\d+-\d+", client.get(url + f"?person={person}").content)


def test_a_hand_edited_cursor_starts_from_the_top(login, personas):
    record_event(actor=personas["institution_admin"].user, action="accounts.person.viewed")
    response = login("auditor").get(reverse("audit:trail") + "?prima=nonsense")
    assert response.status_code == 200 and len(response.context["page"]) >= 1


def test_filters_exact_action_prefix_and_inclusive_dates(personas):
    admin = personas["institution_admin"].user
    record_event(actor=admin, action="accounts.person.viewed")
    record_event(actor=admin, action="accounts.membership.ended")
    events = AuditEvent.objects.all()
    assert set(filter_events(events, action="accounts.person.viewed").values_list("action", flat=True)) == {
        "accounts.person.viewed"
    }
    assert {"accounts.person.viewed", "accounts.membership.ended"} <= set(
        filter_events(events, action="accounts.").values_list("action", flat=True)
    )
    today = timezone.localdate()
    assert filter_events(events, date_from=today, date_to=today).count() == events.count()
    assert not filter_events(events, date_to=today - timedelta(days=1)).exists()
    assert not filter_events(events, date_from=date(today.year + 1, 1, 1)).exists()


def test_the_person_filter_reads_the_persons_newest_events_by_key_and_falls_back_when_some_are_not_visible(
    login, personas, settings
):
    """The person filter's page comes from the person's newest subject rows, then those events by primary key
    (``queries.person_window``: before, a semi-join PostgreSQL planned over the whole trail). When some of those
    events are not the auditor's (another district's actor), the page is read again in full: same answer."""
    settings.PATTO_PAGE_SIZE = 3
    person = personas["case_manager"].user
    admin, foreigner = personas["institution_admin"].user, personas["foreigner"].user
    visible = [record_event(actor=admin, action="accounts.person.viewed", subjects=[person]).pk for _ in range(4)]
    for _ in range(5):
        record_event(actor=foreigner, action="accounts.person.viewed", subjects=[person])
    visible.append(record_event(actor=admin, action="accounts.person.viewed", subjects=[person]).pk)
    client, url = login("auditor"), reverse("audit:trail") + f"?person={person.pk}"
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).context["page"]
    trail = [q["sql"] for q in queries.captured_queries if 'FROM "audit_auditevent"' in q["sql"]]  # before the next
    assert [e.pk for e in first] == visible[::-1][:3] and first.older
    second = client.get(url + f"&prima={first.older}").context["page"]
    assert [e.pk for e in second] == visible[::-1][3:] and not second.older
    by_key = [sql for sql in trail if '"audit_auditevent"."id" IN (' in sql and "audit_auditsubject" not in sql]
    assert by_key  # the narrowed read: the events by primary key, no semi-join over the subjects

    # With the newest event visible (the auditor's own look at this person's events, which concerns them) the
    # narrowed read fills the page: no second read of the trail.
    settings.PATTO_PAGE_SIZE = 1
    newest = AuditEvent.objects.filter(action="audit.trail.viewed").order_by("-pk").first()  # the last look
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).context["page"]
    trail = [q["sql"] for q in queries.captured_queries if 'FROM "audit_auditevent"' in q["sql"]]
    assert [e.pk for e in page] == [newest.pk]
    assert all("audit_auditsubject" not in sql for sql in trail if "ORDER BY" in sql)
