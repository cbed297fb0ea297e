"""Benchmark: the main pages against the framework's floor, in the same process.

The floor is a bare authenticated view that runs one query and returns a few bytes, through the whole
middleware stack (session, sign-in, acting membership, CSP...): what any page costs before it does
anything. Each round requests the floor and every main page once, in turn (alternated, so a noisy
neighbour slows them alike); the table gives each page's median wall time, its ratio to the floor's
median, its median CPU time (``time.process_time``) and its query count (counted on a separate request,
so that capturing queries does not weigh on the timings).

Runs on a throwaway test database seeded with the demo district (``seed_demo``) and then analysed (``ANALYZE``,
what autovacuum does in a running database: without statistics PostgreSQL plans the audit trail's page as a sort
of the whole district's rows), never on the configured one. The floor view exists only inside this command (a URLconf made here and set with
``override_settings``): no URL of it is reachable in the deployed project, and the demo app that holds the
command is not installed in production.

Targets (issue 13): the path page ≤ 4× the floor and ≤ 12 queries, every other main page ≤ 5×."""

import os
import statistics
import sys
import time
import types

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

FLOOR_URL = "/__bench_floor__/"
TARGETS = {"path page": 4.0}
DEFAULT_TARGET = 5.0
PATH_PAGE_QUERY_BUDGET = 12


def floor_view(request):
    """One query (the user's own row, by primary key) and a short answer."""
    from patto.accounts.models import User

    exists = User.objects.filter(pk=request.user.pk).exists()
    return HttpResponse("ok" if exists else "?", content_type="text/plain")


def _bench_urlconf():
    import patto.urls

    module = types.ModuleType("patto_bench_floor_urls")
    module.urlpatterns = [path(FLOOR_URL.strip("/") + "/", floor_view, name="bench_floor")] + list(
        patto.urls.urlpatterns
    )
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(patto.urls, handler):
            setattr(module, handler, getattr(patto.urls, handler))
    sys.modules[module.__name__] = module
    return module.__name__


