"""Retention of the audit trail: the archive record, and triggers that let exactly one path remove rows.

Migration 0002 refused UPDATE and DELETE outright. UPDATE (and TRUNCATE on PostgreSQL) stay refused. A
DELETE now passes only for a row older than a cut-off that the retention job (``manage.py archive_audit``)
declares inside its own transaction, and only when that cut-off is at least 24 months ago (the Garante's
minimum for access logs), whatever PATTO_AUDIT_RETENTION_MONTHS says:

- PostgreSQL: a row-level trigger reads the transaction-local setting ``patto.audit_purge_before``
  (``set_config(..., true)``: gone at commit or rollback). The web app's runtime role has no DELETE on
  these tables at all (``grant_runtime_role``), so on a correctly deployed database only the owner, running
  the retention job, can get this far.
- SQLite (no settings, no roles): the job writes the cut-off into ``audit_purge_window`` and empties it
  again in the same transaction; a trigger refuses a cut-off younger than 24 months.

A subject row may go only with an event that may go (the job removes subjects first).

Seam for monthly partitions (PostgreSQL, later): the job already works month by month, so a partitioned
trail would detach and drop the month's partition instead of deleting its rows."""

import django.utils.timezone
from django.db import migrations, models

TABLES = ("audit_auditevent", "audit_auditsubject")
REFUSAL = "audit trail is append-only: only rows past the retention period are removed, by manage.py archive_audit"
PG_MAY_DELETE = {
    "audit_auditevent": "OLD.occurred_at < purge_before",
    "audit_auditsubject": "EXISTS (SELECT FROM audit_auditevent e WHERE e.id = OLD.event_id "
                          "AND e.occurred_at < purge_before)",
}
SQLITE_MAY_DELETE = {
    "audit_auditevent": "SELECT 1 FROM audit_purge_window w WHERE OLD.occurred_at < w.purge_before",
    "audit_auditsubject": "SELECT 1 FROM audit_purge_window w JOIN audit_auditevent e "
                          "ON e.id = OLD.event_id AND e.occurred_at < w.purge_before",
}


def create_triggers(apps, schema_editor):
    """The current set (also used by the test suite around its flushes). Idempotent."""
    drop_triggers(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("CREATE TABLE IF NOT EXISTS audit_purge_window (purge_before TEXT NOT NULL)")
        schema_editor.execute(
            "CREATE TRIGGER audit_purge_window_floor BEFORE INSERT ON audit_purge_window "
            "WHEN NEW.purge_before > datetime('now', '-24 months') "
            "BEGIN SELECT RAISE(ABORT, 'audit retention is at least 24 months'); END;")
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"WHEN NOT EXISTS ({SQLITE_MAY_DELETE[table]}) "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;")
    elif vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();")
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_retention_only() RETURNS trigger AS $$ "
                f"DECLARE purge_before timestamptz := "
                f"nullif(current_setting('patto.audit_purge_before', true), '')::timestamptz; "
                f"BEGIN "
                f"IF purge_before IS NOT NULL AND purge_before <= now() - interval '24 months' "
                f"AND {PG_MAY_DELETE[table]} THEN RETURN OLD; END IF; "
                f"RAISE EXCEPTION '{REFUSAL}'; "
                f"END; $$ LANGUAGE plpgsql;")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_retention_only BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_retention_only();")


def drop_triggers(apps, schema_editor):
    """Drops this migration's triggers and migration 0002's."""
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")
        elif vendor == "postgresql":
            for name in ("append_only", "retention_only"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_{name}();")
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_purge_window_floor;")


def back_to_0002(apps, schema_editor):
    from importlib import import_module

    drop_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS audit_purge_window;")
    import_module("patto.audit.migrations.0002_append_only_triggers").create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_actor_role_choices'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditArchive',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('period_start', models.DateTimeField(verbose_name='from')),
                ('period_end', models.DateTimeField(verbose_name='until (excluded)')),
                ('event_count', models.PositiveIntegerField(verbose_name='events')),
                ('subject_count', models.PositiveIntegerField(verbose_name='people concerned')),
                ('file_name', models.CharField(max_length=200, verbose_name='file')),
                ('size', models.PositiveBigIntegerField(verbose_name='size in bytes')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
            ],
            options={
                'verbose_name': 'audit archive',
                'verbose_name_plural': 'audit archives',
                'ordering': ['period_start'],
            },
        ),
        migrations.RunPython(create_triggers, back_to_0002),
    ]
