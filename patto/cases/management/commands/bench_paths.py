"""Measures the caseload pages with a small and a large database, side by side.

    manage.py bench_paths                                  # one district: 500 against 50,000 families
    manage.py bench_paths --shape national                 # 500 districts × 100 families at the large size
    manage.py bench_paths --large 500                      # same against same: how much of a ratio is noise
    manage.py bench_paths --held-large 40                  # the case manager's closed paths kept equal too

Two throwaway databases (``core.benchdb``) are migrated and seeded with the same world but for its size.
*district* shape: one district holding every family; *national*: districts of 100 families each (5 at 500,
500 at 50,000). Every family has a child and a parent, a path (open in intervention, or closed in one path
in three), a team (case manager and educator), the team's and the family's ratings at T0 for the child, a
note and a timeline entry; ``--audit-per-family`` audit events each (20: a million at 50,000). The case
manager measured works in the first district and holds the same ``--caseload`` open paths at both sizes;
the paths they ever held grow from ``--caseload`` (small) to ``--held-large`` (large), the extra ones closed
with the seat ended, as a case manager's years of work leave them. The first district also has a pact in
force with commitments, an indicator counting the families in a path and an open monitoring period, read by
its coordinator. Then ANALYZE.

Rounds alternate the two databases (the order flips each round); each round requests every page once through
Django's test client: the case manager's home, path list, a path page, the comparison of a child's
assessments, a person search; the coordinator's commitments page and the period's report. Printed per page:
median wall time, spread (10th–90th percentile), median CPU time of this process, the ratio large/small (the
target: ≤ 1.3) and the queries per page at each size (without the session's statements and transaction
bookkeeping). Never a test: it takes minutes and wants a quiet machine."""

from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patto.core.benchdb import SideBySide, page_queries, rounds_alternating, summary, timed

DISTRICT_FAMILIES = 100  # per district, national shape
BATCH = 2000
SINCE = date(2024, 1, 1)
COHORT_START = date(2025, 1, 13)
ACTIONS = ("cases.path.viewed", "cases.path.listed", "accounts.login.succeeded", "cases.note.added")


class Command(BaseCommand):
    help = (
        "Caseload pages (home, path list, path page, comparison, search, commitments, report): two sizes, alternated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=500)
        parser.add_argument("--large", type=int, default=50_000)
        parser.add_argument("--shape", choices=("district", "national"), default="district")
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--caseload", type=int, default=40, help="open paths of the case manager, both sizes")
        parser.add_argument("--held-large", type=int, default=1000, help="paths ever held by them, large size")
        parser.add_argument("--audit-per-family", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="do not drop the two databases at the end")

    def handle(self, *args, small, large, shape, rounds, caseload, held_large, audit_per_family, keep, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        sizes = {"small": small, "large": large}
        held = {"small": caseload, "large": max(caseload, held_large)}
        with SideBySide(sizes, keep=keep) as databases:
            worlds = {}
            for label, families in sizes.items():
                databases.create(label)
                sink = []
                with timed(sink):
                    worlds[label] = _seed(families, shape, caseload, held[label], audit_per_family)
                databases.analyze()
                self.stdout.write(
                    f"{label}: {families:,} families ({shape}), case manager {caseload} open of {held[label]:,} "
                    f"held, seeded in {sink[0][0] / 1000:.0f} s"
                )
            self.measure(databases, worlds, sizes, rounds, shape)

    def measure(self, databases, worlds, sizes, rounds, shape):
        pages = list(_pages(worlds["small"]))
        samples = {label: {page: [] for page in pages} for label in sizes}
        queries = {label: {page: set() for page in pages} for label in sizes}
        for number, order in enumerate(rounds_alternating(list(sizes), rounds + 1)):
            for label in order:
                databases.use(label)
                for page, (who, method, url, data) in _pages(worlds[label]).items():
                    client = worlds[label]["clients"][who]
                    with CaptureQueriesContext(connection) as captured:
                        with timed(samples[label][page]):
                            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
                    assert response.status_code == 200, (page, response.status_code)
                    if number:  # the first round warms the caches (and the session): left out
                        queries[label][page].add(page_queries(captured.captured_queries))
        out = self.stdout.write
        out(
            f"\n{connection.vendor}, {shape} shape: {sizes['small']:,} → {sizes['large']:,} families, {rounds} rounds\n"
        )
        out(f"{'page':<16} {'N':>7} {'median ms':>10} {'p10–p90 ms':>14} {'CPU ms':>8} {'queries':>8}")
        for page in pages:
            for label, families in sizes.items():
                wall, low, high, cpu = summary(samples[label][page][1:])
                counts = ",".join(map(str, sorted(queries[label][page])))
                out(f"{page:<16} {families:>7,} {wall:>10.1f} {f'{low:.0f}–{high:.0f}':>14} {cpu:>8.1f} {counts:>8}")
            ratio = summary(samples["large"][page][1:])[0] / summary(samples["small"][page][1:])[0]
            same = queries["large"][page] == queries["small"][page]
            out(f"{page:<16} large/small {ratio:.2f} (target ≤ 1.3); query counts {'equal' if same else 'DIFFERENT'}\n")


def _pages(world):
    """{page: (who, method, url, data)}."""
    path, child, period = world["path"], world["child"], world["period"]
    return {
        "home": ("case_manager", "get", reverse("core:home"), None),
        "path list": ("case_manager", "get", reverse("cases:path_list"), None),
        "path page": ("case_manager", "get", reverse("cases:path_detail", kwargs={"pk": path.pk}), None),
        "comparison": (
            "case_manager",
            "get",
            reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk}),
            None,
        ),
        "person search": ("case_manager", "post", reverse("cases:person_search"), {"query": "Prova"}),
        "commitments": ("coordinator", "get", reverse("governance:commitments"), None),
        "period report": (
            "coordinator",
            "get",
            reverse("governance:period_report", kwargs={"period_pk": period.pk}),
            None,
        ),
    }


