"""Patto's load test (issue 13): the demo district's people sign in (password, then a TOTP code) and browse
the pages of their role, against gunicorn with the production settings. Run it with ``scripts/loadtest.sh``,
which prepares the database and the accounts (``manage.py seed_loadtest``), starts gunicorn and prints the
figures; see README, "Benchmarks".

    PATTO_LOADTEST_ACCOUNTS=accounts.json locust -f loadtest/locustfile.py --headless \\
        --host http://127.0.0.1:8000 --users 200 --spawn-rate 10 --run-time 60s

Locust plays the reverse proxy of the README's "Production" (PATTO_BEHIND_PROXY=1, PATTO_TRUSTED_PROXIES=1):
it talks plain HTTP to gunicorn on 127.0.0.1 and sends what nginx would, ``X-Forwarded-Proto: https`` and
the client's address in ``X-Forwarded-For`` (one fictional address per person, from the documentation
ranges). The cookies are ``Secure`` (``__Host-``), so its cookie jar treats that HTTP leg as the HTTPS it
stands for. Nothing in Patto's settings is relaxed for the test.

Environment: PATTO_LOADTEST_ACCOUNTS (the accounts file, required), PATTO_LOADTEST_WAIT ("3,10": seconds a
person reads a page, min and max; "0,0" measures the ceiling in requests per second), PATTO_LOADTEST_SUMMARY
(where to write the figures as JSON at the end)."""

import json
import os
import random
import re
import time
from collections import defaultdict
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests.sessions
from django_otp.oath import TOTP  # the code the server checks against (no Django settings needed)
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.cookies import RequestsCookieJar
from routes import url

ACCOUNTS = json.load(open(os.environ["PATTO_LOADTEST_ACCOUNTS"]))
PASSWORD = ACCOUNTS["password"]
POOLS = defaultdict(list)
for _account in ACCOUNTS["accounts"]:
    POOLS[_account["role"]].append(_account)
WAIT = [float(value) for value in os.environ.get("PATTO_LOADTEST_WAIT", "3,10").split(",")]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SPAWNED = {"users": 0}
SIGN_IN_TIMES = []  # ms, the whole sign-in of each person: login page, password, code page, code, home


class ProxyLegCookieJar(RequestsCookieJar):
    """A cookie jar for the proxy's HTTP leg, which stands for the person's HTTPS: Secure cookies travel on it.

    requests merges every request's cookies into a new jar of this name (``requests.sessions``), so the class
    is replaced there, in this process only."""

    def __init__(self, policy=None):
        super().__init__(policy or DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))


requests.sessions.RequestsCookieJar = ProxyLegCookieJar


class PattoUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*WAIT)

    def on_start(self):
        if not POOLS[self.role]:
            raise StopUser()  # more simulated people than seeded accounts of this role
        self.account = POOLS[self.role].pop()
        self.objects = self.account["objects"]
        number = int(self.account["username"].rsplit(".", 1)[1])
        self.origin = f"https://{urlsplit(self.host).netloc}"
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"{('198.51.100', '203.0.113')[number // 250]}.{number % 250 + 1}",
                "User-Agent": "patto-loadtest",
            }
        )
        self.client.cookies = ProxyLegCookieJar()
        self.sign_in()

    def sign_in(self):
        started = time.perf_counter()
        token = self.form_token(url("accounts:login"), "sign-in: login page")
        answer = self.post(
            url("accounts:login"),
            {"username": self.account["username"], "password": PASSWORD},
            token,
            name="sign-in: password",
            expect=url("accounts:mfa_verify"),
        )
        if answer is None:
            raise StopUser()
        token = self.csrf_of(answer.text)
        code = f"{TOTP(bytes.fromhex(self.account['totp_key'])).token():06d}"
        if self.post(url("accounts:mfa_verify"), {"token": code}, token, name="sign-in: code", expect="/") is None:
            raise StopUser()
        SIGN_IN_TIMES.append((time.perf_counter() - started) * 1000)

    # --- requests ------------------------------------------------------------------------------------

    def path_page(self, path):
        """A family's path as a browser shows it: the page, then its sections, which htmx asks for at once
        (one request, ``HX-Request``; the page's ``hx-get``)."""
        self.page("cases:path_detail", path=path)
        address = url("cases:path_sections", path=path)
        with self.client.get(
            address, name="cases:path_sections", headers={"HX-Request": "true"}, catch_response=True
        ) as response:
            self.check(response, address)

    def page(self, name, **fields):
        """GET a page of the person's; a failure unless it answers 200 at the same address (not the sign-in)."""
        address = url(name, **fields)
        with self.client.get(address, name=name, catch_response=True) as response:
            self.check(response, address)
            return response

    def form_token(self, address, name):
        with self.client.get(address, name=name, catch_response=True) as response:
            if self.check(response, address):
                return self.csrf_of(response.text)
        return ""

    def post(self, address, fields, token, *, name, expect):
        headers = {"Origin": self.origin, "Referer": self.origin + address}
        data = {"csrfmiddlewaretoken": token, **fields}
        with self.client.post(address, data, headers=headers, name=name, catch_response=True) as response:
            return response if self.check(response, expect) else None

    @staticmethod
    def check(response, expected_path):
        final = urlsplit(response.url).path
        if response.status_code != 200:
            response.failure(f"{response.status_code} at {final}")
        elif final != expected_path:
            response.failure(f"ended at {final}, not {expected_path}")
        else:
            return True
        return False

    @staticmethod
    def csrf_of(html):
        found = CSRF.search(html)
        return found.group(1) if found else ""


