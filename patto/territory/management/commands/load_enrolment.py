"""manage.py load_enrolment FILE: schools' pupils per school year, from a CSV
``codice meccanografico;anno scolastico;alunni`` (``,`` also accepted; school year as 2025/26 or 2025)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from patto.territory import services
from patto.territory.parsing import LayoutError


class Command(BaseCommand):
    help = "Load schools' pupils per school year from a CSV (codice meccanografico;anno scolastico;alunni)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        try:
            counts = services.load_enrolment(data=data)
        except LayoutError as error:
            raise CommandError(f"{file}: {error}")
        self.stdout.write(
            _("%(rows)s rows: %(created)s new, %(changed)s changed; %(unknown)s rows of schools not in Patto skipped.")
            % {
                "rows": counts["rows"],
                "created": counts["created"],
                "changed": counts["changed"],
                "unknown": counts["unknown_schools"],
            }
        )
