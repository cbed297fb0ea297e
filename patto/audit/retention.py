"""Retention of the audit trail (security checklist D4: access logs kept at least 24 months, then deleted).

Rows older than PATTO_AUDIT_RETENTION_MONTHS (whole calendar months, Europe/Rome) are written, one month per
file, to a gzip-compressed JSON-lines file under PATTO_AUDIT_ARCHIVE_DIR; the file's SHA-256, period and row
counts are recorded as an ``AuditArchive`` (itself an event of the trail); then the month's rows are removed.
All of it happens in one transaction per month: if a row cannot be removed, or the counts differ, nothing is
removed, nothing is recorded and the file is deleted. Run it with the tables' owner's credentials (README,
"Production"): the web app's runtime role can neither delete audit rows nor detach or drop a partition.

How a month's rows are removed (``_remove_month``, the one place):

- PostgreSQL, partitioned trail (migration 0006, ``partitions.py``): the month's partition of each table is
  DETACHed (which locks it and takes it out of every query), its rows counted against the file's, and DROPped:
  no row is deleted one by one. Only for a month that ended at least 24 months ago by the database's own clock
  as well as by the job's. Partitions of older months left empty are dropped too.
- SQLite, and a month whose rows sit in a PostgreSQL DEFAULT partition: DELETE. The database triggers
  (migration 0004) let a DELETE through only inside this transaction, only for rows older than its cut-off,
  and only when the cut-off is at least 24 months ago."""

import gzip
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import partitions
from .models import AuditArchive, AuditEvent, AuditSubject
from .months import add_months, month_start
from .services import record_event

MINIMUM_MONTHS = 24  # the Garante's minimum for access logs; the database triggers enforce it too
CHUNK = 2000
FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_institution_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "user_agent",
    "purpose",
    "changes",
)


class RetentionError(Exception):
    pass


def retention_cutoff(now=None, months=None):
    """Rows that occurred before this moment are past their retention: the start of the month that began
    ``months`` months before the current one, so at least ``months`` whole months are always kept."""
    months = settings.PATTO_AUDIT_RETENTION_MONTHS if months is None else months
    if months < MINIMUM_MONTHS:
        raise RetentionError(
            f"PATTO_AUDIT_RETENTION_MONTHS is {months}: access logs are kept at least {MINIMUM_MONTHS} months."
        )
    return add_months(month_start(now or timezone.now()), -months)


