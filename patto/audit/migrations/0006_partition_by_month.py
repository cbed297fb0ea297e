"""The audit trail partitioned by month on PostgreSQL (issue 13); on SQLite only the new column.

1. ``AuditSubject.occurred_at``: the event's time, copied onto its people concerned (existing rows filled
   from their event), so both tables can be partitioned by the same month.
2. PostgreSQL: each of ``audit_auditevent`` and ``audit_auditsubject`` is rebuilt as a table
   ``PARTITION BY RANGE (occurred_at)``: the old table renamed, the new one made LIKE it (same columns,
   defaults, identity), one partition per Europe/Rome month from the oldest row's month to three months
   ahead plus a DEFAULT partition, the rows copied, the identity sequence carried on from where it was, the
   old table dropped, then every index re-created under its old name (Django's and migration 0005's: an index
   on the parent is cloned to every partition), the primary key as (id, occurred_at), the privileges granted
   on the old table granted again (the runtime role's, from ``grant_runtime_role``). See ``partitions.py``.
3. The append-only triggers of migration 0004 (dropped for the copy and the fill, which UPDATE refuses), plus
   on PostgreSQL a row-level BEFORE UPDATE trigger on each parent: row triggers are cloned to partitions, so
   an UPDATE aimed at a partition directly is refused too (a statement trigger fires only for the table
   named in the statement).

The copy runs inside the migration's transaction as the owner, without the app's statement timeout: on a large
trail plan it for a quiet hour (the trail is locked meanwhile)."""

from importlib import import_module

from django.db import migrations, models
from django.utils import timezone

TABLES = ("audit_auditevent", "audit_auditsubject")
ROW_GUARD = "audit_partition_append_only"


def _retention():
    return import_module("patto.audit.migrations.0004_retention")


def drop_triggers(apps, schema_editor):
    _retention().drop_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_rows ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {ROW_GUARD}()")


def create_triggers(apps, schema_editor):
    _retention().create_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql" and _is_partitioned(schema_editor):
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {ROW_GUARD}() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;"
        )
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_rows ON {table}")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only_rows BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {ROW_GUARD}()"
            )


def _is_partitioned(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_partitioned_table WHERE partrelid = to_regclass('audit_auditevent'))"
        )
        return cursor.fetchone()[0]


def _rebuild(schema_editor, table, partitioned):
    """Rebuilds ``table`` partitioned by month (or back to a plain table), keeping rows, ids, indexes, grants."""
    from patto.audit.months import add_months, month_start
    from patto.audit.partitions import MONTHS_AHEAD, create_month

    old = f"{table}_unpartitioned" if partitioned else f"{table}_partitioned"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
        )
        primary_key = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
            "AND indexname <> %s ORDER BY indexname",
            [table, primary_key],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
            "a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner ORDER BY 1, 2",
            [table],
        )
        grants = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"SELECT min(occurred_at) FROM {table}")
        oldest = cursor.fetchone()[0]

        cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {old}_id_seq")
        clause = " PARTITION BY RANGE (occurred_at)" if partitioned else ""
        cursor.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY){clause}")
        if partitioned:
            now = timezone.now()
            start, last = month_start(oldest or now), add_months(month_start(now), MONTHS_AHEAD)
            while start <= last:
                create_month(cursor, table, start)
                start = add_months(start, 1)
            cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, last_value, is_called]
        )
        cursor.execute(f"DROP TABLE {old}")
        key = "id, occurred_at" if partitioned else "id"
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {primary_key} PRIMARY KEY ({key})")
        for _name, definition in indexes:
            cursor.execute(definition)
        for grantee, privilege in grants:
            cursor.execute(f"GRANT {privilege} ON {table} TO {grantee}")


def _no_statement_timeout(schema_editor):
    """The copy of a large trail may take longer than the app's statement timeout (settings): not this once."""
    schema_editor.execute("SET LOCAL statement_timeout = 0")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _no_statement_timeout(schema_editor)
        for table in TABLES:
            _rebuild(schema_editor, table, partitioned=True)
    create_triggers(apps, schema_editor)


def unpartition(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        _no_statement_timeout(schema_editor)
        for table in TABLES:
            _rebuild(schema_editor, table, partitioned=False)


def recreate_0004_triggers(apps, schema_editor):
    _retention().create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_action_time_index")]

    operations = [
        migrations.RunPython(drop_triggers, recreate_0004_triggers),
        migrations.AddField(
            model_name="auditsubject",
            name="occurred_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunSQL(
            "UPDATE audit_auditsubject SET occurred_at = "
            "(SELECT e.occurred_at FROM audit_auditevent e WHERE e.id = audit_auditsubject.event_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="auditsubject",
            name="occurred_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.RunPython(partition, unpartition),
    ]