class Command(BaseCommand):
    help = "Measure the main pages against a bare authenticated one-query view, alternated round by round."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=40, help="rounds (each page once per round)")
        parser.add_argument("--only", nargs="*", default=None, help="measure only these pages (names as printed)")
        parser.add_argument("--profile", default="", help="print a cProfile of this page (name as printed) instead")

    def handle(self, *args, rounds, only, profile, **options):
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with override_settings(ROOT_URLCONF=_bench_urlconf(), DEBUG=False):
                started = time.perf_counter()
                call_command("seed_demo", stdout=open("/dev/null", "w"))
                with connection.cursor() as cursor:  # the statistics autovacuum keeps in a running database
                    cursor.execute("ANALYZE")
                self.stdout.write(f"seeded the demo district in {time.perf_counter() - started:.1f} s")
                pages = self.pages()
                if only:
                    pages = {name: page for name, page in pages.items() if name in only or name == "floor"}
                if profile:
                    self.profile(pages[profile], rounds)
                    return
                self.report(self.measure(pages, rounds), rounds)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def pages(self):
        """{name: (client, method, url, data)}; the floor first. Each persona signs in once (force_login)."""
        from patto.accounts.models import User
        from patto.cases.queries import paths_visible_to

        clients = {}

        def client(username):
            if username not in clients:
                clients[username] = Client()
                clients[username].force_login(User.objects.get(username=username))
            return clients[username]

        case_manager = User.objects.get(username="demo.assistente")
        # The case manager's richest path: the one with the most timeline entries and notes.
        from django.db.models import Count

        sample = (
            paths_visible_to(case_manager)
            .annotate(weight=Count("events", distinct=True) + Count("notes", distinct=True))
            .order_by("-weight", "pk")
            .first()
        )
        family_name = sample.family.members.order_by("pk").first().last_name
        cm = "demo.assistente"
        htmx = Client(headers={"HX-Request": "true"})  # the path page's sections, loaded on demand (cases.sections)
        htmx.force_login(case_manager)

        def section(name):
            return (htmx, "get", reverse("cases:path_section", kwargs={"pk": sample.pk, "name": name}), None)

        return {
            "floor": (client(cm), "get", FLOOR_URL, None),
            "home (case manager)": (client(cm), "get", reverse("core:home"), None),
            "path list": (client(cm), "get", reverse("cases:path_list"), None),
            "path page": (client(cm), "get", reverse("cases:path_detail", kwargs={"pk": sample.pk}), None),
            "path: its sections": (htmx, "get", reverse("cases:path_sections", kwargs={"pk": sample.pk}), None),
            "path: notes section": section("note"),
            "path: timeline section": section("cronologia"),
            "path: team section": section("equipe"),
            "plan": (client(cm), "get", reverse("cases:plan", kwargs={"pk": sample.pk}), None),
            "person search": (client(cm), "post", reverse("cases:person_search"), {"query": family_name}),
            "coordinator dashboard": (client("demo.coordinatore"), "get", reverse("governance:dashboard"), None),
            "pact commitments": (client("demo.coordinatore"), "get", reverse("governance:commitments"), None),
            "audit trail": (client("demo.dpo"), "get", reverse("audit:trail"), None),
            "requests inbox": (client("demo.responsabile"), "get", reverse("referrals:inbox"), None),
        }

    def measure(self, pages, rounds):
        figures = {name: {"wall": [], "cpu": [], "queries": set()} for name in pages}
        for name, (client, method, url, data) in pages.items():  # warm up; count the queries
            self.request(client, method, url, data, name)
            with CaptureQueriesContext(connection) as captured:
                self.request(client, method, url, data, name)
            figures[name]["queries"].add(len(captured.captured_queries))
        for _round in range(rounds):
            for name, (client, method, url, data) in pages.items():
                wall, cpu = time.perf_counter(), time.process_time()
                self.request(client, method, url, data, name)
                figures[name]["wall"].append((time.perf_counter() - wall) * 1000)
                figures[name]["cpu"].append((time.process_time() - cpu) * 1000)
        return figures

    def profile(self, page, rounds):
        import cProfile
        import pstats

        client, method, url, data = page
        self.request(client, method, url, data, url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _round in range(rounds):
            self.request(client, method, url, data, url)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats(
            os.environ.get("PATTO_BENCH_PROFILE_SORT", "cumulative")
        )
        restrictions = [os.environ["PATTO_BENCH_PROFILE_MATCH"]] if os.environ.get("PATTO_BENCH_PROFILE_MATCH") else []
        stats.print_stats(*restrictions, int(os.environ.get("PATTO_BENCH_PROFILE_LINES", "60")))

    @staticmethod
    def request(client, method, url, data, name):
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if response.status_code != 200:
            raise AssertionError(f"{name}: {url} answered {response.status_code}")
        return response

    def report(self, figures, rounds):
        floor = statistics.median(figures["floor"]["wall"])
        self.stdout.write(
            f"\n{rounds} rounds, alternated; database: {connection.vendor}\n"
            f"{'page':<24} {'median ms':>10} {'spread ms':>14} {'× floor':>8} {'target':>7} "
            f"{'CPU ms':>7} {'queries':>8}"
        )
        for name, data in figures.items():
            wall = sorted(data["wall"])
            median = statistics.median(wall)
            low, high = wall[len(wall) // 10], wall[(len(wall) * 9) // 10]
            ratio = median / floor
            target = "" if name == "floor" else TARGETS.get(name, DEFAULT_TARGET)
            verdict = "" if name == "floor" else ("ok" if ratio <= target else "OVER")
            queries = ",".join(map(str, sorted(data["queries"])))
            if name == "path page" and max(data["queries"]) > PATH_PAGE_QUERY_BUDGET:
                queries += f" (>{PATH_PAGE_QUERY_BUDGET})"
            self.stdout.write(
                f"{name:<24} {median:>10.1f} {f'{low:.1f}–{high:.1f}':>14} {ratio:>7.2f}× "
                f"{(f'≤{target:g} ' + verdict) if target else '':>7} "
                f"{statistics.median(data['cpu']):>7.1f} {queries:>8}"
            )
