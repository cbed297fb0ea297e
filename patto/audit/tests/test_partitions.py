"""Issue 13: on PostgreSQL the audit trail is partitioned by month (migration 0006), the maintenance job creates
the months ahead, and retention detaches and drops a month's partitions instead of deleting its rows.

Before: two plain tables; retention deleted rows one by one (each through a row trigger).

Like ``test_postgres_roles``, the PostgreSQL tests are defined only on PostgreSQL (CI's second run, where
PATTO_EXPECT_DATABASE makes them mandatory); on SQLite the module keeps its last tests (the command has nothing
to do, the rows are still removed by DELETE). DDL is transactional on PostgreSQL: the partitions a test
creates or drops are back as they were after its rollback."""

import gzip
import importlib
import io
import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from patto.audit import partitions, retention
from patto.audit.models import AuditArchive, AuditEvent, AuditSubject
from patto.audit.services import record_event

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
ON_POSTGRESQL = (
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    or os.environ.get("PATTO_EXPECT_DATABASE") == "postgresql"
)
RUNTIME = "patto_partition_test"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def refused(statement, params=()):
    """None if the statement succeeded (in a savepoint), else PostgreSQL's SQLSTATE."""
    try:
        with transaction.atomic():
            sql(statement, params)
    except DatabaseError as error:
        return error.__cause__.sqlstate
    return None


def partitions_of(table):
    return {
        name
        for (name,) in sql(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [table],
        )
    }


def event_at(moment, action="test.partitioned", subjects=()):
    with time_machine.travel(moment, tick=False):
        return record_event(actor=None, actor_label="someone", action=action, subjects=subjects)


def home(event):
    """The partition an event's row lives in."""
    return sql("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])[0][0]


class Editor:
    """What the migrations' functions need of a schema editor, usable inside the test's transaction."""

    connection = connection

    def execute(self, statement):
        sql(statement)


@pytest.fixture(autouse=True)
def current_triggers():
    """The suite's flush wrapper puts migration 0004's set back after a transactional test; this module asks
    for 0006's (the row-level UPDATE guard too), inside the test's transaction."""
    importlib.import_module("patto.audit.migrations.0006_partition_by_month").create_triggers(None, Editor())


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.PATTO_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    return tmp_path / "archive"


def test_after_migrate_both_tables_are_partitioned_by_month_with_keys_indexes_and_a_default():
    assert connection.vendor == "postgresql" and partitions.is_partitioned()
    for table in partitions.TABLES:
        strategy, key = sql(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass",
            [table],
        )[0]
        assert (strategy, key) == ("r", "occurred_at")
        names = partitions_of(table)
        assert f"{table}_default" in names and any(name.startswith(f"{table}_p20") for name in names)
        primary_key = sql(
            "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'p'",
            [table],
        )[0][0]
        assert primary_key == ["id", "occurred_at"]
    indexes = {name for (name,) in sql("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_auditevent'")}
    assert {"audit_action_time_idx", "audit_audit_actor_i_023a4b_idx", "audit_object_time_idx"} <= indexes
    # Every index of the parent is on each partition (cloned), e.g. 0005's (action, occurred_at).
    for name in partitions_of("audit_auditevent"):
        assert sql("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [name])[0][0] == len(indexes)
    # The event's time travels with its people concerned: both rows in the same month.
    event = event_at(datetime(2027, 1, 10, 9, tzinfo=ROME), subjects=[("user", "7")])
    assert AuditSubject.objects.get(event=event).occurred_at == event.occurred_at
    assert AuditEvent.objects.get(pk=event.pk) == event  # by id alone: still found (every partition's index)


def test_the_migration_copies_an_existing_trail_into_its_months_keeping_ids_indexes_and_grants():
    """Migration 0006 run backwards and forwards again over rows of two months (inside the test's transaction)."""
    migration = importlib.import_module("patto.audit.migrations.0006_partition_by_month")
    editor = Editor()
    old = event_at(datetime(2025, 4, 30, 23, 30, tzinfo=ROME), subjects=[("user", "1"), ("user", "2")])
    new = event_at(datetime(2027, 1, 2, tzinfo=ROME), subjects=[("user", "3")])
    sql(f"CREATE ROLE {RUNTIME} NOLOGIN")
    sql(f"GRANT SELECT, INSERT ON audit_auditevent, audit_auditsubject TO {RUNTIME}")
    indexes = sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('audit_auditevent', 'audit_auditsubject') ORDER BY 1"
    )
    migration.unpartition(None, editor)
    assert not partitions.is_partitioned() and partitions_of("audit_auditevent") == set()
    migration.partition(None, editor)
    assert home(old) == "audit_auditevent_p2025_04" and home(new) == "audit_auditevent_p2027_01"
    assert sql("SELECT tableoid::regclass::text, count(*) FROM audit_auditsubject GROUP BY 1 ORDER BY 1") == [
        ("audit_auditsubject_p2025_04", 2),
        ("audit_auditsubject_p2027_01", 1),
    ]
    assert (
        sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('audit_auditevent', 'audit_auditsubject') ORDER BY 1"
        )
        == indexes
    )
    for table in partitions.TABLES:
        assert sql("SELECT has_table_privilege(%s, %s, 'INSERT')", [RUNTIME, table]) == [(True,)]
        assert sql("SELECT has_table_privilege(%s, %s, 'DELETE')", [RUNTIME, table]) == [(False,)]
    assert event_at(datetime(2027, 1, 3, tzinfo=ROME)).pk > new.pk  # the identity goes on from where it was
    assert refused("UPDATE audit_auditevent_p2025_04 SET action = 'x'") == "P0001"


