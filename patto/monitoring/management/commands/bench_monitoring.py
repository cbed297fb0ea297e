"""Measures the monitoring's pages with a small and a large district, side by side.

    manage.py bench_monitoring                          # 500 against 50,000 families
    manage.py bench_monitoring --large 5000 --rounds 5  # a quick look
    manage.py bench_monitoring --large 500              # same against same: how much of a ratio is noise

Two throwaway databases (``core.benchdb``) are migrated and seeded with the same district: 8 comuni with their
resident population aged 0–17 by band for 2021–2026, 5 cohorts, and N families, each with a child (a second one in
one family in four) and a parent resident in a comune, a path in every state of PIPPI (signal dates over five years,
the channel that signalled, the agreement, the intervention's start, the closure with its outcome), a team (case
manager, educator, psychologist in one path in two, teacher in one in three), the team's and the family's ratings at
T0 and, for closed paths, T2, a home-education dispositivo with its hours, group sessions attended; the oldest
cohort closed to new paths (the report shows its outcomes). Then ANALYZE. Rounds alternate the two databases (the
order flips each round); each round requests, as the pact coordinator: the programme page, the needs-analysis page,
the needs-analysis report's PDF and an XLSX of the needs page. Printed per page: median wall time, spread (10th–90th
percentile), median CPU time of this process, the ratio large/small, the queries per page at each size (without the
session's half-minutely save); then the database floor: the page's own aggregate statements (those reading the
cases, territory and referrals tables), captured and executed back to back through a raw cursor, with no ORM, no
template, right after the page in each round; and the peak Python memory (tracemalloc) of the PDF and the XLSX at
each size. Never a test: it takes minutes and wants a quiet machine."""

import random
import re
import tracemalloc
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patto.core.benchdb import SideBySide, page_queries, rounds_alternating, summary, timed

YEAR = 2025
COMUNI = (
    ("099014", "Rimini", 40),
    ("099018", "Santarcangelo di Romagna", 14),
    ("099001", "Bellaria-Igea Marina", 12),
    ("099020", "Verucchio", 6),
    ("099028", "Poggio Torriana", 4),
    ("099013", "Riccione", 18),
    ("099005", "Cattolica", 10),
    ("099002", "Coriano", 6),
)
BANDS = (("0-2", 0.15), ("3-5", 0.16), ("6-10", 0.29), ("11-13", 0.17), ("14-17", 0.23))
STATES = (
    ("closed",) * 8 + ("intervention",) * 6 + ("assessment",) * 2 + ("agreement", "pre_assessment", "signal", "signal")
)
CHANNELS = (
    "school",
    "school",
    "school",
    "educational_service",
    "ausl",
    "paediatrician",
    "family",
    "court",
    "social_service",
)
BATCH = 2000


