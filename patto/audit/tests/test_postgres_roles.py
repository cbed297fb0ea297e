"""Issue 8, "Smaller" (the audit trail cannot be altered by the app): on PostgreSQL the role the web app connects as cannot
change the audit trail. It does not own the tables, so it can neither UPDATE, DELETE nor TRUNCATE audit
rows (no privilege) nor switch the append-only triggers off (only an owner can ALTER or DROP; only a
superuser can set session_replication_role), and it still has everything the application needs.

Before: the app connected as the tables' owner and nothing narrowed its privileges; there was no
``grant_runtime_role`` command and no deploy check.

SQLite has no roles: on the SQLite run this module defines only its last test (the command refuses), so
nothing is counted as skipped; CI's second run, on PostgreSQL, runs all the others. When CI asks for
PostgreSQL (PATTO_EXPECT_DATABASE) they are always defined: a run misconfigured onto SQLite fails instead.

Each test creates a NOLOGIN role inside the test's transaction (roles and grants are transactional, so
the rollback at the end removes them) and switches to it with SET ROLE; every refused statement runs in
its own savepoint so the test's transaction survives."""

import io
import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from patto.accounts.models import Institution
from patto.audit.checks import runtime_role_privileges
from patto.audit.dbroles import privilege_problems, runtime_plan
from patto.audit.models import AuditEvent
from patto.audit.services import record_event

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = (
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    or os.environ.get("PATTO_EXPECT_DATABASE") == "postgresql"
)
RUNTIME = "patto_runtime_test"
AUDIT_TABLES = ("audit_auditevent", "audit_auditsubject")
INSUFFICIENT_PRIVILEGE = "42501"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def sqlstate(statement, params=()):
    """Run one statement in a savepoint: None if it succeeded, else PostgreSQL's error code."""
    try:
        with transaction.atomic():
            sql(statement, params)
    except DatabaseError as error:
        return error.__cause__.sqlstate
    return None


@contextmanager
def acting_as(role):
    sql(f"SET ROLE {role}")
    try:
        yield
    finally:
        sql("RESET ROLE")


def grant(role):
    out = io.StringIO()
    call_command("grant_runtime_role", role, stdout=out)
    return out.getvalue()


@pytest.fixture
def runtime_role(world):
    assert connection.vendor == "postgresql"
    sql(f"CREATE ROLE {RUNTIME} NOLOGIN")
    assert "SELECT, INSERT on 3 table(s)" in grant(RUNTIME)  # the trail, its subjects, its archives
    return RUNTIME


def test_runtime_role_appends_to_the_trail_and_cannot_change_or_empty_it(runtime_role):
    with acting_as(runtime_role):
        assert sql("SELECT current_user") == [(RUNTIME,)]
        event = record_event(
            actor=None, action="test.runtime_role", actor_label="someone", subjects=[("person", "42")]
        )  # INSERT … RETURNING on both audit tables
        assert AuditEvent.objects.filter(pk=event.pk, subjects__subject_id="42").exists()
        for table in AUDIT_TABLES:
            assert sqlstate(f"UPDATE {table} SET id = id") == INSUFFICIENT_PRIVILEGE, table
            assert sqlstate(f"DELETE FROM {table}") == INSUFFICIENT_PRIVILEGE, table
            assert sqlstate(f"TRUNCATE {table}") == INSUFFICIENT_PRIVILEGE, table
            assert sqlstate(f"UPDATE {table} SET id = id WHERE id = %s", [event.pk]) == INSUFFICIENT_PRIVILEGE
    assert AuditEvent.objects.filter(pk=event.pk, action="test.runtime_role").exists()


