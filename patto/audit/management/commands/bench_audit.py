"""Measures the auditor's trail page and each of its filters with a small and a large trail, side by side.

    manage.py bench_audit                      # 10,000 against 500,000 events (a few minutes)
    manage.py bench_audit --large 5000000      # the issue's figure
    manage.py bench_audit --large 10000        # same against same: how much of a ratio is noise

Two throwaway databases are created next to the configured one (PostgreSQL: ``<name>_bench_small`` and
``_bench_large`` on the same server; SQLite: two files in a temporary folder), migrated, and seeded with the same
district, the same 5 institutions and 200 people, the auditor, and a trail over the last 24 months (one person
concerned per event, 12 action codes) that differs only in length; then ANALYZE. Rounds alternate the two
databases (the order flips each round), and each round requests every page once through Django's test client,
the auditor signed in: the same code, process and machine. Printed per page: the median wall time, its spread
(10th–90th percentile), the median CPU time of this process, the ratio large/small and the queries per page.
The "object" line is the query the family/person accesses pages run for one record (the trail screen has no
object filter), timed as a query, not a page. The databases are dropped at the end (``--keep`` to inspect them).
Never a test: it takes minutes and wants a quiet machine."""

import re
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patto.accounts.models import District, Institution, Membership, User
from patto.accounts.roles import Role
from patto.audit import partitions
from patto.audit.benchseed import insert_events
from patto.audit.models import AuditEvent
from patto.audit.paging import keyset_page
from patto.audit.queries import with_details
from patto.core.benchdb import SideBySide

ACTIONS = (
    "cases.path.viewed",
    "cases.path.listed",
    "accounts.login.succeeded",
    "accounts.person.viewed",
    "accounts.people.listed",
    "accounts.membership.viewed",
    "cases.path.opened",
    "accounts.logout",
    "accounts.profile.viewed",
    "accounts.membership.changed",
    "accounts.session.institution_switched",
    "cases.path.reopened",
)
PEOPLE = 200
INSTITUTIONS = 5
SPAN_DAYS = 730


