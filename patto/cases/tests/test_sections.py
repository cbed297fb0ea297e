"""The path page's sections loaded on demand (cases.sections, views_sections): the page within its query
budget, each section from its own page with the path page's checks (404 not visible, 403 not for this
user), its own access row, a fixed number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.sections import section_named
from patto.cases.tests.pages import section_urls, whole_path_page

SECTIONS = (
    "consensi",
    "richieste",
    "liste-di-attesa",
    "valutazioni",
    "azioni-scuola",
    "dispositivi",
    "incontri",
    "note",
    "equipe",
    "cronologia",
)
TEAM_ONLY = {"consensi", "richieste", "liste-di-attesa", "valutazioni"}


def _url(path, name):
    return reverse("cases:path_section", kwargs={"pk": path.pk, "name": name})


def test_every_section_is_registered():
    assert all(section_named(name) is not None for name in SECTIONS)


@pytest.mark.parametrize("name", SECTIONS)
@pytest.mark.parametrize(
    "persona", ["case_manager", "health_professional", "team_member", "school_referent", "outsider"]
)
def test_each_section_has_the_path_page_checks(name, persona, family_path, login):
    client = login(persona)
    status = client.get(_url(family_path, name)).status_code
    if persona == "outsider":
        expected = 404  # not visible: as if missing
    elif persona == "school_referent":
        expected = 403 if name in TEAM_ONLY else 200
    else:
        expected = 403 if name == "azioni-scuola" else 200
    assert status == expected


def test_an_unknown_section_is_missing(family_path, login):
    assert login("case_manager").get(_url(family_path, "nessuna")).status_code == 404


def test_the_page_offers_a_slot_for_each_section_the_user_may_see(family_path, login):
    page = login("case_manager").get(reverse("cases:path_detail", kwargs={"pk": family_path.pk})).content.decode()
    names = [url.rstrip("/").rsplit("/", 1)[1] for url in section_urls(page)]
    assert set(names) == set(SECTIONS) - {"azioni-scuola"}
    assert 'aria-busy="true"' in page and "<noscript>" in page  # without JavaScript, a link to each section
    school = login("school_referent").get(reverse("cases:path_detail", kwargs={"pk": family_path.pk})).content.decode()
    assert {url.rstrip("/").rsplit("/", 1)[1] for url in section_urls(school)} == set(SECTIONS) - TEAM_ONLY


def test_a_section_without_javascript_is_a_page(family_path, login):
    response = login("case_manager").get(_url(family_path, "note"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "<html" in body and reverse("cases:note_add", kwargs={"pk": family_path.pk}) in body


def test_a_section_logs_its_read(family_path, login):
    client = login("case_manager")
    client.get(_url(family_path, "note"), headers={"HX-Request": "true"})
    event = AuditEvent.objects.filter(action="cases.path.section_viewed").get()
    assert event.object_id == str(family_path.pk)
    assert {s.subject_id for s in event.subjects.all()} == {str(p.pk) for p in family_path.family.members.all()}


def test_the_whole_page_shows_what_it_showed(family_path, login, personas):
    services.add_note(actor=personas["case_manager"].user, path=family_path, audience="team", text="NOTA-INTERA")
    body = whole_path_page(login("case_manager"), family_path)
    assert "NOTA-INTERA" in body and "Cronologia" in body


@pytest.mark.parametrize("count", [1, 3])
def test_the_notes_section_query_count(count, family_path, personas, django_assert_num_queries):
    actor = personas["case_manager"].user
    for index in range(count):
        services.add_note(actor=actor, path=family_path, audience="team", text=f"nota {index}")
    client = Client()
    client.force_login(actor)
    # the path with its access row and the standing (11: a section has no header, no bell), the notes, the note
    # form's schools (2: its choices are read twice)
    with django_assert_num_queries(11):
        response = client.get(_url(family_path, "note"), headers={"HX-Request": "true"})
    assert response.status_code == 200


def _sections_url(path):
    return reverse("cases:path_sections", kwargs={"pk": path.pk})


def test_the_rest_of_the_page_comes_in_one_request_with_one_access_row(family_path, login):
    client = login("case_manager")
    page = client.get(reverse("cases:path_detail", kwargs={"pk": family_path.pk})).content.decode()
    assert f'hx-get="{_sections_url(family_path)}"' in page
    before = AuditEvent.objects.filter(action="cases.path.section_viewed").count()
    response = client.get(_sections_url(family_path), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    # every section the case manager sees takes its slot's place, out of band
    assert {name for name in SECTIONS if f'<div id="section-{name}" hx-swap-oob="true">' in body} == set(SECTIONS) - {
        "azioni-scuola"
    }
    assert AuditEvent.objects.filter(action="cases.path.section_viewed").count() == before + 1


def test_the_school_gets_only_what_is_shared_with_it(family_path, login):
    body = login("school_referent").get(_sections_url(family_path), headers={"HX-Request": "true"}).content.decode()
    assert {name for name in SECTIONS if f'id="section-{name}"' in body} == set(SECTIONS) - TEAM_ONLY


def test_the_sections_request_has_the_path_page_checks(family_path, login):
    assert login("outsider").get(_sections_url(family_path), headers={"HX-Request": "true"}).status_code == 404
    outside_htmx = login("case_manager").get(_sections_url(family_path))
    assert outside_htmx.status_code == 302
    assert outside_htmx["Location"] == reverse("cases:path_detail", kwargs={"pk": family_path.pk})


@pytest.mark.parametrize("count", [1, 3])
def test_the_sections_request_query_count(count, family_path, personas, django_assert_num_queries):
    actor = personas["case_manager"].user
    for index in range(count):
        services.add_note(actor=actor, path=family_path, audience="team", text=f"nota {index}")
    client = Client()
    client.force_login(actor)
    with django_assert_num_queries(QUERIES_OF_THE_SECTIONS):
        response = client.get(_sections_url(family_path), headers={"HX-Request": "true"})
    assert response.status_code == 200


# The path, its access row and the standing once, then each section's own (the team, consents, requests,
# waiting lists, assessments, devices, meetings, notes and timeline): the same with 1 and 3 notes.
QUERIES_OF_THE_SECTIONS = 21


def test_the_sections_request_runs_the_context_processors_once(family_path, personas, monkeypatch):
    """Every section renders in one request context: the header's context processors (menu, bell, identity)
    run once for the whole answer, not once per section. The notes' form still carries its CSRF token."""
    from contextlib import contextmanager

    from django.template import RequestContext

    bound = []
    bind = RequestContext.bind_template

    @contextmanager
    def counting(self, template):
        bound.append(template)
        with bind(self, template):
            yield

    monkeypatch.setattr(RequestContext, "bind_template", counting)
    client = Client()
    client.force_login(personas["case_manager"].user)
    response = client.get(_sections_url(family_path), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.count('hx-swap-oob="true"') >= 5
    assert "csrfmiddlewaretoken" in body
    assert len(bound) == 1
