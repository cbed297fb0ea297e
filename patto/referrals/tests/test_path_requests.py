"""From a family's path: the case manager asks another institution for a professional, or hands the path
over to another social service; the receiving head names a person, who accepts, and the seat follows.
The path page lists the path's requests; team seats fit the person's role."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import _member
from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.audit.models import AuditEvent
from patto.cases import services as cases
from patto.cases.forms import TeamMemberForm
from patto.cases.models import TeamMember
from patto.cases.queries import TEAM_ROLE_FIT, paths_visible_to, seats_in_force
from patto.cases.tests.pages import section, whole_path_page
from patto.governance.models import Adhesion, Pact
from patto.referrals import services
from patto.referrals.models import Kind, Request

R = TeamMember.TeamRole


def _sign(institution):
    Adhesion.objects.create(
        pact=Pact.objects.get(district=institution.district),
        institution=institution,
        signer_name="Firmatario",
        signer_role="Dirigente",
        signed_on=date(2024, 3, 1),
        method="digital",
    )


@pytest.fixture
def path_cast(world, personas, family_path):
    """The AUSL's head of service and a psychologist not yet in the team; the Comune di Riccione (in the
    pact) with its head of service and a social worker; a second school the family did not agree to share
    with."""
    riccione = Institution.objects.create(
        district=world.district, kind=Institution.Kind.COMUNE, name="Comune di Riccione", town="Riccione"
    )
    other_school = Institution.objects.create(
        district=world.district, kind=Institution.Kind.SCHOOL, name="IC Bellaria", town="Bellaria"
    )
    for institution in (riccione, other_school):
        _sign(institution)
    return SimpleNamespace(
        path=family_path,
        riccione=riccione,
        other_school=other_school,
        case_manager=personas["case_manager"].user,
        ausl_head=_member("ausl_head_v2", world.ausl, Role.SERVICE_HEAD).user,
        psychologist=_member("psicologa_v2", world.ausl, Role.PSYCHOLOGIST).user,
        riccione_head=_member("riccione_head", riccione, Role.SERVICE_HEAD).user,
        riccione_worker=_member("riccione_sw", riccione, Role.SOCIAL_WORKER).user,
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def fresh(user):
    """A new User object, as each request has: per-request caches start empty."""
    return type(user).objects.get(pk=user.pk)


def detail_url(path):
    return reverse("cases:path_detail", kwargs={"pk": path.pk})


def professional_url(path):
    return reverse("referrals:path_professional", kwargs={"path_id": path.pk})


def transfer_url(path):
    return reverse("referrals:path_transfer", kwargs={"path_id": path.pk})


def test_a_psychologist_requested_assigned_and_accepted_joins_the_team(path_cast, world):
    path, manager = path_cast.path, client_for(path_cast.case_manager)
    psychologist = client_for(path_cast.psychologist)
    assert psychologist.get(detail_url(path)).status_code == 404

    page = whole_path_page(manager, path)
    assert professional_url(path) in page and transfer_url(path) in page  # the case manager's links
    form = manager.get(professional_url(path)).context["form"]
    roles = {value for value, _label in form.fields["team_role"].choices if value}
    assert R.PSYCHOLOGIST in roles and R.TEACHER in roles and R.EDUCATOR in roles
    assert not roles & {R.CASE_MANAGER, R.SOCIAL_WORKER}  # nobody at these institutions fits them
    receivers = set(form.fields["receiver"].queryset)
    assert {world.ausl, world.coop, world.school, path_cast.other_school} <= receivers
    assert not receivers & {world.comune, path_cast.riccione, world.comune_b}

    response = manager.post(
        professional_url(path), {"receiver": world.ausl.pk, "team_role": R.PSYCHOLOGIST, "text": "Valutazione."}
    )
    assert response.status_code == 302 and response["Location"] == detail_url(path)
    request = Request.objects.get(path=path)
    assert (request.kind, request.status, request.receiver, request.team_role) == (
        Kind.PROFESSIONAL,
        Request.Status.SENT,
        world.ausl,
        R.PSYCHOLOGIST,
    )
    assert path.events.filter(kind="request.professional").exists()
    page = whole_path_page(manager, path)
    assert request.number in page and reverse("referrals:detail", args=[request.pk]) in page

    services.assign_request(
        actor=fresh(path_cast.ausl_head), request=request, version=request.version, assignee=path_cast.psychologist
    )
    request.refresh_from_db()
    assert psychologist.get(detail_url(path)).status_code == 404  # named, not yet accepted
    services.accept_assignment(actor=fresh(path_cast.psychologist), request=request, version=request.version)
    request.refresh_from_db()
    assert (request.status, request.outcome) == (Request.Status.CLOSED, Request.Outcome.ACCEPTED)
    assert seats_in_force().filter(path=path, user=path_cast.psychologist, team_role=R.PSYCHOLOGIST).exists()
    assert paths_visible_to(fresh(path_cast.psychologist)).filter(pk=path.pk).exists()
    assert psychologist.get(detail_url(path)).status_code == 200

    # A decline leaves no seat.
    manager.post(
        professional_url(path),
        {"receiver": world.ausl.pk, "team_role": R.CHILD_NEUROPSYCHIATRIST, "text": "Valutazione NPI."},
    )
    second = Request.objects.get(path=path, team_role=R.CHILD_NEUROPSYCHIATRIST)
    services.decline_request(
        actor=fresh(path_cast.ausl_head), request=second, version=second.version, answer="Nessun NPI disponibile."
    )
    second.refresh_from_db()
    assert (second.status, second.outcome) == (Request.Status.CLOSED, Request.Outcome.DECLINED)
    assert not path.team.filter(team_role=R.CHILD_NEUROPSYCHIATRIST).exists()


def test_refusals_keep_what_was_typed_and_say_why(path_cast, world):
    path, manager = path_cast.path, client_for(path_cast.case_manager)
    # A school the family did not agree to share with.
    response = manager.post(
        professional_url(path),
        {"receiver": path_cast.other_school.pk, "team_role": R.TEACHER, "text": "Progetto scuola-famiglia."},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "IC Bellaria" in errors["receiver"][0] and "consent" in errors["receiver"][0]
    assert "Progetto scuola-famiglia." in response.content.decode()
    # A role nobody at the cooperative holds.
    response = manager.post(
        professional_url(path), {"receiver": world.coop.pk, "team_role": R.PSYCHOLOGIST, "text": "x"}
    )
    assert "team_role" in response.context["form"].errors
    # One transfer waiting at a time.
    assert (
        manager.post(transfer_url(path), {"receiver": path_cast.riccione.pk, "text": "Trasferiti."}).status_code == 302
    )
    response = manager.post(transfer_url(path), {"receiver": path_cast.riccione.pk, "text": "Di nuovo."})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert "Di nuovo." in response.content.decode()
    assert Request.objects.filter(path=path, kind=Kind.TRANSFER).count() == 1
    assert Request.objects.filter(path=path, kind=Kind.PROFESSIONAL).count() == 0


def test_a_transfer_accepted_moves_the_case_managers_seat(path_cast, world):
    path, manager = path_cast.path, client_for(path_cast.case_manager)
    form = manager.get(transfer_url(path)).context["form"]
    assert set(form.fields["receiver"].queryset) == {world.comune, path_cast.riccione}  # social services in the pact
    response = manager.post(
        transfer_url(path), {"receiver": path_cast.riccione.pk, "text": "La famiglia si è trasferita a Riccione."}
    )
    assert response.status_code == 302
    request = Request.objects.get(path=path, kind=Kind.TRANSFER)
    assert path.events.filter(kind="request.transfer").exists()
    assert client_for(path_cast.riccione_worker).get(detail_url(path)).status_code == 404

    services.assign_request(
        actor=fresh(path_cast.riccione_head),
        request=request,
        version=request.version,
        assignee=path_cast.riccione_worker,
    )
    request.refresh_from_db()
    services.accept_assignment(actor=fresh(path_cast.riccione_worker), request=request, version=request.version)

    managers = path.team.filter(team_role=R.CASE_MANAGER)
    new, old = managers.get(user=path_cast.riccione_worker), managers.get(user=path_cast.case_manager)
    assert new.ended_at is None and new.institution == path_cast.riccione and old.ended_at is not None
    assert paths_visible_to(fresh(path_cast.riccione_worker)).filter(pk=path.pk).exists()
    assert not paths_visible_to(fresh(path_cast.case_manager)).filter(pk=path.pk).exists()
    client = client_for(path_cast.riccione_worker)
    timeline = section(client, path, "cronologia")
    assert timeline.status_code == 200
    assert any(e.kind == "case_manager.changed" for e, _words in timeline.context["timeline"])
    assert AuditEvent.objects.filter(action="cases.case_manager.changed", object_id=str(path.pk)).exists()
    assert professional_url(path) in whole_path_page(client, path)  # the links follow the seat


@pytest.mark.parametrize(
    ("persona", "status"), [("health_professional", 403), ("school_referent", 403), ("outsider", 404), ("auditor", 404)]
)
def test_only_the_case_manager_asks(path_cast, world, login, persona, status):
    client = login(persona)
    for url in (professional_url(path_cast.path), transfer_url(path_cast.path)):
        assert client.get(url).status_code == status
        assert (
            client.post(url, {"receiver": world.ausl.pk, "team_role": R.PSYCHOLOGIST, "text": "x"}).status_code
            == status
        )
    assert not Request.objects.exists()
    if status == 403:  # a team member sees the path, without the case manager's links
        page = whole_path_page(client, path_cast.path)
        assert professional_url(path_cast.path) not in page


def test_the_requests_section_for_the_team_not_for_the_school(path_cast, world, login):
    path = path_cast.path
    services.request_professional(
        actor=fresh(path_cast.case_manager), path=path, receiver=world.ausl, team_role=R.PSYCHOLOGIST, text="x"
    )
    number = Request.objects.get().number
    team_page = whole_path_page(login("team_member"), path)
    assert number in team_page and "AUSL Romagna" in team_page
    assert reverse("referrals:detail", args=[Request.objects.get().pk]) not in team_page  # not the educator's
    school_page = whole_path_page(login("school_referent"), path)
    assert number not in school_page


@pytest.mark.parametrize("count", [1, 3])
def test_the_path_page_costs_the_same_with_one_or_three_requests(count, path_cast, world, django_assert_num_queries):
    path = path_cast.path
    for index in range(count):
        services.request_professional(
            actor=fresh(path_cast.case_manager),
            path=path,
            receiver=world.ausl,
            team_role=R.PSYCHOLOGIST,
            text=f"richiesta {index}",
        )
    client = client_for(path_cast.case_manager)
    with django_assert_num_queries(9):  # the requests are a section loaded on demand
        assert client.get(detail_url(path)).status_code == 200
    # The path with its access row (the standing comes with the memberships; a section has no header), the requests.
    with django_assert_num_queries(9):
        response = section(client, path, "richieste")
    assert response.content.decode().count("RN-RIC-") == count


# --- team seats fit the person's role ----------------------------------------------------------------------


def test_a_seat_that_does_not_fit_the_membership_is_refused(path_cast, world, personas):
    _sign(world.office)  # the district office in the pact: the refusal is about the role, not the standing
    path, actor = path_cast.path, path_cast.case_manager
    for persona, institution, team_role in (
        ("auditor", world.office, R.OTHER),
        ("auditor", world.office, R.COACH),
        ("institution_admin", world.comune, R.SOCIAL_WORKER),
        ("institution_admin", world.comune, R.OTHER),
        ("coordinator", world.comune, R.SOCIAL_WORKER),
    ):
        with pytest.raises(ValidationError) as refused:
            cases.add_team_member(
                actor=actor,
                path=path,
                user=personas[persona].user,
                institution=institution,
                team_role=team_role,
                valid_from=date(2026, 11, 16),
            )
        assert "team_role" in refused.value.message_dict, (persona, team_role)
    assert not path.team.filter(user__in=[personas["auditor"].user, personas["institution_admin"].user]).exists()

    # The form offers only fitting memberships, for every role, and refuses one that does not fit.
    for team_role in TEAM_ROLE_FIT:
        shown = TeamMemberForm(path=path, initial={"team_role": team_role}).fields["membership"].queryset
        assert {m.role for m in shown} <= TEAM_ROLE_FIT[team_role], team_role
    everyone = TeamMemberForm(path=path).fields["membership"].queryset
    assert not {m.role for m in everyone} & {Role.AUDITOR, Role.INSTITUTION_ADMIN, Role.TECHNICAL_ADMIN}
    form = TeamMemberForm(
        {"team_role": R.OTHER, "membership": personas["institution_admin"].pk, "valid_from": "2026-11-16"}, path=path
    )
    assert not form.is_valid() and "membership" in form.errors
