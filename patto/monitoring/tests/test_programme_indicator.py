"""The pact's indicator "Families in a PIPPI path" counts by the dates of the domain: the families whose
agreement is in force at some time in the period, not the records entered in it, nor the families still at the
signal or the pre-assessment; and the indicators say in words what they count."""

import html
from datetime import date

from django.urls import reverse

from patto.governance import services
from patto.governance.indicators import computed, values_for
from patto.governance.models import MonitoringPeriod

from .test_programme import Builder


def test_families_in_a_path_in_the_first_half_of_2026_are_those_with_an_agreement_in_force(
    world, personas, pact, login
):
    build = Builder(world, personas)
    cohort = build.cohort("PIPPI 11", date(2022, 3, 1))
    in_force = [
        build.path(cohort, state="intervention", signal=date(2023, 1, 10), agreement=date(2023, 3, 1)),
        build.path(cohort, state="closed", agreement=date(2024, 9, 1), closed=date(2026, 2, 15), outcome="improved"),
        build.path(cohort, state="closed", agreement=date(2024, 1, 1), closed=date(2026, 1, 1), outcome="other"),
        build.path(cohort, state="assessment", signal=date(2025, 10, 1), agreement=date(2025, 11, 1)),
        build.path(cohort, state="intervention", agreement=date(2025, 1, 1)),
        build.path(cohort, state="intervention", agreement=date(2025, 1, 1)),
    ]
    not_in_force = [
        build.path(cohort, state="closed", agreement=date(2022, 5, 1), closed=date(2024, 3, 1), outcome="lighter"),
        build.path(cohort, state="closed", agreement=date(2025, 12, 20), closed=date(2025, 12, 31), outcome="other"),
        build.path(cohort, state="signal", signal=date(2025, 12, 1)),
        build.path(cohort, state="pre_assessment", signal=date(2025, 11, 1)),
        build.path(cohort, state="agreement", signal=date(2026, 5, 1), agreement=date(2026, 7, 10)),
    ]
    assert len(in_force) == 6 and len(not_in_force) == 5
    # Every record was entered today (16 November 2026), after the period: counting records by their creation,
    # as the indicator used to, gives 0.
    first_half = MonitoringPeriod.objects.create(
        pact=pact, name="Primo semestre 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    assert computed("families_in_path", pact, first_half) == 6

    indicator = services.add_indicator(
        actor=personas["coordinator"].user,
        commitment=pact.version_in_force().commitments.get(institution=world.comune),
        name="Famiglie in un percorso PIPPI",
        unit="famiglie",
        target=10,
        source="families_in_path",
    )
    value = values_for([indicator], first_half)[indicator.pk]
    assert value["value"] == 6 and value["computed"]
    # The commitments page says what the figure counts (the open period: the second half of 2026).
    page = login("coordinator").get(reverse("governance:commitments")).content.decode()
    assert str(value["definition"]) in html.unescape(page)


def test_every_computed_source_has_its_definition():
    from patto.governance.indicators import DEFINITIONS, _computed
    from patto.governance.models import Indicator

    computed = set(Indicator.Source.values) - {Indicator.Source.MANUAL}
    assert set(DEFINITIONS) == computed and computed <= set(_computed)
