"""Home-page cards of the cases app. Each card says how many items there are in all, shows the first few
and links to the full list (``views_lists``); the read of what it shows is logged where it is fetched."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patto.core.home import CARD_TEMPLATE

from .models import Path
from .queries import (
    count_open_tasks,
    first_actions_assigned_to,
    log_read,
    my_seats,
    paths_visible_to,
    read_open_tasks,
    read_time_points_due,
    upcoming_meetings_of,
)

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)
SHOWN = 5  # items listed on a card; the card's "see all" link leads to the rest


def _short(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def paths_panel(request):
    user = request.user
    can_add = user.has_perm("cases.add_path")
    known = my_seats(user)  # inside a request, the paths' states came with the seats: no query
    if known is not None:
        open_paths = len(known.open_path_ids())
    else:
        open_paths = paths_visible_to(user).exclude(state=Path.State.CLOSED).count()
    if not open_paths and not can_add:
        return None
    links = [(_("Search a person"), reverse("cases:person_search"))]
    if can_add:
        links.append((_("Open a path from a signal"), reverse("cases:path_create")))
    text = ngettext(
        "You are in the team of %(count)d open path.", "You are in the team of %(count)d open paths.", open_paths
    ) % {"count": open_paths}
    return {
        "template": CARD,
        "title": _("Families"),
        "text": text,
        "links": links,
        "more": (_("All my families' paths"), reverse("cases:path_list")),
    }


def time_points_panel(request):
    """The case manager's time points overdue or due within 30 days."""
    items = read_time_points_due(request.user)
    if not items:
        return None
    links = [
        (
            _("%(family)s: %(time_point)s %(status)s (%(date)s)")
            % {
                "family": path.family.reference,
                "time_point": due.time_point,
                "status": due.status_label,
                "date": _short(due.due_on),
            },
            reverse("cases:path_detail", kwargs={"pk": path.pk}),
        )
        for path, due in items[:SHOWN]
    ]
    count = len(items)
    text = ngettext(
        "%(count)d time point of Il Mondo del Bambino needs your attention.",
        "%(count)d time points of Il Mondo del Bambino need your attention.",
        count,
    ) % {"count": count}
    more = ngettext("See the time point", "See all %(count)d time points", count) % {"count": count}
    return {
        "template": CARD,
        "title": _("Time points due"),
        "text": text,
        "links": links,
        "more": (more, reverse("cases:time_points_due")),
    }


def tasks_panel(request):
    """The user's open tasks from team meetings, soonest first."""
    tasks = read_open_tasks(request.user, limit=SHOWN)
    if not tasks:
        return None
    count = count_open_tasks(request.user)
    links = [
        (
            _("%(family)s: %(task)s (by %(date)s)")
            % {"family": task.path.family.reference, "task": task.description, "date": _short(task.due_on)},
            reverse("cases:path_detail", kwargs={"pk": task.path_id}),
        )
        for task in tasks
    ]
    text = ngettext(
        "%(count)d next step assigned to you in team meetings.",
        "%(count)d next steps assigned to you in team meetings.",
        count,
    ) % {"count": count}
    more = ngettext("See the task", "See all %(count)d tasks", count) % {"count": count}
    return {
        "template": CARD,
        "title": _("My tasks"),
        "text": text,
        "links": links,
        "more": (more, reverse("cases:my_tasks")),
    }


def actions_panel(request):
    """The plan actions assigned to the user (a psychologist's, an educator's, a teacher's part of a plan)."""
    user = request.user
    actions, count = first_actions_assigned_to(user)
    if not actions:
        return None
    log_read(user, "cases.actions.listed", [action.goal.path for action in actions])
    links = [
        (
            _("%(family)s: %(action)s (by %(date)s)")
            % {
                "family": action.goal.path.family.reference,
                "action": action.description,
                "date": _short(action.deadline),
            },
            reverse("cases:plan" if action.team_view else "cases:path_detail", kwargs={"pk": action.goal.path_id}),
        )
        for action in actions
    ]
    text = ngettext(
        "%(count)d action of the families' plans is assigned to you.",
        "%(count)d actions of the families' plans are assigned to you.",
        count,
    ) % {"count": count}
    more = ngettext("See the action", "See all %(count)d actions", count) % {"count": count}
    return {
        "template": CARD,
        "title": _("My actions in the plans"),
        "text": text,
        "links": links,
        "more": (more, reverse("cases:my_actions")),
    }


def meetings_panel(request):
    """The user's next meetings: the families' team meetings and the meetings of the pact's bodies."""
    user = request.user
    items = upcoming_meetings_of(user)
    if not items:
        return None
    shown = items[:SHOWN]
    log_read(user, "cases.meetings.listed", [meeting.path for _when, kind, meeting in shown if kind == "team"])
    links = []
    for when, kind, meeting in shown:
        if kind == "team":
            label = _("%(date)s: team meeting, family %(family)s") % {
                "date": date_format(when, "SHORT_DATETIME_FORMAT"),
                "family": meeting.path.family.reference,
            }
            url = reverse("cases:meeting_detail", kwargs={"pk": meeting.path_id, "meeting_pk": meeting.pk})
        else:
            label = _("%(date)s: %(body)s") % {"date": date_format(when, "SHORT_DATETIME_FORMAT"), "body": meeting.body}
            # The body's page is for the governance roles acted in now; otherwise the list shows it.
            url = (
                reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk})
                if user.has_perm("governance.view_governance")
                else reverse("cases:my_meetings")
            )
        links.append((label, url))
    count = len(items)
    text = ngettext("You have %(count)d meeting scheduled.", "You have %(count)d meetings scheduled.", count) % {
        "count": count
    }
    more = ngettext("See the meeting", "See all %(count)d meetings", count) % {"count": count}
    return {
        "template": CARD,
        "title": _("My next meetings"),
        "text": text,
        "links": links,
        "more": (more, reverse("cases:my_meetings")),
    }
