"""Regression tests for the holes an outside attack found in the need-to-know model (issue 8, findings
2–7, the cases side). Each test names its finding; each failed before the seat model."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from patto.accounts.models import Institution, User
from patto.accounts.roles import Role
from patto.accounts.tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import ClosureOutcome, ConsentItem, DeviceType, Note, Path, TeamMember
from patto.cases.tests.pages import whole_path_page
from patto.governance.models import Adhesion, Pact

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=ROME)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _act_as(client, membership):
    session = client.session
    session["acting_membership_id"] = membership.pk
    session.save()


def _url(name, path):
    return reverse(name, kwargs={"pk": path.pk})


@pytest.fixture
def notes(family_path, personas):
    cm, psy = personas["case_manager"].user, personas["health_professional"].user
    for audience, text, author in (
        (Note.Audience.TEAM, "NOTA-TEAM", cm),
        (Note.Audience.SCHOOL, "NOTA-SCUOLA", cm),
        (Note.Audience.INSTITUTION, "NOTA-COMUNE", cm),
        (Note.Audience.CLINICAL, "NOTA-CLINICA", psy),
    ):
        services.add_note(actor=author, path=family_path, audience=audience, text=text)


def _notes_seen(client, path):
    body = whole_path_page(client, path)  # the notes are a section loaded on demand
    return {
        text
        for text in ("NOTA-TEAM", "NOTA-SCUOLA", "NOTA-COMUNE", "NOTA-CLINICA", "NOTA-ALTRA-SCUOLA")
        if text in body
    }


# --- Finding 2: the seat decides, not the acting role -------------------------------------------------------


def test_school_referent_acting_as_educator_still_sees_only_what_is_shared(family_path, personas, notes, world):
    """Finding 2a: a school referent given an extra educator membership at the same school (the default
    role, as it sorts first) read team-only notes, the signal, the legal basis and the plan."""
    referent = personas["school_referent"]
    extra = MembershipFactory(user=referent.user, institution=world.school, role=Role.EDUCATOR)
    client = _client(referent.user)
    for membership in (extra, referent):
        _act_as(client, membership)
        assert _notes_seen(client, family_path) == {"NOTA-SCUOLA"}
        body = whole_path_page(client, family_path)
        assert "Assenze frequenti" not in body  # the signal
        assert client.get(_url("cases:plan", family_path)).status_code == 403
        assert client.get(_url("cases:plan_pdf", family_path)).status_code == 403


def test_educator_with_a_psychologist_membership_reads_no_clinical_note(family_path, personas, notes, world):
    """Finding 2b: in the team as a cooperative educator, also a psychologist at the AUSL (not in this
    team as such): clinical notes were readable when acting as the psychologist."""
    educator = personas["team_member"]
    psy = MembershipFactory(user=educator.user, institution=world.ausl, role=Role.PSYCHOLOGIST)
    client = _client(educator.user)
    for membership in (psy, educator):
        _act_as(client, membership)
        assert _notes_seen(client, family_path) == {"NOTA-TEAM", "NOTA-SCUOLA"}
    with pytest.raises(ValidationError):
        services.add_note(actor=educator.user, path=family_path, audience=Note.Audience.CLINICAL, text="x")


def test_a_health_seat_needs_a_health_membership_at_a_health_institution(family_path, personas, notes):
    """Finding 2: the psychologist's clinical view comes from the seat; with the AUSL membership ended the
    seat grants nothing."""
    psy = personas["health_professional"]
    client = _client(psy.user)
    assert "NOTA-CLINICA" in _notes_seen(client, family_path)
    psy.ended_at = NOW
    psy.save(update_fields=["ended_at"])
    assert client.get(_url("cases:path_detail", family_path)).status_code == 404


# --- Finding 3: consent is data, and a school note is for one school ---------------------------------------


@pytest.fixture
def no_consent_path(family_path, personas):
    """The same family's path, but the family never agreed to share with the school."""
    item = ConsentItem.objects.get(path=family_path)
    ConsentItem.objects.filter(pk=item.pk).delete()
    TeamMember.objects.filter(path=family_path, team_role=TeamMember.TeamRole.TEACHER).delete()
    return family_path


