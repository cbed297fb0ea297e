"""Benchmark: server time and query count of the case manager's path list, a path page and the
comparison view, with N synthetic families in the database (default N = 1,000 then 20,000).

Runs on a throwaway test database (created and destroyed here), never on the configured one."""

import statistics
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

BENCH_PASSWORD_HASH = "!"  # unusable: the benchmark signs in with force_login
VISIBLE_EVERY = 50  # the case manager is in the team of one path in fifty (20 at N=1,000, 400 at N=20,000)


class Command(BaseCommand):
    help = "Measure the path list, a path page and the comparison view at growing numbers of families."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
        parser.add_argument("--repeat", type=int, default=30, help="requests per view and size (median reported)")

    def handle(self, *args, sizes, repeat, **options):
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.run(sorted(sizes), repeat)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def run(self, sizes, repeat):
        world = _world()
        results = {}
        for size in sizes:
            started = time.perf_counter()
            _grow(world, size)
            self.stdout.write(f"seeded {size} families in {time.perf_counter() - started:.1f} s")
            results[size] = self.measure(world, repeat)
        self.report(sizes, results)

    def measure(self, world, repeat):
        client = Client()
        client.force_login(world["case_manager"])
        path, child = world["sample"]
        urls = {
            "path list": reverse("cases:path_list"),
            "path page": reverse("cases:path_detail", kwargs={"pk": path.pk}),
            "comparison": reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk}),
        }
        figures = {}
        for name, url in urls.items():
            client.get(url)  # warm caches (templates, translations)
            times, queries = [], set()
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
                queries.add(len(captured.captured_queries))
            figures[name] = (statistics.median(times), sorted(queries))
        return figures

    def report(self, sizes, results):
        small, large = sizes[0], sizes[-1]
        self.stdout.write(f"\n{'view':<12} {'N':>7} {'median ms':>10} {'queries':>8}")
        for name in results[small]:
            for size in sizes:
                ms, queries = results[size][name]
                self.stdout.write(f"{name:<12} {size:>7} {ms:>10.1f} {','.join(map(str, queries)):>8}")
            ratio = results[large][name][0] / results[small][name][0]
            same = results[large][name][1] == results[small][name][1]
            self.stdout.write(
                f"{name:<12} ratio {large}/{small}: {ratio:.2f} (target ≤ 1.5); "
                f"query counts {'identical' if same else 'DIFFERENT'}"
            )


def _world():
    from patto.accounts.models import District, Institution, Membership, User
    from patto.accounts.roles import Role
    from patto.cases.models import Cohort

    district = District.objects.create(name="Distretto di Prova (benchmark)", reference_prefix="BP")
    comune = Institution.objects.create(district=district, kind="comune", name="Comune di Prova", istat_code="099999")
    coop = Institution.objects.create(district=district, kind="third_sector", name="Cooperativa di Prova")
    case_manager = User.objects.create(
        username="bench.cm", first_name="Bianca", last_name="Benchmark", password=BENCH_PASSWORD_HASH
    )
    colleague = User.objects.create(
        username="bench.altro", first_name="Carlo", last_name="Collega", password=BENCH_PASSWORD_HASH
    )
    educator = User.objects.create(
        username="bench.edu", first_name="Elena", last_name="Educatrice", password=BENCH_PASSWORD_HASH
    )
    since = date(2024, 1, 1)
    Membership.objects.bulk_create(
        [
            Membership(user=case_manager, institution=comune, role=Role.SOCIAL_WORKER, valid_from=since),
            Membership(user=colleague, institution=comune, role=Role.SOCIAL_WORKER, valid_from=since),
            Membership(user=educator, institution=coop, role=Role.EDUCATOR, valid_from=since),
        ]
    )
    cohort = Cohort.objects.create(district=district, name="PIPPI benchmark", start_date=date(2025, 1, 13))
    return {
        "district": district,
        "comune": comune,
        "coop": coop,
        "cohort": cohort,
        "case_manager": case_manager,
        "colleague": colleague,
        "educator": educator,
        "count": 0,
        "sample": None,
    }


def _grow(world, size, batch=2000):
    while world["count"] < size:
        _seed_batch(world, world["count"], min(batch, size - world["count"]))
        world["count"] += min(batch, size - world["count"])


def _seed_batch(world, start, count):
    """Synthetic families in bulk: two people, a path in intervention, a team of two, T0 ratings by the
    team and by the family for the child, a note and a timeline entry."""
    from patto.cases import services
    from patto.cases.models import Assessment, Family, Note, Path, PathEvent, Person, Rating, SubDimension, TeamMember

    district, cohort = world["district"], world["cohort"]
    framework = services.current_framework()
    subdimensions = list(SubDimension.objects.filter(side__framework=framework))
    families = Family.objects.bulk_create(
        [Family(district=district, reference=f"BN-{start + i:06d}") for i in range(count)]
    )
    children, parents = [], []
    for index, family in enumerate(families):
        number = start + index
        children.append(
            Person(
                family=family,
                kind="child",
                first_name=f"Bimbo{number}",
                last_name=f"Prova{number}",
                birth_date=date(2015, 1, 1) + timedelta(days=number % 3000),
                sex="MF"[number % 2],
            )
        )
        parents.append(
            Person(
                family=family,
                kind="parent",
                first_name=f"Genitore{number}",
                last_name=f"Prova{number}",
                birth_date=date(1985, 1, 1),
                sex="F",
            )
        )
    Person.objects.bulk_create(children + parents)
    paths = Path.objects.bulk_create(
        [
            Path(
                family=family,
                cohort=cohort,
                state="intervention",
                signal_source=world["comune"],
                signal_date=date(2025, 1, 10),
                signal_summary="Segnalazione sintetica per il benchmark.",
                intervention_started_on=date(2025, 2, 3),
            )
            for family in families
        ]
    )
    team = []
    for index, path in enumerate(paths):
        manager = world["case_manager"] if (start + index) % VISIBLE_EVERY == 0 else world["colleague"]
        team.append(
            TeamMember(
                path=path,
                user=manager,
                institution=world["comune"],
                team_role="case_manager",
                valid_from=date(2025, 1, 13),
            )
        )
        team.append(
            TeamMember(
                path=path,
                user=world["educator"],
                institution=world["coop"],
                team_role="educator",
                valid_from=date(2025, 1, 13),
            )
        )
    TeamMember.objects.bulk_create(team)
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                path=path,
                child=child,
                framework=framework,
                time_point="T0",
                rater=rater,
                updated_by=world["case_manager"],
            )
            for path, child in zip(paths, children)
            for rater in ("team", "family")
        ]
    )
    Rating.objects.bulk_create(
        [
            Rating(assessment=a, subdimension=sub, value=1 + (a.pk + sub.pk) % 6)
            for a in assessments
            for sub in subdimensions
        ],
        batch_size=5000,
    )
    Note.objects.bulk_create(
        [
            Note(path=path, author=world["case_manager"], author_institution=world["comune"], text="Nota sintetica.")
            for path in paths
        ]
    )
    PathEvent.objects.bulk_create(
        [
            PathEvent(path=path, actor=world["case_manager"], kind="path.opened", params={"source": "Comune di Prova"})
            for path in paths
        ]
    )
    if world["sample"] is None:
        world["sample"] = (paths[0], children[0])
