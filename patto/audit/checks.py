"""Deploy check (PostgreSQL): the role the web app connects as must not be able to change the audit trail.

Runs with ``manage.py check --deploy --database default`` under the web app's own credentials; it reports
the same problems ``grant_runtime_role`` refuses or repairs (see ``dbroles.py``)."""

from django.core.checks import Error, Tags, register
from django.db import connections

from .dbroles import privilege_problems, runtime_plan, standing_problems


@register(Tags.database, deploy=True)
def runtime_role_privileges(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        plan = runtime_plan(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
            # A superuser or an owner can do everything: listing each table's privileges would add nothing.
            problems = standing_problems(cursor, role, plan) or privilege_problems(cursor, role, plan)
        errors.extend(
            Error(
                f"Database {alias!r}: {problem}.",
                hint="Connect the web app as a role that owns nothing and run "
                "`manage.py grant_runtime_role <role>` as the owner after every migrate (README, Production).",
                id="audit.E001",
            )
            for problem in problems
        )
    return errors
