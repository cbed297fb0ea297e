"""The main menu is made of entries that each app registers (core imports no app), like the home panels.

An app registers its entries in ``AppConfig.ready()``:

    register_entry(30, _("Cohorts"), "cases:cohort_list", permission="cases.view_cohorts")

An entry is shown only to the users who may open it: ``permission`` (a permission name without an
object, asked as ``user.has_perm``) or ``shown`` (a function ``(request) -> bool``) must say so, and an
entry whose page would answer 403 or 404 must not be shown (``core/tests/test_menu.py`` walks every
persona). ``url_kwargs`` is a function ``(request) -> dict`` for entries whose URL depends on the user
(their own institution). The menu is computed once per request (``menu_for``) and the predicates should
read what the request already loaded (the acting membership) or cache their one query on the request.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_entries = []


@dataclass(frozen=True)
class MenuEntry:
    order: int
    label: str  # a lazy translation: rendered in the request's language
    url_name: str
    permission: str | None = None
    shown: Callable | None = None
    url_kwargs: Callable | None = None

    def is_shown(self, request):
        if self.permission is not None and not request.user.has_perm(self.permission):
            return False
        return self.shown is None or bool(self.shown(request))

    def url(self, request):
        if self.url_kwargs:
            return reverse(self.url_name, kwargs=self.url_kwargs(request))
        return _fixed_url(self.url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@lru_cache(maxsize=256)
def _fixed_url(url_name, urlconf, prefix):
    """The address of an entry without arguments: the same for every request under one URLconf and script
    prefix, reversed once."""
    return reverse(url_name, urlconf=urlconf)


def register_entry(order, label, url_name, *, permission=None, shown=None, url_kwargs=None):
    if any(entry.url_name == url_name for entry in _entries):
        return  # ready() may run twice (tests that reload apps): one entry per URL name
    _entries.append(MenuEntry(order, label, url_name, permission, shown, url_kwargs))
    _entries.sort(key=lambda entry: entry.order)


def menu_for(request):
    """The entries the signed-in user may open now, the current one marked; once per request."""
    cached = getattr(request, "_patto_menu", None)
    if cached is not None:
        return cached
    items = [(str(entry.label), entry.url(request)) for entry in _entries if entry.is_shown(request)]
    path = request.path
    matching = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matching, key=len, default=None)
    request._patto_menu = [{"label": label, "url": url, "active": url == current} for label, url in items]
    return request._patto_menu
