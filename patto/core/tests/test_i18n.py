import os
import shutil
from pathlib import Path

import polib
from django.core.management import call_command
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


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, settings):
    """makemessages over the code finds no msgid missing from the committed catalogue. It writes into a
    temporary copy of the catalogue (LOCALE_PATHS pointed there), never the committed file, which other
    work may be editing at the same moment."""
    if shutil.which("xgettext") is None:
        raise AssertionError("xgettext (Debian package gettext) is needed to check the catalogue")
    copy = tmp_path / "locale" / "it" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(PO, copy)
    before = PO.read_bytes()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    cwd = os.getcwd()
    os.chdir(ROOT)  # makemessages reads the files under the current directory
    try:
        # "locale" ignored: makemessages would otherwise find patto/locale on its walk and write there.
        call_command(
            "makemessages",
            locale=["it"],
            ignore_patterns=[".venv", "var", "node_modules", "locale"],
            no_obsolete=True,
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy))
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO))}
    assert {(e.msgctxt, e.msgid) for e in fresh} - committed == set()
    assert PO.read_bytes() == before  # the committed catalogue was not touched


def test_italian_by_default_english_when_chosen(client, db):
    assert "Accedi a Patto" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in to Patto" in client.get(reverse("accounts:login")).content.decode()


def test_browser_language_does_not_override_italian(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Accedi a Patto" in response.content.decode()
    assert response["Content-Language"] == "it"
