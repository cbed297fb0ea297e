"""Throwaway databases for the benchmarks (commands, never tests): several side by side next to the
configured one, so that two sizes are measured in alternating rounds by the same process.

PostgreSQL: ``<name>_bench_<label>`` on the same server (the configured role must be allowed to create
databases); SQLite: files in a temporary folder. Each is migrated on creation and dropped at the end."""

import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import connection


class SideBySide:
    def __init__(self, labels, keep=False):
        self.labels = list(labels)
        self.keep = keep
        self.original = connection.settings_dict["NAME"]
        self.vendor = connection.vendor
        self.folder = tempfile.mkdtemp(prefix="patto-bench-") if self.vendor == "sqlite" else None
        self.names = {label: self._name(label) for label in self.labels}

    def _name(self, label):
        if self.vendor == "sqlite":
            return str(Path(self.folder) / f"{label}.sqlite3")
        return f"{self.original}_bench_{label}"

    def use(self, label=None):
        connection.close()
        connection.settings_dict["NAME"] = self.names[label] if label else self.original

    def create(self, label):
        self.drop(label)
        if self.vendor == "postgresql":
            self.use()
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.names[label]}"')
        self.use(label)
        call_command("migrate", verbosity=0)

    def drop(self, label):
        if self.vendor == "postgresql":
            self.use()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.names[label]}"')
        else:
            Path(self.names[label]).unlink(missing_ok=True)

    def analyze(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.use()
        if not self.keep:
            for label in self.labels:
                self.drop(label)


def rounds_alternating(labels, rounds):
    """The labels' order for each round, flipped every other round (no size always measured first)."""
    for number in range(rounds):
        yield labels if number % 2 == 0 else list(reversed(labels))


@contextmanager
def timed(sink):
    """Appends (wall ms, CPU ms) of the block to ``sink``."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    sink.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))


def summary(samples):
    """(median wall ms, 10th percentile, 90th percentile, median CPU ms) of ``timed`` samples."""
    walls = sorted(s[0] for s in samples)
    cpus = [s[1] for s in samples]
    tenth = walls[max(0, int(len(walls) * 0.1) - 1)] if walls else 0
    ninetieth = walls[min(len(walls) - 1, int(len(walls) * 0.9))] if walls else 0
    return statistics.median(walls), tenth, ninetieth, statistics.median(cpus)


def page_queries(captured):
    """The page's statements, without the session's own (read at every request, saved at most every 30 s by
    ``SessionLifetimeMiddleware``, in whichever round the half-minute falls) and without transaction
    bookkeeping (BEGIN, SAVEPOINT, RELEASE: where the session's save opens one, it comes and goes with it)."""
    return sum(1 for q in captured if '"django_session"' not in q["sql"] and not BOOKKEEPING.match(q["sql"]))


BOOKKEEPING = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|COMMIT|ROLLBACK)\b", re.IGNORECASE)
