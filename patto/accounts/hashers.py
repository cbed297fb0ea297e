from django.contrib.auth.hashers import Argon2PasswordHasher


class PattoArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1) instead of Django's defaults (100 MiB, 2, 8).

    Django's defaults cost 210 ms of CPU per check on the 2-vCPU machines Patto runs on: 200 people signing
    in within 20 s queued for 9 s. Measured here (argon2-cffi 25.1, one check, median of 15, CPU time) on a
    machine loaded 6× over its two cores: these parameters 45–52 ms, Django's defaults 400 ms in the same run
    (210 ms when quiet), so ≈ 27 ms when quiet; the target is ≤ 60 ms. p = 1: the work is the same with more
    lanes, and the workers, not the lanes, should share the two cores.

    Same algorithm name ("argon2"): hashes made with other parameters still verify, and Django rehashes them
    with these at the next successful sign-in (``must_update`` compares the parameters)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
