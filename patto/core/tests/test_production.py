"""Issue 9, "Production must deploy as documented": the static files collect with the production storage
(the vendored CSS and JS pointed at source maps that are not shipped, so collectstatic failed and every page
answered 500), every asset a template names exists after collection, and the demo district cannot exist in
production (no demo app; seed_demo refuses even if someone adds it back).

The whole deployment (PostgreSQL, gunicorn, clamd, sign-in with TOTP, pages, PDF, XLSX and their assets) is
exercised by ``scripts/prod_smoke.sh``, run by ``.ci/run``."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "PATTO_ENV": "production",
    "PATTO_SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "z" * 20,
    "PATTO_ALLOWED_HOSTS": "patto.example.org",
    "PATTO_CLAMD_SOCKET": "/run/clamav/clamd.ctl",
}
STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']\s*%}""")


def _python(code, **env):
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PATTO_", "PG", "DATABASE_URL", "DJANGO_"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="patto.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_has_no_demo_app_and_its_check_refuses_it_if_added_back():
    result = _python(
        "import django; django.setup()\n"
        "from django.apps import apps\n"
        "from django.core.management import call_command\n"
        "print('demo installed:', apps.is_installed('patto.demo'))\n"
        "try:\n"
        "    call_command('seed_demo')\n"
        "except Exception as error:\n"
        "    print('seed_demo:', error)\n"
        "from patto.demo.apps import demo_not_in_production\n"
        "print('check:', [e.id for e in demo_not_in_production()])\n",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "demo installed: False" in result.stdout
    assert "seed_demo: Unknown command: 'seed_demo'" in result.stdout
    assert "check: ['demo.E001']" in result.stdout


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production_and_creates_nothing(settings):
    from patto.accounts.models import User

    settings.PATTO_ENV = "production"
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("seed_demo", "--skip-checks", stdout=io.StringIO())
    assert not User.objects.filter(username__startswith="demo.").exists()


def test_static_files_collect_with_a_manifest_and_every_asset_a_template_names_is_in_it(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }  # production's, minus gzip
    call_command("collectstatic", "--noinput", verbosity=0)  # before: ValueError, missing *.map files
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    named = {
        name
        for template in ROOT.glob("patto/**/templates/**/*.html")
        for name in STATIC_TAG.findall(template.read_text())
    }
    assert named and sorted(named - set(manifest)) == []
    vendored = [p for p in (ROOT / "patto" / "static").rglob("*") if p.suffix in {".js", ".css"}]
    assert [p.name for p in vendored if b"sourceMappingURL" in p.read_bytes()] == []
