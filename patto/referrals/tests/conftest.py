"""A small district for the requests' screens, on top of the root personas: the Comune di Rimini (in the
pact) with its social worker (the case manager persona) and a head of service; the school with its referent;
a nido with an educator; the AUSL with its psychologist and a head of service; the Comune di Bellaria (in
the pact, for signals sent on); a cohort open for new paths."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.governance.models import Adhesion, Pact


def _sign(institution):
    Adhesion.objects.create(
        pact=Pact.objects.get(district=institution.district),
        institution=institution,
        signer_name="Firmatario",
        signer_role="Dirigente",
        signed_on=date(2024, 3, 1),
        method="digital",
    )


def _member(username, institution, role):
    return MembershipFactory(user=UserFactory(username=username), institution=institution, role=role).user


@pytest.fixture
def referrals_world(world, personas):
    from patto.cases.models import Cohort

    nido = Institution.objects.create(
        district=world.district, kind=Institution.Kind.EDUCATIONAL_SERVICE, name="Nido Il Girasole", town="Rimini"
    )
    bellaria = Institution.objects.create(
        district=world.district, kind=Institution.Kind.COMUNE, name="Comune di Bellaria", town="Bellaria"
    )
    for institution in (nido, bellaria):
        _sign(institution)
    return SimpleNamespace(
        world=world,
        comune=world.comune,
        school=world.school,
        nido=nido,
        bellaria=bellaria,
        cohort=Cohort.objects.create(district=world.district, name="PIPPI 14 — Rimini", start_date=date(2026, 9, 1)),
        social_worker=personas["case_manager"].user,
        head=_member("capo_servizio", world.comune, Role.SERVICE_HEAD),
        teacher=personas["school_referent"].user,
        nido_educator=_member("educatrice_nido", nido, Role.EDUCATIONAL_STAFF),
        psychologist=personas["health_professional"].user,
        ausl_head=_member("direttrice_ausl", world.ausl, Role.SERVICE_HEAD),
        bellaria_worker=_member("assistente_bellaria", bellaria, Role.SOCIAL_WORKER),
        coordinator=personas["coordinator"].user,
        outsider=personas["outsider"].user,
    )


def fresh(user):
    """A new User object, as each request has: the per-request caches start empty."""
    return type(user).objects.get(pk=user.pk)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client
