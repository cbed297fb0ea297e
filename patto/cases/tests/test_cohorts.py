import pytest
from django.test import Client
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.models import Cohort


def test_coordinator_creates_a_cohort_with_its_schedule(login, personas, world):
    client = login("coordinator")
    bad = client.post(
        reverse("cases:cohort_add"),
        {
            "name": "PIPPI 14 — Rimini",
            "start_date": "2026-09-14",
            "t1_months": "20",
            "t2_months": "18",
            "is_active": "on",
        },
    )
    assert bad.status_code == 200 and "t2_months" in bad.context["form"].errors
    assert b'value="PIPPI 14' in bad.content
    ok = client.post(
        reverse("cases:cohort_add"),
        {
            "name": "PIPPI 14 — Rimini",
            "start_date": "2026-09-14",
            "t1_months": "8",
            "t2_months": "16",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    cohort = Cohort.objects.get(name="PIPPI 14 — Rimini")
    assert (cohort.district, cohort.t1_months, cohort.t2_months) == (world.district, 8, 16)
    duplicate = client.post(
        reverse("cases:cohort_add"),
        {"name": "PIPPI 14 — Rimini", "start_date": "2026-09-14", "t1_months": "9", "t2_months": "18"},
    )
    assert duplicate.status_code == 200 and duplicate.context["form"].errors
    assert AuditEvent.objects.filter(action="cases.cohort.created").count() == 1


def test_cohort_edits_do_not_overwrite_each_other(login, family_path):
    client = login("coordinator")
    url = reverse("cases:cohort_edit", kwargs={"cohort_pk": family_path.cohort_id})
    data = {
        "name": "PIPPI 13 — Rimini",
        "start_date": "2025-09-15",
        "t1_months": "10",
        "t2_months": "18",
        "is_active": "on",
        "version": 1,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "t1_months": "6"}).status_code == 409
    family_path.cohort.refresh_from_db()
    assert family_path.cohort.t1_months == 10


def test_an_inactive_cohort_takes_no_new_path(login, family_path, world):
    Cohort.objects.filter(pk=family_path.cohort_id).update(is_active=False)
    response = login("case_manager").get(reverse("cases:path_create"))
    assert list(response.context["signal"].fields["cohort"].queryset) == []


@pytest.mark.parametrize("count", [1, 3])
def test_cohort_list_query_count(count, personas, world, django_assert_num_queries):
    for index in range(count):
        Cohort.objects.create(district=world.district, name=f"PIPPI {index}", start_date="2025-01-01")
    client = Client()
    client.force_login(personas["coordinator"].user)
    with django_assert_num_queries(6):
        assert client.get(reverse("cases:cohort_list")).status_code == 200
