"""The pact's computed indicators for commitment 6 (co-design of services): processes in progress, processes
concluded, places added. By the dates of the facts (the notice published, the agreement signed), never by when a
record was entered. Registered with governance in ``OfferConfig.ready()``. No family is counted: no suppression."""

from django.utils import timezone

from .queries import places_added as _places_added
from .queries import processes_concluded, processes_in_progress


def codesign_in_progress(pact, period):
    """Processes under way on the last day of the period (or today, if earlier)."""
    day = min(period.ends_on, timezone.localdate())
    return processes_in_progress(pact.district_id, day).count()


def codesign_concluded(pact, period):
    """Processes whose agreement was signed in the period."""
    return processes_concluded(pact.district_id, period.starts_on, period.ends_on).count()


def places_added(pact, period):
    """Places added to the offer by the agreements signed in the period."""
    return _places_added(pact.district_id, period.starts_on, period.ends_on)
