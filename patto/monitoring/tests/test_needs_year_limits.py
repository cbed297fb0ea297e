"""The year posted with the report's attachment keeps the limits of the figures' year (2000 to the current
year): out of them the form comes back with one message, nothing is attached and nothing fails (was a 500:
``Year.first`` of year 0 or 10000)."""

import pytest
from django.urls import reverse

from patto.governance.models import CommitmentUpdate


@pytest.fixture
def coordinator(pact, login):
    return login("coordinator")


def test_a_year_out_of_limits_is_refused_with_a_message(pact, coordinator):
    commitment = pact.version_in_force().commitments.first()
    url = reverse("monitoring:needs_report_attach")
    for anno in ("99999", "10000", "0", "1999", "2027", "99999999999999999999", "abc", ""):
        data = {"anno": anno, "commitment": commitment.pk, "status": "done", "evidence": "Relazione scritta."}
        response = coordinator.post(url, data)
        assert response.status_code == 400, anno
        form = response.context["attach_form"]
        assert list(form.errors) == ["__all__"], anno
        body = response.content.decode()
        assert "L&#x27;anno della relazione deve essere compreso tra il 2000 e il 2026" in body, anno
        assert "Relazione scritta." in body  # what was typed is kept
    assert not CommitmentUpdate.objects.filter(commitment=commitment).exists()
