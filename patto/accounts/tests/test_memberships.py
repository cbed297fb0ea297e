from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patto.accounts.models import Membership, User
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.audit.models import AuditEvent


def _add(client, institution, **overrides):
    data = {
        "first_name": "Giulia",
        "last_name": "Neri",
        "email": "g.neri@example.org",
        "role": Role.SOCIAL_WORKER,
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": "",
    }
    data.update(overrides)
    return client.post(reverse("accounts:membership_add", kwargs={"pk": institution.pk}), data)


def test_admin_adds_a_new_person_who_is_invited(login, personas, world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _add(login("institution_admin"), world.comune)
    assert response.status_code == 302
    user = User.objects.get(email="g.neri@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.current().filter(user=user, institution=world.comune, role=Role.SOCIAL_WORKER).exists()
    assert len(mailoutbox) == 1 and "/password/reimposta/" in mailoutbox[0].body
    event = AuditEvent.objects.get(action="accounts.membership.created")
    assert event.actor.username == "institution_admin"


def test_existing_account_gets_a_second_membership_not_a_duplicate(login, personas, world, mailoutbox):
    existing = personas["outsider"].user
    _add(login("institution_admin"), world.comune, email=existing.email.upper())
    assert User.objects.filter(email__iexact=existing.email).count() == 1
    assert existing.memberships.count() == 2
    assert mailoutbox == []


def test_bad_input_keeps_what_was_typed_and_changes_nothing(login, personas, world):
    before = Membership.objects.count()
    response = _add(
        login("institution_admin"),
        world.comune,
        email="not-an-email",
        valid_to=(timezone.localdate() - timedelta(days=5)).isoformat(),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "valid_to"}
    assert b'value="Giulia"' in response.content and b'value="not-an-email"' in response.content
    assert Membership.objects.count() == before


def test_admin_cannot_grant_platform_or_clinical_roles(login, personas, world):
    client = login("institution_admin")
    for role in (Role.TECHNICAL_ADMIN, Role.AUDITOR, Role.PSYCHOLOGIST):
        response = _add(client, world.comune, role=role, email=f"{role}@example.org")
        assert response.status_code == 200 and "role" in response.context["form"].errors
    assert not User.objects.filter(email__endswith="@example.org", username__contains="admin@").exists()


def test_admin_of_another_institution_cannot_touch_its_people(login, personas, world):
    client = login("other_admin")  # administrator of the school
    assert client.get(reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})).status_code == 403
    assert _add(client, world.comune).status_code == 403
    target = personas["case_manager"]
    edit = client.post(
        reverse("accounts:membership_edit", kwargs={"pk": target.pk}),
        {"version": target.version, "role": Role.LEGAL_OFFICE, "valid_from": "2026-01-01"},
    )
    end = client.post(
        reverse("accounts:membership_end", kwargs={"pk": target.pk}), {"version": target.version, "reason": "x"}
    )
    assert edit.status_code == end.status_code == 404
    target.refresh_from_db()
    assert target.role == Role.SOCIAL_WORKER and target.ended_at is None


def test_people_list_shows_only_own_institution(login, personas, world):
    response = login("other_admin").get(reverse("accounts:institution_people", kwargs={"pk": world.school.pk}))
    names = {m.user.username for m in response.context["page"]}
    assert names == {"other_admin", "school_referent"}


def test_ended_membership_grants_nothing_from_the_next_request(client, login, personas, world):
    target = personas["case_manager"]
    colleague = login("case_manager")
    people = reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})
    assert colleague.get(people).status_code == 200
    from django.test import Client

    admin = Client()
    admin.force_login(personas["institution_admin"].user)
    response = admin.post(
        reverse("accounts:membership_end", kwargs={"pk": target.pk}),
        {"version": target.version, "reason": "Trasferimento ad altro servizio"},
    )
    assert response.status_code == 302
    assert colleague.get(people).status_code == 404  # same session, next request: no role, nothing visible
    assert AuditEvent.objects.filter(action="accounts.membership.ended", purpose__startswith="Trasferimento").exists()


def test_expired_membership_grants_nothing(login, personas, world):
    membership = personas["case_manager"]
    Membership.objects.filter(pk=membership.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    client = login("case_manager")
    assert client.get(reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})).status_code == 404
    assert client.get(reverse("accounts:institution_list")).status_code == 403


