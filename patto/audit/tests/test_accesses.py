"""The DPO's question: who accessed the data of this family, of this person? (issue 8, "Auditors can
answer the Garante's question")."""

import io
import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader

from patto.accounts import stepup
from patto.accounts.stepup import mark_recent_password
from patto.audit.actions import action_label
from patto.audit.models import AuditEvent
from patto.audit.services import record_event
from patto.cases.models import Note, Person


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def _child(path):
    return path.family.members.get(kind=Person.Kind.CHILD)


def _family_url(path, name="family_accesses"):
    return reverse(f"audit:{name}", kwargs={"key": path.family_id})


def _person_url(person, name="person_accesses"):
    return reverse(f"audit:{name}", kwargs={"key": person.pk})


def test_the_dpo_finds_who_read_a_family_by_its_reference(login, family_path, read_path, personas):
    read_path()
    client = _english(login("auditor"))
    response = client.post(reverse("audit:access_search"), {"query": family_path.family.reference.lower()})
    assert response.status_code == 302 and response["Location"] == _family_url(family_path)
    response = client.get(response["Location"])
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.action == "Opened the family's path")
    assert (row.who, row.institution, row.role, row.family) == (
        personas["case_manager"].user.get_full_name(),
        "Comune di Rimini",
        "Social worker / case manager",
        family_path.family.reference,
    )
    assert "Aurora Canestrari" in row.people
    html = response.content.decode()
    assert escape("Opened the family's path") in html and "cases.path.viewed" not in html
    assert str(family_path.pk) not in html  # references and names, never the path's internal id
    assert AuditEvent.objects.filter(
        action="audit.accesses.viewed", actor__username="auditor", object_id=str(family_path.family_id)
    ).exists()


def test_a_name_search_is_posted_and_lists_the_people_of_the_district_only(login, family_path, foreign_family):
    client = _english(login("auditor"))
    response = client.post(reverse("audit:access_search"), {"query": "canestrari"})
    assert response.status_code == 200
    labels = {match.label for match in response.context["matches"]}
    assert labels == {"Aurora Canestrari", "Elena Canestrari"}  # not the second district's Aurora
    assert str(foreign_family.child.pk) not in response.content.decode()
    event = AuditEvent.objects.get(action="audit.accesses.searched")
    assert {s.subject_id for s in event.subjects.all()} == {str(p.pk) for p in family_path.family.members.all()}


def test_one_person_found_opens_their_accesses_by_opaque_id(login, family_path):
    response = login("auditor").post(reverse("audit:access_search"), {"query": "Aurora Canestrari"})
    assert response.status_code == 302
    assert response["Location"] == _person_url(_child(family_path))
    assert "Aurora" not in response["Location"]


def test_a_codice_fiscale_finds_the_person(login, family_path):
    parent = family_path.family.members.get(kind=Person.Kind.PARENT)
    Person.objects.filter(pk=parent.pk).update(fiscal_code="CNSLNE88B43H294Y")
    response = login("auditor").post(reverse("audit:access_search"), {"query": "cnslne88b43h294y"})
    assert response["Location"] == _person_url(parent)


def test_nothing_of_another_district_is_found_or_reachable(login, family_path, foreign_family):
    client = _english(login("auditor"))
    response = client.post(reverse("audit:access_search"), {"query": foreign_family.family.reference})
    assert response.status_code == 200 and response.context["matches"] == []
    assert client.get(reverse("audit:family_accesses", kwargs={"key": foreign_family.family.pk})).status_code == 404
    assert client.get(_person_url(foreign_family.child)).status_code == 404
    assert client.get(_person_url(foreign_family.child, "person_report")).status_code == 404
    export = _person_url(foreign_family.child, "person_accesses_xlsx")
    assert _with_recent_password(client).get(export).status_code == 404


@pytest.mark.parametrize("persona", ["case_manager", "coordinator", "admin", "institution_admin"])
def test_only_the_auditor_asks(login, family_path, persona):
    client = login(persona)
    assert client.get(reverse("audit:access_search")).status_code == 403
    assert client.post(reverse("audit:access_search"), {"query": family_path.family.reference}).status_code == 403
    assert client.get(_family_url(family_path)).status_code == 403
    assert client.get(_person_url(_child(family_path), "person_report_pdf")).status_code == 403
    assert client.get(_family_url(family_path, "family_accesses_xlsx")).status_code == 403  # not asked a password


def test_a_family_includes_events_about_its_records_a_person_those_naming_them(login, family_path, personas):
    """A note is the family's (a record of its path) even when the audit row names nobody."""
    note = Note.objects.create(
        path=family_path,
        author=personas["health_professional"].user,
        author_institution=personas["health_professional"].institution,
        text="Colloquio",
    )
    record_event(actor=personas["health_professional"].user, action="cases.note.added", obj=note)
    record_event(
        actor=personas["health_professional"].user,
        action="cases.note.added",
        object_type="cases.note",
        object_id=str(note.pk + 1000),
    )  # another family's note
    client = _english(login("auditor"))
    child = _child(family_path)
    family_rows = client.get(_family_url(family_path)).context["rows"]
    assert [r.record for r in family_rows if r.action == "Wrote a note on the family's path"] == ["note"]
    person_rows = client.get(_person_url(child)).context["rows"]
    assert "Started the family's path" in {r.action for r in person_rows}
    assert "Wrote a note on the family's path" not in {r.action for r in person_rows}
    assert all(row.people == "Aurora Canestrari" for row in person_rows)


