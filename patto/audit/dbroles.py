"""The PostgreSQL privileges of the role the web app runs as (so that the audit trail, kept at least 24 months, cannot be altered by the app itself).

Two roles: the *owner* runs ``migrate`` and owns every table, trigger and function; the *runtime* role
the web app connects as owns nothing and holds only what it needs. On the audit tables that is SELECT
and INSERT: it cannot UPDATE, DELETE or TRUNCATE a row, and since only an owner can ALTER or DROP a table
or its triggers (and only a superuser can set ``session_replication_role``), it cannot switch the
append-only triggers off either. ``manage.py grant_runtime_role`` applies this plan; the deploy check in
``checks.py`` verifies it from the runtime role's side. Identity columns (Django ≥ 4.1) need no privilege
on their sequences, so none is granted."""

from django.db.migrations.recorder import MigrationRecorder

READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY = ("SELECT", "INSERT")
READ_ONLY = ("SELECT",)
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "REFERENCES"}  # can also be granted column by column


def append_only_tables():
    """The trail and the record of its archives: the web app may read and add, never change or remove (the
    retention job runs as the owner)."""
    from .models import AuditArchive, AuditEvent, AuditSubject

    return {AuditEvent._meta.db_table, AuditSubject._meta.db_table, AuditArchive._meta.db_table}


def runtime_plan(connection):
    """table → the privileges the runtime role must have, for every table of the installed apps that exists.
    Django's migration record is read-only: the runtime role never migrates."""
    audit = append_only_tables()
    plan = {
        table: APPEND_ONLY if table in audit else READ_WRITE
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
    }
    if MigrationRecorder.Migration._meta.db_table in connection.introspection.table_names():
        plan[MigrationRecorder.Migration._meta.db_table] = READ_ONLY
    return dict(sorted(plan.items()))


def quote(identifier):
    return '"' + identifier.replace('"', '""') + '"'


def schemas_of(cursor, tables):
    cursor.execute(
        "SELECT DISTINCT relnamespace::regnamespace::text FROM pg_class WHERE oid = ANY(%s::regclass[])",
        [[quote(table) for table in tables]],
    )
    return sorted(row[0] for row in cursor.fetchall())


def standing_problems(cursor, role, plan):
    """What no grant can fix: the role is a superuser, can create roles (and so make itself a member of the
    owner), or owns (or is a member of the owner of) one of the tables."""
    cursor.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
    superuser, createrole = cursor.fetchone()
    problems = []
    if superuser:
        problems.append(f"{role} is a superuser: it bypasses every privilege and can disable triggers")
    if createrole:
        problems.append(f"{role} has CREATEROLE: it can make itself a member of the tables' owner")
    if plan:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%s::regclass[]) "
            "AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY c.relname",
            [[quote(table) for table in plan], role],
        )
        owned = [row[0] for row in cursor.fetchall()]
        if owned:
            problems.append(
                f"{role} owns (or is a member of the owner of) {len(owned)} table(s), "
                f"e.g. {owned[0]}: an owner can ALTER, DROP and disable triggers"
            )
    return problems


def privilege_problems(cursor, role, plan):
    """Every difference between the plan and what the role can actually do, counting privileges it gets
    through PUBLIC, through the roles it belongs to and column by column."""
    if not plan:
        return []
    problems = []
    cursor.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT')", [role])
    if not cursor.fetchone()[0]:
        problems.append(f"{role} cannot CONNECT to the database")
    for schema in schemas_of(cursor, plan):
        cursor.execute(
            "SELECT has_schema_privilege(%s, %s, 'USAGE'), has_schema_privilege(%s, %s, 'CREATE')",
            [role, schema, role, schema],
        )
        usage, create = cursor.fetchone()
        if not usage:
            problems.append(f"{role} has no USAGE on schema {schema}")
        if create:
            problems.append(f"{role} can CREATE in schema {schema} (REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC)")
    names = {quote(table): table for table in plan}
    cursor.execute(
        "SELECT t, p, has_table_privilege(%s, t, p), "
        "CASE WHEN p = ANY(%s) THEN has_any_column_privilege(%s, t, p) ELSE has_table_privilege(%s, t, p) END "
        "FROM unnest(%s::text[]) AS t CROSS JOIN unnest(%s::text[]) AS p ORDER BY t, p",
        [role, sorted(COLUMN_PRIVILEGES), role, role, list(names), list(TABLE_PRIVILEGES)],
    )
    missing, extra = {}, {}
    for quoted, privilege, whole_table, any_column in cursor.fetchall():
        table = names[quoted]
        if privilege in plan[table] and not whole_table:
            missing.setdefault(table, []).append(privilege)
        elif privilege not in plan[table] and any_column:
            extra.setdefault(table, []).append(privilege)
    problems += [f"{role} lacks {', '.join(privileges)} on {table}" for table, privileges in missing.items()]
    problems += [f"{role} has {', '.join(privileges)} on {table}" for table, privileges in extra.items()]
    return problems
