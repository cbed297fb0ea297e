"""What /salute/ checks: the database, and whatever the apps register (the antivirus, a task queue).

A check is a function returning "ok", "down" or "not configured"; it must answer within a few seconds.
Apps register theirs in AppConfig.ready() (core imports no app)."""

from .dbguard import DATABASE_ERRORS, check_database

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"


def _database():
    try:
        check_database()
    except DATABASE_ERRORS:
        return DOWN
    return OK


_checks = {"database": _database}


def register_check(name, check):
    _checks[name] = check


def run_checks():
    """{part: "ok" | "down" | "not configured"}; a check that raises counts as down."""
    results = {}
    for name, check in _checks.items():
        try:
            results[name] = check()
        except Exception:
            results[name] = DOWN
    return results
