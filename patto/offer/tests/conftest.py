"""The offer's tests: the root personas and family path, two comuni of the district, and helpers to open more
paths and activate dispositivi through the cases services."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client

from patto.cases.models import DeviceType
from patto.territory.models import Comune


def fresh(user):
    """A new User object, as each request has: the per-request caches start empty."""
    return type(user).objects.get(pk=user.pk)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def device(code):
    return DeviceType.objects.get(code=code)


@pytest.fixture
def comuni(world):
    rimini, _ = Comune.objects.get_or_create(district=world.district, istat_code="099014", defaults={"name": "Rimini"})
    santarcangelo, _ = Comune.objects.get_or_create(
        district=world.district, istat_code="099018", defaults={"name": "Santarcangelo di Romagna"}
    )
    return SimpleNamespace(rimini=rimini, santarcangelo=santarcangelo)


@pytest.fixture
def offers(world, personas, comuni):
    from patto.offer import services

    coordinator = fresh(personas["coordinator"].user)
    home = services.add_offer(
        actor=coordinator,
        district=world.district,
        device_type=device("educativa-domiciliare"),
        provider=world.coop,
        comuni=[comuni.rimini, comuni.santarcangelo],
        age_bands=["6-10", "11-13"],
        places=6,
        hours_per_week=30,
    )
    groups = services.add_offer(
        actor=coordinator,
        district=world.district,
        device_type=device("gruppi"),
        provider=world.comune,
        comuni=[comuni.rimini],
        age_bands=["0-2", "3-5"],
        places=20,
    )
    return SimpleNamespace(home=home, groups=groups)


@pytest.fixture
def open_path(personas, family_path):
    """open_path(i) → a new path of the case manager in the fixture's cohort (a family of one child)."""
    from patto.cases import services
    from patto.cases.models import Path

    case_manager = personas["case_manager"].user

    def _open(index):
        return services.open_path(
            actor=fresh(case_manager),
            cohort=family_path.cohort,
            signal_source=family_path.signal_source,
            signal_date=date(2025, 9, 1),
            signal_summary="Segnalazione di esempio.",
            legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
            child={
                "first_name": f"Bimbo{index}",
                "last_name": "Esempio",
                "birth_date": date(2016, 1, 1 + index),
                "sex": "M",
                "fiscal_code": "",
                "town": "Rimini",
                "school": None,
                "school_site": None,
            },
        )

    return _open
