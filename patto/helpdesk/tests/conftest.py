"""A small district for the help desk, on top of the root personas: the Comune di Rimini's legal office (a
lawyer), the school (its referent, the persona, and its head), a second school with its referent, a nido with
its staff, all in the pact."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.governance.models import Adhesion, Pact


def sign(institution):
    Adhesion.objects.create(
        pact=Pact.objects.get(district=institution.district),
        institution=institution,
        signer_name="Firmatario",
        signer_role="Dirigente",
        signed_on=date(2024, 3, 1),
        method="digital",
    )


def member(username, institution, role, first="Nome", last="Cognome"):
    user = UserFactory(username=username, first_name=first, last_name=last)
    MembershipFactory(user=user, institution=institution, role=role)
    return user


def fresh(user):
    """A new User object, as each request has: the per-request caches start empty."""
    return type(user).objects.get(pk=user.pk)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(world, personas):
    school2 = Institution.objects.create(
        district=world.district, kind=Institution.Kind.SCHOOL, name="IC Rimini Borgo", town="Rimini"
    )
    nido = Institution.objects.create(
        district=world.district, kind=Institution.Kind.EDUCATIONAL_SERVICE, name="Nido Il Girasole", town="Rimini"
    )
    for institution in (school2, nido):
        sign(institution)
    return SimpleNamespace(
        world=world,
        district=world.district,
        comune=world.comune,
        school=world.school,
        school2=school2,
        nido=nido,
        lawyer=member("avvocata", world.comune, Role.LEGAL_OFFICE, "Laura", "Legali"),
        teacher=personas["school_referent"].user,
        head=member("dirigente", world.school, Role.SCHOOL_HEAD, "Dario", "Dirigenti"),
        teacher2=member("referente2", school2, Role.SCHOOL_REFERENT, "Bruna", "Borghi"),
        nido_staff=member("educatrice", nido, Role.EDUCATIONAL_STAFF, "Giulia", "Neri"),
        coordinator=personas["coordinator"].user,
        social_worker=personas["case_manager"].user,
    )


def ask(desk, user=None, **fields):
    from patto.helpdesk import services

    data = {
        "category": "privacy",
        "subject": "Condivisione con il servizio sociale",
        "text": "Possiamo inviare una relazione al servizio sociale?",
    }
    data.update(fields)
    return services.ask_question(actor=fresh(user or desk.teacher), **data)
