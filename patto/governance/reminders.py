"""The pact's reminders that come from the passing of time, run by ``manage.py send_reminders``
(registered in ``apps.py``); each dedupe key makes a second run harmless."""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from patto.notifications.kinds import Kind
from patto.notifications.services import notify

from .models import CommitmentUpdate, MonitoringPeriod
from .queries import referents_of

# The parties are reminded from this many days before an open period ends (and after, until it is closed).
COMMITMENT_REMINDER_DAYS = 14


@transaction.atomic
def commitment_updates_due(today):
    """To the referents of each party with a commitment of the version in force not yet updated in an open
    period that ends within ``COMMITMENT_REMINDER_DAYS`` (or has ended): once per period, party and person."""
    periods = MonitoringPeriod.objects.filter(
        opened_at__isnull=False, closed_at__isnull=True, ends_on__lte=today + timedelta(days=COMMITMENT_REMINDER_DAYS)
    ).select_related("pact")
    created = 0
    for period in periods:
        in_force = period.pact.version_in_force(today)
        if in_force is None:
            continue
        # The same commitment across versions (its lineage) counts as updated.
        updated = CommitmentUpdate.objects.filter(period=period, commitment__lineage=OuterRef("lineage"))
        parties = in_force.commitments.filter(~Exists(updated)).values("institution")
        people = defaultdict(set)
        for membership in referents_of(parties, today):
            people[membership.institution_id].add(membership.user)
        for institution_id, users in sorted(people.items()):
            created += len(
                notify(
                    recipients=sorted(users, key=lambda user: user.pk),
                    kind=Kind.COMMITMENT_UPDATE_DUE,
                    url=reverse("governance:commitments"),
                    reference=period.name,
                    dedupe_key=f"period:{period.pk}:institution:{institution_id}:update_due",
                )
            )
    return created
