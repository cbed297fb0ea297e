"""Argon2id at a cost a 2-vCPU machine can pay for 200 people signing in at once, with old hashes upgraded."""

import statistics
import time

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, get_hasher, make_password

from patto.accounts.hashers import PattoArgon2PasswordHasher
from patto.accounts.models import User

PASSWORD = "una-password-lunga-di-prova"  # the personas' password (root conftest)


def test_argon2id_first_with_owasp_minimum_parameters_and_a_bounded_cost():
    assert settings.PASSWORD_HASHERS[0] == "patto.accounts.hashers.PattoArgon2PasswordHasher"
    hasher = get_hasher("default")
    assert isinstance(hasher, PattoArgon2PasswordHasher) and hasher.algorithm == "argon2"
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19 * 1024, 2, 1)
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    cpu = []
    for _ in range(5):
        started = time.process_time()
        assert hasher.verify(PASSWORD, encoded)
        cpu.append(time.process_time() - started)
    median = statistics.median(cpu) * 1000
    print(f"\nArgon2id m=19 MiB t=2 p=1: {median:.0f} ms CPU per check (median of 5)")
    # The target is ≤ 60 ms (36–52 ms measured); the bound leaves room for a loaded CI runner while still
    # failing on Django's defaults (370–400 ms here).
    assert median < 150


def test_old_hashes_are_upgraded_at_the_next_sign_in(client, personas):
    """A hash with Django's default Argon2 parameters, and a PBKDF2 one, become the new Argon2id at sign-in."""
    for username, old_hasher in (("case_manager", Argon2PasswordHasher()), ("team_member", PBKDF2PasswordHasher())):
        User.objects.filter(username=username).update(password=old_hasher.encode(PASSWORD, old_hasher.salt()))
        old = User.objects.get(username=username).password
        assert not old.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        response = client.post("/accesso/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302
        new = User.objects.get(username=username).password
        assert new != old and new.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        client.logout()
