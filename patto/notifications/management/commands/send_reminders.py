"""Hourly (README, "Production"): the reminders that come from the passing of time (each app's registered
sources: tasks overdue, time points due, requests past their clock…; a dedupe key per thing and day makes
a second run harmless), then the e-mails whose retry is due are queued again."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from patto.notifications.reminders import run_sources
from patto.notifications.services import requeue_due_emails


class Command(BaseCommand):
    help = "Create the reminders due today and queue again the e-mails whose retry is due."

    def handle(self, *args, **options):
        for name, count in run_sources(timezone.localdate()).items():
            self.stdout.write(f"{name}: {count} notification(s)")
        self.stdout.write(f"e-mails queued again: {requeue_due_emails()}")
