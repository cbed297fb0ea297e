"""Step-up: the password again before changing the second factor (issue 8, finding 10), and nothing
personal on the page between the password and the second factor (issue 8, finding 13)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.audit.models import AuditEvent

PASSWORD = "una-password-lunga-di-prova"
ENROL = reverse("accounts:mfa_enrol")
CONFIRM = reverse("accounts:confirm_password")


@pytest.fixture
def clock(personas):
    # Frozen at the personas' "now" (their memberships are valid relative to the day they are created).
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):
    # django-otp slows a device down after a wrong code; not what these tests are about.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _sign_in(client, username="case_manager"):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrol(client):
    client.get(ENROL)
    key = bytes.fromhex(client.session["totp_pending_key"])
    response = client.post(ENROL, {"token": f"{totp(key):06d}"})
    assert response.status_code == 200 and "codes" in response.context
    return TOTPDevice.objects.get(user__username="case_manager")


def test_replacing_the_authenticator_needs_the_password_again(client, personas, clock):
    """Finding 10: a session alone (no recent password) cannot replace the owner's authenticator."""
    _sign_in(client)
    first = _enrol(client)
    assert client.get(ENROL).status_code == 200  # the password was typed at sign-in, 0 minutes ago
    clock.shift(timedelta(minutes=11))
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"] == f"{CONFIRM}?next={quote(ENROL, safe='')}"
    refused = client.post(ENROL, {"token": "123456"}, HTTP_REFERER=f"http://testserver{ENROL}")
    assert refused.status_code == 302 and refused["Location"].startswith(CONFIRM)
    assert list(TOTPDevice.objects.filter(user__username="case_manager")) == [first]

    wrong = client.post(CONFIRM, {"password": "not-my-password-at-all", "next": ENROL})
    assert wrong.status_code == 200 and wrong.context["form"].errors["password"]
    assert client.get(ENROL).status_code == 302
    right = client.post(CONFIRM, {"password": PASSWORD, "next": ENROL})
    assert right.status_code == 302 and right["Location"] == ENROL
    second = _enrol(client)
    assert second.pk != first.pk and not TOTPDevice.objects.filter(pk=first.pk).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.stepup").values_list("action", flat=True).order_by("id")
    )
    assert actions == ["accounts.stepup.failed", "accounts.stepup.confirmed"]
    event = AuditEvent.objects.get(action="accounts.stepup.confirmed")
    assert event.actor.username == "case_manager"


def test_the_window_follows_the_setting(client, personas, clock, settings):
    """Finding 10: PATTO_STEP_UP_MINUTES decides how long a confirmation lasts."""
    settings.PATTO_STEP_UP_MINUTES = 2
    _sign_in(client)
    _enrol(client)
    clock.shift(timedelta(minutes=1, seconds=59))
    assert client.get(ENROL).status_code == 200
    clock.shift(timedelta(seconds=2))
    assert client.get(ENROL).status_code == 302


def test_recovery_codes_and_turning_off_need_a_recent_password(client, personas, clock):
    """Finding 10: the other ways of changing the second factor are behind the same step-up."""
    _sign_in(client)
    _enrol(client)
    codes = set(StaticToken.objects.values_list("token", flat=True))
    clock.shift(timedelta(minutes=11))
    profile = f"http://testserver{reverse('accounts:profile')}"
    response = client.post(reverse("accounts:mfa_recovery_codes"), HTTP_REFERER=profile)
    assert response.status_code == 302
    assert response["Location"] == f"{CONFIRM}?next={quote(reverse('accounts:profile'), safe='')}"
    assert set(StaticToken.objects.values_list("token", flat=True)) == codes
    client.post(reverse("accounts:mfa_disable"), HTTP_REFERER="https://elsewhere.example/profilo/")
    assert TOTPDevice.objects.filter(user__username="case_manager").exists()

    client.post(CONFIRM, {"password": PASSWORD})
    assert client.post(reverse("accounts:mfa_recovery_codes")).status_code == 200
    assert set(StaticToken.objects.values_list("token", flat=True)).isdisjoint(codes)


def test_htmx_requests_are_sent_to_confirm_with_a_header(login, personas, clock):
    """Finding 10: an htmx request gets HX-Redirect rather than a page swapped into its target."""
    client = login("case_manager")
    clock.shift(timedelta(minutes=11))
    response = client.post(reverse("accounts:mfa_disable"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(CONFIRM)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/profilo/", "/profilo/"),
        ("https://evil.example/x", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_the_way_back_stays_on_this_site(login, personas, given, expected):
    """Finding 10: the confirmation's next is same-origin only."""
    client = login("case_manager")
    response = client.post(CONFIRM, {"password": PASSWORD, "next": given})
    assert response.status_code == 302 and response["Location"] == expected


def test_wrong_passwords_count_toward_the_lockout_and_end_the_session(client, personas, clock):
    """Finding 10: a stolen session cannot go on guessing the password."""
    _sign_in(client)
    clock.shift(timedelta(minutes=11))
    statuses = [client.post(CONFIRM, {"password": f"wrong-guess-{n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.stepup.failed").count() == 5
    assert AuditEvent.objects.filter(action="accounts.stepup.locked_out").count() == 1
    assert AuditEvent.objects.filter(action="accounts.login.locked_out").exists()
    assert not AuditEvent.objects.filter(action="accounts.login.failed").exists()  # no anonymous duplicate
    locked = client.post(reverse("accounts:login"), {"username": "case_manager", "password": PASSWORD})
    assert locked.status_code == 429


# --- Finding 13: nothing personal before the second factor ---------------------------------------


def test_nothing_personal_between_password_and_second_factor(client, personas, world, clock):
    """Finding 13 (second half): no name, role, institution or switcher until the second factor."""
    membership = personas["case_manager"]
    MembershipFactory(user=membership.user, institution=world.comune_b, role=Role.SOCIAL_WORKER)
    device = TOTPDevice.objects.create(user=membership.user, name="Patto", confirmed=True)
    user = membership.user
    _sign_in(client)
    page = client.get(reverse("accounts:mfa_verify"))
    assert page.status_code == 200
    body = page.content.decode()
    for personal in (
        user.first_name,
        user.last_name,
        "Comune di Rimini",
        "Santarcangelo",
        str(Role.SOCIAL_WORKER.label),
        "membership-select",
    ):
        assert personal not in body, personal
    assert page.context["identity_shown"] is False

    verified = client.post(reverse("accounts:mfa_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert verified.status_code == 302
    home_page = client.get("/")
    assert home_page.status_code == 200, home_page.get("Location")
    assert home_page.context["identity_shown"] is True
    home = home_page.content.decode()
    assert user.last_name in home and "membership-select" in home


def test_nothing_personal_before_a_required_enrolment(client, personas, settings, clock):
    """Finding 13 (second half): with MFA required and not yet enrolled, the enrolment page is anonymous too."""
    settings.PATTO_REQUIRE_MFA = True
    user = personas["case_manager"].user
    _sign_in(client)
    page = client.get(ENROL)
    assert page.status_code == 200
    body = page.content.decode()
    assert user.last_name not in body.split("<main")[0] and "Comune di Rimini" not in body
