"""Daily, in the morning (README, "Production"): one e-mail per person gathering the notifications they
chose to receive in the daily digest and not yet in one. The e-mails are queued; the worker sends them."""

from django.core.management.base import BaseCommand

from patto.notifications.services import prepare_digests


class Command(BaseCommand):
    help = "Queue one digest e-mail per person with notifications waiting for the daily digest."

    def handle(self, *args, **options):
        self.stdout.write(f"digests queued: {len(prepare_digests())}")
