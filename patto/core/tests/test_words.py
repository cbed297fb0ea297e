"""Words that read right (issue 9): every count goes through a plural form, never "1 ora/e" or "hour(s)";
Italian prose dates read "1 dicembre 2026"; English dates are day-month-year. A crawl of the pages each
persona may open (the permission matrix's 200s, with its sample objects), in Italian and in English, and
the e-mails."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import strip_tags

from patto.core.tests.test_permissions import MATRIX, objects, sample_url  # noqa: F401 (objects: a fixture)

# "versione/i", "scaduta/e", "entrato/a", "hour(s)": a word with its plural or feminine ending glued on.
SLASHED = re.compile(r"\b\w+/[aei]\b|\b\w+\([aeis]\)")
MONTHS_IT = "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split()
CAPITALISED_MONTH = re.compile(r"\b\d{1,2} (%s)\b" % "|".join(m.capitalize() for m in MONTHS_IT))
LEADING_ZERO = re.compile(r"\b0\d (%s)\b" % "|".join(MONTHS_IT + [m.capitalize() for m in MONTHS_IT]))
# Between them, nearly every page: the case manager the families' pages, the coordinator the pact's.
PERSONAS = {"case_manager": lambda name: True, "coordinator": lambda name: not name.startswith("cases:")}
NOT_HTML = re.compile(r"(_pdf|_xlsx|_ics|calendar_feed|document)$")  # files: costly to build, no prose


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(strip_tags(html).split())


def faults(text):
    return SLASHED.findall(text) + CAPITALISED_MONTH.findall(text) + LEADING_ZERO.findall(text)


def test_the_patterns_catch_what_they_should():
    assert faults("1 versione/i da approvare, 1 azione/i scaduta/e; è entrato/a; within 1 hour(s)") == [
        "versione/i",
        "azione/i",
        "scaduta/e",
        "entrato/a",
        "hour(s)",
    ]
    assert faults("Versione del 01 Dicembre 2026") == ["Dicembre", "Dicembre"]
    assert faults("SPID/CIE, pre/post, 1/12/2026, 1 dicembre 2026, Educatore/educatrice") == []


@pytest.mark.django_db
def test_pages_read_right_in_both_languages(objects, login):  # noqa: F811
    seen = {}
    for persona, wanted in PERSONAS.items():
        client = login(persona)
        for language in ("it", "en"):
            client.cookies["django_language"] = language
            for name, table in MATRIX.items():
                if table[persona] != 200 or NOT_HTML.search(name) or not wanted(name):
                    continue
                response = client.get(sample_url(name, objects))
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    continue
                text = visible_text(response.content.decode())
                seen[(persona, language, name)] = faults(text)
    assert len(seen) > 120  # the crawl really opened the pages
    assert {key: found for key, found in seen.items() if found} == {}


@pytest.mark.parametrize("language", ["it", "en"])
def test_emails_read_right(language):
    with translation.override(language):
        for hours in (1, 72):
            body = render_to_string("accounts/email/invitation.txt", {"hours": hours, "link": "https://x.example/"})
            assert faults(body) == [], body
        expected = {"it": ("entro 1 ora:", "entro 72 ore:"), "en": ("within 1 hour:", "within 72 hours:")}[language]
        assert expected[0] in render_to_string("accounts/email/invitation.txt", {"hours": 1})
        assert expected[1] in render_to_string("accounts/email/invitation.txt", {"hours": 72})


def test_dates_in_each_language():
    day, moment = date(2026, 12, 1), datetime(2026, 12, 1, 15, 5)
    with translation.override("it"):
        assert date_format(day, "DATE_FORMAT") == "1 dicembre 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "01/12/2026"
        assert date_format(moment, "DATETIME_FORMAT") == "1 dicembre 2026, ore 15:05"
        assert date_format(date(2026, 5, 3), "E") == "maggio"
    with translation.override("en"):  # one order in both languages: never 12/01/2026 for the 1st of December
        assert date_format(day, "DATE_FORMAT") == "1 December 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "01/12/2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "01/12/2026 15:05"


@pytest.mark.django_db
def test_the_family_plan_is_dated_in_prose_and_institutions_by_their_full_name(login, family_path, world):
    world.comune.short_name = "Rimini"
    world.comune.save()
    assert str(world.comune) == "Comune di Rimini"
    with time_machine.travel(datetime(2027, 1, 5, 10), tick=False):
        client = login("case_manager")
        from django.urls import reverse

        text = visible_text(client.get(reverse("cases:plan_print", kwargs={"pk": family_path.pk})).content.decode())
    assert "Versione del 5 gennaio 2027." in text


@pytest.mark.django_db
def test_the_title_before_sign_in_does_not_repeat_itself(client):
    from django.urls import reverse

    html = client.get(reverse("accounts:login")).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Accedi · Patto"


def test_the_agenda_writes_its_dates_in_italian_prose_in_any_language():
    from types import SimpleNamespace

    from patto.governance.queries import agenda_from

    late = SimpleNamespace(description="Inviare il report", institution="Comune di Rimini", due_on=date(2026, 4, 1))
    with translation.override("en"):
        agenda = agenda_from({"drafts": [], "troubled": [], "overdue": [late]})
    assert "(Comune di Rimini, entro il 1 aprile 2026)" in agenda
