"""The client's address behind the reverse proxy (issue 8, finding 11): the audit trail and the sign-in
lockout see the real client, never the proxy, and never what the client wrote in X-Forwarded-For."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from patto.audit.models import AuditEvent
from patto.core.context import client_ip

PASSWORD = "una-password-lunga-di-prova"
PROXY = "10.0.0.2"
CLIENT_A, CLIENT_B = "203.0.113.7", "198.51.100.23"


def _request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, f"6.6.6.6, {CLIENT_A}", PROXY),  # no proxy trusted: the header is the client's own
        (1, None, PROXY),  # nothing forwarded
        (1, CLIENT_A, CLIENT_A),
        (1, f"6.6.6.6, {CLIENT_A}", CLIENT_A),  # the left-most entry is the client's invention
        (1, f"6.6.6.6,{CLIENT_A} ", CLIENT_A),
        (2, f"6.6.6.6, {CLIENT_A}, 10.0.0.9", CLIENT_A),  # load balancer then nginx
        (2, CLIENT_A, PROXY),  # fewer hops than proxies: not trusted
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_ip_counts_trusted_proxies_from_the_right(settings, proxies, forwarded, expected):
    """Finding 11: N trusted proxies → the N-th address from the right of X-Forwarded-For."""
    settings.PATTO_TRUSTED_PROXIES = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def _sign_in(client, client_address, password, spoofed="6.6.6.6"):
    return client.post(
        "/accesso/",
        {"username": "case_manager", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_address}",
    )


def test_the_audit_row_records_the_client_not_the_proxy(client, personas, settings):
    """Finding 11: every audit row records the proxy today."""
    settings.PATTO_TRUSTED_PROXIES = 1
    _sign_in(client, CLIENT_A, "wrong-password-123")
    _sign_in(client, CLIENT_A, PASSWORD)
    ips = set(AuditEvent.objects.filter(action__startswith="accounts.login").values_list("ip", flat=True))
    assert ips == {CLIENT_A}


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(client, personas, settings):
    """Finding 11: behind the proxy anyone could lock any account; the lockout keys on username + client IP."""
    settings.PATTO_TRUSTED_PROXIES = 1
    for attempt in range(5):  # the attacker changes the left-most entry every time: it makes no difference
        _sign_in(client, CLIENT_A, "wrong-password-123", spoofed=f"6.6.6.{attempt}")
    assert _sign_in(client, CLIENT_A, PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}

    owner = client.__class__()
    response = _sign_in(owner, CLIENT_B, PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in owner.session
