import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from patto.audit.models import AuditEvent

LOGIN = "/accesso/"
PASSWORD = "una-password-lunga-di-prova"


def _post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _normalised(response):
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'value="[^"]*" (?:autocomplete|maxlength)', "", body).replace(response["X-Request-ID"], "")


def test_sign_in_and_out_are_audited(client, personas):
    response = _post_login(client, "case_manager", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    logout = client.post(reverse("accounts:logout"))
    assert logout["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["accounts.login.succeeded", "accounts.logout"]
    assert client.get("/").status_code == 302


def test_new_session_key_at_sign_in(client, personas):
    client.get(LOGIN)
    before = client.session.session_key
    _post_login(client, "case_manager", PASSWORD)
    assert client.session.session_key != before


def test_failed_sign_in_same_message_for_unknown_user(client, personas):
    known = _post_login(client, "case_manager", "wrong-password-123")
    unknown = _post_login(client, "nobody-at-all", "wrong-password-123")
    assert known.status_code == unknown.status_code == 200
    assert "non riconosciuti" in known.content.decode() or "not recognised" in known.content.decode()
    assert known.context["form"].errors == unknown.context["form"].errors
    assert AuditEvent.objects.filter(action="accounts.login.failed").count() == 2


def test_lockout_after_five_failures_same_for_unknown_user(client, personas):
    for _ in range(5):
        _post_login(client, "case_manager", "wrong-password-123")
        _post_login(client, "nobody-at-all", "wrong-password-123")
    locked_known = _post_login(client, "case_manager", PASSWORD)  # right password, still locked
    locked_unknown = _post_login(client, "nobody-at-all", PASSWORD)
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert _normalised(locked_known) == _normalised(locked_unknown)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.login.locked_out").count() >= 2


def test_passwords_are_hashed_with_argon2id(personas):
    assert make_password("a long passphrase of mine").startswith("argon2$argon2id$")


def test_password_policy_length_not_composition():
    with pytest.raises(ValidationError):
        validate_password("short1A!")
    with pytest.raises(ValidationError):
        validate_password("password1234")  # common
    validate_password("mare d'inverno a rimini")  # 12+ characters, no composition rules
    validate_password("x" * 10 + " passphrase " * 10)


def test_idle_timeout(client, personas):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _post_login(client, "case_manager", PASSWORD)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_absolute_lifetime_even_when_active(client, personas):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _post_login(client, "case_manager", PASSWORD)
        for _ in range(12 * 4 + 1):  # 15-minute steps, never idle, past 12 hours
            clock.shift(timedelta(minutes=15))
            response = client.get("/")
        assert response.status_code == 302


def _enrol(client):
    assert client.get(reverse("accounts:mfa_enrol")).status_code == 200
    assert not TOTPDevice.objects.exists()  # nothing is written until the first code confirms it
    key = bytes.fromhex(client.session["totp_pending_key"])
    response = client.post(reverse("accounts:mfa_enrol"), {"token": f"{totp(key):06d}"})
    return TOTPDevice.objects.get(user__username="case_manager"), response


def test_mfa_required_forces_enrolment_then_verification(client, personas, settings):
    settings.PATTO_REQUIRE_MFA = True
    # django-otp throttles a device after a wrong code (exponential delay); not what this test is about.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    _post_login(client, "case_manager", PASSWORD)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_enrol")
    device, response = _enrol(client)
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.mfa.enabled").count() == 1

    client.post(reverse("accounts:logout"))
    _post_login(client, "case_manager", PASSWORD)
    response = client.get(reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:mfa_verify") + "?next=%2Fprofilo%2F"
    bad = client.post(reverse("accounts:mfa_verify"), {"token": "000000"})
    assert bad.status_code == 200 and bad.context["form"].errors
    ok = client.post(reverse("accounts:mfa_verify"), {"token": codes[0]})  # a recovery code, once
    assert ok.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200

    client.post(reverse("accounts:logout"))
    _post_login(client, "case_manager", PASSWORD)
    reused = client.post(reverse("accounts:mfa_verify"), {"token": codes[0]})
    assert reused.status_code == 200 and reused.context["form"].errors
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_mfa_cannot_be_turned_off_when_required(client, personas, settings):
    _post_login(client, "case_manager", PASSWORD)
    _enrol(client)
    settings.PATTO_REQUIRE_MFA = True
    client.post(reverse("accounts:mfa_disable"))
    assert TOTPDevice.objects.filter(user__username="case_manager", confirmed=True).exists()
    settings.PATTO_REQUIRE_MFA = False
    client.post(reverse("accounts:mfa_disable"))
    assert not TOTPDevice.objects.filter(user__username="case_manager").exists()


def test_wrong_enrolment_code_keeps_mfa_off(client, personas):
    _post_login(client, "case_manager", PASSWORD)
    client.get(reverse("accounts:mfa_enrol"))
    response = client.post(reverse("accounts:mfa_enrol"), {"token": "123456"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TOTPDevice.objects.filter(user__username="case_manager", confirmed=True).exists()


def test_password_reset_link_is_single_use(client, personas, mailoutbox):
    user = personas["case_manager"].user
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    client.post(reverse("accounts:password_reset"), {"email": "unknown@example.org"})
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new = "un'altra password lunga"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    user.refresh_from_db()
    assert check_password(new, user.password)
    assert client.get(link, follow=True).context["validlink"] is False
