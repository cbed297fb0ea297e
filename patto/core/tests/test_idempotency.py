"""Create forms save once: the same form sent twice (a double click) creates one row and the second submit
is sent to the first one's result; a form refused with errors can be corrected and sent with its token.

Measured before: adding a note, 20 double clicks made 40 notes; the second click of an assessment's first
save got a 503."""

import re
from datetime import date

import pytest
from django.db.models import QuerySet
from django.urls import resolve, reverse

from patto.cases.tests.pages import whole_path_page
from patto.core.idempotency import FIELD, new_token
from patto.core.models import FormSubmission

TOKEN = re.compile(r'name="form_token" value="([A-Za-z0-9_-]+)"')


def _twice(client, url, data):
    token = new_token()
    first = client.post(url, {**data, FIELD: token})
    second = client.post(url, {**data, FIELD: token})
    return first, second


def test_a_note_sent_twice_is_saved_once_and_the_second_shows_the_first_result(login, family_path):
    client = login("case_manager")
    page = whole_path_page(client, family_path)  # the notes are a section loaded on demand
    assert "patto/submit-once.js" in page
    notes = page[page.index('id="notes-heading"') :]
    token = TOKEN.search(notes[: notes.index("</form>")]).group(1)  # the note form carries its token
    url = reverse("cases:note_add", args=[family_path.pk])
    data = {"audience": "team", "text": "Colloquio con la madre.", FIELD: token}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302 and second.redirect_chain == [(first["Location"], 302)]
    assert family_path.notes.count() == 1
    assert "Questo modulo era già stato inviato: è stato salvato una sola volta." in second.content.decode()


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(login, family_path):
    client = login("case_manager")
    url = reverse("cases:note_add", args=[family_path.pk])
    token = new_token()
    refused = client.post(url, {"audience": "team", "text": "", FIELD: token})
    assert refused.status_code == 200 and not FormSubmission.objects.filter(token=token).exists()
    assert client.post(url, {"audience": "team", "text": "Ora completa.", FIELD: token}).status_code == 302
    assert family_path.notes.count() == 1


def test_double_submits_of_the_create_forms_save_once(login, family_path, personas, world, pact):
    from patto.cases import services
    from patto.cases.models import Assessment, Path, PlanAction, TeamMember
    from patto.governance.models import Adhesion, Body

    Adhesion.objects.create(
        pact=pact,
        institution=world.comune_b,
        signer_name="Sindaco",
        signer_role="Sindaco",
        signed_on=date(2025, 1, 1),
        method="digital",
    )  # the outsider's comune joins the pact
    client = login("case_manager")
    framework = services.current_framework()
    subdimension = framework.sides.first().subdimensions.first()
    goal = services.add_goal(
        actor=personas["case_manager"].user,
        path=family_path,
        subdimension=subdimension,
        expected_result="Aurora va a scuola ogni giorno.",
    )
    child = family_path.family.members.get(kind="child")
    value = str(framework.scale.first().value)
    forms = [
        (
            Path,
            reverse("cases:path_create"),
            {
                "signal-cohort": family_path.cohort.pk,
                "signal-signal_source": world.school.pk,
                "signal-signal_date": "2025-10-01",
                "signal-signal_summary": "Arriva senza merenda.",
                "signal-legal_basis": "public_interest",
                "child-first_name": "Tommaso",
                "child-last_name": "Righetti",
                "child-birth_date": "2016-05-20",
                "child-sex": "M",
                "child-fiscal_code": "",
                "child-town": "Rimini",
            },
        ),
        (
            TeamMember,
            reverse("cases:team_add", args=[family_path.pk]),
            {"membership": personas["outsider"].pk, "team_role": "social_worker", "valid_from": "2025-10-01"},
        ),
        (
            PlanAction,
            reverse("cases:action_add", args=[family_path.pk, goal.pk]),
            {
                "description": "Accompagnare Aurora",
                "area": "educational",
                "deadline": "2026-02-01",
                "professional": family_path.team.get(team_role="educator").user_id,
            },
        ),
        (
            Assessment,
            reverse("cases:assessment_edit", args=[family_path.pk, child.pk, "T0", "team"]),
            {
                "version": "",
                **{f"sub_{sub.pk}": value for side in framework.sides.all() for sub in side.subdimensions.all()},
            },
        ),
    ]
    for model, url, data in forms:
        before = model.objects.count()
        first, second = _twice(client, url, data)
        assert (first.status_code, second.status_code) == (302, 302), (url, first.status_code, second.status_code)
        assert second["Location"] == first["Location"], url
        assert model.objects.count() == before + 1, url
    coordinator = login("coordinator")
    first, second = _twice(
        coordinator, reverse("governance:body_add"), {"kind": "working_group", "name": "Tavolo scuola"}
    )
    assert (first.status_code, second["Location"]) == (302, first["Location"])
    assert Body.objects.filter(name="Tavolo scuola").count() == 1


