"""Test data for scripts/prod_smoke.sh, run after seed_demo with development settings against the smoke database.

Two demo people enrol a TOTP authenticator through Patto's own service (as the enrolment page does), with the
key in PATTO_SMOKE_TOTP_KEY; prints, as JSON, who signs in and what each reads: the case manager a family's
path with a plan and the plan's PDF, the coordinator the monitoring report and its XLSX."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patto.settings")
django.setup()

from django.urls import reverse  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from patto.accounts.models import User  # noqa: E402
from patto.accounts.services import enable_totp  # noqa: E402
from patto.cases.queries import paths_visible_to  # noqa: E402
from patto.demo.management.commands.seed_demo import DEMO_PASSWORD  # noqa: E402
from patto.governance.models import MonitoringPeriod  # noqa: E402


def enrol(username):
    user = User.objects.get(username=username)
    key = os.environ["PATTO_SMOKE_TOTP_KEY"]
    device = TOTPDevice(key=key)
    token = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    if enable_totp(actor=user, key=key, token=token) is None:
        sys.exit(f"enrolment refused for {username}")
    return user


case_manager = enrol("demo.assistente")
coordinator = enrol("demo.coordinatore")
path = (
    paths_visible_to(case_manager)
    .filter(goals__isnull=False, state__in=["assessment", "intervention"])
    .order_by("pk")
    .distinct()
    .first()
    or paths_visible_to(case_manager).filter(goals__isnull=False).first()
)
period = MonitoringPeriod.objects.order_by("-starts_on").first()
if path is None or period is None:
    sys.exit(f"the demo has no path with a plan for demo.assistente ({path}) or no monitoring period ({period})")
print(
    json.dumps(
        {
            "password": DEMO_PASSWORD,
            "users": [
                {
                    "username": case_manager.username,
                    "pages": [
                        reverse("core:home"),
                        reverse("cases:path_detail", args=[path.pk]),
                        reverse("cases:plan", args=[path.pk]),
                    ],
                    "downloads": {reverse("cases:plan_pdf", args=[path.pk]): "application/pdf"},
                },
                {
                    "username": coordinator.username,
                    "pages": [reverse("core:home"), reverse("governance:period_report", args=[period.pk])],
                    "downloads": {
                        reverse(
                            "governance:period_report_xlsx", args=[period.pk]
                        ): "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    },
                },
            ],
        },
        indent=2,
    )
)