class Command(BaseCommand):
    help = "Trail page and filters: a small and a large audit trail in two throwaway databases, alternated."

    def add_arguments(self, parser):
        parser.add_argument("--small", type=int, default=10_000)
        parser.add_argument("--large", type=int, default=500_000)
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="do not drop the two databases at the end")

    def handle(self, *args, small, large, rounds, keep, **options):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.vendor = connection.vendor
        with SideBySide(("small", "large"), keep=keep) as databases:
            self.databases = databases
            worlds = {}
            for size, events in (("small", small), ("large", large)):
                started = time.perf_counter()
                databases.create(size)
                worlds[size] = self._seed(events)
                self.stdout.write(f"{size}: {events:,} events seeded in {time.perf_counter() - started:.0f} s")
            self._measure(worlds, rounds, small, large)

    # --- seeding ---------------------------------------------------------------------------------------

    def _seed(self, events):
        now = timezone.now()
        district = District.objects.create(name="Distretto di prova", reference_prefix="BA")
        institutions = [
            Institution.objects.create(district=district, kind=Institution.Kind.COMUNE, name=f"Comune {n}")
            for n in range(INSTITUTIONS)
        ]
        office = Institution.objects.create(
            district=district, kind=Institution.Kind.DISTRICT_OFFICE, name="Ufficio di piano"
        )
        people = []
        for n in range(PEOPLE):
            user = User(username=f"persona{n}", first_name="Persona", last_name=f"{n:03d}")
            user.set_unusable_password()
            people.append(user)
        User.objects.bulk_create(people)
        since = timezone.localdate() - timedelta(days=SPAN_DAYS + 40)
        Membership.objects.bulk_create(
            Membership(user=user, institution=institutions[n % INSTITUTIONS], role=Role.SOCIAL_WORKER, valid_from=since)
            for n, user in enumerate(people)
        )
        auditor = User(username="revisore", first_name="Revisore", last_name="Bench")
        auditor.set_unusable_password()
        auditor.save()
        Membership.objects.create(user=auditor, institution=office, role=Role.AUDITOR, valid_from=since)
        if partitions.is_partitioned():
            partitions.ensure_partitions(now=now, since=now - timedelta(days=SPAN_DAYS))
        insert_events(events, now, [str(u.pk) for u in people], [i.pk for i in institutions], ACTIONS, SPAN_DAYS)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(auditor)
        return {
            "client": client,
            "person": people[7],
            "actor": people[11],
            "institution": institutions[2],
            "now": now,
            "district": [i.pk for i in (*institutions, office)],
        }

    # --- measuring -------------------------------------------------------------------------------------

    def _pages(self, world):
        """page → (URL, or None for the object query)."""
        trail = reverse("audit:trail")
        day = timezone.localdate(world["now"]) - timedelta(days=200)
        return {
            "trail": trail,
            "trail, page 2": trail + "?prima=" + world["second_page"],
            "actor": f"{trail}?actor={world['actor'].pk}",
            "action": f"{trail}?action=cases.path.viewed",
            "institution": f"{trail}?institution={world['institution'].pk}",
            "person concerned": f"{trail}?person={world['person'].pk}",
            "date range (7 days)": f"{trail}?date_from={day}&date_to={day + timedelta(days=6)}",
            "object (query)": None,
        }

    def _request(self, world, url):
        cpu, wall = time.process_time(), time.perf_counter()
        if url is None:
            events = AuditEvent.objects.filter(
                actor_institution_id__in=world["district"], object_type="cases.path", object_id="42"
            )
            len(keyset_page(with_details(events), size=settings.PATTO_PAGE_SIZE))
        else:
            response = world["client"].get(url)
            assert response.status_code == 200, (url, response.status_code)
        return time.perf_counter() - wall, time.process_time() - cpu

    def _measure(self, worlds, rounds, small, large):
        queries = {}
        for size, world in worlds.items():
            self.databases.use(size)
            first = world["client"].get(reverse("audit:trail")).content.decode()
            world["second_page"] = re.search(r"prima=(\d+-\d+)", first).group(1)
            for page, url in self._pages(world).items():
                self._request(world, url)  # warm
                counts = []
                for _ in range(3):  # the fewest of three: a session refresh now and then is not the page's
                    with CaptureQueriesContext(connection) as captured:
                        self._request(world, url)
                    counts.append(len(captured))
                queries[(size, page)] = min(counts)
        times = {key: [] for key in queries}
        cpus = {key: [] for key in queries}
        for number in range(rounds):
            order = ("small", "large") if number % 2 == 0 else ("large", "small")
            for size in order:
                world = worlds[size]
                self.databases.use(size)
                self._request(world, self._pages(world)["trail"])  # the connection, opened again
                for page, url in self._pages(world).items():
                    wall, cpu = self._request(world, url)
                    times[(size, page)].append(wall)
                    cpus[(size, page)].append(cpu)
        self._report(times, cpus, queries, rounds, small, large)

    def _report(self, times, cpus, queries, rounds, small, large):
        def ms(values):
            return statistics.median(values) * 1000

        def spread(values):
            cuts = statistics.quantiles(values, n=10, method="inclusive") if len(values) > 1 else values * 9
            return f"{cuts[0] * 1000:.1f}–{cuts[-1] * 1000:.1f}"

        self.stdout.write(
            f"\n{self.vendor}, {rounds} rounds alternated; small = {small:,} events, large = {large:,} events\n"
        )
        header = (
            f"{'page':<22} {'small ms':>9} {'(p10–p90)':>13} {'large ms':>9} {'(p10–p90)':>13} "
            f"{'ratio':>6} {'CPU ms s/l':>12} {'queries s/l':>12}"
        )
        self.stdout.write(header)
        pages = [page for size, page in times if size == "small"]
        for page in pages:
            s, lg = times[("small", page)], times[("large", page)]
            self.stdout.write(
                f"{page:<22} {ms(s):>9.1f} {spread(s):>13} {ms(lg):>9.1f} {spread(lg):>13} "
                f"{ms(lg) / ms(s):>6.2f} {ms(cpus[('small', page)]):>5.1f}/{ms(cpus[('large', page)]):<6.1f} "
                f"{queries[('small', page)]:>5}/{queries[('large', page)]:<6}"
            )
