import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.models import ClosureOutcome, DeviceType


def test_coordinator_configures_outcomes_and_dispositivi(login, personas):
    client = login("coordinator")
    response = client.post(
        reverse("cases:catalogue_add", kwargs={"kind": "outcome"}),
        {"code": "tribunale", "label": "Passaggio alla tutela del Tribunale", "order": 60, "is_active": "on"},
    )
    assert response.status_code == 302
    assert ClosureOutcome.objects.get(code="tribunale").is_active
    device = DeviceType.objects.get(code="sostegno-economico")
    url = reverse("cases:catalogue_edit", kwargs={"kind": "device", "entry_pk": device.pk})
    data = {
        "code": device.code,
        "name": "Sostegno economico (contributo)",
        "measure": "none",
        "order": 6,
        "version": device.version,
    }
    assert client.post(url, data).status_code == 302
    device.refresh_from_db()
    assert device.name == "Sostegno economico (contributo)" and not device.is_active
    assert client.post(url, {**data, "name": "Altro"}).status_code == 409
    assert AuditEvent.objects.filter(action__startswith="cases.catalogue.").count() == 2


def test_duplicate_code_keeps_input(login, personas):
    response = login("coordinator").post(
        reverse("cases:catalogue_add", kwargs={"kind": "outcome"}),
        {"code": "improved", "label": "Doppione", "order": 1},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert b'value="Doppione"' in response.content


def test_inactive_outcome_is_not_offered_at_closure(login, family_path):
    ClosureOutcome.objects.filter(code="other").update(is_active=False)
    response = login("case_manager").get(reverse("cases:path_close", kwargs={"pk": family_path.pk}))
    assert "other" not in {o.code for o in response.context["form"].fields["outcome"].queryset}


def test_unknown_catalogue_is_404(login, personas):
    assert login("coordinator").get(reverse("cases:catalogue_add", kwargs={"kind": "nope"})).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_catalogues_query_count(count, personas, django_assert_num_queries):
    from django.test import Client

    for index in range(count):
        ClosureOutcome.objects.create(code=f"extra-{index}", label=f"Esito {index}", order=90 + index)
    client = Client()
    client.force_login(personas["coordinator"].user)
    with django_assert_num_queries(6):
        assert client.get(reverse("cases:catalogues")).status_code == 200
