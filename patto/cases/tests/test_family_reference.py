"""Family references carry their district's prefix, with a counter per district and year (issue 9)."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from patto.accounts.models import District
from patto.cases.models import Family
from patto.cases.services import _family_reference


def _new_family(district):
    return Family.objects.create(district=district, reference=_family_reference(district)).reference


@pytest.mark.django_db
def test_each_district_counts_its_own_references_per_year(world):
    with time_machine.travel(date(2027, 3, 2), tick=False):
        assert [_new_family(world.district) for _ in range(2)] == ["RN-2027-0001", "RN-2027-0002"]
        assert _new_family(world.foreign_district) == "FC-2027-0001"
        Family.objects.create(district=world.district, reference="RN-2027-0009")  # a gap: never reuse a number
        assert _new_family(world.district) == "RN-2027-0010"
    with time_machine.travel(date(2028, 1, 1), tick=False):
        assert _new_family(world.district) == "RN-2028-0001"
        assert _new_family(world.foreign_district) == "FC-2028-0001"


@pytest.mark.django_db
def test_a_new_path_gets_the_reference_of_its_district(family_path):
    prefix = family_path.family.district.reference_prefix
    assert prefix == "RN" and family_path.family.reference.startswith("RN-")


@pytest.mark.django_db
def test_the_prefix_is_checked_and_unique(world):
    district = District(name="Distretto di Cesena", reference_prefix="rn 1")
    with pytest.raises(ValidationError) as error:
        district.full_clean()
    assert set(error.value.message_dict) == {"reference_prefix"}
    district.reference_prefix = "RN"  # Rimini's
    with pytest.raises(ValidationError) as error:
        district.full_clean()
    assert set(error.value.message_dict) == {"reference_prefix"}
    district.reference_prefix = "CE"
    district.full_clean()
