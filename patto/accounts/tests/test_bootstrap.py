"""The first account of a production install: `manage.py bootstrap` (README, production section)."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from patto.accounts.models import District, Membership
from patto.accounts.roles import Role
from patto.audit.models import AuditEvent

ARGS = [
    "--district",
    "Distretto di Rimini",
    "--reference-prefix",
    "rn",
    "--institution",
    "Ufficio di piano del Distretto di Rimini",
    "--email",
    "tecnico@example.org",
    "--first-name",
    "Anna",
    "--last-name",
    "Rossi",
    "--base-url",
    "https://patto.example.org/",
]


@pytest.mark.django_db
def test_bootstrap_creates_the_first_administrator_once_and_audits_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bootstrap", *ARGS)
    membership = Membership.objects.get()
    assert membership.role == Role.TECHNICAL_ADMIN and membership.user.email == "tecnico@example.org"
    assert District.objects.get().reference_prefix == "RN"
    assert len(mail.outbox) == 1 and "https://patto.example.org/" in mail.outbox[0].body
    assert {
        "accounts.district.created",
        "accounts.institution.created",
        "accounts.membership.privileged_granted",
    } <= set(AuditEvent.objects.values_list("action", flat=True))
    with pytest.raises(CommandError, match="already has a technical administrator"):
        call_command(
            "bootstrap",
            *ARGS[:-6],
            "--email",
            "altro@example.org",
            "--first-name",
            "B",
            "--last-name",
            "C",
            "--base-url",
            "https://x",
        )
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_bootstrap_refuses_bad_input_and_changes_nothing():
    bad = list(ARGS)
    bad[bad.index("rn")] = "r-1"  # not letters
    with pytest.raises(CommandError):
        call_command("bootstrap", *bad)
    assert not District.objects.exists() and not Membership.objects.exists()
