"""Removes stored files that no Attachment row points to (left by a transaction that failed after the
file was written). Files younger than an hour are left alone: their transaction may still be running.
Run it daily from cron; it prints how many files it removed."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from patto.documents.models import Attachment


class Command(BaseCommand):
    help = "Remove uploaded files that belong to no attachment (older than an hour)."

    def add_arguments(self, parser):
        parser.add_argument("--min-age-minutes", type=int, default=60)

    def handle(self, *args, min_age_minutes, **options):
        root = Path(settings.PATTO_UPLOAD_ROOT)
        cutoff = time.time() - min_age_minutes * 60
        files = {p.relative_to(root).as_posix(): p for p in root.glob("*/*") if p.is_file()} if root.is_dir() else {}
        names, known = list(files), set()
        for start in range(0, len(names), 500):
            known.update(
                Attachment.objects.filter(storage_name__in=names[start : start + 500]).values_list(
                    "storage_name", flat=True
                )
            )
        removed = 0
        for name, path in files.items():
            if name not in known and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        self.stdout.write(f"{removed} orphan file(s) removed, {len(known)} in use.")
