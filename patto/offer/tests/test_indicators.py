"""Commitment 6's computed indicators: processes in progress on the period's last day (or today), processes
concluded in the period, places added by the agreements signed in it; by the dates of the facts."""

from datetime import date

import time_machine
from django.db.models import Sum

from patto.governance.indicators import DEFINITIONS, _computed, computed
from patto.governance.models import MonitoringPeriod
from patto.offer import services
from patto.offer.models import CapacityLine, CodesignProcess


def _run(world, personas, offers, title, started, phases, places=0):
    coordinator = personas["coordinator"].user
    process = services.start_process(actor=coordinator, district=world.district, title=title, started_on=started)
    if places:
        services.add_capacity(actor=coordinator, process=process, offer=offers.home, places_added=places)
    for day in phases:
        process.refresh_from_db()
        services.advance_phase(actor=coordinator, process=process, version=process.version, on=day)
    return process


def test_the_sources_are_registered_with_their_definitions():
    for source in ("codesign_in_progress", "codesign_concluded", "places_added"):
        assert source in _computed and source in DEFINITIONS


def test_indicator_values_count_by_the_dates_of_the_facts(world, personas, pact, offers):
    period = MonitoringPeriod.objects.get(pact=pact)  # 1 July to 31 December 2026; today is 16 November
    three = [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    # concluded before the period: neither in progress nor concluded in it
    _run(world, personas, offers, "Vecchio", date(2026, 1, 10), [*three, date(2026, 6, 1)], places=2)
    # concluded in the period, with 5 places
    _run(world, personas, offers, "Concluso", date(2026, 1, 10), [*three, date(2026, 9, 15)], places=5)
    # under way: at the tables
    _run(world, personas, offers, "Ai tavoli", date(2026, 8, 1), [date(2026, 9, 1), date(2026, 10, 1)])
    # under way: just published
    _run(world, personas, offers, "Avviso", date(2026, 11, 2), [])
    assert computed("codesign_in_progress", pact, period) == 2
    assert computed("codesign_concluded", pact, period) == 1
    assert computed("places_added", pact, period) == 5
    assert CapacityLine.objects.aggregate(total=Sum("places_added"))["total"] == 7
    # seen from an earlier period: the one concluded in September was in progress at the end of June
    earlier = MonitoringPeriod(pact=pact, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    assert computed("codesign_in_progress", pact, earlier) == 1
    assert computed("codesign_concluded", pact, earlier) == 1
    assert computed("places_added", pact, earlier) == 2
    # a later day does not change what the period says
    with time_machine.travel(date(2027, 3, 1), tick=False):
        assert computed("codesign_in_progress", pact, period) == 2
    assert CodesignProcess.objects.count() == 4