def test_a_second_submit_that_waited_for_the_first_meets_its_token(login, family_path, monkeypatch):
    """The double click's second request arrives while the first is still saving: it finds no token yet,
    waits for the first to commit, then its own claim meets the unique token and it is sent to the result."""
    client = login("case_manager")
    url = reverse("cases:note_add", args=[family_path.pk])
    token = new_token()
    data = {"audience": "team", "text": "Una volta sola.", FIELD: token}
    first = client.post(url, data)
    real_first = QuerySet.first
    monkeypatch.setattr(QuerySet, "first", lambda self: None if self.model is FormSubmission else real_first(self))
    second = client.post(url, data)
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert family_path.notes.count() == 1


def test_another_accounts_token_shows_nothing_of_its_result(login, family_path):
    token = new_token()
    url = reverse("cases:note_add", args=[family_path.pk])
    assert login("case_manager").post(url, {"audience": "team", "text": "Mia.", FIELD: token}).status_code == 302
    response = login("team_member").post(url, {"audience": "team", "text": "Altra.", FIELD: token})
    assert response.status_code == 409 and str(family_path.pk) not in response.get("Location", "")
    assert family_path.notes.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "cases:path_create",
        "cases:person_add",
        "cases:team_add",
        "cases:note_add",
        "cases:assessment_edit",
        "cases:goal_add",
        "cases:action_add",
        "cases:consent_add",
        "cases:device_add",
        "cases:session_add",
        "cases:meeting_add",
        "cases:cohort_add",
        "cases:volunteer_add",
        "cases:catalogue_add",
        "governance:version_draft",
        "governance:commitment_add",
        "governance:adhesion_add",
        "governance:period_open",
        "governance:indicator_add",
        "governance:procedure_add",
        "governance:body_add",
        "governance:body_meeting_add",
        "helpdesk:ask",
        "helpdesk:publish",
        "helpdesk:template_add",
        "offer:offer_add",
        "offer:waiting_add",
        "offer:waiting_activate",
        "offer:codesign_add",
        "offer:codesign_capacity",
        "offer:codesign_document",
    ],
)
def test_every_create_view_saves_once(name):
    from patto import urls  # noqa: F401

    pattern = next(p for p in _patterns() if p[0] == name)
    assert getattr(resolve(pattern[1]).func, "once_per_form", False), name


def test_the_create_pages_render_a_token(login, family_path, pact):
    client = login("case_manager")
    child = family_path.family.members.get(kind="child")
    for url in (
        reverse("cases:path_create"),
        reverse("cases:team_add", args=[family_path.pk]),
        reverse("cases:plan", args=[family_path.pk]),
        reverse("cases:assessment_edit", args=[family_path.pk, child.pk, "T0", "team"]),
    ):
        assert TOKEN.search(client.get(url).content.decode()), url
    coordinator = login("coordinator")
    for url in (reverse("governance:versions"), reverse("governance:bodies")):
        assert TOKEN.search(coordinator.get(url).content.decode()), url


def _patterns():
    """(name, a sample path) for every route, from the URL resolver."""
    from django.urls import get_resolver

    samples = {"uuid": "00000000-0000-0000-0000-000000000001", "int": "1", "str": "x", "slug": "x"}
    found = []

    def walk(resolver, prefix="", namespace=""):
        for entry in resolver.url_patterns:
            route = str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry, prefix + route, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif entry.name:
                path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), prefix + route)
                found.append((namespace + entry.name, "/" + path))

    walk(get_resolver())
    return found