def test_runtime_role_cannot_switch_the_triggers_off_or_grant_itself_more(runtime_role):
    with acting_as(runtime_role):
        for statement in [
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
            "ALTER TABLE audit_auditsubject DISABLE TRIGGER USER",
            "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
            "DROP TABLE audit_auditsubject",
            f"ALTER TABLE audit_auditevent OWNER TO {RUNTIME}",
            "CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$ "
            "BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
            "CREATE TRIGGER sneaky BEFORE INSERT ON audit_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()",
            "SET session_replication_role = replica",  # would skip every ordinary trigger
            "CREATE TABLE audit_auditevent_copy (id bigint)",  # no CREATE on the schema (PostgreSQL ≥ 15)
            "INSERT INTO django_migrations (app, name, applied) VALUES ('audit', 'fake', now())",
        ]:
            assert sqlstate(statement) == INSUFFICIENT_PRIVILEGE, statement
        sql(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_auditevent TO {RUNTIME}")  # only a warning: nothing granted
        assert sql("SELECT has_table_privilege(current_user, 'audit_auditevent', 'UPDATE')") == [(False,)]
    triggers = sql(
        "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
        [list(AUDIT_TABLES)],
    )
    assert sorted(triggers) == [
        ("audit_auditevent_append_only", "O"),
        ("audit_auditevent_append_only_rows", "O"),  # row-level, cloned to the monthly partitions (0006)
        ("audit_auditevent_retention_only", "O"),
        ("audit_auditsubject_append_only", "O"),
        ("audit_auditsubject_append_only_rows", "O"),
        ("audit_auditsubject_retention_only", "O"),
    ]


def test_runtime_role_has_what_the_application_needs(runtime_role, personas, login):
    institution = Institution.objects.get(name="Comune di Rimini")
    with acting_as(runtime_role):
        assert Institution.objects.filter(pk=institution.pk).update(name="Comune di Rimini (RN)") == 1
        assert sql("SELECT count(*) > 0 FROM django_migrations") == [(True,)]
        client = login("case_manager")  # a session row and a sign-in event, written by the runtime role
        assert client.get("/").status_code == 200
        assert sqlstate("SELECT count(*) FROM django_session") is None
    assert privilege_problems(connection.cursor(), RUNTIME, runtime_plan(connection)) == []


def test_grant_is_idempotent_and_takes_back_what_was_granted_by_hand(runtime_role):
    sql(f"GRANT ALL ON audit_auditevent TO {RUNTIME}")
    sql(f"GRANT UPDATE (kind) ON audit_auditsubject TO {RUNTIME}")  # a column grant is enough to UPDATE
    sql(f"GRANT TRUNCATE ON accounts_institution TO {RUNTIME}")
    problems = privilege_problems(connection.cursor(), RUNTIME, runtime_plan(connection))
    assert any("UPDATE" in problem and "audit_auditsubject" in problem for problem in problems)
    grant(RUNTIME)
    grant(RUNTIME)
    assert privilege_problems(connection.cursor(), RUNTIME, runtime_plan(connection)) == []
    with acting_as(RUNTIME):
        assert sqlstate("UPDATE audit_auditsubject SET kind = kind") == INSUFFICIENT_PRIVILEGE
        assert sqlstate("TRUNCATE accounts_institution CASCADE") == INSUFFICIENT_PRIVILEGE


def test_grant_refuses_roles_that_could_bypass_the_privileges(world):
    owner = sql("SELECT current_user")[0][0]
    sql("CREATE ROLE patto_test_super NOLOGIN SUPERUSER")
    sql("CREATE ROLE patto_test_creator NOLOGIN CREATEROLE")
    sql("CREATE ROLE patto_test_member NOLOGIN")
    sql(f"GRANT {owner} TO patto_test_member")  # a member of the owner inherits ownership
    for role, message in [
        ("patto_test_super", "superuser"),
        ("patto_test_creator", "CREATEROLE"),
        ("patto_test_member", "owns (or is a member of the owner of)"),
        (owner, "not yourself"),
        ("patto_nobody", "no role named"),
    ]:
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
            grant(role)
    assert sql("SELECT has_table_privilege('patto_test_creator', 'accounts_institution', 'SELECT')") == [(False,)]


def test_grant_refuses_when_privileges_inherited_through_public_remain(runtime_role):
    sql("GRANT UPDATE ON audit_auditevent TO PUBLIC")
    with pytest.raises(CommandError, match="has UPDATE on audit_auditevent"):
        grant(RUNTIME)


def test_deploy_check_passes_for_the_runtime_role_and_fails_for_the_owner(runtime_role):
    with acting_as(runtime_role):
        assert runtime_role_privileges(databases=["default"]) == []
        assert runtime_role_privileges(databases=None) == []  # database checks run only when asked
    owner_errors = runtime_role_privileges(databases=["default"])
    assert owner_errors and {error.id for error in owner_errors} == {"audit.E001"}
    assert any("owns" in error.msg or "superuser" in error.msg for error in owner_errors)
    sql(f"GRANT DELETE ON audit_auditsubject TO {RUNTIME}")
    with acting_as(runtime_role):
        [error] = runtime_role_privileges(databases=["default"])
    assert "has DELETE on audit_auditsubject" in error.msg


if not ON_POSTGRESQL:  # the tests above need roles; on SQLite only this one is defined
    for _name in [name for name in globals() if name.startswith("test_")]:
        del globals()[_name]

    def test_on_sqlite_the_grant_command_refuses_and_the_deploy_check_has_nothing_to_say():
        with pytest.raises(CommandError, match="for PostgreSQL"):
            grant("patto_app")
        assert runtime_role_privileges(databases=["default"]) == []
