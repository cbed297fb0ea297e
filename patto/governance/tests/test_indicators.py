from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from patto.core.stats import suppress_small
from patto.governance import services
from patto.governance.indicators import values_for
from patto.governance.models import Indicator


def test_small_counts_are_suppressed():
    assert [suppress_small(n) for n in (0, 1, 4, 5, 12, None)] == [0, None, None, 5, 12, None]


def test_manual_indicator_valued_with_evidence_by_its_party(pact, login, world):
    indicator = Indicator.objects.get()
    url = reverse("governance:indicator_value", kwargs={"indicator_pk": indicator.pk})
    assert login("other_admin").post(url, {"value": "3", "evidence": "x"}).status_code == 403
    client = login("institution_admin")  # governance member of the Comune, which owns the commitment
    bad = client.post(url, {"value": "-1", "evidence": ""})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"value", "evidence"}
    assert client.post(url, {"value": "3", "evidence": "Verbali del 12/03 e dell'11/06"}).status_code == 302
    page = login("coordinator").get(reverse("governance:commitments"))
    measures = {i.pk: m for c in page.context["commitments"] for i, m in c.measures}
    assert measures[indicator.pk]["value"] == 3


def test_computed_indicators(pact, personas, world, family_path):
    coordinator = personas["coordinator"].user
    school_commitment = pact.version_in_force().commitments.get(institution=world.school)
    referents = services.add_indicator(
        actor=coordinator,
        commitment=school_commitment,
        unit="scuole",
        target=1,
        name="Scuole con referente",
        source="school_referents",
    )
    families = services.add_indicator(
        actor=coordinator,
        commitment=school_commitment,
        unit="famiglie",
        target=10,
        name="Famiglie in percorso",
        source="families_in_path",
    )
    values = values_for([referents, families], pact.periods.get())
    assert values[referents.pk]["value"] == 1  # the school has a current school referent
    assert values[families.pk]["value"] == 0  # the family is at the signal: no agreement, not in a path yet
    definition = str(values[families.pk]["definition"])
    assert "agreement" in definition or "adesione" in definition  # what it counts, in the page's language


def test_computed_indicator_cannot_be_entered_by_hand(pact, personas, world):
    from django.core.exceptions import ValidationError

    indicator = services.add_indicator(
        actor=personas["coordinator"].user,
        commitment=pact.version_in_force().commitments.first(),
        name="x",
        unit="n.",
        target=1,
        source="meetings_held",
    )
    with pytest.raises(ValidationError):
        services.record_indicator_value(
            actor=personas["coordinator"].user, indicator=indicator, period=pact.periods.get(), value=1, evidence="x"
        )


def test_indicators_follow_the_commitment_into_a_new_draft(pact, personas):
    draft = pact.versions.get(number=2)
    pact.versions.filter(number=2).delete()
    new = services.draft_version(actor=personas["coordinator"].user, pact=pact, summary="x")
    assert new.number == 2 and Indicator.objects.filter(commitment__pact_version=new).count() == 1
    assert draft.pk != new.pk


@pytest.mark.parametrize("count", [1, 3])
def test_commitments_with_indicators_query_count(count, pact, personas, world, django_assert_num_queries):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    for index in range(count):
        services.add_indicator(
            actor=personas["coordinator"].user,
            commitment=commitment,
            name=f"i{index}",
            unit="n.",
            target=index + 1,
            source="meetings_held",
        )
    client = Client()
    client.force_login(personas["coordinator"].user)
    with django_assert_num_queries(12):
        assert client.get(reverse("governance:commitments")).status_code == 200
    assert date.today()