def test_without_consent_nothing_reaches_the_school(no_consent_path, personas, world):
    """Finding 3a: with no consent to share, a teacher was added, a school note written and read."""
    cm = personas["case_manager"].user
    path = no_consent_path
    with pytest.raises(ValidationError, match="consent"):
        services.add_team_member(
            actor=cm,
            path=path,
            user=personas["school_referent"].user,
            institution=world.school,
            team_role=TeamMember.TeamRole.TEACHER,
            valid_from=date(2025, 9, 15),
        )
    with pytest.raises(ValidationError):
        services.add_note(actor=cm, path=path, audience=Note.Audience.SCHOOL, text="x", school=world.school)
    partnership = DeviceType.objects.get(measure=DeviceType.Measure.SCHOOL_PARTNERSHIP)
    with pytest.raises(ValidationError, match="consent"):
        services.activate_device(
            actor=cm,
            path=path,
            device_type=partnership,
            provider=world.comune,
            starts_on=date(2025, 10, 1),
            school=world.school,
        )
    goal = services.add_goal(
        actor=cm,
        path=path,
        subdimension=services.current_framework().sides.first().subdimensions.first(),
        expected_result="Frequenza regolare",
    )
    with pytest.raises(ValidationError, match="consent"):
        services.add_action(
            actor=cm,
            goal=goal,
            description="Colloquio",
            area="educational",
            deadline=date(2026, 1, 10),
            institution=world.school,
        )
    # Through the page: the refusal says why and keeps what was typed.
    response = _client(cm).post(
        _url("cases:team_add", path),
        {"membership": personas["school_referent"].pk, "team_role": "teacher", "valid_from": "2025-09-15"},
    )
    assert response.status_code == 200 and world.school.name in str(response.context["form"].errors["membership"])
    assert 'value="2025-09-15"' in response.content.decode()


def test_a_school_note_is_for_its_school_only(family_path, personas, world):
    """Finding 3b: a school note written for school B was read by school A's teacher on the same path."""
    cm = personas["case_manager"].user
    school_b = InstitutionFactory(
        district=world.district,
        kind=Institution.Kind.SCHOOL,
        name="IC Rimini Centro",
        istat_code="",
        codice_meccanografico="RNIC81000B",
    )
    Adhesion.objects.create(
        pact=Pact.objects.get(district=world.district),
        institution=school_b,
        signer_name="D",
        signer_role="Dirigente",
        signed_on=date(2024, 3, 1),
        method="digital",
    )
    services.give_consent(
        actor=cm,
        path=family_path,
        institution=school_b,
        scope="Compiti",
        given_on=date(2025, 9, 20),
        given_by="Elena Canestrari",
    )
    teacher_b = MembershipFactory(user=UserFactory(), institution=school_b, role=Role.SCHOOL_REFERENT)
    services.add_team_member(
        actor=cm,
        path=family_path,
        user=teacher_b.user,
        institution=school_b,
        team_role=TeamMember.TeamRole.TEACHER,
        valid_from=date(2025, 9, 20),
    )
    services.add_note(actor=teacher_b.user, path=family_path, audience=Note.Audience.SCHOOL, text="NOTA-ALTRA-SCUOLA")
    services.add_note(
        actor=cm, path=family_path, audience=Note.Audience.SCHOOL, text="NOTA-SCUOLA", school=world.school
    )
    assert _notes_seen(_client(personas["school_referent"].user), family_path) == {"NOTA-SCUOLA"}
    assert _notes_seen(_client(teacher_b.user), family_path) == {"NOTA-ALTRA-SCUOLA"}
    assert _notes_seen(_client(cm), family_path) == {"NOTA-SCUOLA", "NOTA-ALTRA-SCUOLA"}


