from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patto.audit.services import record_event
from patto.cases.framework_loader import load_framework, read


class Command(BaseCommand):
    help = "Load a version of the assessment framework from a JSON file and use it for new assessments."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            data = read(options["file"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            framework = load_framework(data, apps)
            record_event(actor=None, action="cases.framework.loaded", obj=framework, actor_label="load_framework")
        self.stdout.write(f"{framework} is now used for new assessments.")
