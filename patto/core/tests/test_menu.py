"""The main menu: each app registers its entries; a user sees exactly the entries they may open."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from patto.core import menu

from .test_permissions import ALL, objects  # noqa: F401 (a fixture: the help desk's sample makes the legal office)

NAV_LINK = re.compile(r'<a class="nav-link[^"]*" href="([^"]+)"')


def _menu_links(client):
    return NAV_LINK.findall(client.get("/").content.decode())


@pytest.mark.usefixtures("objects")
def test_every_entry_shown_opens_and_every_entry_hidden_would_refuse(personas, login):
    from patto.accounts.models import User

    for persona in ALL:  # one database for every persona: the world is built once
        client = login(persona)
        shown = _menu_links(client)
        assert "/" in shown and "/profilo/" in shown  # everyone signed in: the home page and their profile
        user = User.objects.get(username=persona)
        request = RequestFactory().get("/")
        request.user = user
        acting = user.acting_membership
        for entry in menu._entries:
            try:
                url = entry.url(request)
            except (AttributeError, TypeError):  # a URL about the acting institution, and there is none
                assert acting is None
                continue
            status = client.get(url).status_code
            if url in shown:
                assert status == 200, (persona, entry.url_name, status)
            else:  # hidden only from those it would refuse (the stranger, with no role, sees the bare minimum), or
                # offered on their home page instead (the monitoring's figures to whoever was granted them: a card)
                offered = f'href="{url}"' in client.get("/").content.decode()
                assert status in (403, 404) or acting is None or offered, (persona, entry.url_name, status)


def test_the_outsider_is_not_offered_the_pact(personas, login):
    # The second comune never signed the pact: its pages answer 404 to its people.
    assert "/patto/" not in _menu_links(login("outsider"))
    assert "/patto/" in _menu_links(login("case_manager"))


def test_the_menu_is_computed_once_per_request_with_one_query_at_most(personas):
    from patto.accounts.models import User

    request = RequestFactory().get("/patto/impegni/")
    request.user = User.objects.get(username="health_professional")
    request.user.acting_membership  # loaded by the middleware on every request
    with CaptureQueriesContext(connection) as queries:
        items = menu.menu_for(request)
        assert menu.menu_for(request) is items
    assert len(queries) <= 1  # the acting institution's standing, for the pact's entry
    assert [item["url"] for item in items if item["active"]] == ["/patto/"]


def test_an_app_registers_an_entry_once(monkeypatch):
    monkeypatch.setattr(menu, "_entries", [])
    menu.register_entry(5, "B", "core:health")
    menu.register_entry(1, "A", "core:home")
    menu.register_entry(1, "A again", "core:home")
    assert [entry.label for entry in menu._entries] == ["A", "B"]


def test_the_menu_is_worked_out_only_for_a_page_that_shows_it(personas, login, monkeypatch):
    """A fragment loaded by htmx has no header: its request asks no permission for the menu; a full page does."""
    from django.urls import reverse

    from patto.core import context_processors

    asked = []
    real = context_processors.menu_for
    monkeypatch.setattr(context_processors, "menu_for", lambda request: asked.append(request.path) or real(request))
    client = login("auditor")
    fragment = client.get(reverse("audit:trail"), headers={"HX-Request": "true"})  # the trail's results
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode() and asked == []
    page = client.get(reverse("audit:trail"))
    assert page.status_code == 200 and asked == [reverse("audit:trail")]
    assert NAV_LINK.findall(page.content.decode())
