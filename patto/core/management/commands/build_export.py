"""Build one export job in this process (the task worker starts this as a child process per job, so that the
memory of a big PDF is given back when it exits). Not for people: the job must be claimed (running)."""

from django.core.management.base import BaseCommand

from patto.core.exportjobs import build_now


class Command(BaseCommand):
    help = "Build a claimed export job (run by the task worker, one process per job)."

    def add_arguments(self, parser):
        parser.add_argument("job_id")

    def handle(self, *args, job_id, **options):
        self.stdout.write(build_now(job_id))
