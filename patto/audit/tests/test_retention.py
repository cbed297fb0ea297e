"""Issue 9, maintenance: audit events past their retention are archived (gzip JSON lines, SHA-256 recorded,
the archive itself audited) and then removed, and only that path can remove them; the daily ``maintenance``
command also clears expired sessions and orphan uploads.

Before: nothing removed anything; the triggers of migration 0002 refused every DELETE, so retention could
not be built without switching them off."""

import gzip
import hashlib
import importlib
import io
import json
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from patto.audit import retention
from patto.audit.models import AuditArchive, AuditEvent, AuditSubject
from patto.audit.services import record_event

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ROME)  # cut-off (24 months): 1 March 2024, local midnight


class _Editor:
    """What the migration's trigger functions need of a schema editor, usable inside the test's transaction."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def current_triggers():
    """The suite's flush wrapper (root conftest) puts back migration 0002's triggers after a transactional
    test; this module tests migration 0004's, so it installs them inside the test's transaction."""
    importlib.import_module("patto.audit.migrations.0004_retention").create_triggers(None, _Editor())


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.PATTO_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    return tmp_path / "archive"


def event_at(moment, action, subjects=()):
    with time_machine.travel(moment, tick=False):
        return record_event(actor=None, actor_label="someone", action=action, subjects=subjects)


def delete_refused(sql, params=()):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_maintenance_archives_old_events_clears_sessions_and_orphans_and_a_second_run_changes_nothing(
    archive_dir, settings
):
    may_2023 = event_at(
        datetime(2023, 5, 10, 9, tzinfo=ROME), "cases.path.viewed", [("person", "p1"), ("person", "p2")]
    )
    event_at(datetime(2023, 5, 31, 23, 30, tzinfo=ROME), "cases.path.viewed", [("person", "p1")])
    last_day = event_at(datetime(2024, 2, 29, 23, 59, tzinfo=ROME), "accounts.login")
    first_kept = event_at(datetime(2024, 3, 1, 0, 1, tzinfo=ROME), "accounts.login", [("user", "7")])
    recent = event_at(datetime(2026, 3, 1, 10, tzinfo=ROME), "cases.path.viewed", [("person", "p1")])
    with time_machine.travel(NOW, tick=False):
        Session.objects.create(session_key="expired" + "x" * 30, session_data="", expire_date=NOW - timedelta(hours=1))
        Session.objects.create(session_key="current" + "x" * 30, session_data="", expire_date=NOW + timedelta(hours=1))
        orphan = Path(settings.PATTO_UPLOAD_ROOT) / "ab" / "abcdef"
        orphan.parent.mkdir(parents=True)
        orphan.write_bytes(b"left by a failed transaction")
        os.utime(orphan, (time.time() - 7200, time.time() - 7200))
        out = io.StringIO()
        call_command("maintenance", stdout=out)

        assert not orphan.exists() and "1 orphan file(s) removed" in out.getvalue()
        assert list(Session.objects.values_list("session_key", flat=True)) == ["current" + "x" * 30]
        archives = list(AuditArchive.objects.all())
        assert [
            (timezone.localtime(a.period_start).date().isoformat(), a.event_count, a.subject_count) for a in archives
        ] == [("2023-05-01", 2, 3), ("2024-02-01", 1, 0)]
        kept = set(AuditEvent.objects.values_list("pk", flat=True))
        assert {first_kept.pk, recent.pk} <= kept and not {may_2023.pk, last_day.pk} & kept
        assert not AuditSubject.objects.filter(event_id=may_2023.pk).exists()
        assert AuditSubject.objects.filter(event_id=first_kept.pk).exists()
        for archive in archives:
            path = archive_dir / archive.file_name
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == archive.sha256 and retention.verify_archive(archive)
            assert AuditEvent.objects.filter(action="audit.archive.created", object_id=str(archive.pk)).exists()
        lines = [json.loads(line) for line in gzip.open(archive_dir / archives[0].file_name)]
        assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)
        assert lines[0]["action"] == "cases.path.viewed" and lines[0]["subjects"] == [
            ["person", "p1"],
            ["person", "p2"],
        ]
        assert lines[0]["occurred_at"].startswith("2023-05-10T")

        call_command("maintenance", stdout=io.StringIO())
    assert AuditArchive.objects.count() == 2 and len(list(archive_dir.iterdir())) == 2
    (archive_dir / archives[1].file_name).write_bytes(b"tampered")
    assert not retention.verify_archive(archives[1])


def test_only_the_retention_job_can_remove_rows_and_never_younger_than_24_months(archive_dir):
    old = event_at(datetime(2020, 1, 10, tzinfo=ROME), "accounts.login", [("user", "1")])
    event_at(timezone.now(), "accounts.login", [("user", "1")])
    everything = ["DELETE FROM audit_auditsubject", "DELETE FROM audit_auditevent"]
    assert all(delete_refused(sql) for sql in everything)  # no declared cut-off
    with transaction.atomic():
        retention._open_window(datetime(2021, 1, 1, tzinfo=ROME))  # a cut-off long past: still only old rows
        assert delete_refused("DELETE FROM audit_auditevent")  # the recent row blocks the whole statement
        assert not delete_refused("DELETE FROM audit_auditsubject WHERE event_id = %s", [old.pk])
        retention._close_window()
        assert delete_refused("DELETE FROM audit_auditevent WHERE id = %s", [old.pk])  # window closed
    # A cut-off younger than 24 months is refused by the database itself, whatever the settings say.
    young = timezone.now() - timedelta(days=300)
    with pytest.raises(DatabaseError), transaction.atomic():
        retention._open_window(young)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert (AuditEvent.objects.count(), AuditSubject.objects.count()) == (2, 1)  # the old row lost its subject only


def test_a_failure_removes_nothing_records_nothing_and_leaves_no_file(archive_dir, monkeypatch):
    event_at(datetime(2023, 5, 10, tzinfo=ROME), "accounts.login", [("user", "1")])

    def broken():
        raise DatabaseError("disk full")

    monkeypatch.setattr(retention, "_close_window", broken)
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError, match="owner"):
        call_command("archive_audit", stdout=io.StringIO())
    assert (AuditEvent.objects.count(), AuditSubject.objects.count(), AuditArchive.objects.count()) == (1, 1, 0)
    assert not archive_dir.exists() or list(archive_dir.iterdir()) == []


def test_retention_shorter_than_24_months_is_refused(settings):
    settings.PATTO_AUDIT_RETENTION_MONTHS = 12
    with pytest.raises(CommandError, match="at least 24 months"):
        call_command("archive_audit", stdout=io.StringIO())
    assert retention.retention_cutoff(NOW, 36) == datetime(2023, 3, 1, tzinfo=ROME)
