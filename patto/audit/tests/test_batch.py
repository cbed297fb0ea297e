"""Reads logged together (``audit.services.reads_logged_together``): a page made of several lists (the home
page's cards) writes its access rows in one go, each as if written alone, and still fails closed."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from patto.audit.models import AuditEvent
from patto.audit.services import reads_logged_together, record_access
from patto.core.exceptions import AuditUnavailable


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_reads_wait_for_the_end_of_the_block_then_each_row_is_as_if_written_alone(personas):
    reader = personas["case_manager"].user
    other = personas["institution_admin"].user
    before, last = AuditEvent.objects.count(), _last_id()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            with reads_logged_together():
                assert record_access(actor=reader, action="cases.tasks.listed", subjects=[other]) is None
                record_access(
                    actor=reader, action="cases.meetings.listed", subjects=[("person", "p1"), ("person", "p2")]
                )
                record_access(actor=reader, action="helpdesk.questions.viewed")
                assert AuditEvent.objects.count() == before  # nothing written yet
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(writes) == 2  # the events in one INSERT, their people concerned in another
    rows = list(AuditEvent.objects.filter(id__gt=last))
    by_action = {row.action: row for row in rows}
    assert set(by_action) == {"cases.tasks.listed", "cases.meetings.listed", "helpdesk.questions.viewed"}
    assert list(by_action["cases.tasks.listed"].subjects.values_list("kind", "subject_id")) == [("user", str(other.pk))]
    assert sorted(by_action["cases.meetings.listed"].subjects.values_list("subject_id", flat=True)) == ["p1", "p2"]
    assert not by_action["helpdesk.questions.viewed"].subjects.exists()
    for row in rows:
        assert (row.actor_institution, row.actor_role) == (personas["case_manager"].institution, "social_worker")
        assert all(subject.occurred_at == row.occurred_at for subject in row.subjects.all())


def test_a_block_ended_by_an_error_writes_nothing(personas):
    reader, last = personas["case_manager"].user, _last_id()
    with pytest.raises(ValueError), reads_logged_together():
        record_access(actor=reader, action="cases.tasks.listed")
        raise ValueError("the page failed: nothing was shown")
    assert not AuditEvent.objects.filter(id__gt=last).exists()
    # outside any block, a read is written at once again
    record_access(actor=reader, action="cases.tasks.listed")
    assert list(AuditEvent.objects.filter(id__gt=last).values_list("action", flat=True)) == ["cases.tasks.listed"]


def test_rows_that_cannot_be_written_raise_audit_unavailable(personas, audit_refused):
    reader, last = personas["case_manager"].user, _last_id()
    with audit_refused(), pytest.raises(AuditUnavailable), transaction.atomic(), reads_logged_together():
        record_access(actor=reader, action="cases.tasks.listed")
        record_access(actor=reader, action="cases.meetings.listed")
    assert not AuditEvent.objects.filter(id__gt=last).exists()


def test_a_batch_larger_than_a_statement_is_written_in_chunks_each_person_with_their_event(personas, monkeypatch):
    """SQLite takes a bounded number of parameters per statement: a big batch goes in several INSERTs (a few
    rows each here), and every person concerned still lands on their own event, with its time."""
    from patto.audit import services

    monkeypatch.setattr(services, "_EVENT_CHUNK", 3)
    monkeypatch.setattr(services, "_SUBJECT_CHUNK", 4)
    reader, last = personas["case_manager"].user, _last_id()
    with transaction.atomic(), reads_logged_together():
        for index in range(7):
            record_access(
                actor=reader,
                action=f"test.read.{index}",
                subjects=[("person", f"p{index}-{n}") for n in range(index % 3)],
                purpose="x" * index,
            )
    events = list(AuditEvent.objects.filter(id__gt=last).order_by("id").prefetch_related("subjects"))
    assert [event.action for event in events] == [f"test.read.{index}" for index in range(7)]
    for index, event in enumerate(events):
        assert event.purpose == "x" * index
        assert event.actor_id == reader.pk
        assert sorted(subject.subject_id for subject in event.subjects.all()) == [
            f"p{index}-{n}" for n in range(index % 3)
        ]
        assert {subject.occurred_at for subject in event.subjects.all()} <= {event.occurred_at}


def test_people_concerned_refused_after_their_events_were_written_roll_back_everything(personas, audit_refused):
    reader, last = personas["case_manager"].user, _last_id()
    with audit_refused(audit_refused.subjects), pytest.raises(AuditUnavailable), transaction.atomic():
        with reads_logged_together():
            record_access(actor=reader, action="cases.tasks.listed", subjects=[("person", "p1")])
    assert not AuditEvent.objects.filter(id__gt=last).exists()


def test_a_batch_fits_an_old_sqlite_limit_of_999_parameters(personas):
    """SQLite before 3.32 takes 999 parameters a statement: on SQLite the chunks follow the connection's limit
    (set to 999 here); on PostgreSQL the same batch goes in one statement of events and one of people."""
    import sqlite3

    reader, last = personas["case_manager"].user, _last_id()
    connection.ensure_connection()
    raw = connection.connection
    old_sqlite = connection.vendor == "sqlite"
    if old_sqlite:
        before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as captured, reads_logged_together():
            for index in range(100):  # 1,300 parameters of events, 1,200 of people concerned
                record_access(
                    actor=reader, action=f"test.old.{index}", subjects=[("person", f"{index}-{n}") for n in range(3)]
                )
    finally:
        if old_sqlite:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == (2 + 2 if old_sqlite else 2)  # 76 events and 249 people a statement at most
    events = list(AuditEvent.objects.filter(id__gt=last).order_by("id").prefetch_related("subjects"))
    assert [event.action for event in events] == [f"test.old.{index}" for index in range(100)]
    for index, event in enumerate(events):
        assert sorted(s.subject_id for s in event.subjects.all()) == [f"{index}-{n}" for n in range(3)]


def test_people_given_by_keys_are_looked_up_once_for_the_whole_block_each_row_with_its_own(personas):
    """``PeopleBy``: the cards of a page name their families; the members are looked up once, when the rows are
    written, and each row gets the members of its own families only. Outside a block, at once."""
    from patto.audit.services import PeopleBy

    calls = []

    def look_up(keys):
        calls.append(set(keys))
        return {key: [("person", f"{key}-1"), ("person", f"{key}-2")] for key in keys if key != "gone"}

    reader, last = personas["case_manager"].user, _last_id()
    with transaction.atomic(), reads_logged_together():
        record_access(actor=reader, action="cases.tasks.listed", subjects=[PeopleBy(look_up, frozenset({"a", "b"}))])
        record_access(
            actor=reader,
            action="cases.meetings.listed",
            subjects=[("user", "u1"), PeopleBy(look_up, frozenset({"b", "c", "gone"}))],
        )
        assert calls == []  # nothing looked up before the rows are written
    assert calls == [{"a", "b", "c", "gone"}]
    rows = {row.action: row for row in AuditEvent.objects.filter(id__gt=last)}
    people = {action: sorted(row.subjects.values_list("subject_id", flat=True)) for action, row in rows.items()}
    assert people == {
        "cases.tasks.listed": ["a-1", "a-2", "b-1", "b-2"],
        "cases.meetings.listed": ["b-1", "b-2", "c-1", "c-2", "u1"],
    }

    last = _last_id()
    record_access(actor=reader, action="cases.tasks.listed", subjects=[PeopleBy(look_up, frozenset({"z"}))])
    assert calls[-1] == {"z"}
    assert sorted(AuditEvent.objects.get(id__gt=last).subjects.values_list("subject_id", flat=True)) == ["z-1", "z-2"]


def test_people_that_cannot_be_looked_up_leave_no_row_and_fail_closed(personas):
    from django.db import DatabaseError

    from patto.audit.services import PeopleBy

    def look_up(keys):
        raise DatabaseError("the database went away")

    reader, last = personas["case_manager"].user, _last_id()
    with pytest.raises(AuditUnavailable), transaction.atomic(), reads_logged_together():
        record_access(actor=reader, action="cases.tasks.listed")
        record_access(actor=reader, action="cases.meetings.listed", subjects=[PeopleBy(look_up, frozenset({"a"}))])
    assert not AuditEvent.objects.filter(id__gt=last).exists()