def test_people_of_other_families_in_a_list_event_are_not_named(login, family_path, personas, foreign_family):
    child = _child(family_path)
    record_event(
        actor=personas["case_manager"].user, action="cases.path.listed", subjects=[child, foreign_family.child]
    )
    rows = login("auditor").get(_person_url(child)).context["rows"]
    listed = rows[0]
    assert listed.people == "Aurora Canestrari"


@pytest.mark.parametrize("count", [1, 3])
def test_family_accesses_query_count(count, login, family_path, read_path, django_assert_num_queries):
    read_path(count)
    client = login("auditor")
    url = _family_url(family_path)
    with django_assert_num_queries(27):  # the standing comes with the memberships; the bell
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_person_accesses_query_count(count, login, family_path, read_path, django_assert_num_queries):
    read_path(count)
    client = login("auditor")
    url = _person_url(_child(family_path))
    with django_assert_num_queries(12):  # the standing comes with the memberships; the bell
        assert client.get(url).status_code == 200


def test_results_are_paginated(login, family_path, read_path, settings):
    settings.PATTO_PAGE_SIZE = 2
    read_path(3)
    client = login("auditor")
    first = client.get(_family_url(family_path))
    assert len(first.context["rows"]) == 2 and first.context["page"].has_next()
    second = client.get(_family_url(family_path), {"page": 2})
    assert len(second.context["rows"]) == 2  # 3 reads + the path's start + the auditor's first look


def _with_recent_password(client):
    session = client.session
    mark_recent_password(session)
    session.save()
    return client


def test_the_export_asks_for_the_password_again(login, family_path):
    client = login("auditor")
    session = client.session
    session.pop(stepup.SESSION_KEY, None)  # signed in more than ten minutes ago
    session.save()
    url = _family_url(family_path, "family_accesses_xlsx")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm_password"))
    assert not AuditEvent.objects.filter(action="audit.trail.exported").exists()
    assert _with_recent_password(client).get(url).status_code == 200


def test_export_as_xlsx_neutralises_formulas_and_is_itself_audited(login, family_path, personas):
    child = _child(family_path)
    record_event(
        actor=personas["case_manager"].user,
        action="cases.path.viewed",
        obj=family_path,
        subjects=[child],
        purpose='=HYPERLINK("http://example.org","x")',
    )
    client = _with_recent_password(_english(login("auditor")))
    response = client.get(_family_url(family_path, "family_accesses_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("When", "Who", "Institution", "Role", "What")
    viewed = next(r for r in rows[1:] if r[4] == "Opened the family's path")
    assert viewed[1:4] == (
        personas["case_manager"].user.get_full_name(),
        "Comune di Rimini",
        "Social worker / case manager",
    )
    assert viewed[6] == family_path.family.reference and viewed[8].startswith("'=HYPERLINK")
    assert isinstance(viewed[0], datetime)  # a date-time the spreadsheet sorts and filters, not text
    event = AuditEvent.objects.get(action="audit.trail.exported")
    assert (event.object_type, event.object_id) == ("cases.family", str(family_path.family_id))
    assert {s.subject_id for s in event.subjects.all()} == {str(p.pk) for p in family_path.family.members.all()}


def test_subject_access_report_in_italian_as_a_page_and_a_pdf(login, family_path, read_path, personas):
    read_path()
    child = _child(family_path)
    client = _english(login("auditor"))  # the auditor works in English; the report is for the family
    page = client.get(_person_url(child, "person_report"))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="it">' in html
    name = personas["case_manager"].user.get_full_name()
    assert name in html and "Comune di Rimini" in html and "Aurora Canestrari" in html
    with translation.override("it"):
        assert escape(action_label("cases.path.viewed")) in html
    assert "cases.path.viewed" not in html
    pdf = client.get(_person_url(child, "person_report_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Aurora Canestrari" in text and "Comune di Rimini" in text and name in text
    for action in ("audit.subject_report.printed", "audit.subject_report.pdf"):
        event = AuditEvent.objects.get(action=action)
        assert list(event.subjects.values_list("kind", "subject_id")) == [("person", str(child.pk))]
    english = client.get(_person_url(child, "person_report"), {"lingua": "en"})
    assert '<html lang="en">' in english.content.decode()


def test_the_report_is_for_a_person_not_a_family(login, family_path):
    url = reverse("audit:person_report", kwargs={"key": family_path.family_id})
    assert login("auditor").get(url).status_code == 404


def test_the_auditors_home_panel_links_to_the_search(login, personas):
    response = login("auditor").get(reverse("core:home"))
    assert reverse("audit:access_search") in response.content.decode()


def test_read_only_pages_refuse_a_post(login, family_path):
    client = login("auditor")
    assert client.post(_family_url(family_path)).status_code == 405
    assert client.post(_person_url(_child(family_path), "person_report")).status_code == 405


def test_no_name_in_any_url_of_the_results(login, family_path, read_path):
    read_path()
    html = login("auditor").get(_family_url(family_path)).content.decode()
    for href in re.findall(r'href="([^"]+)"', html):
        assert "Canestrari" not in href and "Aurora" not in href
