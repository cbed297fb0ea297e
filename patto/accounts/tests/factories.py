import functools

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from patto.accounts.models import District, Institution, Membership, User
from patto.accounts.roles import Role


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "Distretto di Prova"
    # The province's letters for the districts the personas use (their families read RN-2026-0001, as in the
    # demo), a distinct made-up prefix for any other.
    reference_prefix = factory.LazyAttributeSequence(
        lambda d, n: {"Distretto di Rimini": "RN", "Distretto di Forlì": "FC"}.get(d.name, f"PR{n}")
    )


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    district = factory.SubFactory(DistrictFactory)
    kind = Institution.Kind.COMUNE
    name = factory.Sequence(lambda n: f"Comune di Prova {n}")
    istat_code = factory.Sequence(lambda n: f"{99000 + n:06d}")
    town = "Rimini"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"utente{n}")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    # Hashed once per test run (Argon2 is deliberately slow); same password for every test user.
    password = factory.LazyFunction(lambda: _password_hash())


@functools.cache
def _password_hash():
    return make_password("una-password-lunga-di-prova")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.SOCIAL_WORKER
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=30))