def test_maintenance_creates_the_next_months_ahead_idempotently_and_reports_stray_rows():
    with time_machine.travel(datetime(2027, 6, 15, 10, tzinfo=ROME), tick=False):
        out, err = io.StringIO(), io.StringIO()
        call_command("audit_partitions", stdout=out, stderr=err)
        for table in partitions.TABLES:
            assert {f"{table}_p2027_{month:02d}" for month in (6, 7, 8, 9)} <= partitions_of(table)
        again = io.StringIO()
        call_command("audit_partitions", stdout=again, stderr=io.StringIO())
        assert "0 created" in again.getvalue()
    # A row for a month not created yet lands in DEFAULT: that month is then refused and reported, not lost.
    stray = event_at(datetime(2027, 11, 2, tzinfo=ROME), subjects=[("user", "1")])
    assert home(stray) == "audit_auditevent_default"
    with time_machine.travel(datetime(2027, 8, 20, tzinfo=ROME), tick=False):
        out, err = io.StringIO(), io.StringIO()
        call_command("audit_partitions", stdout=out, stderr=err)
    assert "audit_auditevent_p2027_10" in out.getvalue()
    assert "audit partition 2027-11 not created" in err.getvalue()
    assert "1 row(s) in audit_auditevent_default" in err.getvalue()
    assert "audit_auditevent_p2027_11" not in partitions_of("audit_auditevent")
    assert "audit_partitions" in importlib.import_module("patto.core.management.commands.maintenance").STEPS


def test_retention_detaches_and_drops_old_months_without_deleting_rows(archive_dir, monkeypatch):
    # The suite's clock: 16 November 2026, so the cut-off (24 months) is 1 November 2024.
    created, refused_months = partitions.ensure_partitions(
        now=datetime(2024, 8, 15, tzinfo=ROME), since=datetime(2024, 8, 1, tzinfo=ROME)
    )
    assert refused_months == [] and "audit_auditevent_p2024_09" in created
    september = [
        event_at(datetime(2024, 9, 1, 0, 30, tzinfo=ROME), subjects=[("user", "1"), ("user", "2")]),
        event_at(datetime(2024, 9, 30, 23, 59, tzinfo=ROME)),  # local time: 21:59 UTC, still September
    ]
    kept = event_at(datetime(2024, 11, 1, 0, 1, tzinfo=ROME), subjects=[("user", "3")])
    assert {home(event) for event in september} == {"audit_auditevent_p2024_09"}

    # A count that differs from the file's: nothing is detached, dropped, recorded or left on disk.
    real_write = retention._write
    monkeypatch.setattr(retention, "_write", lambda *args: (lambda e, s: (e + 1, s))(*real_write(*args)))
    with pytest.raises(retention.RetentionError, match="nothing removed"):
        retention.archive_expired_events()
    assert "audit_auditevent_p2024_09" in partitions_of("audit_auditevent") and AuditArchive.objects.count() == 0
    assert list(archive_dir.iterdir()) == []
    monkeypatch.setattr(retention, "_write", real_write)

    with CaptureQueriesContext(connection) as queries:
        [archive] = retention.archive_expired_events()
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert "DELETE FROM audit_" not in statements and "DETACH PARTITION audit_auditevent_p2024_09" in statements
    assert (archive.event_count, archive.subject_count) == (2, 2)
    for table in partitions.TABLES:
        left = partitions_of(table)
        # September archived and dropped; August and October (empty, past the cut-off) dropped; November kept.
        assert not {f"{table}_p2024_08", f"{table}_p2024_09", f"{table}_p2024_10"} & left
        assert f"{table}_p2024_11" in left
        assert not sql(f"SELECT to_regclass('{table}_p2024_09')")[0][0]  # dropped, not just detached
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in september]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists() and AuditSubject.objects.filter(event=kept).count() == 1
    lines = [json.loads(line) for line in gzip.open(archive_dir / archive.file_name)]
    assert [line["id"] for line in lines] == [event.pk for event in september]
    assert lines[0]["subjects"] == [["user", "1"], ["user", "2"]] and retention.verify_archive(archive)
    assert AuditEvent.objects.filter(action="audit.archive.created", object_id=str(archive.pk)).exists()
    # A month that is not 24 months old by the database's clock never leaves, whatever the job believes.
    with pytest.raises(retention.RetentionError, match="database's clock"), connection.cursor() as cursor:
        retention._check_database_clock(cursor, datetime(2026, 1, 1, tzinfo=ROME))


