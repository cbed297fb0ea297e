import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "patto/locale/it/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def test_italian_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.percent_translated() == 100


def test_compiled_catalogue_matches_the_source():
    po = {(e.msgid, e.msgstr or e.msgstr_plural.get(0)) for e in polib.pofile(str(PO)) if not e.obsolete}
    mo = {(e.msgid, e.msgstr or e.msgstr_plural.get(0)) for e in polib.mofile(str(MO))}
    assert po == mo - {("", polib.mofile(str(MO)).metadata_as_entry().msgstr)}


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages over the code finds no msgid missing from the committed catalogue."""
    if shutil.which("xgettext") is None:
        raise AssertionError("xgettext (Debian package gettext) is needed to check the catalogue")
    backup = tmp_path / "django.po"
    shutil.copy(PO, backup)
    try:
        subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "it", "--ignore=.venv", "--ignore=var",
                        "--no-obsolete"], cwd=ROOT, check=True, capture_output=True)
        fresh = polib.pofile(str(PO))
        committed = {e.msgid for e in polib.pofile(str(backup))}
        assert {e.msgid for e in fresh} - committed == set()
    finally:
        shutil.copy(backup, PO)


def test_italian_by_default_english_when_chosen(client, db):
    assert "Accedi a Patto" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in to Patto" in client.get(reverse("accounts:login")).content.decode()


def test_browser_language_does_not_override_italian(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Accedi a Patto" in response.content.decode()
    assert response["Content-Language"] == "it"
