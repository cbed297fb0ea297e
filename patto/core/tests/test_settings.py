import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PATTO_", "PG", "DATABASE_URL", "DJANGO_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PATTO_ENV="production",
        PATTO_SECRET_KEY="k" * 20 + "-a-long-random-production-key-" + "z" * 20,
        PATTO_ALLOWED_HOSTS="patto.example.org",
        PATTO_CLAMD_SOCKET="/run/clamav/clamd.ctl",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_an_antivirus():
    result = _manage(
        "check",
        PATTO_ENV="production",
        PATTO_ALLOWED_HOSTS="patto.example.org",
        PATTO_SECRET_KEY="k" * 20 + "-a-long-random-production-key-" + "z" * 20,
    )
    assert result.returncode != 0
    assert "PATTO_CLAMD_SOCKET" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", PATTO_ENV="production", PATTO_ALLOWED_HOSTS="patto.example.org")
    assert result.returncode != 0
    assert "PATTO_SECRET_KEY" in result.stderr


def test_database_vendor_is_the_one_ci_asked_for():
    """CI's second run sets PATTO_EXPECT_DATABASE=postgresql: prove it really ran on PostgreSQL."""
    expected = os.environ.get("PATTO_EXPECT_DATABASE", "sqlite")
    assert connection.vendor == expected


def test_signed_in_pages_are_not_cached_and_carry_a_strict_csp(login, personas):
    response = login("case_manager").get(reverse("core:home"))
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for template in ROOT.glob("patto/**/templates/**/*.html"):
        text = template.read_text()
        if "style=" in text or "<style" in text or "<script>" in text or " on" + "click=" in text:
            offenders.append(str(template))
    assert offenders == []


def test_health_endpoint_says_ok_and_nothing_else(client, db):
    """Each part's state and nothing more: no version, no error text (test_database_faults: a part down)."""
    response = client.get(reverse("core:health"))
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "antivirus": "not configured"}}


@pytest.mark.django_db
def test_server_error_page_has_request_id_and_no_details(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    from django.urls import path

    from patto import urls

    def boom(request):
        raise RuntimeError("secret internal detail")

    boom.login_required = False
    urls.urlpatterns.append(path("__boom__/", boom))
    try:
        from django.urls import clear_url_caches

        clear_url_caches()
        response = client.get("/__boom__/")
    finally:
        urls.urlpatterns.pop()
        clear_url_caches()
    assert response.status_code == 500
    assert b"secret internal detail" not in response.content and b"Traceback" not in response.content
    assert response["X-Request-ID"].encode() in response.content