def test_withdrawing_consent_removes_the_school_at_the_next_request(family_path, personas):
    """Finding 3c: withdrawal takes the school's view away at the next request, and is on the timeline."""
    teacher = _client(personas["school_referent"].user)
    assert teacher.get(_url("cases:path_detail", family_path)).status_code == 200
    item = ConsentItem.objects.get(path=family_path)
    cm = _client(personas["case_manager"].user)
    url = reverse("cases:consent_withdraw", kwargs={"pk": family_path.pk, "consent_pk": item.pk})
    bad = cm.post(
        url, {"version": item.version, "withdrawn_on": "2099-01-01", "reason": "La famiglia ha cambiato idea"}
    )
    assert bad.status_code == 200 and 'value="La famiglia ha cambiato idea"' in bad.content.decode()
    today = date.today().isoformat()
    assert cm.post(url, {"version": item.version, "withdrawn_on": today, "reason": "Revoca"}).status_code == 302
    assert teacher.get(_url("cases:path_detail", family_path)).status_code == 404
    assert family_path.events.filter(kind="consent.withdrawn").exists()
    assert AuditEvent.objects.filter(action="cases.consent.withdrawn", purpose="Revoca").exists()


# --- Finding 4: standing ends access --------------------------------------------------------------------


def test_withdrawn_institution_loses_family_data(family_path, personas, world):
    """Finding 4: the cooperative withdrew today; its educator still read the path and the plan PDF."""
    educator = _client(personas["team_member"].user)
    assert educator.get(_url("cases:path_detail", family_path)).status_code == 200
    Adhesion.objects.filter(institution=world.coop).update(withdrawn_on=date.today())
    assert educator.get(_url("cases:path_detail", family_path)).status_code == 404
    assert educator.get(_url("cases:plan_pdf", family_path)).status_code == 404


def test_inactive_institution_loses_family_data(family_path, personas, world):
    """Finding 4: with the institution inactive everything stayed 200."""
    world.ausl.is_active = False
    world.ausl.save(update_fields=["is_active"])
    assert _client(personas["health_professional"].user).get(_url("cases:path_detail", family_path)).status_code == 404


def test_a_future_withdrawal_counts_from_its_date(family_path, personas, world):
    Adhesion.objects.filter(institution=world.coop).update(withdrawn_on=date.today() + timedelta(days=3))
    assert _client(personas["team_member"].user).get(_url("cases:path_detail", family_path)).status_code == 200


def test_a_non_signatory_cannot_join_a_team(family_path, personas, world):
    """Finding 4: an institution that never signed (the second comune) gives no seat."""
    with pytest.raises(ValidationError, match="adesione"):
        services.add_team_member(
            actor=personas["case_manager"].user,
            path=family_path,
            user=personas["outsider"].user,
            institution=world.comune_b,
            team_role=TeamMember.TeamRole.SOCIAL_WORKER,
            valid_from=date(2025, 9, 15),
        )


# --- Finding 5: closure ends access -------------------------------------------------------------------------


def test_closure_ends_seats_after_the_grace_period(family_path, personas, world, settings):
    """Finding 5: every seat of the closed demo paths stayed open; the school read a closed family."""
    settings.PATTO_CLOSURE_GRACE_DAYS = 30
    cm = personas["case_manager"].user
    outcome = ClosureOutcome.objects.get(code="improved")
    # The personas' memberships start on the day the test runs: the clock moves forward from there.
    closed_on = date.today()
    services.close_path(actor=cm, path=family_path, version=family_path.version, outcome=outcome, reason="Fine")
    seats = TeamMember.objects.filter(path=family_path)
    last_day = closed_on + timedelta(days=30)
    assert {s.valid_to for s in seats if s.team_role != TeamMember.TeamRole.CASE_MANAGER} == {last_day}
    assert seats.get(team_role=TeamMember.TeamRole.CASE_MANAGER).valid_to is None
    evening = datetime(last_day.year, last_day.month, last_day.day, 18, 0, tzinfo=ROME)
    with time_machine.travel(evening, tick=False):  # sessions are signed in at the time they are used
        teacher = _client(personas["school_referent"].user)
        assert teacher.get(_url("cases:path_detail", family_path)).status_code == 200
    with time_machine.travel(evening + timedelta(hours=15), tick=False):
        teacher, manager = _client(personas["school_referent"].user), _client(cm)
        assert teacher.get(_url("cases:path_detail", family_path)).status_code == 404
        assert manager.get(_url("cases:path_detail", family_path)).status_code == 200
    family_path.refresh_from_db()
    services.reopen_path(actor=cm, path=family_path, version=family_path.version, reason="Nuova segnalazione")
    assert all(s.valid_to is None for s in TeamMember.objects.filter(path=family_path))