class Command(BaseCommand):
    help = "Monitoring pages (programme, needs analysis, report PDF, XLSX): a small and a large district, alternated."

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=500)
        parser.add_argument("--large", type=int, default=50_000)
        parser.add_argument("--rounds", type=int, default=10)
        parser.add_argument("--keep", action="store_true", help="do not drop the two databases at the end")

    def handle(self, *args, small, large, rounds, keep, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        sizes = {"small": small, "large": large}
        with SideBySide(sizes, keep=keep) as databases:
            clients, urls = {}, {}
            for label, families in sizes.items():
                databases.create(label)
                with_timing = []
                with timed(with_timing):
                    world = _seed(families)
                databases.analyze()
                self.stdout.write(f"{label}: {families:,} families seeded in {with_timing[0][0] / 1000:.0f} s")
                client = Client()
                client.force_login(world["coordinator"])
                clients[label] = client
                urls[label] = _urls(client, world)
            self.measure(databases, clients, urls, sizes, rounds)

    def measure(self, databases, clients, urls, sizes, rounds):
        pages = list(urls["small"])
        samples = {label: {page: [] for page in pages} for label in sizes}
        floor_samples = {label: {page: [] for page in pages} for label in sizes}
        queries = {label: {page: set() for page in pages} for label in sizes}
        statements = {}
        for number, order in enumerate(rounds_alternating(list(sizes), rounds + 1)):
            for label in order:
                databases.use(label)
                client = clients[label]
                for page in pages:
                    with CaptureQueriesContext(connection) as captured:
                        sink = samples[label][page]
                        with timed(sink):
                            response = client.get(urls[label][page])
                        assert response.status_code == 200, (page, response.status_code)
                    if number:  # the first round warms the caches (and the session): left out
                        queries[label][page].add(page_queries(captured.captured_queries))
                    statements[(label, page)] = [
                        _plain(q["sql"]) for q in captured.captured_queries if _aggregate(q["sql"]) and _plain(q["sql"])
                    ]
                    # The floor right after its page, in the same round: a machine whose load drifts during the
                    # run moves both alike.
                    self.floor(statements[(label, page)], floor_samples[label][page])
        for label in sizes:  # the first round warmed the caches: left out
            for page in pages:
                samples[label][page] = samples[label][page][1:]
                floor_samples[label][page] = floor_samples[label][page][1:]
        floors = {
            (label, page): (summary(floor_samples[label][page])[0], len(statements[(label, page)]))
            for label in sizes
            for page in pages
        }
        memory = {label: self.memory(databases, label, clients[label], urls[label]) for label in sizes}
        self.report(sizes, pages, samples, queries, floors, memory)

    def floor(self, sql, sink):
        """The page's aggregate statements through a raw cursor, back to back: the database's part."""
        with connection.cursor() as cursor, timed(sink):
            for statement in sql:
                cursor.execute(statement)
                cursor.fetchall()

    def memory(self, databases, label, client, urls):
        databases.use(label)
        peaks = {}
        for page in ("report PDF", "needs XLSX"):
            client.get(urls[page])
            tracemalloc.start()
            client.get(urls[page])
            peaks[page] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        return peaks

    def report(self, sizes, pages, samples, queries, floors, memory):
        small, large = sizes["small"], sizes["large"]
        out = self.stdout.write
        out(f"\n{connection.vendor}: {small:,} → {large:,} families, rounds alternated\n")
        out(f"{'page':<14} {'N':>7} {'median ms':>10} {'p10–p90 ms':>14} {'CPU ms':>8} {'queries':>8} {'floor ms':>9}")
        for page in pages:
            for label, families in sizes.items():
                wall, low, high, cpu = summary(samples[label][page])
                floor, count = floors[(label, page)]
                out(
                    f"{page:<14} {families:>7,} {wall:>10.1f} {f'{low:.0f}–{high:.0f}':>14} {cpu:>8.1f} "
                    f"{','.join(map(str, sorted(queries[label][page]))):>8} {floor:>9.1f}"
                )
            ratio = summary(samples["large"][page])[0] / summary(samples["small"][page])[0]
            to_floor = summary(samples["large"][page])[0] / max(floors[("large", page)][0], 0.001)
            same = queries["large"][page] == queries["small"][page]
            out(
                f"{page:<14} large/small {ratio:.2f}; at {large:,}: page/floor {to_floor:.2f} (target ≤ 1.5; "
                f"{floors[('large', page)][1]} aggregate statements); query counts {'equal' if same else 'DIFFERENT'}\n"
            )
        for page in ("report PDF", "needs XLSX"):
            out(
                f"peak Python memory, {page}: {memory['small'][page]:.1f} MiB at {small:,}, "
                f"{memory['large'][page]:.1f} MiB at {large:,}"
            )


def _plain(sql):
    """The statement as a plain query: PostgreSQL's server-side cursors (``.iterator()``) are captured as
    DECLARE … FOR <query>, then FETCH and CLOSE; the floor runs the query itself once."""
    declared = re.match(r"\s*DECLARE\s.*?\sCURSOR\s.*?FOR\s(.*)$", sql, flags=re.DOTALL | re.IGNORECASE)
    if declared:
        return declared.group(1)
    return "" if re.match(r"\s*(FETCH|CLOSE)\s", sql, flags=re.IGNORECASE) else sql


def _aggregate(sql):
    lowered = sql.lower()
    return any(f'"{table}' in lowered or f" {table}" in lowered for table in ("cases_", "territory_", "referrals_"))


def _urls(client, world):
    from patto.monitoring import needs as aggregates

    needs = reverse("monitoring:needs")
    page = client.get(f"{needs}?anno={YEAR}")
    assert page.status_code == 200, page.status_code
    first_table = aggregates.figures(world["district"], aggregates.Year(YEAR))[0].key
    return {
        "programme": reverse("monitoring:programme"),
        "needs": f"{needs}?anno={YEAR}",
        "report PDF": f"{reverse('monitoring:needs_report_pdf')}?anno={YEAR}",
        "needs XLSX": f"{needs}?anno={YEAR}&tabella={first_table}&formato=xlsx",
    }


# --- seeding ---------------------------------------------------------------------------------------------------


def _seed(families):
    from patto.accounts.models import District, Institution, Membership, User
    from patto.accounts.roles import Role
    from patto.cases.models import ClosureOutcome, Cohort, DeviceType
    from patto.governance.models import Adhesion, Pact
    from patto.territory.models import Comune, ResidentPopulation

    rng = random.Random(2026)
    district = District.objects.create(name="Distretto di Prova (benchmark)", reference_prefix="BM")
    comuni = [
        Comune.objects.create(district=district, istat_code=code, name=name, province="RN") for code, name, _w in COMUNI
    ]
    weights = [w for _c, _n, w in COMUNI]
    institutions = {
        "comune": Institution.objects.create(
            district=district, kind="comune", name="Comune di Rimini", istat_code="099014"
        ),
        "school": Institution.objects.create(
            district=district, kind="school", name="IC Prova", codice_meccanografico="RNIC80000X"
        ),
        "ausl": Institution.objects.create(district=district, kind="ausl", name="AUSL Prova"),
        "coop": Institution.objects.create(district=district, kind="third_sector", name="Cooperativa Prova"),
    }
    pact = Pact.objects.create(district=district, title="Patto PIPPI (benchmark)", valid_from=date(2021, 1, 1))
    for institution in institutions.values():
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on=date(2021, 1, 1),
            method="digital",
        )
    since = date(2021, 1, 1)
    staff = {}
    for username, kind, role in (
        ("bench.coord", "comune", Role.PACT_COORDINATOR),
        ("bench.as", "comune", Role.SOCIAL_WORKER),
        ("bench.edu", "coop", Role.EDUCATOR),
        ("bench.psi", "ausl", Role.PSYCHOLOGIST),
        ("bench.doc", "school", Role.SCHOOL_REFERENT),
    ):
        user = User.objects.create(username=username, first_name="Persona", last_name=username, password="!")
        Membership.objects.create(user=user, institution=institutions[kind], role=role, valid_from=since)
        staff[username] = user
    # Population: about 12 children aged 0-17 per family in a path (a share like the national one), by comune.
    residents = families * 12
    ResidentPopulation.objects.bulk_create(
        [
            ResidentPopulation(
                comune=comune,
                year=year,
                age_band=band,
                count=max(1, round(residents * weight / sum(weights) * share)),
                source="benchmark",
            )
            for comune, weight in zip(comuni, weights, strict=True)
            for year in range(2021, 2027)
            for band, share in BANDS
        ]
    )
    # The oldest cohort is closed to new paths: the report shows its outcomes T0→T2, as in a real district.
    cohorts = [
        Cohort.objects.create(
            district=district, name=f"PIPPI {10 + n} — Prova", start_date=date(2021 + n, 3, 1), is_active=n > 0
        )
        for n in range(5)
    ]
    world = {
        "rng": rng,
        "district": district,
        "comuni": comuni,
        "weights": weights,
        "institutions": institutions,
        "cohorts": cohorts,
        "staff": staff,
        "outcomes": list(ClosureOutcome.objects.all()),
        "home": DeviceType.objects.get(code="educativa-domiciliare"),
        "groups": DeviceType.objects.get(code="gruppi"),
        "coordinator": staff["bench.coord"],
    }
    for start in range(0, families, BATCH):
        _seed_batch(world, start, min(BATCH, families - start))
    return world