def test_concurrent_edits_do_not_overwrite_each_other(login, personas):
    target = personas["case_manager"]
    url = reverse("accounts:membership_edit", kwargs={"pk": target.pk})
    client = login("institution_admin")
    first = {"version": target.version, "role": Role.LEGAL_OFFICE, "valid_from": target.valid_from.isoformat()}
    second = {"version": target.version, "role": Role.EDUCATOR, "valid_from": target.valid_from.isoformat()}
    assert client.post(url, first).status_code == 302
    stale = client.post(url, second)
    assert stale.status_code == 409
    target.refresh_from_db()
    assert target.role == Role.LEGAL_OFFICE
    assert stale.context["conflict"].role == Role.LEGAL_OFFICE
    assert stale.context["form"]["role"].value() == Role.EDUCATOR  # what the user typed is kept
    again = client.post(url, {**second, "version": target.version})
    assert again.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.EDUCATOR


def test_nobody_changes_their_own_membership(login, personas):
    own = personas["institution_admin"]
    response = login("institution_admin").post(
        reverse("accounts:membership_end", kwargs={"pk": own.pk}), {"version": own.version, "reason": "x"}
    )
    assert response.status_code == 403


def test_switching_institution_changes_what_is_visible(client, world):
    person = MembershipFactory(institution=world.comune, role=Role.SOCIAL_WORKER).user
    second = MembershipFactory(user=person, institution=world.comune_b, role=Role.SOCIAL_WORKER)
    client.force_login(person)
    first_people = reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})
    assert client.get(first_people).status_code == 200
    client.post(reverse("accounts:switch_membership"), {"membership": second.pk})
    assert client.get(first_people).status_code == 403
    response = client.get("/")
    assert response.context["acting_membership"] == second


def test_cannot_switch_to_someone_elses_membership(login, personas):
    response = login("outsider").post(
        reverse("accounts:switch_membership"), {"membership": personas["institution_admin"].pk}
    )
    assert response.status_code == 403


def test_technical_admin_creates_and_edits_an_institution(login, personas, world):
    client = login("admin")
    data = {"kind": "school", "name": "IC Verucchio", "codice_meccanografico": "", "town": "Verucchio"}
    response = client.post(reverse("accounts:institution_create"), data)
    assert response.status_code == 200 and "codice_meccanografico" in response.context["form"].errors
    response = client.post(
        reverse("accounts:institution_create"), {**data, "codice_meccanografico": "RNIC81200X", "is_active": "on"}
    )
    assert response.status_code == 302
    institution = world.district.institutions.get(name="IC Verucchio")
    edit = reverse("accounts:institution_edit", kwargs={"pk": institution.pk})
    payload = {
        **data,
        "codice_meccanografico": "RNIC81200X",
        "is_active": "on",
        "town": "Villa Verucchio",
        "version": 1,
    }
    first = client.post(edit, payload)
    assert first.status_code == 302, first.context["form"].errors
    assert client.post(edit, {**payload, "town": "Verucchio centro"}).status_code == 409
    institution.refresh_from_db()
    assert institution.town == "Villa Verucchio"
    event = AuditEvent.objects.get(action="accounts.institution.updated")
    assert event.changes == {"town": ["Verucchio", "Villa Verucchio"]}


@pytest.mark.parametrize("count", [1, 3])
def test_people_list_query_count(count, world, client, django_assert_num_queries):
    admin = MembershipFactory(institution=world.comune, role=Role.INSTITUTION_ADMIN)
    for _ in range(count):
        MembershipFactory(institution=world.comune)
    client.force_login(admin.user)
    url = reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})
    with django_assert_num_queries(11):  # the standing comes with the memberships; the bell
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_institution_list_query_count(count, world, client, django_assert_num_queries):
    member = MembershipFactory(institution=world.comune)
    for index in range(count):
        world.district.institutions.create(kind="comune", name=f"Comune {index}", istat_code=f"0990{index:02d}")
    client.force_login(member.user)
    with django_assert_num_queries(6):  # the standing comes with the memberships; the bell
        assert client.get(reverse("accounts:institution_list")).status_code == 200