def test_archive_access_is_reasoned_and_audited(family_path, personas, world):
    """Finding 5: later reads of a closed path are an audited, reasoned archive access by the social service."""
    cm = personas["case_manager"].user
    colleague = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER)
    services.close_path(
        actor=cm,
        path=family_path,
        version=family_path.version,
        outcome=ClosureOutcome.objects.get(code="improved"),
        reason="Fine",
    )
    client = _client(colleague.user)
    assert client.get(_url("cases:path_detail", family_path)).status_code == 404
    archive = reverse("cases:archive_open")
    missing = client.post(archive, {"reference": "RN-1999-0001", "reason": "Richiesta del tribunale"})
    assert missing.status_code == 200 and 'value="RN-1999-0001"' in missing.content.decode()
    response = client.post(archive, {"reference": family_path.family.reference, "reason": "Richiesta del tribunale"})
    assert response.status_code == 302
    page = client.get(_url("cases:path_detail", family_path))
    assert page.status_code == 200 and "Canestrari" in page.content.decode()
    assert client.get(_url("cases:plan", family_path)).status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="cases.path.archive_opened", actor=colleague.user, purpose="Richiesta del tribunale"
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="cases.path.viewed", actor=colleague.user, purpose="archive").exists()
    # A school or a cooperative cannot open the archive; nor an open path through it.
    assert (
        _client(personas["school_referent"].user)
        .post(archive, {"reference": family_path.family.reference, "reason": "x"})
        .status_code
        == 403
    )


def test_archive_does_not_open_an_open_path(family_path, world):
    colleague = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER)
    response = _client(colleague.user).post(
        reverse("cases:archive_open"), {"reference": family_path.family.reference, "reason": "Curiosità"}
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="cases.path.archive_opened").exists()


# --- Finding 6: duplicate checks stay in the district --------------------------------------------------------


def _child(**extra):
    return {
        "first_name": "Aurora",
        "last_name": "Canestrari",
        "birth_date": date(2017, 4, 12),
        "sex": "F",
        "fiscal_code": "",
        "town": "Forlì",
        "school": None,
        "school_site": None,
        **extra,
    }


def test_another_district_learns_nothing(family_path, world):
    """Finding 6: a social worker of another district learned that a Rimini child is known, and where."""
    from patto.cases.models import Cohort

    worker = MembershipFactory(user=UserFactory(), institution=world.foreign, role=Role.SOCIAL_WORKER)
    cohort = Cohort.objects.create(
        district=world.foreign_district, name="PIPPI 13 — Forlì", start_date=date(2025, 9, 1)
    )
    path = services.open_path(
        actor=worker.user,
        cohort=cohort,
        signal_source=world.foreign,
        signal_date=date(2025, 9, 1),
        signal_summary="Segnalazione",
        child=_child(),
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
    )
    assert path.family.district == world.foreign_district
    assert not AuditEvent.objects.filter(action="cases.person.duplicate_found").exists()


def test_a_colleague_without_access_is_sent_to_the_coordinator(family_path, world, personas):
    """Finding 6: in the district, someone who cannot see the family is not told which family it is; the
    lookup is in the district's trail."""
    colleague = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER)
    with pytest.raises(services.DuplicatePerson) as refused:
        services.open_path(
            actor=colleague.user,
            cohort=family_path.cohort,
            signal_source=world.school,
            signal_date=date(2025, 9, 1),
            signal_summary="Segnalazione",
            child=_child(),
            legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        )
    assert family_path.family.reference not in str(refused.value)
    assert "referente territoriale" in str(refused.value)
    event = AuditEvent.objects.get(action="cases.person.duplicate_found")
    assert event.actor_institution == world.comune
    with pytest.raises(services.DuplicatePerson) as told:
        services.add_person(
            actor=personas["case_manager"].user,
            path=family_path,
            kind="child",
            **{k: v for k, v in _child().items() if k != "kind"},
        )
    assert family_path.family.reference in str(told.value)


