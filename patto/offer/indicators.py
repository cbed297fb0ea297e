"""The pact's computed indicators for commitment 6 (co-design of services): processes in progress, processes
concluded, places added. By the dates of the facts (the notice published, the agreement signed), never by when a
record was entered. Registered with governance in ``OfferConfig.ready()`` (``scope``: see
``governance.indicators``). No family is counted: no suppression."""

from django.db.models import IntegerField

from patto.governance.indicators import count_of, sum_of

from .queries import capacity_added, processes_concluded, processes_in_progress


def codesign_in_progress(scope):
    """Processes under way on the last day of the period (or today, if earlier)."""
    return count_of(processes_in_progress(scope.district_id, scope.last_day))


def codesign_concluded(scope):
    """Processes whose agreement was signed in the period."""
    return count_of(processes_concluded(scope.district_id, scope.starts_on, scope.ends_on))


def places_added(scope):
    """Places added to the offer by the agreements signed in the period (None without any: see ``none_as_zero``)."""
    return sum_of(capacity_added(scope.district_id, scope.starts_on, scope.ends_on), "places_added", IntegerField())


def none_as_zero(total):
    return total or 0
