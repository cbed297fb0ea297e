"""A dispositivo activated from the path (cases' own form, not the waiting list's "activate") ends the family's
open waiting entry for it: through ``cases.hooks.on_device_activated`` (cases imports nothing of the offer), in
the activation's transaction, audited."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases import hooks
from patto.cases import services as cases_services
from patto.cases.models import DeviceActivation
from patto.offer import services
from patto.offer.models import WaitingEntry

from .conftest import device, fresh

TODAY = date(2026, 11, 16)


@pytest.fixture
def waiting(offers, family_path, personas):
    return services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user),
        path=family_path,
        offer=offers.home,
        need="Educativa domiciliare",
        since=TODAY - timedelta(days=12),
    )


def _activate(personas, path, code, provider, starts_on=TODAY, ends_on=None, who="case_manager"):
    return cases_services.activate_device(
        actor=fresh(personas[who].user),
        path=path,
        device_type=device(code),
        provider=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=4 if code == "educativa-domiciliare" else None,
        sessions_planned=6 if code == "gruppi" else None,
    )


def test_cases_activation_form_ends_the_matching_entry(waiting, family_path, personas, world, login):
    response = login("case_manager").post(
        reverse("cases:device_add", kwargs={"pk": family_path.pk}),
        {
            "device_type": device("educativa-domiciliare").pk,
            "provider": world.coop.pk,
            "starts_on": TODAY.isoformat(),
            "hours_per_week": "4",
        },
    )
    assert response.status_code == 302
    activation = DeviceActivation.objects.get(path=family_path)
    waiting.refresh_from_db()
    assert waiting.outcome == WaitingEntry.Outcome.ACTIVATED and waiting.activation == activation
    assert waiting.ended_on == TODAY and waiting.ended_by_id == personas["case_manager"].user_id
    assert waiting.days_waiting() == 12
    event = AuditEvent.objects.get(action="offer.waiting.activated", object_id=str(waiting.pk))
    assert event.changes["via"] == [None, "path"] and event.changes["activation"] == [None, activation.pk]
    assert {s.subject_id for s in event.subjects.all()} == {str(p.pk) for p in family_path.family.members.all()}


def test_an_activation_that_starts_before_the_wait_ends_it_on_the_first_day(waiting, family_path, personas, world):
    _activate(personas, family_path, "educativa-domiciliare", world.coop, starts_on=TODAY - timedelta(days=40))
    waiting.refresh_from_db()
    assert waiting.ended_on == waiting.since and waiting.days_waiting() == 0


def test_a_dispositivo_of_the_past_recorded_now_leaves_the_wait_open(waiting, family_path, personas, world):
    """Home education the family had last year, ended long before they started waiting, is not what they wait
    for: the entry stays open (on the map too)."""
    _activate(
        personas,
        family_path,
        "educativa-domiciliare",
        world.coop,
        starts_on=TODAY - timedelta(days=400),
        ends_on=TODAY - timedelta(days=300),
    )
    waiting.refresh_from_db()
    assert waiting.is_open and waiting.activation is None
    # One that ended after the wait began did serve the family: it ends the entry, on its first day.
    _activate(
        personas, family_path, "educativa-domiciliare", world.coop, starts_on=TODAY - timedelta(days=30), ends_on=TODAY
    )
    waiting.refresh_from_db()
    assert waiting.outcome == WaitingEntry.Outcome.ACTIVATED and waiting.ended_on == waiting.since


def test_only_the_case_manager_activates_even_through_the_service(waiting, family_path, personas, world):
    """The service asks what the view asks: whoever calls it (another app's code), a team member who is not the
    case manager activates nothing and ends no wait."""
    from django.core.exceptions import PermissionDenied

    for who in ("team_member", "health_professional", "school_referent", "coordinator"):
        with pytest.raises(PermissionDenied):
            _activate(personas, family_path, "educativa-domiciliare", world.coop, who=who)
    waiting.refresh_from_db()
    assert waiting.is_open and not DeviceActivation.objects.filter(path=family_path).exists()


def test_another_provider_or_dispositivo_leaves_the_entry_open(waiting, offers, family_path, personas, world):
    _activate(personas, family_path, "educativa-domiciliare", world.comune)  # same dispositivo, other provider
    _activate(personas, family_path, "gruppi", world.coop)  # same provider, other dispositivo
    waiting.refresh_from_db()
    assert waiting.is_open
    assert not AuditEvent.objects.filter(action="offer.waiting.activated").exists()


def test_another_familys_entry_is_left_alone(waiting, offers, open_path, personas, world):
    other = open_path(1)
    _activate(personas, other, "educativa-domiciliare", world.coop)
    waiting.refresh_from_db()
    assert waiting.is_open


def test_activation_from_the_waiting_list_ends_its_entry_once(waiting, family_path, personas):
    services.activate_from_waiting(
        actor=fresh(personas["case_manager"].user),
        entry=waiting,
        version=waiting.version,
        starts_on=TODAY,
        hours_per_week=4,
    )
    waiting.refresh_from_db()
    assert waiting.outcome == WaitingEntry.Outcome.ACTIVATED and waiting.version == 2
    events = AuditEvent.objects.filter(action="offer.waiting.activated", object_id=str(waiting.pk))
    assert events.count() == 1 and "via" not in events.get().changes


def test_the_entry_ends_in_the_activations_transaction(waiting, family_path, personas, world):
    """A later handler that fails undoes the activation and the entry's end alike."""

    def refuse(*, actor, activation):
        raise RuntimeError("refused")

    hooks.on_device_activated(refuse)
    try:
        with pytest.raises(RuntimeError):
            _activate(personas, family_path, "educativa-domiciliare", world.coop)
    finally:
        hooks._device_activated.remove(refuse)
    waiting.refresh_from_db()
    assert waiting.is_open and not DeviceActivation.objects.filter(path=family_path).exists()
    assert not AuditEvent.objects.filter(action__in=["offer.waiting.activated", "cases.device.activated"]).exists()


def test_cases_does_not_import_the_offer():
    import ast
    from pathlib import Path

    root = Path(hooks.__file__).parent
    for source in root.rglob("*.py"):
        if "tests" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.startswith("patto.offer") for name in names), source
