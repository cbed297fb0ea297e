"""Canary crawl (issue 8): fake names seeded in the data must never reach a response without an access row
for that very request. Every URL, as every persona; a response that shows a canary (a family member, a
team member, a volunteer) must have an audit row with the response's request id."""

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.audit.models import AuditEvent

from .test_permissions import ALL, MATRIX, objects, sample_url  # noqa: F401 (objects is a fixture)

# The family of the fixture is "Canestrari"; a team member and a volunteer get canary surnames too.
CANARIES = ("Canestrari", "Canarinotti", "Semprini")


@pytest.fixture
def canaries(objects, family_path, world, personas):  # noqa: F811 (the fixture imported above)
    from patto.cases import services

    educator = MembershipFactory(
        user=UserFactory(first_name="Zeno", last_name="Canarinotti"), institution=world.coop, role=Role.EDUCATOR
    )
    services.add_team_member(
        actor=personas["case_manager"].user,
        path=family_path,
        user=educator.user,
        institution=world.coop,
        team_role="educator",
        valid_from="2025-09-15",
    )
    return objects


@pytest.mark.parametrize("persona", ALL)
def test_no_canary_leaves_without_an_access_row(persona, canaries, login):
    client = login(persona)
    leaks, pages = [], 0
    for name in MATRIX:
        response = client.get(sample_url(name, canaries))
        body = response.content.decode(errors="replace") if not response.streaming else ""
        shown = [canary for canary in CANARIES if canary in body]
        if not shown:
            continue
        pages += 1
        if not AuditEvent.objects.filter(request_id=response["X-Request-ID"]).exists():
            leaks.append((name, shown))
    print(
        f"canary crawl, {persona}: {len(MATRIX)} URLs, {pages} responses showed a canary, {len(leaks)} without an "
        "access row"
    )
    assert leaks == []
    if persona == "case_manager":
        assert pages >= 8  # the crawl really saw the canaries where they belong
