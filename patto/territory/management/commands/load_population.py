"""manage.py load_population FILE [--year YYYY] [--approximate] [--source TEXT]

Loads ISTAT's CSV of the resident population by single year of age per comune (demo.istat.it, POSAS; the
layout is in ``territory.parsing`` and the README) into the 0-17 age bands of the comuni known in Patto."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from patto.territory import services
from patto.territory.parsing import LayoutError


class Command(BaseCommand):
    help = "Load ISTAT's resident population by age (CSV) into the 0-17 age bands of the district's comuni."

    def add_arguments(self, parser):
        parser.add_argument("file", help="ISTAT's CSV (POSAS layout)")
        parser.add_argument("--year", type=int, help="The year (population on 1 January); default: the file's title")
        parser.add_argument("--approximate", action="store_true", help="Mark the figures as approximate")
        parser.add_argument("--source", default="", help="Where the figures come from (shown with them)")

    def handle(self, *args, file, year=None, approximate=False, source="", **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        services.sync_comuni(actor_label="load_population")
        try:
            counts = services.load_population(data=data, year=year, approximate=approximate, source=source)
        except (LayoutError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"{file}: {message}")
        self.stdout.write(
            _(
                "Population on 1 January %(year)s: %(comuni)s comuni of Patto loaded (%(created)s figures new, "
                "%(changed)s changed); %(unknown)s comuni of the file are not in Patto and were skipped."
            )
            % {
                "year": counts["year"],
                "comuni": counts["comuni"],
                "created": counts["bands_created"],
                "changed": counts["bands_changed"],
                "unknown": counts["unknown_comuni"],
            }
        )
