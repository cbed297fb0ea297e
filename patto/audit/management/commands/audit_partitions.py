"""Creates the audit trail's monthly partitions ahead (PostgreSQL; see ``patto/audit/partitions.py``).

Run daily through ``manage.py maintenance``, with the tables' owner's credentials (only the owner can create
partitions). Idempotent: the current month and the next three exist afterwards. It reports the rows in the
DEFAULT partitions (there should be none) and any month it could not create because its rows are already
there."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from patto.audit import partitions


class Command(BaseCommand):
    help = "Create the audit trail's monthly partitions (current month and the next three); report stray rows."

    def handle(self, *args, **options):
        if not partitions.is_partitioned():
            self.stdout.write("Audit partitions: the trail is not partitioned here (SQLite): nothing to do.")
            return
        created, refused = partitions.ensure_partitions(now=timezone.now())
        self.stdout.write(f"Audit partitions: {len(created)} created{': ' + ', '.join(created) if created else ''}.")
        for month in refused:
            self.stderr.write(
                f"WARNING: audit partition {month} not created: rows of that month are in the DEFAULT partition."
            )
        strays = {table: count for table, count in partitions.default_rows().items() if count}
        for table, count in strays.items():
            self.stderr.write(f"WARNING: {count} row(s) in {table}_default (outside every monthly partition).")
        if not strays:
            self.stdout.write("Audit partitions: no row in the DEFAULT partitions.")