def archive_expired_events(*, now=None):
    """Archives and removes, month by month, every event older than the retention cut-off (and its people
    concerned). Returns the AuditArchive rows created (none when nothing is due: running it twice is safe)."""
    cutoff = retention_cutoff(now)
    archives = []
    oldest = (
        AuditEvent.objects.filter(occurred_at__lt=cutoff)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    start = month_start(oldest) if oldest else cutoff
    while start < cutoff:
        end = add_months(start, 1)
        if AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exists():
            archives.append(_archive_month(start, end))
        start = end
    if partitions.is_partitioned():
        for start, end in partitions.month_partitions_before(cutoff):
            _drop_empty_month(start, end)
    return archives


def _archive_month(start, end):
    directory = Path(settings.PATTO_AUDIT_ARCHIVE_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"audit-{start:%Y-%m}-archived-{stamp}.jsonl.gz"
    if path.exists():
        raise RetentionError(f"{path} exists already: nothing is overwritten.")
    try:
        with transaction.atomic():
            _open_window(end)
            events, subjects = _write(path, start, end)
            _remove_month(start, end, events, subjects)
            _close_window()
            archive = AuditArchive.objects.create(
                period_start=start,
                period_end=end,
                event_count=events,
                subject_count=subjects,
                file_name=path.name,
                size=path.stat().st_size,
                sha256=_sha256(path),
            )
            record_event(
                actor=None,
                actor_label="maintenance",
                action="audit.archive.created",
                obj=archive,
                changes={
                    "period": [None, f"{start:%Y-%m}"],
                    "events": [None, events],
                    "sha256": [None, archive.sha256],
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return archive


def _write(path, start, end):
    """Streams the month's events, each with its people concerned, into the file; returns the counts.
    Two queries per chunk of events, whatever the month holds."""
    events = subjects = 0
    temporary = path.with_suffix(".partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        rows = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).order_by("id").values(*FIELDS)
        chunk = []
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                subjects += _write_chunk(out, chunk)
                events, chunk = events + len(chunk), []
        if chunk:
            subjects += _write_chunk(out, chunk)
            events += len(chunk)
        out.flush()
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, path)
    return events, subjects


def _write_chunk(out, rows):
    people = {}
    for event_id, kind, subject_id in (
        AuditSubject.objects.filter(event_id__in=[row["id"] for row in rows])
        .order_by("id")
        .values_list("event_id", "kind", "subject_id")
    ):
        people.setdefault(event_id, []).append([kind, subject_id])
    for row in rows:
        row = {**row, "occurred_at": row["occurred_at"].isoformat(), "subjects": people.get(row["id"], [])}
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n")
    return sum(len(found) for found in people.values())


def _open_window(before):
    """Declares, for this transaction only, the cut-off the database triggers let deletions through for."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('patto.audit_purge_before', %s, true)", [before.isoformat()])
        else:
            cursor.execute(
                "INSERT INTO audit_purge_window (purge_before) VALUES (%s)",
                [connection.ops.adapt_datetimefield_value(before)],
            )


def _close_window():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('patto.audit_purge_before', '', true)")
        else:
            cursor.execute("DELETE FROM audit_purge_window")


def _remove_month(start, end, events, subjects):
    """The one place that removes audit rows (see the module's docstring)."""
    dropped = []
    removed = {}
    with connection.cursor() as cursor:
        if partitions.is_partitioned():
            _check_database_clock(cursor, end)
            for table in partitions.TABLES:
                detached = partitions.detach_and_drop(cursor, table, start, end)
                if detached is not None:
                    dropped.append(detached[0])
                    removed[table] = detached[1]
        bounds = [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]
        in_month = "SELECT id FROM audit_auditevent WHERE occurred_at >= %s AND occurred_at < %s"
        if "audit_auditsubject" not in removed:
            cursor.execute(f"DELETE FROM audit_auditsubject WHERE event_id IN ({in_month})", bounds)
            removed["audit_auditsubject"] = cursor.rowcount
        if "audit_auditevent" not in removed:
            cursor.execute("DELETE FROM audit_auditevent WHERE occurred_at >= %s AND occurred_at < %s", bounds)
            removed["audit_auditevent"] = cursor.rowcount
        removed_events, removed_subjects = removed["audit_auditevent"], removed["audit_auditsubject"]
        if (removed_events, removed_subjects) != (events, subjects):
            raise RetentionError(
                f"{start:%Y-%m}: archived {events} events and {subjects} subjects but would remove "
                f"{removed_events} and {removed_subjects}: nothing removed."
            )
        for name in dropped:
            cursor.execute(f"DROP TABLE {name}")


def _check_database_clock(cursor, end):
    """A partition leaves only if the database's clock agrees that its month ended 24 months ago at least
    (DROP fires no trigger, so this is the DELETE triggers' floor, asked of the same clock)."""
    cursor.execute("SELECT %s::timestamptz <= now() - interval '24 months'", [end])
    if not cursor.fetchone()[0]:
        raise RetentionError(f"{end:%Y-%m}: the database's clock says this month is not 24 months old.")


def _drop_empty_month(start, end):
    """A partition past its retention that holds no row (a month without events) goes without an archive."""
    with transaction.atomic(), connection.cursor() as cursor:
        _check_database_clock(cursor, end)
        detached = [partitions.detach_and_drop(cursor, table, start, end) for table in partitions.TABLES]
        if any(found and found[1] for found in detached):
            raise RetentionError(f"{start:%Y-%m}: the partition is not empty: nothing removed.")
        for found in detached:
            if found:
                cursor.execute(f"DROP TABLE {found[0]}")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_archive(archive):
    """True if the archive's file is still the one written (its SHA-256 matches the recorded one)."""
    path = Path(settings.PATTO_AUDIT_ARCHIVE_DIR) / archive.file_name
    return path.is_file() and _sha256(path) == archive.sha256
