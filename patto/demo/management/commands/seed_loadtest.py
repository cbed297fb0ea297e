"""Accounts for the load test (``loadtest/``, ``scripts/loadtest.sh``): the demo district and N more fictional
people who sign in as real users do, with a password and a TOTP code.

    manage.py seed_loadtest --users 200 --out var/loadtest/accounts.json

Runs ``seed_demo`` first (the pact, the monitoring period, the demo's families and audit rows), then adds
``carico.001`` … ``carico.NNN`` ("Prova Carico 001": clearly fictional) in the demo's proportions of roles:
case managers (social workers of the Comune di Rimini, each with ``--caseload`` open paths of fictional
families built by ``bench_paths``' seeder: "Bimbo…", "Prova…"), school referents of the Istituto comprensivo
Rimini Marina (the same seats as ``demo.referente``, on the paths whose families agreed to share with the
school), pact coordinators of the Comune di Rimini and auditors. Every account gets the demo password and a
TOTP authenticator enrolled through ``accounts.services.enable_totp`` (audited, with recovery codes) with a
random key. The file written (mode 0600) lists each account with its role, TOTP key and the objects its
pages need (paths, the monitoring period): the locustfile reads it. A throwaway database only: it refuses to
run twice on the same one, and in production (the demo app is not installed there either)."""

import io
import json
import os
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from patto.accounts.models import District, Institution, Membership, User
from patto.accounts.roles import Role
from patto.demo.management.commands.seed_demo import DEMO_PASSWORD, SCHOOL

PREFIX = "carico."
SINCE = date(2024, 3, 1)


def role_counts(users):
    """How many accounts of each role for ``users`` in all (the rest are case managers)."""
    counts = {
        "coordinator": max(1, users // 10),
        "auditor": max(1, users // 20),
        "school_referent": max(1, users // 4),
    }
    counts["case_manager"] = users - sum(counts.values())
    if counts["case_manager"] < 1:
        raise CommandError("At least 4 users: one of each role.")
    return counts


class Command(BaseCommand):
    help = "Seed the demo district and N fictional accounts with TOTP for the load test (throwaway database)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=200)
        parser.add_argument("--caseload", type=int, default=12, help="open paths of each case manager")
        parser.add_argument("--out", required=True, help="the accounts file for the locustfile (written 0600)")

    def handle(self, *args, users, caseload, out, **options):
        if settings.PATTO_ENV == "production":
            raise CommandError("seed_loadtest never runs in production: its accounts have a published password.")
        if User.objects.filter(username__startswith=PREFIX).exists():
            raise CommandError("This database has load-test accounts already: use a fresh one.")
        counts = role_counts(users)
        call_command("seed_demo", stdout=io.StringIO())
        with transaction.atomic():
            accounts = self.build(counts, caseload)
        with connection.cursor() as cursor:  # the statistics autovacuum keeps in a running database
            cursor.execute("ANALYZE")
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"password": DEMO_PASSWORD, "accounts": accounts}, handle, indent=1)
        summary = ", ".join(f"{count} {role}" for role, count in counts.items())
        self.stdout.write(f"{len(accounts)} load-test accounts ({summary}) written to {path}")

    def build(self, counts, caseload):
        from django_otp.oath import TOTP

        from patto.accounts.services import enable_totp
        from patto.cases.management.commands.bench_paths import _seed_batch
        from patto.cases.models import Cohort, TeamMember
        from patto.governance.models import MonitoringPeriod

        district = District.objects.get(name="Distretto di Rimini")
        comune = Institution.objects.get(district=district, name="Comune di Rimini")
        school = Institution.objects.get(district=district, name=SCHOOL)
        office = Institution.objects.get(district=district, kind=Institution.Kind.DISTRICT_OFFICE)
        coop = Institution.objects.get(district=district, kind=Institution.Kind.THIRD_SECTOR)
        cohort = Cohort.objects.filter(district=district, is_active=True).order_by("-start_date").first()
        period = MonitoringPeriod.objects.filter(pact__district=district).order_by("-starts_on").first()
        referent_seats = list(
            TeamMember.objects.filter(
                user__username="demo.referente", institution=school, valid_to__isnull=True, ended_at__isnull=True
            ).values("path_id", "team_role", "valid_from")
        )
        place = {
            "case_manager": (comune, Role.SOCIAL_WORKER),
            "coordinator": (comune, Role.PACT_COORDINATOR),
            "school_referent": (school, Role.SCHOOL_REFERENT),
            "auditor": (office, Role.AUDITOR),
        }
        password = make_password(DEMO_PASSWORD)  # one Argon2 hash (current parameters) for every account
        educator = User.objects.create(
            username=f"{PREFIX}educatore", first_name="Prova", last_name="Educatrice Carico", password=password
        )
        Membership.objects.create(user=educator, institution=coop, role=Role.EDUCATOR, valid_from=SINCE)
        unit = {"district": district, "comune": comune, "coop": coop, "educator": educator, "cohort": cohort}
        accounts, number = [], 0
        for role, count in counts.items():
            institution, membership_role = place[role]
            for _index in range(count):
                number += 1
                username = f"{PREFIX}{number:03d}"
                user = User.objects.create(
                    username=username,
                    first_name="Prova",
                    last_name=f"Carico {number:03d}",
                    email=f"{username}@example.org",
                    password=password,
                )
                Membership.objects.create(user=user, institution=institution, role=membership_role, valid_from=SINCE)
                key = secrets.token_hex(20)
                token = f"{TOTP(bytes.fromhex(key)).token():06d}"
                if enable_totp(actor=user, key=key, token=token) is None:
                    raise CommandError(f"TOTP enrolment refused for {username}")
                objects = {}
                if role == "case_manager":
                    paths = _seed_batch(unit, user, f"LT{number:03d}", caseload, open_first=caseload)
                    objects["paths"] = [str(path.pk) for path, _child in paths]
                    objects["search"] = "Prova"
                elif role == "school_referent":
                    TeamMember.objects.bulk_create(
                        TeamMember(user=user, institution=school, **seat) for seat in referent_seats
                    )
                    objects["paths"] = [str(seat["path_id"]) for seat in referent_seats]
                elif role == "coordinator":
                    objects["period"] = period.pk
                accounts.append({"username": username, "role": role, "totp_key": key, "objects": objects})
        return accounts
