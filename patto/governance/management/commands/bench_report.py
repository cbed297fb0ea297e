"""Benchmark: time and peak memory of the monitoring report's PDF and XLSX at 100, 300 and 1,000 commitments.

Runs in a throwaway SQLite database in a temporary folder (never the configured one). Each measurement is a
fresh process that builds the report exactly as the background job's child does (``exportjobs.build_now``:
the requester's read, the access row, the file written to the exports' storage), so its figures are those of
``manage.py build_export`` in production. The sizes alternate round by round (the machine is shared and
noisy); printed: median wall time and CPU time, the process's peak RSS (VmHWM) and the growth of the peak
over the process's footprint before building (Django, WeasyPrint and openpyxl already imported), the same
growth read from ``resource.getrusage`` (ru_maxrss, the process's lifetime peak, less the footprint before),
and the peak of Python's allocations during the build (tracemalloc, in a second fresh process of its own:
tracing slows the build and adds its own memory, so the RSS figures come from an untraced process)."""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

KINDS = {"pdf": "governance.report_pdf", "xlsx": "governance.report_xlsx"}
BENCH_PASSWORD_HASH = "!"
INSTITUTIONS = 12
EVIDENCE = (
    "Verbale della riunione del Gruppo Territoriale approvato; referente nominato con determina dirigenziale; "
    "calendario degli incontri condiviso con le scuole del distretto e con il servizio sociale territoriale."
)


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Command(BaseCommand):
    help = "Measure the monitoring report's PDF and XLSX (time, peak memory) at 100 and 1,000 commitments."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--formats", nargs="+", default=["pdf", "xlsx"], choices=sorted(KINDS))
        parser.add_argument(
            "--seed",
            action="store_true",
            # internal: the seeding child
            help="internal",
        )
        parser.add_argument(
            "--no-tracemalloc", dest="trace", action="store_false", help="skip the traced (slower) processes"
        )
        parser.add_argument(
            "--pdf-in-one",
            action="store_true",
            help="the PDF laid out as one document, as before it was rendered in parts (for comparison)",
        )
        parser.add_argument("--measure", nargs=2, metavar=("SIZE", "FORMAT"), help="internal")
        parser.add_argument("--traced", action="store_true", help="internal")

    def handle(self, *args, sizes, rounds, formats, seed, measure, trace, traced, pdf_in_one, **options):
        if seed:
            return self.seed(sizes)
        if measure:
            return self.measure(int(measure[0]), measure[1], traced, pdf_in_one)
        with tempfile.TemporaryDirectory(prefix="patto-bench-report-") as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
                "PATTO_EXPORT_ROOT": f"{folder}/exports",
                "PGDATABASE": "",
            }
            started = time.perf_counter()
            self.child(["--seed", "--sizes", *map(str, sizes)], env)
            self.stdout.write(
                f"seeded {', '.join(map(str, sizes))} commitments in {time.perf_counter() - started:.0f} s"
            )
            results = {(size, fmt): [] for size in sizes for fmt in formats}
            for round_ in range(rounds):
                order = sizes if round_ % 2 == 0 else list(reversed(sizes))  # alternate which size goes first
                for size in order:
                    for fmt in formats:
                        measure = ["--measure", str(size), fmt, *(["--pdf-in-one"] if pdf_in_one else [])]
                        figures = json.loads(self.child(measure, env))
                        if trace:
                            traced = json.loads(self.child([*measure, "--traced"], env))
                            figures["traced_mb"] = traced["traced_mb"]
                        results[size, fmt].append(figures)
            self.report(results)

    def child(self, arguments, env):
        done = subprocess.run(
            [sys.executable, "-m", "django", "bench_report", *arguments],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout.strip().splitlines()[-1]

    def report(self, results):
        self.stdout.write(
            f"{'size':>6} {'format':>6} {'wall s (median, min-max)':>26} {'cpu s':>7} {'peak RSS MB':>12} "
            f"{'peak growth MB':>15} {'maxrss growth MB':>17} {'tracemalloc MB':>15} {'file KB':>8}"
        )
        for (size, fmt), runs in results.items():
            wall = [run["wall"] for run in runs]
            self.stdout.write(
                f"{size:>6} {fmt:>6} {statistics.median(wall):>12.2f} ({min(wall):.2f}-{max(wall):.2f}) "
                f"{statistics.median(run['cpu'] for run in runs):>7.2f} "
                f"{max(run['peak_mb'] for run in runs):>12.0f} {max(run['growth_mb'] for run in runs):>15.0f} "
                f"{max(run['maxrss_growth_mb'] for run in runs):>17.0f} "
                f"{max((run.get('traced_mb', float('nan')) for run in runs)):>15.0f} {runs[0]['size_kb']:>8.0f}"
            )

    # --- The children ----------------------------------------------------------------------------------------

    def seed(self, sizes):
        call_command("migrate", verbosity=0)
        for index, size in enumerate(sizes):
            _pact_with(size, index)
        self.stdout.write("seeded")

    def measure(self, size, fmt, traced=False, pdf_in_one=False):
        import importlib

        from django.utils import timezone

        # The libraries loaded before the baseline, as in a worker's child (the writing is core.exports').
        importlib.import_module("weasyprint")
        importlib.import_module("openpyxl")

        from patto.accounts.models import User
        from patto.core import exportjobs
        from patto.core.models import ExportJob
        from patto.governance import reports
        from patto.governance.models import MonitoringPeriod

        if pdf_in_one:
            reports.PDF_PART = sys.maxsize

        user = User.objects.get(username=f"bench.coordinator.{size}")
        period = MonitoringPeriod.objects.get(
            pact__district__name=f"Distretto benchmark {size}", name="Secondo semestre 2026"
        )
        job = ExportJob.objects.create(
            kind=KINDS[fmt],
            params={"period": period.pk},
            requested_by=user,
            status=ExportJob.Status.RUNNING,
            language="it",
            expires_at=timezone.now(),
        )
        before_kb = _status_kb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
        if traced:
            tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        status = exportjobs.build_now(job.pk)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
        tracemalloc.stop()
        peak_kb = _status_kb("VmHWM")
        maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
        job.refresh_from_db()
        if status != ExportJob.Status.READY:
            raise RuntimeError(f"the export failed: {job.error}")
        figures = {
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_kb / 1024,
            "growth_mb": (peak_kb - before_kb) / 1024,
            "maxrss_growth_mb": (maxrss_kb - before_kb) / 1024,
            **({"traced_mb": traced_peak / 2**20} if traced else {}),
            "size_kb": job.size / 1024,
        }
        self.stdout.write(json.dumps(figures))


def _pact_with(size, index):
    """A district whose pact in force has ``size`` commitments spread over its institutions, each updated in the
    open period (and most of them in the previous one), with an indicator every tenth commitment."""
    from patto.accounts.models import District, Institution, Membership, User
    from patto.accounts.roles import Role
    from patto.governance.models import (
        Adhesion,
        Commitment,
        CommitmentUpdate,
        Indicator,
        MonitoringPeriod,
        Pact,
        PactVersion,
    )

    district = District.objects.create(name=f"Distretto benchmark {size}", reference_prefix=f"BR{index}")
    institutions = [
        Institution.objects.create(district=district, name=f"Ente {i} ({size})", istat_code=f"9{index:02d}{i:03d}")
        for i in range(INSTITUTIONS)
    ]
    user = User.objects.create(
        username=f"bench.coordinator.{size}", first_name="Rita", last_name="Referente", password=BENCH_PASSWORD_HASH
    )
    Membership.objects.create(
        user=user, institution=institutions[0], role=Role.PACT_COORDINATOR, valid_from=date(2024, 1, 1)
    )
    pact = Pact.objects.create(
        district=district, title="Patto territoriale PIPPI (benchmark)", valid_from=date(2024, 3, 1)
    )
    Adhesion.objects.bulk_create(
        Adhesion(
            pact=pact,
            institution=inst,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on=date(2024, 3, 1),
            method="digital",
        )
        for inst in institutions
    )
    version = PactVersion.objects.create(
        pact=pact,
        number=1,
        status=PactVersion.Status.APPROVED,
        approved_on=date(2024, 2, 13),
        effective_from=date(2024, 3, 1),
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(
            pact_version=version,
            institution=institutions[i % INSTITUTIONS],
            order=i,
            text=f"Impegno {i}: garantire la partecipazione dell'ente alle équipe multidisciplinari "
            "e la formazione congiunta degli operatori sul metodo PIPPI.",
        )
        for i in range(size)
    )
    previous = MonitoringPeriod.objects.create(
        pact=pact, name="Primo semestre 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    current = MonitoringPeriod.objects.create(
        pact=pact, name="Secondo semestre 2026", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)
    )
    statuses = list(CommitmentUpdate.Status.values)
    updates = []
    for i, commitment in enumerate(commitments):
        for period, shift in ((previous, 0), (current, 1)):
            if period is previous and i % 4 == 3:
                continue  # not reported then
            updates.append(
                CommitmentUpdate(
                    commitment=commitment,
                    period=period,
                    status=statuses[(i + shift) % len(statuses)],
                    evidence=EVIDENCE,
                    author=user,
                    author_institution=commitment.institution,
                )
            )
    CommitmentUpdate.objects.bulk_create(updates, batch_size=500)
    Indicator.objects.bulk_create(
        Indicator(commitment=c, name=f"Incontri svolti ({c.order})", target=4, unit="incontri")
        for c in commitments[::10]
    )
