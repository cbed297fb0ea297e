import pytest
from django.urls import reverse

from patto.audit.services import record_event


@pytest.mark.parametrize("count", [1, 3])
def test_trail_query_count(count, personas, login, django_assert_num_queries):
    for _ in range(count):
        record_event(
            actor=personas["case_manager"].user,
            action="accounts.person.viewed",
            subjects=[personas["coordinator"].user, personas["institution_admin"].user],
        )
    client = login("auditor")
    with django_assert_num_queries(13):  # the standing comes with the memberships
        assert client.get(reverse("audit:trail")).status_code == 200
