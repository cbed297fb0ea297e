from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import DeviceActivation, DeviceType, Volunteer
from patto.cases.tests.pages import section
from patto.core.exceptions import ConflictError


def _type(code):
    return DeviceType.objects.get(code=code)


@pytest.mark.django_db
def test_catalogue_has_the_seven_devices_and_pippis_four():
    assert DeviceType.objects.count() == 7
    assert set(DeviceType.objects.filter(pippi_core=True).values_list("code", flat=True)) == {
        "educativa-domiciliare",
        "gruppi",
        "partenariato-scuola",
        "vicinanza-solidale",
    }


def test_each_device_needs_what_it_measures(family_path, personas, world):
    cm = personas["case_manager"].user
    common = {"actor": cm, "path": family_path, "provider": world.coop, "starts_on": date(2025, 10, 1)}
    with pytest.raises(ValidationError):
        services.activate_device(device_type=_type("educativa-domiciliare"), **common)
    with pytest.raises(ValidationError):
        services.activate_device(device_type=_type("gruppi"), **common)
    with pytest.raises(ValidationError):
        services.activate_device(device_type=_type("partenariato-scuola"), **common)
    applied = services.add_volunteer(
        actor=cm, district=world.district, first_name="Rita", last_name="Semprini", town="Rimini", screening="applied"
    )
    with pytest.raises(ValidationError):
        services.activate_device(device_type=_type("vicinanza-solidale"), volunteer=applied, **common)
    assert not DeviceActivation.objects.exists()
    services.activate_device(device_type=_type("educativa-domiciliare"), hours_per_week=6, **common)
    services.activate_device(device_type=_type("partenariato-scuola"), school=world.school, **common)
    services.update_volunteer(
        actor=cm, volunteer=applied, version=applied.version, screening="approved", screened_on=date(2025, 9, 20)
    )
    services.activate_device(device_type=_type("vicinanza-solidale"), volunteer=applied, **common)
    assert DeviceActivation.objects.count() == 3


def test_group_sessions_and_attendance(family_path, personas, world, login):
    cm = personas["case_manager"].user
    groups = services.activate_device(
        actor=cm,
        path=family_path,
        device_type=_type("gruppi"),
        provider=world.comune,
        starts_on=date(2025, 10, 1),
        sessions_planned=8,
    )
    client = login("team_member")
    url = reverse("cases:session_add", kwargs={"pk": family_path.pk, "activation_pk": groups.pk})
    assert client.post(url, {"held_on": "2025-10-08", "attended": "on"}).status_code == 302
    assert client.post(url, {"held_on": "2025-10-15"}).status_code == 302
    page = section(client, family_path, "dispositivi")
    device = page.context["devices"][0]
    assert (device.sessions_held, device.sessions_attended) == (2, 1)
    assert "2 di 8 incontri" in page.content.decode() or "2 of 8 sessions" in page.content.decode()


def test_school_sees_only_its_partnership(family_path, personas, world, login):
    cm = personas["case_manager"].user
    services.activate_device(
        actor=cm,
        path=family_path,
        device_type=_type("partenariato-scuola"),
        provider=world.comune,
        starts_on=date(2025, 10, 1),
        school=world.school,
    )
    services.activate_device(
        actor=cm,
        path=family_path,
        device_type=_type("educativa-domiciliare"),
        provider=world.coop,
        starts_on=date(2025, 10, 1),
        hours_per_week=4,
    )
    page = section(login("school_referent"), family_path, "dispositivi")
    assert [d.device_type.code for d in page.context["devices"]] == ["partenariato-scuola"]


def test_device_page_keeps_input_and_locks(family_path, personas, world, login):
    client = login("case_manager")
    response = client.post(
        reverse("cases:device_add", kwargs={"pk": family_path.pk}),
        {
            "device_type": _type("educativa-domiciliare").pk,
            "provider": world.coop.pk,
            "starts_on": "2025-10-01",
            "notes": "Due pomeriggi",
        },
    )
    assert response.status_code == 200 and "hours_per_week" in response.context["form"].errors
    assert "Due pomeriggi" in response.content.decode()
    activation = services.activate_device(
        actor=personas["case_manager"].user,
        path=family_path,
        device_type=_type("educativa-domiciliare"),
        provider=world.coop,
        starts_on=date(2025, 10, 1),
        hours_per_week=4,
    )
    services.update_device(
        actor=personas["case_manager"].user,
        activation=activation,
        version=1,
        ends_on=date(2026, 6, 30),
        hours_per_week=3,
    )
    with pytest.raises(ConflictError):
        services.update_device(
            actor=personas["case_manager"].user, activation=activation, version=1, ends_on=None, hours_per_week=8
        )
    activation.refresh_from_db()
    assert activation.hours_per_week == 3


def test_volunteer_register_screening_and_audit(login, personas):
    client = login("case_manager")
    response = client.post(
        reverse("cases:volunteer_add"),
        {"first_name": "Rita", "last_name": "Semprini", "town": "Rimini", "screening": "approved"},
    )
    assert response.status_code == 200 and "screened_on" in response.context["form"].errors
    response = client.post(
        reverse("cases:volunteer_add"),
        {
            "first_name": "Rita",
            "last_name": "Semprini",
            "town": "Rimini",
            "screening": "approved",
            "screened_on": "2025-09-20",
        },
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert AuditEvent.objects.filter(action="cases.volunteer.added", object_id=str(volunteer.pk)).exists()
    assert (
        login("foreigner").get(reverse("cases:volunteer_edit", kwargs={"volunteer_pk": volunteer.pk})).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 3])
def test_volunteer_list_query_count(count, personas, world, django_assert_num_queries):
    cm = personas["case_manager"].user
    for index in range(count):
        services.add_volunteer(
            actor=cm, district=world.district, first_name=f"V{index}", last_name="Prova", town="Rimini"
        )
    client = Client()
    client.force_login(cm)
    with django_assert_num_queries(10):
        assert client.get(reverse("cases:volunteer_list")).status_code == 200
