"""Who reads the district's figures: the coordinator by role; a named membership by a grant, only while it
is in force and only acting under it; never a role that cannot be given it; never another district."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.audit.models import AuditEvent
from patto.monitoring import services
from patto.monitoring.models import AggregateGrant

pytestmark = pytest.mark.django_db


def _grant(personas, membership, **extra):
    return services.grant_aggregate_access(
        actor=personas["coordinator"].user,
        membership=membership,
        reason="Gruppo del Referente territoriale",
        starts_on=extra.pop("starts_on", timezone.localdate()),
        **extra,
    )


def test_the_coordinator_gives_and_revokes_through_the_page(personas, login, world):
    head = MembershipFactory(institution=world.ausl, role=Role.SERVICE_HEAD)
    client = login("coordinator")
    page = client.get(reverse("monitoring:grants"))
    assert page.status_code == 200
    assert head.user.get_full_name() in page.content.decode()
    response = client.post(
        reverse("monitoring:grants"),
        {
            "membership": head.pk,
            "reason": "Responsabile di distretto AUSL",
            "starts_on": "16/11/2026",
            "ends_on": "01/01/2026",
        },
    )
    assert response.status_code == 200  # the end before the start: the form says so, keeps what was typed
    assert "Responsabile di distretto AUSL" in response.content.decode()
    assert not AggregateGrant.objects.exists()
    client.post(
        reverse("monitoring:grants"),
        {"membership": head.pk, "reason": "Responsabile di distretto AUSL", "starts_on": "16/11/2026"},
    )
    grant = AggregateGrant.objects.get()
    assert AuditEvent.objects.filter(action="monitoring.grant.created", object_id=str(grant.pk)).exists()

    client.force_login(head.user)
    assert client.get(reverse("monitoring:index")).status_code == 200
    assert reverse("monitoring:index") in client.get(reverse("core:home")).content.decode()  # the home card
    assert client.get(reverse("monitoring:grants")).status_code == 403  # reads, does not give

    login("coordinator").post(reverse("monitoring:grant_revoke", args=[grant.pk]))
    client.force_login(head.user)
    assert client.get(reverse("monitoring:index")).status_code == 403
    assert AuditEvent.objects.filter(action="monitoring.grant.revoked").count() == 1


def test_a_grant_counts_only_in_its_period(personas, login):
    admin = personas["institution_admin"]
    _grant(personas, admin, starts_on=timezone.localdate() + timedelta(days=1))
    assert login("institution_admin").get(reverse("monitoring:index")).status_code == 403
    ended = _grant(
        personas,
        admin,
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    assert ended.pk and login("institution_admin").get(reverse("monitoring:index")).status_code == 403


def test_a_grant_belongs_to_one_membership_not_to_the_person(personas, client, world):
    """Two memberships: the head of service has the figures; acting as a school referent she has not."""
    head = MembershipFactory(institution=world.comune, role=Role.SERVICE_HEAD)
    MembershipFactory(user=head.user, institution=world.school, role=Role.SCHOOL_REFERENT)
    _grant(personas, head)
    client.force_login(head.user)
    assert client.get(reverse("monitoring:index")).status_code == 200
    school = head.user.memberships.get(role=Role.SCHOOL_REFERENT)
    client.post(reverse("accounts:switch_membership"), {"membership": school.pk})
    assert client.get(reverse("monitoring:index")).status_code == 403


def test_what_cannot_be_granted(personas, world):
    with pytest.raises(ValidationError):
        _grant(personas, personas["case_manager"])  # a social worker reads families through seats, not figures
    with pytest.raises(PermissionDenied):
        _grant(personas, personas["foreigner"])  # another district's
    with pytest.raises(PermissionDenied):
        services.grant_aggregate_access(
            actor=personas["institution_admin"].user,
            membership=personas["other_admin"],
            reason="x",
            starts_on=timezone.localdate(),
        )
    assert not AggregateGrant.objects.exists()


def test_a_refusal_is_audited(personas, login):
    assert login("case_manager").get(reverse("monitoring:index")).status_code == 403
    assert AuditEvent.objects.filter(action="security.access_denied", object_type="monitoring.page").exists()