class CaseManager(PattoUser):
    """A social worker of the Comune with a caseload: home, their paths, a family's path, a person search."""

    role = "case_manager"
    fixed_count = len(POOLS[role])

    @task(3)
    def home(self):
        self.page("core:home")

    @task(3)
    def path_list(self):
        self.page("cases:path_list")

    @task(5)
    def path(self):
        self.path_page(random.choice(self.objects["paths"]))

    @task(1)
    def person_search(self):
        address = url("cases:person_search")
        token = self.form_token(address, "cases:person_search (form)")
        self.post(address, {"query": self.objects["search"]}, token, name="cases:person_search", expect=address)

    @task(1)
    def inbox(self):
        self.page("notifications:inbox")


class SchoolReferent(PattoUser):
    """A school's referent: home, the paths shared with the school, one of them, the requests sent, FAQs."""

    role = "school_referent"
    fixed_count = len(POOLS[role])

    @task(3)
    def home(self):
        self.page("core:home")

    @task(3)
    def path_list(self):
        self.page("cases:path_list")

    @task(3)
    def path(self):
        if self.objects["paths"]:
            self.path_page(random.choice(self.objects["paths"]))

    @task(1)
    def sent_requests(self):
        self.page("referrals:sent")

    @task(1)
    def faqs(self):
        self.page("helpdesk:faqs")


class Coordinator(PattoUser):
    """The pact's coordinator: home, the governance dashboard, the commitments, the period's report."""

    role = "coordinator"
    fixed_count = len(POOLS[role])

    @task(2)
    def home(self):
        self.page("core:home")

    @task(2)
    def dashboard(self):
        self.page("governance:dashboard")

    @task(3)
    def commitments(self):
        self.page("governance:commitments")

    @task(2)
    def report(self):
        self.page("governance:period_report", period=self.objects["period"])


class Auditor(PattoUser):
    """The data protection officer: home and the audit trail."""

    role = "auditor"
    fixed_count = len(POOLS[role])

    @task(1)
    def home(self):
        self.page("core:home")

    @task(3)
    def trail(self):
        self.page("audit:trail")


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))])


@events.spawning_complete.add_listener
def count_users(user_count, **_kwargs):
    SPAWNED["users"] = user_count


@events.quitting.add_listener
def write_summary(environment, **_kwargs):
    """The figures scripts/loadtest.sh prints, as JSON (PATTO_LOADTEST_SUMMARY)."""
    target = os.environ.get("PATTO_LOADTEST_SUMMARY")
    if not target:
        return
    stats = environment.stats
    total = stats.total
    password = stats.get("sign-in: password", "POST")

    def figures(entry):
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0),
        }

    summary = {
        "users": SPAWNED["users"],
        "sign_ins": len(SIGN_IN_TIMES),
        "sign_in_flow_ms": {
            "p50": percentile(SIGN_IN_TIMES, 0.5),
            "p95": percentile(SIGN_IN_TIMES, 0.95),
            "max": percentile(SIGN_IN_TIMES, 1),
        },
        "sign_in_password": figures(password),
        "total": figures(total),
        "requests_per_s": round(total.total_rps, 1),
        "errors": [{"name": e.name, "error": str(e.error), "count": e.occurrences} for e in stats.errors.values()],
        "pages": {f"{e.method} {e.name}": figures(e) for e in stats.entries.values()},
    }
    with open(target, "w") as handle:
        json.dump(summary, handle, indent=1)
