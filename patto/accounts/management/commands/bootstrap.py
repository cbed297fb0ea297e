"""The first account of a new installation: a district, its district office and a technical administrator.

    python manage.py bootstrap --district "Distretto di Rimini" --reference-prefix RN \\
        --institution "Ufficio di piano del Distretto di Rimini" \\
        --email tecnico@example.org --first-name Anna --last-name Rossi --base-url https://patto.example.org

The administrator receives the invitation by e-mail (valid PATTO_INVITATION_HOURS), chooses a password
and enrols the second factor at the first sign-in; everything else (institutions, people, the pact) is
done in Patto from there. Refused once the installation has a technical administrator: it is a first
step, not a back door. Every record it makes is audited, with the system as the actor."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from patto.accounts.models import District, Institution, Membership
from patto.accounts.roles import Role
from patto.accounts.services import add_member, create_district, create_institution


class Command(BaseCommand):
    help = "Create the first district, its district office and a technical administrator (invited by e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help="The district's name, e.g. 'Distretto di Rimini'.")
        parser.add_argument("--reference-prefix", required=True, help="Letters opening family references, e.g. RN.")
        parser.add_argument("--institution", required=True, help="The district office's name (ufficio di piano).")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--base-url", required=True, help="Patto's public address, for the invitation link.")

    def handle(self, *args, **options):
        if Membership.objects.filter(role=Role.TECHNICAL_ADMIN).exists():
            raise CommandError("This installation already has a technical administrator: they add the others.")
        try:
            with transaction.atomic():
                district = District.objects.filter(name=options["district"]).first() or create_district(
                    actor=None, name=options["district"], reference_prefix=options["reference_prefix"].upper()
                )
                office = Institution.objects.filter(
                    district=district, name=options["institution"]
                ).first() or create_institution(
                    actor=None, district=district, name=options["institution"], kind=Institution.Kind.DISTRICT_OFFICE
                )
                add_member(
                    actor=None,
                    institution=office,
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    role=Role.TECHNICAL_ADMIN,
                    valid_from=timezone.localdate(),
                    request_base_url=options["base_url"].rstrip("/"),
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Invitation sent to {options['email']} for {office} ({district}).")
