"""Builds the fictional demo district of Rimini: institutions, one account per role, and 30 families
over three PIPPI cohorts at realistic stages. Idempotent: running it again changes nothing.

Never in production: every demo account has the password printed below (and in the README), so the
command refuses to run when PATTO_ENV=production, even if someone adds the demo app there (the settings
leave it out, and Faker, which it needs, is only in the ``demo`` extra)."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from patto.accounts import services
from patto.accounts.models import District, Institution, Membership, SchoolSite, User
from patto.accounts.roles import Role
from patto.territory import services as territory
from patto.territory.models import Comune, ResidentPopulation

DATA = Path(__file__).resolve().parents[2] / "data"
# Approximate figures for the demo comuni in ISTAT's layout, labelled so in the file's title and loaded as
# approximate: the real ones come from demo.istat.it (README, "Population data").
POPULATION_FILE = DATA / "popolazione_0_17_approssimata.csv"
POPULATION_SOURCE = "Dati approssimati per la demo (non ISTAT), nel formato del file ISTAT POSAS"
ENROLMENT_FILE = DATA / "iscritti_demo.csv"

DEMO_PASSWORD = "patto-demo-2026"
K = Institution.Kind

COMUNI = [  # name, ISTAT code, patron saint's day where the demo knows it (response clocks skip it)
    ("Comune di Rimini", "099014", "10-14"),  # San Gaudenzio
    ("Comune di Bellaria-Igea Marina", "099001", ""),
    ("Comune di Santarcangelo di Romagna", "099018", "09-29"),  # San Michele Arcangelo
    ("Comune di Verucchio", "099020", ""),
    ("Comune di Poggio Torriana", "099028", ""),
    ("Comune di Novafeltria", "099023", ""),
    ("Comune di Pennabilli", "099024", ""),
    ("Comune di San Leo", "099025", ""),
]
# Fictional schools: names and codici meccanografici are made up for the demo.
SCHOOLS = [
    (
        "Istituto comprensivo Rimini Marina (demo)",
        "RNIC80901A",
        "Rimini",
        [
            ("Scuola primaria Delfino", "primaria"),
            ("Scuola secondaria Tre Ponti", "secondaria_1"),
            ("Scuola dell'infanzia Girotondo", "infanzia"),
        ],
    ),
    (
        "Istituto comprensivo Rimini Borgo (demo)",
        "RNIC80902B",
        "Rimini",
        [("Scuola primaria Arco d'Augusto", "primaria"), ("Scuola secondaria Malatesta", "secondaria_1")],
    ),
    (
        "Istituto comprensivo Bellaria (demo)",
        "RNIC80903C",
        "Bellaria-Igea Marina",
        [("Scuola primaria Fronte Mare", "primaria"), ("Scuola secondaria Uso", "secondaria_1")],
    ),
    (
        "Istituto comprensivo Santarcangelo (demo)",
        "RNIC80904D",
        "Santarcangelo di Romagna",
        [("Scuola primaria Colle Giove", "primaria"), ("Scuola secondaria Marecchia", "secondaria_1")],
    ),
    (
        "Istituto comprensivo Alta Valmarecchia (demo)",
        "RNIC80905E",
        "Novafeltria",
        [("Scuola primaria Carpegna", "primaria"), ("Scuola secondaria Montefeltro", "secondaria_1")],
    ),
    (
        "Istituto di istruzione superiore Riviera (demo)",
        "RNIS00901F",
        "Rimini",
        [("Liceo scienze umane Riviera", "secondaria_2"), ("Istituto professionale servizi sociali", "secondaria_2")],
    ),
    (
        "Istituto tecnico Marecchia (demo)",
        "RNTD00902G",
        "Santarcangelo di Romagna",
        [("Istituto tecnico economico Marecchia", "secondaria_2")],
    ),
]
OTHERS = [
    (K.AUSL, "Azienda USL della Romagna — Distretto di Rimini", "Rimini", {}),
    (K.EDUCATIONAL_SERVICE, "Nido comunale Il Girasole (demo)", "Rimini", {"service_type": "nido"}),
    (
        K.EDUCATIONAL_SERVICE,
        "Centro per le famiglie del Distretto di Rimini",
        "Rimini",
        {"service_type": "family_centre"},
    ),
    (K.EDUCATIONAL_SERVICE, "Nido comunale L'Aquilone (demo)", "Santarcangelo di Romagna", {"service_type": "nido"}),
    (K.THIRD_SECTOR, "Cooperativa sociale Orizzonti (demo)", "Rimini", {}),
    (K.DISTRICT_OFFICE, "Ufficio di piano del Distretto di Rimini", "Rimini", {}),
]
AUSL = OTHERS[0][1]
COOP = OTHERS[4][1]
NIDO = OTHERS[1][1]
FAMILY_CENTRE = OTHERS[2][1]
OFFICE = OTHERS[5][1]
SCHOOL = SCHOOLS[0][0]
SCHOOL2 = SCHOOLS[1][0]

# username, [(institution, role)]: one account per role, plus one person with two memberships.
ACCOUNTS = [
    ("demo.coordinatore", [("Comune di Rimini", Role.PACT_COORDINATOR)]),
    ("demo.assistente", [("Comune di Rimini", Role.SOCIAL_WORKER)]),
    ("demo.psicologa", [(AUSL, Role.PSYCHOLOGIST)]),
    ("demo.npi", [(AUSL, Role.CHILD_NEUROPSYCHIATRIST)]),
    ("demo.sanitario", [(AUSL, Role.HEALTH_PROFESSIONAL)]),
    ("demo.educatore", [(COOP, Role.EDUCATOR)]),
    ("demo.dirigente", [(SCHOOL, Role.SCHOOL_HEAD)]),
    ("demo.referente", [(SCHOOL, Role.SCHOOL_REFERENT)]),
    ("demo.nido", [(NIDO, Role.EDUCATIONAL_STAFF)]),
    ("demo.legale", [("Comune di Rimini", Role.LEGAL_OFFICE)]),
    ("demo.admin.comune", [("Comune di Rimini", Role.INSTITUTION_ADMIN)]),
    ("demo.admin.scuola", [(SCHOOL, Role.INSTITUTION_ADMIN)]),
    ("demo.admin.tecnico", [(OFFICE, Role.TECHNICAL_ADMIN)]),
    ("demo.dpo", [(OFFICE, Role.AUDITOR)]),
    (
        "demo.doppio",
        [
            ("Comune di Bellaria-Igea Marina", Role.SOCIAL_WORKER),
            ("Comune di Santarcangelo di Romagna", Role.SOCIAL_WORKER),
        ],
    ),
    ("demo.famiglie", [(FAMILY_CENTRE, Role.EDUCATIONAL_STAFF)]),
    # Requests between institutions (issue 10); added last, so the accounts above keep their names.
    ("demo.responsabile", [("Comune di Rimini", Role.SERVICE_HEAD)]),
    ("demo.responsabile.ausl", [(AUSL, Role.SERVICE_HEAD)]),
    ("demo.pediatra", [(AUSL, Role.HEALTH_PROFESSIONAL)]),
    ("demo.referente2", [(SCHOOL2, Role.SCHOOL_REFERENT)]),
    ("demo.responsabile.santarcangelo", [("Comune di Santarcangelo di Romagna", Role.SERVICE_HEAD)]),
]


class Command(BaseCommand):
    help = "Create the fictional demo district of Rimini (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the accounts as JSON and nothing else.")

    def handle(self, *args, **options):
        if settings.PATTO_ENV == "production":
            raise CommandError(
                "seed_demo never runs in production (PATTO_ENV=production): the demo accounts have a "
                'published password. Create real accounts instead (README, "Production").'
            )
        # Imported here, after the refusal: they need Faker, which a production install does not have.
        from patto.demo.families import build_families
        from patto.demo.funding import build_funding
        from patto.demo.helpdesk import build_helpdesk
        from patto.demo.offer import build_offer
        from patto.demo.pact import build_pact
        from patto.demo.referrals import build_referrals

        with transaction.atomic():
            district = self.build_institutions()
            self.build_territory(district)
            accounts = self.build_accounts(district)
            build_pact(district)
            build_families(district)
            build_referrals(district)
            build_helpdesk(district)
            build_funding(district)
            build_offer(district)
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"\nPatto demo — {district.name}. Password for every account: {DEMO_PASSWORD}\n")
        for account in accounts:
            self.stdout.write(f"  {account['username']:<32} {account['role']:<45} {account['institution']}")
        self.stdout.write("")

    def build_institutions(self):
        district, _ = District.objects.get_or_create(
            name="Distretto di Rimini", defaults={"ats_code": "ATS-RN01", "reference_prefix": "RN"}
        )
        for name, istat, patron_day in COMUNI:
            self.institution(
                district,
                K.COMUNE,
                name,
                name.removeprefix("Comune di "),
                istat_code=istat,
                short_name=name.removeprefix("Comune di "),
                patron_day=patron_day,
            )
        for name, code, town, sites in SCHOOLS:
            school = self.institution(district, K.SCHOOL, name, town, codice_meccanografico=code)
            for index, (site_name, level) in enumerate(sites):
                SchoolSite.objects.get_or_create(
                    institution=school,
                    name=site_name,
                    defaults={
                        "level": level,
                        "town": town,
                        "codice_meccanografico": f"{code[:2]}EE{code[4:8]}{index}X",
                    },
                )
        for kind, name, town, extra in OTHERS:
            self.institution(district, kind, name, town, **extra)
        return district

    def build_territory(self, district):
        """The demo comuni as data (ISTAT codes of the institutions above), their approximate population aged
        0-17 and the demo schools' pupils, through the loaders ``load_population`` and ``load_enrolment`` use."""
        territory.sync_comuni(district=district, actor_label="seed_demo")
        Comune.objects.filter(district=district, province="").update(province="RN")
        if not ResidentPopulation.objects.filter(comune__district=district).exists():
            territory.load_population(
                data=POPULATION_FILE.read_bytes(), approximate=True, source=POPULATION_SOURCE, actor_label="seed_demo"
            )
            territory.load_enrolment(data=ENROLMENT_FILE.read_bytes(), actor_label="seed_demo")

    def institution(self, district, kind, name, town, **extra):
        existing = Institution.objects.filter(district=district, name=name).first()
        if existing:
            return existing
        slug = slugify(name.split("(")[0])[:40].strip("-")
        return services.create_institution(
            actor=None, district=district, kind=kind, name=name, town=town, email=f"info@{slug}.example.org", **extra
        )

    def build_accounts(self, district):
        from faker import Faker

        from patto.cases.models import Person, Volunteer
        from patto.demo.names import NameRegistry

        fake = Faker("it_IT")
        Faker.seed(2024)
        # No two demo people share a full name (families and volunteers follow; in a demo seeded before an
        # account was added, the new account's name is also checked against the families already there).
        names = NameRegistry(
            fake,
            taken=[f"{p.first_name} {p.last_name}" for p in Person.objects.filter(district=district)]
            + [f"{v.first_name} {v.last_name}" for v in Volunteer.objects.filter(district=district)],
        )
        institutions = {i.name: i for i in Institution.objects.filter(district=district)}
        accounts = []
        for username, roles in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is not None:
                names.claim(user.get_full_name())
            else:
                first_name, last_name = names.full_name()
                user = User(
                    username=username, first_name=first_name, last_name=last_name, email=f"{username}@example.org"
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
            for institution_name, role in roles:
                institution = institutions[institution_name]
                if not Membership.objects.current().filter(user=user, institution=institution, role=role).exists():
                    services.add_member(
                        actor=None,
                        institution=institution,
                        email=user.email,
                        first_name=user.first_name,
                        last_name=user.last_name,
                        role=role,
                        valid_from=date(2024, 3, 1),
                    )
                accounts.append(
                    {
                        "username": username,
                        "password": DEMO_PASSWORD,
                        "institution": institution.name,
                        "role": str(Role(role).label),
                    }
                )
        return accounts