# --- seeding ---------------------------------------------------------------------------------------------------


def _seed(families, shape, caseload, held, audit_per_family):
    from patto.accounts.models import District, Institution, Membership
    from patto.accounts.roles import Role
    from patto.audit import partitions
    from patto.audit.benchseed import insert_events
    from patto.cases.models import Cohort

    districts = max(1, families // DISTRICT_FAMILIES) if shape == "national" else 1
    units, people, institutions = [], [], []
    for n in range(districts):
        district = District.objects.create(name=f"Distretto di prova {n}", reference_prefix=f"B{n}")
        comune = Institution.objects.create(district=district, kind="comune", name=f"Comune di prova {n}")
        coop = Institution.objects.create(district=district, kind="third_sector", name=f"Cooperativa {n}")
        colleague = _user(f"bench.collega.{n}", "Carlo", f"Collega {n}")
        educator = _user(f"bench.edu.{n}", "Elena", f"Educatrice {n}")
        Membership.objects.bulk_create(
            [
                Membership(user=colleague, institution=comune, role=Role.SOCIAL_WORKER, valid_from=SINCE),
                Membership(user=educator, institution=coop, role=Role.EDUCATOR, valid_from=SINCE),
            ]
        )
        cohort = Cohort.objects.create(district=district, name=f"PIPPI prova {n}", start_date=COHORT_START)
        units.append(
            {"district": district, "comune": comune, "coop": coop, "colleague": colleague, "educator": educator}
        )
        units[-1]["cohort"] = cohort
        people += [str(colleague.pk), str(educator.pk)]
        institutions += [comune.pk, coop.pk]
    first = units[0]
    case_manager = _user("bench.cm", "Bianca", "Benchmark")
    Membership.objects.create(user=case_manager, institution=first["comune"], role=Role.SOCIAL_WORKER, valid_from=SINCE)
    coordinator = _user("bench.coord", "Rita", "Referente")
    Membership.objects.create(
        user=coordinator, institution=first["comune"], role=Role.PACT_COORDINATOR, valid_from=SINCE
    )
    people.append(str(case_manager.pk))
    # The shape's families, managed by each district's colleague; then the case manager's own in district 0.
    per_unit = families // districts
    for index, unit in enumerate(units):
        count = per_unit if index < districts - 1 else families - per_unit * (districts - 1)
        for start in range(0, count, BATCH):
            _seed_batch(unit, unit["colleague"], f"{index}-{start}", min(BATCH, count - start), open_every=3)
    mine = []
    for start in range(0, held, BATCH):
        chunk = min(BATCH, held - start)
        # The first ``caseload`` paths open, the rest closed with the case manager's seat ended.
        mine += _seed_batch(first, case_manager, f"cm-{start}", chunk, open_first=max(0, caseload - start))
    events = families * audit_per_family
    if events:
        now = timezone.now()
        if partitions.is_partitioned():
            partitions.ensure_partitions(now=now, since=now - timedelta(days=730))
        insert_events(events, now, people, institutions, ACTIONS, 730)
    period = _pact(first, coordinator)
    path, child = mine[0]
    clients = {}
    for who, user in (("case_manager", case_manager), ("coordinator", coordinator)):
        clients[who] = Client()
        clients[who].force_login(user)
    return {"path": path, "child": child, "period": period, "clients": clients}


def _user(username, first_name, last_name):
    from patto.accounts.models import User

    user = User(username=username, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user


def _seed_batch(unit, manager, tag, count, *, open_every=None, open_first=None):
    """``count`` families of ``unit``'s district managed by ``manager``: open paths (all, the first
    ``open_first``, or one in ``open_every``... the rest closed, the seats ended at the closure). Returns
    [(path, child)]."""
    from patto.cases import services
    from patto.cases.models import Assessment, Family, Note, Path, PathEvent, Person, Rating, SubDimension, TeamMember

    district, cohort = unit["district"], unit["cohort"]
    framework = services.current_framework()
    subdimensions = list(SubDimension.objects.filter(side__framework=framework).values_list("pk", flat=True))
    families = Family.objects.bulk_create(
        [Family(district=district, reference=f"BN-{tag}-{i:05d}") for i in range(count)]
    )
    children, parents = [], []
    for index, family in enumerate(families):
        for kind, bucket, birth in (
            ("child", children, date(2015, 1, 1) + timedelta(days=index % 3000)),
            ("parent", parents, date(1985, 1, 1)),
        ):
            bucket.append(
                Person(
                    family=family,
                    district=district,
                    kind=kind,
                    first_name=f"{'Bimbo' if kind == 'child' else 'Genitore'}{tag}{index}",
                    last_name=f"Prova{tag}{index}",
                    birth_date=birth,
                    sex="MF"[index % 2],
                )
            )
    Person.objects.bulk_create(children + parents)
    closed_on = date(2026, 6, 30)

    def is_open(index):
        if open_first is not None:
            return index < open_first
        return index % open_every != 0

    paths = Path.objects.bulk_create(
        [
            Path(
                family=family,
                cohort=cohort,
                state="intervention" if is_open(index) else "closed",
                state_before_closure="" if is_open(index) else "intervention",
                signal_source=unit["comune"],
                signal_date=date(2025, 1, 10),
                signal_summary="Segnalazione sintetica per il benchmark.",
                intervention_started_on=date(2025, 2, 3),
                closed_on=None if is_open(index) else closed_on,
                outcome_reason="" if is_open(index) else "Chiusura (benchmark)",
            )
            for index, family in enumerate(families)
        ]
    )
    team = []
    for index, path in enumerate(paths):
        ends = None if is_open(index) else closed_on
        for user, institution, role in (
            (manager, unit["comune"], "case_manager"),
            (unit["educator"], unit["coop"], "educator"),
        ):
            team.append(
                TeamMember(
                    path=path,
                    user=user,
                    institution=institution,
                    team_role=role,
                    valid_from=COHORT_START,
                    valid_to=ends,
                )
            )
    TeamMember.objects.bulk_create(team)
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(path=path, child=child, framework=framework, time_point="T0", rater=rater, updated_by=manager)
            for path, child in zip(paths, children, strict=True)
            for rater in ("team", "family")
        ]
    )
    Rating.objects.bulk_create(
        [
            Rating(assessment=a, subdimension_id=sub, value=1 + (index + sub) % 6)
            for index, a in enumerate(assessments)
            for sub in subdimensions
        ],
        batch_size=5000,
    )
    Note.objects.bulk_create(
        [Note(path=path, author=manager, author_institution=unit["comune"], text="Nota sintetica.") for path in paths]
    )
    PathEvent.objects.bulk_create(
        [
            PathEvent(path=path, actor=manager, kind="path.opened", params={"source": "Comune di prova"})
            for path in paths
        ]
    )
    return list(zip(paths, children, strict=True))


