"""Gives the role the web app connects as exactly the privileges it needs (PostgreSQL only).

Run it as the tables' owner, right after every ``migrate`` (see README, "Production"):

    manage.py grant_runtime_role patto_app

Idempotent: on every table of the installed apps it first revokes everything from the role, then grants
SELECT, INSERT, UPDATE, DELETE, except on the audit tables (SELECT, INSERT only) and on Django's migration
record (SELECT only). It refuses a role that is a superuser, can create roles or owns the tables, and
it checks the result as PostgreSQL sees it (privileges through PUBLIC or other roles count): if the role
can still do more, or less, than the plan, nothing is changed and the command fails."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from patto.audit.dbroles import privilege_problems, quote, runtime_plan, schemas_of, standing_problems


class Command(BaseCommand):
    help = "Grant the web app's database role only what it needs; the audit tables stay append-only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the PostgreSQL role the web app connects as (not the owner)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("grant_runtime_role is for PostgreSQL; the embedded SQLite database has no roles.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, current_database(), EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [role]
            )
            current_user, database_name, exists = cursor.fetchone()
            if not exists:
                raise CommandError(f"There is no role named {role!r}: create it first (see README).")
            if role == current_user:
                raise CommandError("Run this command as the tables' owner and name the web app's role, not yourself.")
            plan = runtime_plan(connection)
            if not plan:
                raise CommandError("No tables: run migrate (as the owner) first.")
            problems = standing_problems(cursor, role, plan)
            if problems:
                raise CommandError("Refused: " + "; ".join(problems) + ".")

            grantee = quote(role)
            cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database_name)} TO {grantee}")
            for schema in schemas_of(cursor, plan):
                cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {grantee}")
                cursor.execute(f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM {grantee}")
            for table, privileges in plan.items():
                cursor.execute(f"REVOKE ALL ON TABLE {quote(table)} FROM {grantee}")
                cursor.execute(f"GRANT {', '.join(privileges)} ON TABLE {quote(table)} TO {grantee}")

            problems = privilege_problems(cursor, role, plan)
            if problems:
                raise CommandError("Nothing changed: after granting, " + "; ".join(problems) + ".")
        counts = {}
        for privileges in plan.values():
            counts[privileges] = counts.get(privileges, 0) + 1
        summary = "; ".join(f"{', '.join(privileges)} on {count} table(s)" for privileges, count in counts.items())
        self.stdout.write(f"{role}: {summary}. Nothing else: no TRUNCATE, no ownership.")
