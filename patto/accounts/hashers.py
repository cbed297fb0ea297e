from django.contrib.auth.hashers import Argon2PasswordHasher


class PattoArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1) instead of Django's defaults (100 MiB, 2, 8).

    Django's defaults cost 210 ms of CPU per check on the 2-vCPU machines Patto runs on: 200 people signing
    in within 20 s queued for 9 s. Measured on this project's 2-vCPU machine (argon2-cffi 25.1, one check,
    median of 15, CPU time), shared with other work: these parameters 36–52 ms per check, Django's defaults
    370–400 ms in the same runs; the target is ≤ 60 ms. p = 1: the work is the same with more lanes, and
    the workers, not the lanes, should share the two cores.

    Same algorithm name ("argon2"): hashes made with other parameters still verify, and Django rehashes them
    with these at the next successful sign-in (``must_update`` compares the parameters)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