def _pact(unit, coordinator):
    """The first district's pact in force: its institutions signed, 20 commitments with a status each, an
    indicator counting the families in a path, and an open monitoring period."""
    from patto.governance.models import (
        Adhesion,
        Commitment,
        CommitmentUpdate,
        Indicator,
        MonitoringPeriod,
        Pact,
        PactVersion,
    )

    pact = Pact.objects.create(district=unit["district"], title="Patto PIPPI (benchmark)", valid_from=SINCE)
    for institution in (unit["comune"], unit["coop"]):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on=SINCE,
            method="digital",
        )
    version = PactVersion.objects.create(
        pact=pact, number=1, status=PactVersion.Status.APPROVED, approved_on=SINCE, effective_from=SINCE
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(
            pact_version=version,
            institution=(unit["comune"], unit["coop"])[i % 2],
            order=i,
            text=f"Impegno {i}: partecipare alle équipe multidisciplinari e alla formazione congiunta.",
        )
        for i in range(20)
    )
    period = MonitoringPeriod.objects.create(
        pact=pact,
        name="Secondo semestre 2026",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        opened_at=timezone.now(),
    )
    statuses = list(CommitmentUpdate.Status.values)
    CommitmentUpdate.objects.bulk_create(
        CommitmentUpdate(
            commitment=commitment,
            period=period,
            status=statuses[i % len(statuses)],
            evidence="Verbali delle équipe del semestre.",
            author=coordinator,
            author_institution=commitment.institution,
        )
        for i, commitment in enumerate(commitments)
    )
    Indicator.objects.create(
        commitment=commitments[0],
        name="Famiglie in un percorso PIPPI",
        unit="famiglie",
        target=50,
        source=Indicator.Source.FAMILIES_IN_PATH,
    )
    return period
