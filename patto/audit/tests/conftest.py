"""A family of the district with a few accesses recorded, and one of the second district."""

from datetime import date
from types import SimpleNamespace

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.audit.services import record_access
from patto.cases import services
from patto.cases.models import Cohort, Path


@pytest.fixture
def foreign_family(world, personas):
    """A family of the second district, whose child has the same name as the first district's."""
    social_worker = MembershipFactory(institution=world.foreign, role=Role.SOCIAL_WORKER).user
    cohort = Cohort.objects.create(
        district=world.foreign_district, name="PIPPI 13 — Forlì", start_date=date(2025, 9, 1)
    )
    path = services.open_path(
        actor=social_worker,
        cohort=cohort,
        signal_source=world.foreign,
        signal_date=date(2025, 9, 1),
        signal_summary="Segnalazione.",
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        child={
            "first_name": "Aurora",
            "last_name": "Canestrari",
            "birth_date": date(2016, 1, 5),
            "sex": "F",
            "fiscal_code": "",
            "town": "Forlì",
            "school": None,
            "school_site": None,
        },
    )
    return SimpleNamespace(family=path.family, child=path.family.members.get())


@pytest.fixture
def read_path(family_path, personas):
    """``read_path(n)``: the case manager opens the family's path n times (as the path page logs it)."""

    def _read(times=1):
        members = list(family_path.family.members.all())
        for _ in range(times):
            record_access(
                actor=personas["case_manager"].user, action="cases.path.viewed", obj=family_path, subjects=members
            )

    return _read
