"""WCAG 2.2.1 and the idle timeout: a warning with a way to stay signed in, nothing typed lost, and back to
the page (not to a POST-only URL) after signing in again."""

import json
import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from patto.cases.models import Note

LOGIN = "/accesso/"
PASSWORD = "una-password-lunga-di-prova"
TYPED = "Colloquio con la madre: la bambina dorme meglio."


def _typed(response):
    match = re.search(
        r'<script id="typed-before-expiry" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1)) if match else None


def test_an_expired_post_goes_to_sign_in_then_back_to_its_page_with_what_was_typed(client, family_path):
    page = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    note_add = reverse("cases:note_add", kwargs={"pk": family_path.pk})  # POST only: a GET answers 405
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(LOGIN, {"username": "case_manager", "password": PASSWORD})
        assert _typed(client.get(page)) is None
        clock.shift(timedelta(minutes=31))
        response = client.post(
            note_add,
            {"audience": "team", "text": TYPED, "password": "never kept"},
            HTTP_REFERER="http://testserver" + page,
        )
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={page.replace('/', '%2F')}"
        assert not Note.objects.exists()
        assert TYPED not in response["Location"]

        signed_in = client.post(LOGIN, {"username": "case_manager", "password": PASSWORD, "next": page})
        assert signed_in["Location"] == page
        back = client.get(page)
        kept = _typed(back)
        assert kept == {"action": note_add, "fields": {"audience": ["team"], "text": [TYPED]}}
        assert 'id="typed-restored"' in back.content.decode()
        assert _typed(client.get(page)) is None  # given back once


def test_what_was_typed_is_never_given_to_another_account(client, family_path):
    page = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(LOGIN, {"username": "case_manager", "password": PASSWORD})
        clock.shift(timedelta(minutes=31))
        client.post(
            reverse("cases:note_add", kwargs={"pk": family_path.pk}),
            {"text": TYPED},
            HTTP_REFERER="http://testserver" + page,
        )
        client.post(LOGIN, {"username": "health_professional", "password": PASSWORD})  # same browser
        assert client.get("/").status_code == 200
        response = client.get(page)
        assert response.status_code == 200 and TYPED not in response.content.decode()
        assert "typed_before_expiry" not in client.session


def test_without_a_referer_an_expired_post_goes_back_home_never_to_the_post_url(client, family_path):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(LOGIN, {"username": "case_manager", "password": PASSWORD})
        clock.shift(timedelta(minutes=31))
        response = client.post(
            reverse("cases:note_add", kwargs={"pk": family_path.pk}),
            {"text": TYPED},
            HTTP_REFERER="https://elsewhere.example/percorsi/",
        )
        assert response["Location"] == f"{LOGIN}?next=%2F"


def test_keep_alive_restarts_the_idle_timeout_and_the_page_carries_the_timings(client, personas):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(LOGIN, {"username": "case_manager", "password": PASSWORD})
        page = client.get("/").content.decode()
        assert 'data-idle-seconds="1800"' in page and 'data-warn-seconds="120"' in page
        assert f'action="{reverse("accounts:keep_alive")}"' in page and "session.js" in page
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("accounts:keep_alive")).status_code == 405
        alive = client.post(reverse("accounts:keep_alive"))
        assert alive.status_code == 200 and alive.json() == {"idle": 1800, "absolute": 12 * 3600 - 29 * 60}
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # 58 minutes after signing in, 29 after the keep-alive
        clock.shift(timedelta(minutes=31))
        assert client.post(reverse("accounts:keep_alive")).status_code == 302  # too late: signed out


def test_the_second_factor_leads_back_to_the_page_asked_for(client, personas, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=personas["case_manager"].user, name="Patto", confirmed=True)
    client.post(LOGIN, {"username": "case_manager", "password": PASSWORD})
    response = client.get(reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:mfa_verify") + "?next=%2Fprofilo%2F"
    verified = client.post(response["Location"], {"token": f"{totp(device.bin_key):06d}"})
    assert verified["Location"] == reverse("accounts:profile")
    outside = client.get(reverse("accounts:mfa_verify") + "?next=https://elsewhere.example/")
    assert outside["Location"] == "/"
