"""Open data of the needs analysis: the coordinator publishes a snapshot of the report's tables, anonymous
readers see the page and the CSV (suppressed cells stay suppressed), later data do not change it, taking it
offline is audited and removes it."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.models import Person
from patto.monitoring.models import OpenDataset

from .test_needs import Territory, populate


@pytest.fixture
def territory(world, personas):
    return Territory(world, personas)


def test_publish_read_anonymously_snapshot_and_withdraw(territory, client, login):
    populate(territory)
    district = territory.world.district
    coordinator = login("coordinator")
    page = coordinator.get(reverse("monitoring:open_data"), {"anno": 2025})
    assert page.status_code == 200 and 'value="comuni"' in page.content.decode()
    refused = coordinator.post(reverse("monitoring:open_data"), {"anno": 2025})
    assert refused.status_code == 400 and not OpenDataset.objects.exists()
    response = coordinator.post(reverse("monitoring:open_data"), {"anno": 2025, "tables": ["comuni", "fonti"]})
    assert response.status_code == 302
    dataset = OpenDataset.objects.get()
    assert dataset.year == 2025 and [t["key"] for t in dataset.tables] == ["comuni", "fonti"]
    assert AuditEvent.objects.filter(action="monitoring.open_data.published", object_id=str(dataset.pk)).exists()
    coordinator.logout()

    public_url = reverse("open_data_public", args=[district.pk])
    body = client.get(public_url).content.decode()
    assert "CC BY 4.0" in body and "Santarcangelo" in body and "&lt;5" in body
    assert "Prova" not in body and "Bimbo" not in body  # no name, ever
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("open_data_csv", args=[district.pk, dataset.pk])).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:6] == ["anno", "tabella", "titolo", "riga", "colonna", "valore"]
    assert any(row[1] == "comuni" and row[3] == "Santarcangelo" and row[5] in ("<5", "n.d.") for row in rows)
    assert any(row[3] == "Rimini" and row[5] == "6" for row in rows), [r for r in rows if r[3] == "Rimini"]

    # Later data do not change what was published.
    territory.family(agreement=date(2025, 4, 1))
    assert any(row[3] == "Rimini" and row[5] == "6" for row in _csv(client, district, dataset))

    # Publishing the year again replaces it; taking it offline removes the page.
    coordinator = login("coordinator")
    coordinator.post(reverse("monitoring:open_data"), {"anno": 2025, "tables": ["comuni"]})
    assert OpenDataset.objects.filter(withdrawn_at=None).count() == 1
    current = OpenDataset.objects.get(withdrawn_at=None)
    assert any(row[3] == "Rimini" and row[5] == "7" for row in _csv(client, district, current))
    assert client.get(reverse("open_data_csv", args=[district.pk, dataset.pk])).status_code == 404
    coordinator.post(reverse("monitoring:open_data_withdraw", args=[current.pk]))
    assert AuditEvent.objects.filter(action="monitoring.open_data.withdrawn").count() == 2
    coordinator.logout()
    assert client.get(public_url).status_code == 404


def _csv(client, district, dataset):
    content = client.get(reverse("open_data_csv", args=[district.pk, dataset.pk])).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_only_the_coordinator_publishes(territory, login):
    assert login("case_manager").get(reverse("monitoring:open_data")).status_code == 403
    assert (
        login("case_manager").post(reverse("monitoring:open_data"), {"anno": 2025, "tables": ["comuni"]}).status_code
        == 403
    )
    assert not OpenDataset.objects.exists()


@pytest.mark.parametrize("families", [1, 3])
def test_the_public_page_costs_the_same_with_more_figures(
    territory, families, client, login, django_assert_num_queries
):
    for _ in range(families):
        territory.family(agreement=date(2025, 4, 1))
    login("coordinator").post(reverse("monitoring:open_data"), {"anno": 2025, "tables": ["comuni", "anni"]})
    client.logout()
    with django_assert_num_queries(2):
        assert client.get(reverse("open_data_public", args=[territory.world.district.pk])).status_code == 200
    assert Person.objects.exists()
