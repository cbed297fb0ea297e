"""The embedded default (SQLite) survives several users at once: WAL, immediate transactions, a busy timeout.

Measured before the fix: 8 concurrent users on SQLite in deferred transactions without WAL got 72 of 351
requests answered 503 (AuditUnavailable: database is locked)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
CLIENTS, PER_CLIENT = 8, 4


def test_sqlite_options_are_wal_immediate_with_a_busy_timeout():
    """The options the SQLite default ships with (read from the settings file in a clean environment, so the
    PostgreSQL run checks them too)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PATTO_", "PG", "DATABASE_URL"))}
    code = "import json; from patto import settings as s; print(json.dumps(s.DATABASES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    database = json.loads(result.stdout.strip().splitlines()[-1])
    options = database["OPTIONS"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    pragmas = options["init_command"].replace(" ", "").lower()
    assert "journal_mode=wal" in pragmas and "synchronous=normal" in pragmas


# The SQLite default's own concurrency: defined only where the suite runs on SQLite (the PostgreSQL run has
# no SQLite test database to copy), so that neither run skips it.
if connection.vendor == "sqlite":

    @pytest.mark.django_db(transaction=True)
    def test_eight_concurrent_clients_reading_paths_get_no_errors(family_path, tmp_path):
        """8 clients in parallel, each opening the path list and the family's path in turn (every read writes an
        access row, the list's after reading the page in the same transaction), on a file-based copy of the test database opened with Patto's real settings: 0 errors."""
        database = tmp_path / "patto.sqlite3"
        target = sqlite3.connect(database)
        connection.ensure_connection()
        connection.connection.backup(target)  # the migrated, seeded test database, committed (transaction=True)
        target.close()
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("PATTO_", "PG", "DATABASE_URL"))}
        environment.update(PATTO_SQLITE_PATH=str(database), PATTO_LOG_LEVEL="ERROR")
        users = ["case_manager", "health_professional", "team_member", "school_referent"]
        result = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("concurrency_clients.py")),
                str(CLIENTS),
                str(PER_CLIENT),
                f"{reverse('cases:path_list')},{reverse('cases:path_detail', args=[family_path.pk])}",
                *users,
            ],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"\nSQLite, {CLIENTS} concurrent clients: {figures}")
        assert figures["journal_mode"] == "wal"
        assert figures["requests"] == CLIENTS * PER_CLIENT
        assert figures["errors"] == 0, (figures, result.stderr[-4000:])
        rows = (
            sqlite3.connect(database)
            .execute("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'cases.path.viewed'")
            .fetchone()[0]
        )
        assert rows == CLIENTS * PER_CLIENT // 2
