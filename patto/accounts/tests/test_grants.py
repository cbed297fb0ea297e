"""Roles are typed and granted with care (issue 8, finding 1).

The three exploits found: the school's administrator gave itself the pact coordinator's and then a social
worker's role; the technical administrator gave itself an AUSL psychologist's role; the Comune's
administrator attached a role to another district's account and was shown that person's name."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.accounts import services
from patto.accounts.models import Institution, Membership
from patto.accounts.roles import Role, grantable_roles, roles_for_institution_kind
from patto.accounts.tests.factories import InstitutionFactory, MembershipFactory
from patto.audit.models import AuditEvent

K = Institution.Kind


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


def _refusals(reason):
    return AuditEvent.objects.filter(action="accounts.membership.grant_refused", changes__reason=[None, reason])


def test_school_admin_cannot_make_itself_coordinator_or_social_worker(login, personas, world):
    """Finding 1, first exploit (demo.admin.scuola)."""
    admin = personas["other_admin"].user
    client = login("other_admin")
    for role in (Role.PACT_COORDINATOR, Role.SOCIAL_WORKER):
        response = _add(client, world.school, email=admin.email, role=role)
        assert response.status_code == 200 and "role" in response.context["form"].errors
    assert list(admin.memberships.values_list("role", flat=True)) == [Role.INSTITUTION_ADMIN]
    # Nor any role of the school's own to itself.
    response = _add(client, world.school, email=admin.email, role=Role.SCHOOL_REFERENT)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert admin.memberships.count() == 1 and _refusals("own_account").count() == 1


def test_technical_admin_cannot_give_itself_a_health_role(login, personas, world):
    """Finding 1, second exploit (demo.admin.tecnico): nobody grants to themselves, the technical admin included."""
    admin = personas["admin"].user
    client = login("admin")
    response = _add(client, world.ausl, email=admin.email.upper(), role=Role.PSYCHOLOGIST)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Membership.objects.filter(user=admin, institution=world.ausl).exists()
    # The same grant to somebody else is the technical administrator's to make.
    assert _add(client, world.ausl, email="psi@example.org", role=Role.PSYCHOLOGIST).status_code == 302
    assert Membership.objects.filter(user__email="psi@example.org", role=Role.PSYCHOLOGIST).exists()


def test_comune_admin_cannot_attach_a_role_to_another_districts_account(login, personas, world):
    """Finding 1, third exploit (demo.admin.comune): refused, and nothing about the account is shown."""
    foreigner = personas["foreigner"].user
    foreigner.first_name, foreigner.last_name = "Zebulone", "Forestierini"  # names no page otherwise contains
    foreigner.save(update_fields=["first_name", "last_name"])
    response = _add(login("institution_admin"), world.comune, email=foreigner.email)
    assert response.status_code == 200 and "email" in response.context["form"].errors
    body = response.content.decode()
    assert foreigner.first_name not in body and foreigner.last_name not in body
    assert "Forl" not in body
    assert list(foreigner.memberships.values_list("institution", flat=True)) == [world.foreign.pk]
    event = _refusals("account_not_usable").get()
    assert not event.subjects.exists()  # the foreign person is not named in this district's trail


def test_the_technical_admin_cannot_reach_another_districts_account_either(personas, world):
    """Finding 1: the district rule holds in the service for every actor."""
    with pytest.raises(ValidationError) as error:
        services.add_member(
            actor=personas["admin"].user,
            institution=world.comune,
            email=personas["foreigner"].user.email,
            first_name="X",
            last_name="Y",
            role=Role.SOCIAL_WORKER,
            valid_from=timezone.localdate(),
        )
    assert "email" in error.value.error_dict


def test_an_institution_admin_grants_only_at_its_own_institution_and_never_privileged_roles(personas, world):
    """Finding 1: the service (not only the form) refuses what the form would not offer."""
    actor = personas["institution_admin"].user  # the Comune's administrator
    cases = [
        (world.ausl, Role.PSYCHOLOGIST),
        (world.school, Role.SCHOOL_REFERENT),
        (world.comune, Role.PACT_COORDINATOR),
        (world.comune, Role.AUDITOR),
        (world.comune, Role.TECHNICAL_ADMIN),
        (world.comune, Role.PSYCHOLOGIST),
    ]
    for institution, role in cases:
        with pytest.raises(ValidationError):
            services.add_member(
                actor=actor,
                institution=institution,
                email="nuovo@example.org",
                first_name="A",
                last_name="B",
                role=role,
                valid_from=timezone.localdate(),
            )
    assert not Membership.objects.filter(user__email="nuovo@example.org").exists()
    assert _refusals("role_not_grantable").count() == len(cases)


def test_the_form_offers_only_what_may_be_granted(login, personas, world):
    """Finding 1: the role choices follow the institution's kind and the actor's role."""
    school = login("other_admin").get(reverse("accounts:membership_add", kwargs={"pk": world.school.pk}))
    assert [value for value, _label in school.context["form"].fields["role"].choices] == [
        Role.SCHOOL_HEAD,
        Role.SCHOOL_REFERENT,
        Role.INSTITUTION_ADMIN,
    ]
    comune = login("institution_admin").get(reverse("accounts:membership_add", kwargs={"pk": world.comune.pk}))
    offered = {value for value, _label in comune.context["form"].fields["role"].choices}
    assert offered == {Role.SOCIAL_WORKER, Role.SERVICE_HEAD, Role.EDUCATOR, Role.LEGAL_OFFICE, Role.INSTITUTION_ADMIN}
    office = login("admin").get(reverse("accounts:membership_add", kwargs={"pk": world.office.pk}))
    assert {value for value, _label in office.context["form"].fields["role"].choices} == {
        Role.PACT_COORDINATOR,
        Role.SOCIAL_WORKER,
        Role.SERVICE_HEAD,
        Role.LEGAL_OFFICE,
        Role.INSTITUTION_ADMIN,
        Role.TECHNICAL_ADMIN,
        Role.AUDITOR,
    }


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (
            K.AUSL,
            {
                Role.PSYCHOLOGIST,
                Role.CHILD_NEUROPSYCHIATRIST,
                Role.HEALTH_PROFESSIONAL,
                Role.SERVICE_HEAD,
                Role.LEGAL_OFFICE,
                Role.INSTITUTION_ADMIN,
            },
        ),
        (K.SCHOOL, {Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT, Role.INSTITUTION_ADMIN}),
        (K.EDUCATIONAL_SERVICE, {Role.EDUCATIONAL_STAFF, Role.SERVICE_HEAD, Role.EDUCATOR, Role.INSTITUTION_ADMIN}),
        (K.THIRD_SECTOR, {Role.SERVICE_HEAD, Role.EDUCATOR, Role.INSTITUTION_ADMIN}),
        (
            K.COMUNE,
            {
                Role.PACT_COORDINATOR,
                Role.SOCIAL_WORKER,
                Role.SERVICE_HEAD,
                Role.EDUCATOR,
                Role.LEGAL_OFFICE,
                Role.INSTITUTION_ADMIN,
            },
        ),
        (
            K.DISTRICT_OFFICE,
            {
                Role.PACT_COORDINATOR,
                Role.SOCIAL_WORKER,
                Role.SERVICE_HEAD,
                Role.LEGAL_OFFICE,
                Role.INSTITUTION_ADMIN,
                Role.TECHNICAL_ADMIN,
                Role.AUDITOR,
            },
        ),
    ],
)
def test_each_role_exists_only_at_its_kinds_of_institution(kind, allowed, world):
    """Finding 1: Membership.clean() refuses a role where it does not exist, whoever saves it."""
    institution = InstitutionFactory(district=world.district, kind=kind, istat_code="", service_type="nido")
    assert set(roles_for_institution_kind(kind)) == allowed
    person = MembershipFactory(institution=world.comune).user
    for role in Role:
        membership = Membership(user=person, institution=institution, role=role, valid_from=timezone.localdate())
        if role in allowed:
            membership.full_clean()
        else:
            with pytest.raises(ValidationError):
                membership.full_clean()


def test_privileged_grants_are_the_technical_admins_and_have_their_own_audit_action(login, personas, world):
    """Finding 1: the pact coordinator is appointed by the technical administrator, and the DPO sees it."""
    response = _add(login("admin"), world.comune, email="coord@example.org", role=Role.PACT_COORDINATOR)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.membership.privileged_granted")
    assert event.actor.username == "admin" and event.changes["role"] == [None, Role.PACT_COORDINATOR]
    assert not AuditEvent.objects.filter(action="accounts.membership.created").exists()


def test_a_privileged_membership_is_changed_only_by_the_technical_admin(login, personas, world):
    """Finding 1: the Comune's administrator cannot promote anyone to coordinator, nor touch the coordinator's
    role; it can still end it (revoking is never a risk)."""
    worker = personas["case_manager"]
    client = login("institution_admin")
    promote = client.post(
        reverse("accounts:membership_edit", kwargs={"pk": worker.pk}),
        {"version": worker.version, "role": Role.PACT_COORDINATOR, "valid_from": worker.valid_from.isoformat()},
    )
    assert promote.status_code == 200 and "role" in promote.context["form"].errors
    worker.refresh_from_db()
    assert worker.role == Role.SOCIAL_WORKER
    coordinator = personas["coordinator"]
    assert client.get(reverse("accounts:membership_edit", kwargs={"pk": coordinator.pk})).status_code == 403
    with pytest.raises(ValidationError):
        services.change_membership(
            actor=personas["institution_admin"].user,
            membership=coordinator,
            version=coordinator.version,
            role=Role.SOCIAL_WORKER,
            valid_from=coordinator.valid_from,
            valid_to=None,
        )
    assert client.get(reverse("accounts:membership_end", kwargs={"pk": coordinator.pk})).status_code == 200

    admin = login("admin")
    response = admin.post(
        reverse("accounts:membership_edit", kwargs={"pk": worker.pk}),
        {"version": worker.version, "role": Role.PACT_COORDINATOR, "valid_from": worker.valid_from.isoformat()},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.membership.privileged_granted", object_id=str(worker.pk)).exists()


def test_the_people_list_offers_only_the_changes_allowed(login, personas, world):
    """Finding 1: no "Change" link where the change would be refused."""
    response = login("institution_admin").get(reverse("accounts:institution_people", kwargs={"pk": world.comune.pk}))
    assert personas["coordinator"].pk not in response.context["changeable"]
    assert personas["coordinator"].pk in response.context["endable"]
    assert personas["case_manager"].pk in response.context["changeable"]
    assert personas["institution_admin"].pk not in response.context["endable"]


def test_grantable_roles_for_nobody_is_nothing(personas, world):
    assert grantable_roles(None, world.comune) == []
    assert grantable_roles(personas["case_manager"], world.comune) == []
    assert grantable_roles(personas["foreigner"], world.comune) == []
    assert grantable_roles(personas["admin"], world.foreign) == []