def _seed_batch(world, start, count):
    from patto.cases import services
    from patto.cases.models import (
        Agreement,
        Assessment,
        DeviceActivation,
        DeviceSession,
        Family,
        Path,
        Person,
        Rating,
        SubDimension,
        TeamMember,
    )

    rng, district = world["rng"], world["district"]
    framework = services.current_framework()
    subdimensions = list(SubDimension.objects.filter(side__framework=framework).values_list("pk", flat=True))
    staff, institutions = world["staff"], world["institutions"]
    families = Family.objects.bulk_create(
        [Family(district=district, reference=f"BM-{start + i:06d}") for i in range(count)]
    )
    people, paths, firsts = [], [], []
    for index, family in enumerate(families):
        number = start + index
        comune = rng.choices(world["comuni"], world["weights"])[0]
        cohort = world["cohorts"][number % len(world["cohorts"])]
        signal = cohort.start_date - timedelta(days=rng.randint(10, 120))
        children = 2 if number % 4 == 0 else 1
        for c in range(children):
            people.append(
                Person(
                    family=family,
                    district=district,
                    kind="child",
                    first_name=f"Bimbo{number}",
                    last_name=f"Prova{number}{c}",
                    birth_date=signal - timedelta(days=rng.randint(200, 17 * 365)),
                    sex="MF"[(number + c) % 2],
                    comune=comune,
                )
            )
        people.append(
            Person(
                family=family,
                district=district,
                kind="parent",
                first_name=f"Genitore{number}",
                last_name=f"Prova{number}",
                birth_date=date(1985, 1, 1),
                sex="F",
                comune=comune,
            )
        )
        state = STATES[number % len(STATES)]
        past_agreement = state not in ("signal", "pre_assessment")
        started = (
            cohort.start_date + timedelta(days=rng.randint(20, 90)) if state in ("intervention", "closed") else None
        )
        closed = cohort.start_date + timedelta(days=rng.randint(450, 600)) if state == "closed" else None
        paths.append(
            Path(
                family=family,
                cohort=cohort,
                state=state,
                state_before_closure="intervention" if closed else "",
                signal_source=institutions["school"],
                signal_channel=CHANNELS[number % len(CHANNELS)],
                signal_date=signal,
                signal_summary="Segnalazione sintetica per il benchmark.",
                intervention_started_on=started,
                closed_on=closed,
                outcome=world["outcomes"][number % len(world["outcomes"])] if closed else None,
                outcome_reason="Chiusura" if closed else "",
            )
        )
        firsts.append(past_agreement)
    Person.objects.bulk_create(people)
    paths = Path.objects.bulk_create(paths)
    children = {}
    for person in people:
        if person.kind == "child":
            children.setdefault(person.family_id, []).append(person)
    agreements, team, activations = [], [], []
    for index, path in enumerate(paths):
        number = start + index
        if firsts[index]:
            agreements.append(
                Agreement(path=path, signed_on=path.signal_date + timedelta(days=40), signed_by="Genitore")
            )
        since = path.cohort.start_date
        seats = [("bench.as", "comune", "case_manager"), ("bench.edu", "coop", "educator")]
        if number % 2 == 0:
            seats.append(("bench.psi", "ausl", "psychologist"))
        if number % 3 == 0:
            seats.append(("bench.doc", "school", "teacher"))
        for username, kind, role in seats:
            team.append(
                TeamMember(
                    path=path,
                    user=staff[username],
                    institution=institutions[kind],
                    team_role=role,
                    valid_from=since,
                    valid_to=path.closed_on,
                )
            )
        if path.intervention_started_on:
            activations.append(
                DeviceActivation(
                    path=path,
                    device_type=world["home"] if number % 4 else world["groups"],
                    provider=institutions["coop"],
                    starts_on=path.intervention_started_on,
                    ends_on=path.closed_on,
                    hours_per_week=4 if number % 4 else None,
                    sessions_planned=None if number % 4 else 6,
                )
            )
    Agreement.objects.bulk_create(agreements)
    TeamMember.objects.bulk_create(team)
    activations = DeviceActivation.objects.bulk_create(activations)
    DeviceSession.objects.bulk_create(
        [
            DeviceSession(activation=a, held_on=a.starts_on + timedelta(days=14 * k), attended=k != 2)
            for a in activations
            if a.sessions_planned
            for k in range(3)
        ]
    )
    assessments = []
    for path in paths:
        if not path.intervention_started_on:
            continue
        points = ("T0", "T2") if path.closed_on else ("T0",)
        for child in children[path.family_id]:
            for point in points:
                for rater in ("team", "family"):
                    assessments.append(
                        Assessment(
                            path=path,
                            child=child,
                            framework=framework,
                            time_point=point,
                            rater=rater,
                            updated_by=staff["bench.as"],
                        )
                    )
    assessments = Assessment.objects.bulk_create(assessments)
    ratings = []
    for assessment in assessments:
        gain = 1 if assessment.time_point == "T2" else 0
        for sub in subdimensions:
            ratings.append(
                Rating(assessment=assessment, subdimension_id=sub, value=max(1, min(6, rng.randint(2, 4) + gain)))
            )
    Rating.objects.bulk_create(ratings, batch_size=5000)
