"""Every governance list: the same number of queries with 1 and 3 items."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.documents.tests import samples
from patto.governance import services
from patto.governance.models import MonitoringPeriod, PactVersion


def _client(personas):
    client = Client()
    client.force_login(personas["coordinator"].user)
    return client


def _grow(kind, pact, personas, world, count):
    coordinator = personas["coordinator"].user
    for index in range(count):
        if kind == "versions":
            PactVersion.objects.create(
                pact=pact,
                number=10 + index,
                status="approved",
                approved_on=date(2025, 1, 1),
                effective_from=date(2025, 1, 1 + index),
                approval_reference="x",
            )
        elif kind == "signatories":
            services.record_adhesion(
                actor=coordinator,
                pact=pact,
                institution=world.comune_b
                if index == 0
                else world.office
                if index == 1
                else world.foreign.__class__.objects.create(
                    district=world.district, kind="comune", name=f"Comune {index}", istat_code=f"0990{index:02d}"
                ),
                signer_name="x",
                signer_role="x",
                signed_on=date(2024, 3, 1),
                method="digital",
                signed_document=SimpleUploadedFile("adesione.pdf", samples.pdf()),
            )
        elif kind == "periods":
            MonitoringPeriod.objects.create(
                pact=pact, name=f"P{index}", starts_on=date(2020 + index, 1, 1), ends_on=date(2020 + index, 6, 30)
            )
        elif kind == "bodies":
            body = services.create_body(actor=coordinator, pact=pact, kind="working_group", name=f"Gruppo {index}")
            services.add_body_member(
                actor=coordinator, body=body, user=coordinator, institution=world.comune, valid_from=date(2024, 1, 1)
            )
        elif kind == "procedures":
            services.create_procedure(
                actor=coordinator,
                pact=pact,
                title=f"Procedura {index}",
                owner=world.school,
                text="x",
                approved_on=date(2024, 1, 1),
                review_on=date(2028, 1, 1),
            )
        elif kind == "meetings":
            services.schedule_body_meeting(
                actor=coordinator,
                body=pact.bodies.get(kind="gt"),
                starts_at=timezone.make_aware(datetime(2026, 4, 1 + index, 15)),
                duration_minutes=60,
                place="x",
                agenda="x",
            )


LISTS = {  # url name, kwargs, queries
    "versions": ("governance:versions", {}, 7),
    "signatories": ("governance:signatories", {}, 9),
    "periods": ("governance:periods", {}, 7),
    "bodies": ("governance:bodies", {}, 7),
    "procedures": ("governance:procedures", {}, 6),
    "meetings": ("governance:body_detail", None, 13),
}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("kind", sorted(LISTS))
def test_governance_list_query_count(kind, count, pact, personas, world, django_assert_num_queries):
    _grow(kind, pact, personas, world, count)
    name, kwargs, queries = LISTS[kind]
    kwargs = kwargs if kwargs is not None else {"body_pk": pact.bodies.get(kind="gt").pk}
    client = _client(personas)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