# --- Finding 7 (cases): pages with personal data write an access row ----------------------------------------


@pytest.mark.parametrize("name", ["cases:meeting_add", "cases:team_add", "cases:device_add", "cases:consent_add"])
def test_path_forms_log_the_read(name, family_path, personas):
    client = _client(personas["case_manager"].user)
    response = client.get(_url(name, family_path))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(request_id=response["X-Request-ID"], object_id=str(family_path.pk)).exists()


def test_home_tasks_panel_logs_the_read(family_path, personas):
    cm = personas["case_manager"].user
    meeting = services.schedule_meeting(actor=cm, path=family_path, held_at=NOW, agenda="Avvio", participants=[cm])
    services.record_minutes(
        actor=cm,
        meeting=meeting,
        version=meeting.version,
        minutes="Verbale",
        decisions="",
        next_steps=[{"description": "Chiamare la scuola", "assignee": cm, "due_on": date(2026, 3, 30)}],
    )
    response = _client(cm).get("/")
    assert "Chiamare la scuola" in response.content.decode()
    assert AuditEvent.objects.filter(request_id=response["X-Request-ID"], action="cases.tasks.listed").exists()


def test_a_seat_starting_after_the_grace_period_never_starts(family_path, personas, world):
    """Found by the generated adversary: a seat due to start after the grace period outlived the closure."""
    cm = personas["case_manager"].user
    later = MembershipFactory(user=UserFactory(), institution=world.coop, role=Role.EDUCATOR)
    seat = services.add_team_member(
        actor=cm,
        path=family_path,
        user=later.user,
        institution=world.coop,
        team_role=TeamMember.TeamRole.EDUCATOR,
        valid_from=date.today() + timedelta(days=90),
    )
    services.close_path(
        actor=cm,
        path=family_path,
        version=family_path.version,
        outcome=ClosureOutcome.objects.get(code="improved"),
        reason="Fine",
    )
    seat.refresh_from_db()
    assert seat.ended_at is not None and seat.ended_by_closure
    family_path.refresh_from_db()
    services.reopen_path(actor=cm, path=family_path, version=family_path.version, reason="Di nuovo")
    seat.refresh_from_db()
    assert seat.ended_at is None and seat.valid_to is None


def test_exports_of_personal_data_ask_for_the_password_again(family_path, personas):
    """Step-up (issue 8, "Smaller"): the family's plan as a file needs a password typed in the last minutes."""
    client = _client(personas["case_manager"].user)
    url = _url("cases:plan_pdf", family_path)
    assert client.get(url).status_code == 200  # signing in counts as typing the password
    session = client.session
    session["reauth_at"] -= 11 * 60
    session.save()
    before = AuditEvent.objects.filter(action="cases.plan.pdf").count()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:confirm_password") in response["Location"]
    assert AuditEvent.objects.filter(action="cases.plan.pdf").count() == before  # nothing left, nothing logged
    # Someone who may not see the plan is refused before being asked for a password.
    assert _client(personas["school_referent"].user).get(url).status_code == 403


# --- Found by an independent attack on the seat model -------------------------------------------------------


def test_a_read_is_recorded_as_the_seat_it_was_made_from(family_path, personas, world):
    """A teacher of Rimini who also works in Forlì, acting as Forlì, read the path: the trail said Forlì,
    so Rimini's DPO never saw the read."""
    referent = personas["school_referent"]
    forli = MembershipFactory(user=referent.user, institution=world.foreign, role=Role.SOCIAL_WORKER)
    client = _client(referent.user)
    _act_as(client, forli)
    response = client.get(_url("cases:path_detail", family_path))
    assert response.status_code == 200
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"], action="cases.path.viewed")
    assert (row.actor_institution, row.actor_role) == (world.school, Role.SCHOOL_REFERENT)


def test_a_seat_whose_holder_changed_role_grants_nothing(family_path, personas):
    """The case manager's membership turned into an institution admin's: the seat kept the team's view."""
    membership = personas["case_manager"]
    membership.role = Role.INSTITUTION_ADMIN
    membership.save(update_fields=["role"])
    client = _client(membership.user)
    assert client.get(_url("cases:path_detail", family_path)).status_code == 404
    assert client.get(_url("cases:team_add", family_path)).status_code == 404


