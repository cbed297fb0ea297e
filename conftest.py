"""Named personas shared by every test. One district (two comuni, a school, the AUSL, a cooperative,
the district office) and a second district whose people must never see the first one's."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import DistrictFactory, InstitutionFactory, MembershipFactory, UserFactory

pytest_plugins = [
    "patto.core.tests.browser.fixtures",  # browser, visit: Playwright + axe-core
    "patto.documents.tests.clamd",  # clamd_socket, antivirus: a real ClamAV daemon; uploads in a temporary folder
]

PASSWORD = "una-password-lunga-di-prova"

# The tests' clock: a Monday in the second half of 2026, the period the `pact` fixture monitors. Every
# test but the browser tests starts there and the clock ticks on, so "today" in a fixture, a service and
# an assertion is the same day whenever the suite runs (a test must not fail on 1 January). Browser
# tests run on the real clock: Chromium judges cookie expiry by its own clock, not the server's.
FIXED_NOW = datetime(2026, 11, 16, 9, 30, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def fixed_clock(request):
    if request.node.get_closest_marker("browser"):
        yield None
        return
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in Patto's default language (Italian). A request in English leaves its thread in
    English (the locale middleware activates a language and nothing deactivates it), and a later test on the
    same worker would otherwise read English messages or not, depending on the order the tests ran in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def audit_refused():
    """``with audit_refused():`` the database refuses every new audit row (the trail's table unavailable): a
    statement that inserts into it raises DatabaseError, whatever code sends it. ``audit_refused(
    audit_refused.subjects)`` refuses the people concerned's rows only."""
    from contextlib import contextmanager

    from django.db import DatabaseError, connection

    from patto.audit.models import AuditEvent, AuditSubject

    @contextmanager
    def refused(model=AuditEvent):
        """``model``: the events' table (by default) or the people concerned's (``AuditSubject``)."""
        table = connection.ops.quote_name(model._meta.db_table)

        def refuse(execute, sql, params, many, context):
            if sql.lstrip().upper().startswith(("INSERT INTO " + table).upper()):
                raise DatabaseError("audit table unavailable")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(refuse):
            yield

    refused.subjects = AuditSubject

    return refused


@pytest.fixture
def world(db):
    district = DistrictFactory(name="Distretto di Rimini")
    comune = InstitutionFactory(district=district, name="Comune di Rimini", istat_code="099014")
    comune_b = InstitutionFactory(district=district, name="Comune di Santarcangelo", istat_code="099018")
    school = InstitutionFactory(
        district=district,
        kind=Institution.Kind.SCHOOL,
        name="IC Rimini Marina",
        istat_code="",
        codice_meccanografico="RNIC80901A",
    )
    ausl = InstitutionFactory(district=district, kind=Institution.Kind.AUSL, name="AUSL Romagna", istat_code="")
    coop = InstitutionFactory(
        district=district, kind=Institution.Kind.THIRD_SECTOR, name="Coop Orizzonti", istat_code=""
    )
    office = InstitutionFactory(
        district=district, kind=Institution.Kind.DISTRICT_OFFICE, name="Ufficio di piano", istat_code=""
    )
    foreign_district = DistrictFactory(name="Distretto di Forlì")
    foreign = InstitutionFactory(district=foreign_district, name="Comune di Forlì", istat_code="040012")
    # Standing: the district's pact, signed by the Comune, the school, the AUSL and the cooperative (not the
    # second comune, nor the district office); Forlì's own pact, signed by its comune.
    from datetime import date

    from patto.governance.models import Adhesion, Pact

    for pact_district, signatories in ((district, (comune, school, ausl, coop)), (foreign_district, (foreign,))):
        pact = Pact.objects.create(
            district=pact_district, title="Patto territoriale PIPPI", valid_from=date(2024, 3, 1)
        )
        for institution in signatories:
            Adhesion.objects.create(
                pact=pact,
                institution=institution,
                signer_name="Firmatario",
                signer_role="Dirigente",
                signed_on=date(2024, 3, 1),
                method="digital",
            )
    return SimpleNamespace(
        district=district,
        comune=comune,
        comune_b=comune_b,
        school=school,
        ausl=ausl,
        coop=coop,
        office=office,
        foreign_district=foreign_district,
        foreign=foreign,
    )


def _member(username, institution, role):
    return MembershipFactory(user=UserFactory(username=username), institution=institution, role=role)


@pytest.fixture
def personas(world):
    """username → Membership for every persona; `stranger` has an account and no valid role."""
    memberships = {
        "case_manager": _member("case_manager", world.comune, Role.SOCIAL_WORKER),
        "coordinator": _member("coordinator", world.comune, Role.PACT_COORDINATOR),
        "institution_admin": _member("institution_admin", world.comune, Role.INSTITUTION_ADMIN),
        "other_admin": _member("other_admin", world.school, Role.INSTITUTION_ADMIN),
        "school_referent": _member("school_referent", world.school, Role.SCHOOL_REFERENT),
        "health_professional": _member("health_professional", world.ausl, Role.PSYCHOLOGIST),
        "team_member": _member("team_member", world.coop, Role.EDUCATOR),
        "outsider": _member("outsider", world.comune_b, Role.SOCIAL_WORKER),
        "admin": _member("admin", world.office, Role.TECHNICAL_ADMIN),
        "auditor": _member("auditor", world.office, Role.AUDITOR),
        "foreigner": _member("foreigner", world.foreign, Role.INSTITUTION_ADMIN),
    }
    UserFactory(username="stranger")
    return memberships


@pytest.fixture
def login(client):
    """login("case_manager") → the test client signed in as that persona."""
    from patto.accounts.models import User

    def _login(username):
        client.force_login(User.objects.get(username=username))
        return client

    return _login


# --- The audit tables' append-only triggers and transactional tests -----------------------------
# Transactional tests (the browser tests) empty every table at teardown with TRUNCATE / DELETE, which
# the triggers rightly refuse. Only that flush is wrapped: triggers dropped just before it, put back
# right after it, so every test runs with them in place.


@pytest.fixture(scope="session", autouse=True)
def _flush_around_audit_triggers():
    import importlib

    migration = importlib.import_module("patto.audit.migrations.0004_retention")
    ops_class = type(connection.ops)
    original = ops_class.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.schema_editor() as editor:
            migration.drop_triggers(None, editor)
        try:
            original(self, sql_list)
        finally:
            with self.connection.schema_editor() as editor:
                migration.create_triggers(None, editor)
        # The flush also emptied what the data migrations load (the framework, the catalogues): put it
        # back, so that a test running after a transactional one on the same worker finds it.
        from patto.cases.reference_data import ensure_reference_data

        ensure_reference_data()

    ops_class.execute_sql_flush = execute_sql_flush
    yield
    ops_class.execute_sql_flush = original


@pytest.fixture
def family_path(personas, world):
    """A path opened by the case manager, with a psychologist, a teacher and an educator in the team."""
    from datetime import date

    from patto.cases import services
    from patto.cases.models import Cohort, Path, Person, TeamMember

    cohort = Cohort.objects.create(district=world.district, name="PIPPI 13 — Rimini", start_date=date(2025, 9, 15))
    case_manager = personas["case_manager"].user
    path = services.open_path(
        actor=case_manager,
        cohort=cohort,
        signal_source=world.school,
        signal_date=date(2025, 9, 1),
        signal_summary="Assenze frequenti segnalate dalla scuola.",
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        child={
            "first_name": "Aurora",
            "last_name": "Canestrari",
            "birth_date": date(2017, 4, 12),
            "sex": "F",
            "fiscal_code": "",
            "town": "Rimini",
            "school": world.school,
            "school_site": None,
        },
    )
    services.add_person(
        actor=case_manager,
        path=path,
        kind=Person.Kind.PARENT,
        first_name="Elena",
        last_name="Canestrari",
        birth_date=date(1988, 2, 3),
        sex="F",
        fiscal_code="",
        town="Rimini",
    )
    # The family agrees to share with the child's school (a consent item), so the teacher can join.
    services.give_consent(
        actor=case_manager,
        path=path,
        institution=world.school,
        scope="Frequenza e compiti",
        given_on=date(2025, 9, 10),
        given_by="Elena Canestrari",
    )
    for persona, role in (
        ("health_professional", TeamMember.TeamRole.PSYCHOLOGIST),
        ("school_referent", TeamMember.TeamRole.TEACHER),
        ("team_member", TeamMember.TeamRole.EDUCATOR),
    ):
        membership = personas[persona]
        services.add_team_member(
            actor=case_manager,
            path=path,
            user=membership.user,
            institution=membership.institution,
            team_role=role,
            valid_from=date(2025, 9, 15),
        )
    path.refresh_from_db()
    return path


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests start from an emptied database: put back what the data migrations load."""
    from patto.cases.reference_data import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def pact(personas, world):
    """The district's pact: version 1 in force with the Comune's commitments, a draft version 2, signed by
    the Comune, the school, the AUSL and the cooperative (not the second comune, nor the district office),
    and an open monitoring period."""
    from datetime import date, datetime

    from django.utils import timezone

    from patto.governance import services
    from patto.governance.models import Pact

    coordinator = personas["coordinator"].user
    pact = Pact.objects.get(district=world.district)  # created, with its adhesions, by the world fixture
    first = services.draft_version(actor=coordinator, pact=pact, summary="Prima versione")
    services.save_commitment(
        actor=coordinator,
        pact_version=first,
        institution=world.comune,
        text="Presidiare il sistema di governance integrata.",
    )
    services.save_commitment(
        actor=coordinator, pact_version=first, institution=world.school, text="Nominare un referente scolastico PIPPI."
    )
    first.refresh_from_db()
    services.approve_version(
        actor=coordinator,
        pact_version=first,
        version=first.version,
        approved_on=date(2024, 2, 13),
        approval_reference="Giunta",
        effective_from=date(2024, 3, 1),
    )
    services.draft_version(actor=coordinator, pact=pact, summary="Aggiornamento 2026")
    services.open_period(
        actor=coordinator,
        pact=pact,
        name="Secondo semestre 2026",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
    )
    gt = services.create_body(actor=coordinator, pact=pact, kind="gt", name="Gruppo Territoriale")
    services.add_body_member(
        actor=coordinator,
        body=gt,
        user=coordinator,
        institution=world.comune,
        role_in_body="Coordinatrice",
        valid_from=date(2024, 3, 1),
    )
    services.add_body_member(
        actor=coordinator,
        body=gt,
        user=personas["other_admin"].user,
        institution=world.school,
        valid_from=date(2024, 3, 1),
    )
    services.schedule_body_meeting(
        actor=coordinator,
        body=gt,
        starts_at=timezone.make_aware(datetime(2026, 3, 12, 15)),
        duration_minutes=120,
        place="Sala Giunta",
        agenda="1. Avvio",
    )
    comune_commitment = pact.version_in_force().commitments.get(institution=world.comune)
    services.add_indicator(
        actor=coordinator,
        commitment=comune_commitment,
        name="Riunioni del GT con verbale",
        unit="n.",
        target=4,
        source="manual",
    )
    services.create_procedure(
        actor=coordinator,
        pact=pact,
        title="Segnalazione dalla scuola al servizio sociale",
        owner=world.comune,
        text="La scuola compila il modulo e lo invia al servizio sociale.",
        response_working_days=5,
        approved_on=date(2024, 3, 1),
        review_on=date(2025, 3, 1),
    )
    return pact
