"""The daily maintenance, one cron line (README, "Production"):

- ``clearsessions``: expired sessions (Django);
- ``purge_orphan_uploads``: stored files no attachment points to (left by a transaction that failed after
  the file was written; nothing is ever held in a quarantine: uploads are checked before they are written);
- ``audit_partitions``: on PostgreSQL, the audit trail's monthly partitions for this month and the next three
  (idempotent), and a warning for rows in the DEFAULT partitions;
- ``archive_audit``: audit events past PATTO_AUDIT_RETENTION_MONTHS, archived with a checksum, then removed
  (on PostgreSQL their month's partition is detached and dropped);
- ``expire_exports``: background exports past PATTO_EXPORT_KEEP_HOURS (their files removed);
- ``prune_db_task_results``: finished background tasks (django-tasks-db).

Each step runs even if an earlier one failed; the command fails if any did. Commands are called by name, so
core imports no app. On PostgreSQL run it with the owner's credentials (the runtime role cannot remove audit
rows)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STEPS = (
    "clearsessions",
    "purge_orphan_uploads",
    "audit_partitions",
    "archive_audit",
    "expire_exports",
    "prune_db_task_results",
)


class Command(BaseCommand):
    help = "Daily maintenance: expired sessions, orphan uploads, audit retention, expired exports, finished tasks."

    def handle(self, *args, **options):
        failed = []
        for step in STEPS:
            self.stdout.write(f"== {step}")
            try:
                call_command(step, stdout=self.stdout, stderr=self.stderr)
            except Exception as error:  # noqa: BLE001 — report it, run the other steps, fail at the end
                self.stderr.write(f"{step} failed: {error}")
                failed.append(step)
        if failed:
            raise CommandError(f"Maintenance incomplete: {', '.join(failed)} failed.")
        self.stdout.write("Maintenance done.")