def test_a_school_seat_sees_its_pupil_not_the_family_nor_the_team(family_path, personas):
    # A name no other persona or page text can share (the factories' Faker names may coincide).
    User.objects.filter(pk=personas["health_professional"].user.pk).update(last_name="Zanfrognini")
    personas["health_professional"].user.last_name = "Zanfrognini"
    body = whole_path_page(_client(personas["school_referent"].user), family_path)
    assert "Aurora" in body  # the pupil of this school
    assert "Elena" not in body and "1988" not in body  # not the parent
    assert personas["health_professional"].user.last_name not in body  # nor who else is in the team
    assert personas["case_manager"].user.last_name in body  # whom to call


def _closed(family_path, personas):
    services.close_path(
        actor=personas["case_manager"].user,
        path=family_path,
        version=family_path.version,
        outcome=ClosureOutcome.objects.get(code="improved"),
        reason="Fine",
    )
    family_path.refresh_from_db()
    return family_path


def test_an_archive_access_ends_with_the_readers_membership_and_at_reopening(family_path, personas, world):
    colleague = MembershipFactory(user=UserFactory(), institution=world.comune, role=Role.SOCIAL_WORKER)
    path = _closed(family_path, personas)
    client = _client(colleague.user)
    client.post(reverse("cases:archive_open"), {"reference": path.family.reference, "reason": "Tribunale"})
    assert client.get(_url("cases:path_detail", path)).status_code == 200
    colleague.ended_at = NOW
    colleague.save(update_fields=["ended_at"])
    assert client.get(_url("cases:path_detail", path)).status_code == 404
    colleague.ended_at = None
    colleague.save(update_fields=["ended_at"])
    services.reopen_path(actor=personas["case_manager"].user, path=path, version=path.version, reason="Di nuovo")
    path.refresh_from_db()
    services.close_path(
        actor=personas["case_manager"].user,
        path=path,
        version=path.version,
        outcome=ClosureOutcome.objects.get(code="improved"),
        reason="Fine di nuovo",
    )
    assert client.get(_url("cases:path_detail", path)).status_code == 404  # a new reason is needed


def test_only_the_social_service_that_managed_the_case_opens_its_archive(family_path, personas, world):
    Adhesion.objects.create(
        pact=Pact.objects.get(district=world.district),
        institution=world.comune_b,
        signer_name="Sindaco",
        signer_role="Sindaco",
        signed_on=date(2025, 1, 1),
        method="digital",
    )
    path = _closed(family_path, personas)
    response = _client(personas["outsider"].user).post(
        reverse("cases:archive_open"), {"reference": path.family.reference, "reason": "Curiosità"}
    )
    assert response.status_code == 200 and not AuditEvent.objects.filter(action="cases.path.archive_opened").exists()
    assert AuditEvent.objects.filter(action="cases.path.archive_refused", purpose="Curiosità").exists()


def test_refusals_raised_by_a_view_are_audited(family_path, personas):
    response = _client(personas["school_referent"].user).get(reverse("cases:path_create"))
    assert response.status_code == 403
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"], action="security.access_denied")
    assert row.object_id == "cases:path_create"


def test_only_the_partnership_names_a_school(family_path, personas, world):
    home = DeviceType.objects.get(measure=DeviceType.Measure.HOME_EDUCATION)
    with pytest.raises(ValidationError) as refused:
        services.activate_device(
            actor=personas["case_manager"].user,
            path=family_path,
            device_type=home,
            provider=world.coop,
            starts_on=date(2025, 10, 1),
            hours_per_week=3,
            school=world.school,
        )
    assert list(refused.value.message_dict) == ["school"]


def test_the_print_view_is_an_export_too(family_path, personas):
    client = _client(personas["case_manager"].user)
    session = client.session
    session["reauth_at"] -= 11 * 60
    session.save()
    assert client.get(_url("cases:plan_print", family_path)).status_code == 302
