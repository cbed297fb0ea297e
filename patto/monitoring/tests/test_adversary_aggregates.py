"""The generated adversary, on the aggregate pages: over Hypothesis-drawn worlds (those of the need-to-know
adversary: districts, institutions in and out of standing, people with several memberships, paths in every
state, closures), every user acting under each of their memberships GETs every monitoring page. The
independent expectation, from the policy's words: the page answers 200 only to the pact coordinator or a
membership given the aggregates, acting at an institution in standing; 403 to anyone else. And no page
that answers carries a family's data: no child's or parent's name, no family reference, no note.

``PATTO_AGGREGATE_ADVERSARY_EXAMPLES`` sets the number of worlds (10 by default, CI-sized)."""

import io
import os
from datetime import timedelta

import time_machine
from django.db import transaction
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from pypdf import PdfReader

from patto.accounts.models import Membership
from patto.cases import models as cases
from patto.cases.tests import oracle
from patto.cases.tests.test_adversary import NOW, build, worlds
from patto.monitoring.models import AggregateGrant
from patto.monitoring.queries import GRANTABLE_ROLES

EXAMPLES = int(os.environ.get("PATTO_AGGREGATE_ADVERSARY_EXAMPLES", "10"))
# Written by build(): the children's and parents' first names, the families' references, the notes' tokens.
FAMILY_TOKENS = ("Bimbo", "Genitore", "RN-T-", "ZQNOTA")
# Pages about people who work in the district (who may read the figures), not about families.
STAFF_PAGES = {"monitoring:grants"}
# The coordinator's own pages: giving the permission, publishing open data (a grant lets one read, not these).
COORDINATOR_PAGES = {"monitoring:grants", "monitoring:open_data"}


def monitoring_pages():
    """Every monitoring page that takes no argument, as the URLconf has them now."""
    resolver = get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) != "monitoring":
            continue
        for inner in pattern.url_patterns:
            if inner.name and not inner.pattern.converters:
                names.append(f"monitoring:{inner.name}")
    return sorted(names)


def _text(response):
    """What a reader gets: the page's text, or a PDF's extracted text (its streams are compressed)."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode("utf-8", "replace")


def granted(u, k, role):
    """Deterministically, about half of the memberships that can be given the aggregates have them."""
    return role in GRANTABLE_ROLES and (u + k) % 2 == 0


def expected(world, u, k, page):
    membership = world.users[u].memberships[k]
    if not oracle.can_sign_in(world, u):
        return 302
    coordinator = membership.role == "pact_coordinator"
    allowed = coordinator or (granted(u, k, membership.role) and page not in COORDINATOR_PAGES)
    return 200 if allowed and oracle.in_standing(world, membership.institution) else 403


def test_no_family_data_leaves_through_an_aggregate_page(db):
    pages = monitoring_pages()
    assert "monitoring:index" in pages
    tally = {"worlds": 0, "pages": 0, "200": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def check(drawn):
        world, _acting = drawn
        with time_machine.travel(NOW, tick=False), override_settings(PATTO_CLOSURE_GRACE_DAYS=30), transaction.atomic():
            users, memberships, built_paths = build(world)
            for (
                path,
                _child,
                _entry,
            ) in built_paths:  # the families past the agreement have one (the figures count them)
                if path.state not in ("signal", "pre_assessment") or path.closed_on:
                    cases.Agreement.objects.create(
                        path=path, signed_on=NOW.date() - timedelta(days=200), signed_by="Genitore"
                    )
            for u, rows in enumerate(memberships):
                for k, membership in enumerate(rows):
                    if granted(u, k, membership.role):
                        AggregateGrant.objects.create(
                            district_id=membership.institution.district_id,
                            membership=membership,
                            reason="Gruppo",
                            starts_on=NOW.date() - timedelta(days=10),
                            granted_by=users[u],
                        )
            disagreements = []
            for u, user in enumerate(users):
                current = {m.pk for m in Membership.objects.current().filter(user=user)}
                for k, membership in enumerate(memberships[u]):
                    if membership.pk not in current:
                        continue  # the session can act only under a membership in force
                    client = Client()
                    client.force_login(user)
                    session = client.session
                    session["acting_membership_id"] = membership.pk
                    session.save()
                    for name in pages:
                        want = expected(world, u, k, name)
                        response = client.get(reverse(name))
                        tally["pages"] += 1
                        if response.status_code == 405:
                            continue  # an action (POST only), not a page
                        if response.status_code != want:
                            disagreements.append(
                                f"U{u} as {membership.role}@{membership.institution_id} {name}: "
                                f"Patto {response.status_code}, expected {want}"
                            )
                        elif want == 200 and name not in STAFF_PAGES:
                            tally["200"] += 1
                            body = _text(response)
                            leaked = [t for t in FAMILY_TOKENS if t in body]
                            if leaked:
                                disagreements.append(f"U{u} {name}: family data on an aggregate page: {leaked}")
            tally["worlds"] += 1
            transaction.set_rollback(True)
            assert not disagreements, "\n".join(disagreements) + "\n\n" + oracle.describe(world)

    check()
    print(f"\naggregate adversary: {tally['worlds']} worlds, {tally['pages']} page reads, {tally['200']} answered")
