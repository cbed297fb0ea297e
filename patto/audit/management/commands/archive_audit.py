"""Archives and removes the audit events past their retention (see ``patto/audit/retention.py``).

Run daily through ``manage.py maintenance``. On PostgreSQL run it with the tables' owner's credentials: the
web app's runtime role has no DELETE on the audit tables (README, "Production")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from patto.audit.retention import RetentionError, archive_expired_events, retention_cutoff


class Command(BaseCommand):
    help = "Write audit events past their retention to compressed files (checksums recorded), then remove them."

    def handle(self, *args, **options):
        try:
            cutoff = retention_cutoff()
            archives = archive_expired_events()
        except RetentionError as error:
            raise CommandError(str(error))
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the removal ({error}). On PostgreSQL run this command with "
                "the tables' owner's credentials, as after migrate (README, \"Production\")."
            )
        for archive in archives:
            self.stdout.write(
                f"{archive.period_start:%Y-%m}: {archive.event_count} event(s) → "
                f"{archive.file_name} (sha256 {archive.sha256})"
            )
        self.stdout.write(
            f"Audit retention: {len(archives)} month(s) archived; events before "
            f"{cutoff:%Y-%m-%d} ({settings.PATTO_AUDIT_RETENTION_MONTHS} months) are in "
            f"{settings.PATTO_AUDIT_ARCHIVE_DIR}."
        )