def test_update_and_delete_are_refused_on_a_partition_too():
    moment = datetime(2027, 2, 10, 9, tzinfo=ROME)
    with time_machine.travel(moment, tick=False):
        partitions.ensure_partitions(now=moment)
    event = event_at(moment, subjects=[("user", "5")])
    assert home(event) == "audit_auditevent_p2027_02"
    for table in partitions.TABLES:
        for statement in [
            f"UPDATE {table}_p2027_02 SET occurred_at = occurred_at",
            f"DELETE FROM {table}_p2027_02",
            f"UPDATE {table} SET occurred_at = occurred_at",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ]:
            assert refused(statement) == "P0001", statement  # raised by the triggers
    assert AuditSubject.objects.filter(event_id=event.pk).count() == 1


def test_the_runtime_role_writes_into_a_new_partition_but_cannot_detach_drop_or_read_it_directly(world):
    sql(f"CREATE ROLE {RUNTIME} NOLOGIN")
    call_command("grant_runtime_role", RUNTIME, stdout=io.StringIO())
    moment = datetime(2027, 9, 3, 11, tzinfo=ROME)
    with time_machine.travel(moment, tick=False):
        created, _ = partitions.ensure_partitions(now=moment)  # as the owner, as maintenance does
        assert "audit_auditevent_p2027_09" in created
        sql(f"SET ROLE {RUNTIME}")
        try:
            event = record_event(actor=None, actor_label="someone", action="test.runtime", subjects=[("user", "9")])
            assert AuditSubject.objects.filter(event=event, occurred_at=moment).exists()
            for statement in [
                "SELECT count(*) FROM audit_auditevent_p2027_09",
                "ALTER TABLE audit_auditevent DETACH PARTITION audit_auditevent_p2027_09",
                "DROP TABLE audit_auditsubject_p2027_09",
                "TRUNCATE audit_auditevent_p2027_09",
                "CREATE TABLE audit_auditevent_p2031_01 PARTITION OF audit_auditevent "
                "FOR VALUES FROM ('2031-01-01') TO ('2031-02-01')",
            ]:
                assert refused(statement) == "42501", statement  # insufficient privilege
        finally:
            sql("RESET ROLE")
    assert home(event) == "audit_auditevent_p2027_09"


if not ON_POSTGRESQL:  # the tests above need PostgreSQL's partitions; on SQLite only these are defined
    for _name in [name for name in globals() if name.startswith("test_")]:
        del globals()[_name]

    def test_on_sqlite_the_trail_is_not_partitioned_and_the_command_has_nothing_to_do():
        out = io.StringIO()
        call_command("audit_partitions", stdout=out)
        assert "nothing to do" in out.getvalue() and not partitions.is_partitioned()
        event = event_at(datetime(2027, 1, 10, 9, tzinfo=ROME), subjects=[("user", "7")])
        assert AuditSubject.objects.get(event=event).occurred_at == event.occurred_at
