"""Sections of a family's path page, its own and those other apps add (cases imports no app below it).

A section is a function ``(request, path, access) -> dict | None``: a dict with a template and its context
(rendered with the dict both as ``section`` and as its own names), or None when it has nothing for this user.
A team action is a function of the same arguments returning ``(label, url)`` pairs, shown as links in the
team section. Apps register both in AppConfig.ready(). ``access`` is the user's ``queries.Access`` to the
path: a section showing the équipe's matters checks ``access.team_view`` (a school seat reads only what is
shared with the school).

The path page has a query budget (issue 13: ≤ 12 for the whole request): a section registered with a
``name`` is loaded on demand. Once the page is shown, htmx asks ``cases:path_sections`` once for every such
section the user may see (one request, one access-log row, the path page's visibility checks), and each
section takes its slot's place (an out-of-band swap). Each also has its own page (``cases:path_section``,
the same checks, its own access row): the slot links it without JavaScript. ``shown(request, path, access)``
says, without a query, whether the user may see the section at all: the page shows no place for a section
they may not see, and its page answers 403. A section without a name is computed inside the path page (it
costs the page its queries: avoid)."""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

_sections = []
_team_actions = []


def _always(request, path, access):
    return True


def team_view_only(request, path, access):
    """``shown`` for the sections about the équipe's matters (not for a school seat)."""
    return access.team_view


@dataclass(frozen=True)
class Section:
    order: int
    load: Callable
    name: str | None = None  # in the URL of its page: loaded on demand when set
    title: str = ""  # a lazy translation: the heading shown while the section loads, and its page's title
    shown: Callable = _always
    column: str = "main"  # or "side"

    @property
    def lazy(self):
        return self.name is not None


def register_path_section(order, section, *, name=None, title="", shown=None, column="main"):
    if any(existing.load is section or (name and existing.name == name) for existing in _sections):
        return
    _sections.append(Section(order, section, name, title, shown or _always, column))
    _sections.sort(key=lambda item: item.order)


def register_team_action(order, action):
    if any(existing is action for _order, existing in _team_actions):
        return
    _team_actions.append((order, action))
    _team_actions.sort(key=lambda item: item[0])


def section_named(name):
    return next((section for section in _sections if section.lazy and section.name == name), None)


def sections_for(request, path, access):
    """The sections computed inside the path page (registered without a name)."""
    return [result for section in _sections if not section.lazy if (result := section.load(request, path, access))]


def slots_for(request, path, access, column):
    """The on-demand sections of a column the user may see (no query: ``shown`` reads the request's memo)."""
    return [
        section
        for section in _sections
        if section.lazy and section.column == column and section.shown(request, path, access)
    ]


def slots_markup(path, slots):
    """The places of on-demand sections on the path page: each its heading while it loads (``aria-busy``), and
    without JavaScript a link to the section's own page. Built here rather than by an include per slot (the
    path page's floor ratio, issue 13)."""
    return format_html_join(
        "\n",
        '<div class="mb-4" id="section-{}" data-section-slot aria-busy="true">\n  <h2 class="h3">{}</h2>\n'
        '  <noscript><p><a href="{}">{}</a></p></noscript>\n</div>',
        (
            (
                slot.name,
                slot.title,
                reverse("cases:path_section", kwargs={"pk": path.pk, "name": slot.name}),
                _("Open the section: %(title)s") % {"title": slot.title},
            )
            for slot in slots
        ),
    )


def team_actions_for(request, path, access):
    return [link for _order, action in _team_actions for link in action(request, path, access) or ()]
