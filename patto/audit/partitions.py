"""The audit trail's monthly partitions on PostgreSQL (migration 0006). SQLite keeps plain tables.

``audit_auditevent`` and ``audit_auditsubject`` are both ``PARTITION BY RANGE (occurred_at)`` (a subject
carries its event's time, so an event and its people concerned always sit in the same month), one partition
per calendar month **in Europe/Rome** (Patto's TIME_ZONE: the retention job's months, so a month past its
retention is exactly one partition and leaves by DETACH and DROP), named ``<table>_pYYYY_MM``, plus a
DEFAULT partition as a safety net for a row outside every month created (a clock far off, a backdated
import). ``manage.py audit_partitions`` (a step of ``maintenance``) creates the current month and the next
three ahead, and reports rows in the DEFAULT partitions: there should be none. A month whose rows already sit
in a DEFAULT partition is not created (PostgreSQL would refuse it): it is reported, its rows stay where they
are and leave by the DELETE path when their retention ends.

The primary key is (id, occurred_at) in the database (a partitioned table's unique keys must include the
partition key); Django still sees ``id`` as the primary key, and ids stay unique because one identity
sequence gives them all. Fetching an event by id alone still works: it probes each partition's index.
The append-only triggers are row-level on the parents (cloned to every partition, present and future), except
the TRUNCATE guard, which is statement-level on the parents only: a partition can be truncated, detached or
dropped only by the tables' owner (the runtime role has no privilege on partitions at all)."""

from django.db import connection, transaction

from .months import add_months, first_of, month_start

TABLES = ("audit_auditevent", "audit_auditsubject")
MONTHS_AHEAD = 3


def is_partitioned():
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_partitioned_table WHERE partrelid = to_regclass('audit_auditevent'))"
        )
        return cursor.fetchone()[0]


def partition_name(table, start):
    return f"{table}_p{start:%Y_%m}"


def _literal(moment):
    """A timestamptz literal with its offset (the values are ours, never typed by a user)."""
    return "'" + moment.isoformat() + "'"


def create_month(cursor, table, start):
    """Creates the month's partition of ``table`` (``start`` a first of the month, local midnight)."""
    end = add_months(start, 1)
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(table, start)} PARTITION OF {table} "
        f"FOR VALUES FROM ({_literal(start)}) TO ({_literal(end)})"
    )


def month_partition(cursor, table, start, end):
    """The name of ``table``'s partition bounded exactly by [start, end), or None."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass "
        "AND pg_get_expr(c.relpartbound, c.oid) = format('FOR VALUES FROM (%%L) TO (%%L)', "
        "%s::timestamptz, %s::timestamptz)",
        [table, start, end],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _in_default(cursor, table, start, end):
    cursor.execute(
        f"SELECT EXISTS (SELECT FROM {table}_default WHERE occurred_at >= %s AND occurred_at < %s)", [start, end]
    )
    return cursor.fetchone()[0]


def ensure_partitions(*, now, since=None, ahead=MONTHS_AHEAD):
    """Creates the missing monthly partitions of both tables from ``since``'s month (default: ``now``'s) to
    ``ahead`` months after ``now``'s. Idempotent. Returns (created partition names, months refused because
    their rows are already in a DEFAULT partition, as "YYYY-MM")."""
    created, refused = [], []
    start, last = month_start(since or now), add_months(month_start(now), ahead)
    with transaction.atomic(), connection.cursor() as cursor:
        while start <= last:
            end = add_months(start, 1)
            missing = [table for table in TABLES if month_partition(cursor, table, start, end) is None]
            if missing and any(_in_default(cursor, table, start, end) for table in TABLES):
                refused.append(f"{start:%Y-%m}")
            else:
                for table in missing:
                    create_month(cursor, table, start)
                    created.append(partition_name(table, start))
            start = end
    return created, refused


def default_rows():
    """{table: rows in its DEFAULT partition} (both should be 0)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}_default")
            counts[table] = cursor.fetchone()[0]
    return counts


def detach_and_drop(cursor, table, start, end):
    """Detaches ``table``'s partition for [start, end) and returns (its name, its row count) without dropping
    it yet, or None when there is no such partition (the month's rows, if any, are in DEFAULT). Detaching
    takes the partition out of every query at once and locks it: nothing can be added to it meanwhile."""
    name = month_partition(cursor, table, start, end)
    if name is None:
        return None
    cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
    cursor.execute(f"SELECT count(*) FROM {name}")
    return name, cursor.fetchone()[0]


def month_partitions_before(cutoff):
    """[(start, end)] of the monthly partitions of the trail that end on or before ``cutoff``, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_auditevent'::regclass AND c.relname ~ '_p[0-9]{4}_[0-9]{2}$' "
            "ORDER BY c.relname"
        )
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        year, month = int(name[-7:-3]), int(name[-2:])
        start = first_of(year, month)
        end = add_months(start, 1)
        if end <= cutoff:
            months.append((start, end))
    return months
