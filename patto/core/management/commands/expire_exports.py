"""Remove the files of exports past PATTO_EXPORT_KEEP_HOURS (run nightly by ``maintenance``)."""

from django.core.management.base import BaseCommand

from patto.core.exportjobs import expire_exports


class Command(BaseCommand):
    help = "Remove expired exports' files and mark the jobs expired (audited)."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_exports()} expired exports removed.")
