"""The page shell: the language switch (WCAG 3.2.2), the language of parts (3.1.2), reflow rules (1.4.10)."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

STATIC = Path(settings.BASE_DIR) / "patto" / "static" / "patto"


def test_the_language_changes_only_with_its_button(client, personas, login):
    page = login("case_manager").get("/").content.decode()
    form = re.search(r'<form action="/lingua/"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert '<select id="language-select"' in form and "autosubmit" not in form
    assert re.search(r'<button type="submit" class="[^"]*text-nowrap[^"]*">', form)  # never on two lines
    scripts = "".join(path.read_text() for path in STATIC.glob("*.js"))
    assert "requestSubmit" not in scripts and ".submit()" not in scripts  # no list submits its form on change


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_italian_content_is_marked_as_italian_in_the_english_interface(pact, family_path, personas, login):
    from patto.cases import services
    from patto.cases.models import SubDimension
    from patto.cases.tests.pages import whole_path_page

    services.add_note(
        actor=personas["case_manager"].user,
        path=family_path,
        audience="team",
        text="La madre riferisce che la bambina dorme meglio.",
    )
    client = _english(login("coordinator"))
    page = client.get(reverse("governance:pact")).content.decode()
    assert "The pact in force" in page or "Version" in page  # the interface is English...
    assert re.search(r'<section class="mb-4" lang="it"', page)  # ...the pact's sections are Italian
    commitments = client.get(reverse("governance:commitments")).content.decode()
    assert '<span lang="it">Presidiare il sistema di governance integrata.</span>' in commitments

    client = _english(login("case_manager"))
    path_page = whole_path_page(client, family_path)  # the notes are a section loaded on demand
    assert '<p class="mb-0" lang="it">La madre riferisce' in path_page
    sub = SubDimension.objects.filter(side__framework__is_current=True).first()
    sub.name_en = ""
    sub.save(update_fields=["name_en"])
    child = family_path.family.members.get(kind="child")
    form = client.get(
        reverse(
            "cases:assessment_edit",
            kwargs={"pk": family_path.pk, "child_pk": child.pk, "time_point": "T0", "rater": "team"},
        )
    ).content.decode()
    assert f'<span lang="it">{sub.name}</span>' in form


def test_reflow_rules_are_in_the_shell_stylesheet(client, personas, login):
    page = login("case_manager").get("/").content.decode()
    assert "/static/patto/shell.css" in page
    assert 'class="header-identity-bar d-lg-none"' in page and 'class="it-right-zone d-none d-lg-flex"' in page
    css = (STATIC / "shell.css").read_text()
    for rule in (".table-responsive { position: relative; }", "main { overflow-wrap: break-word; }"):
        assert rule in css
