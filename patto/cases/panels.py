from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Path
from .queries import paths_visible_to, read_open_tasks, read_time_points_due


def paths_panel(request):
    user = request.user
    can_add = user.has_perm("cases.add_path")
    open_paths = paths_visible_to(user).exclude(state=Path.State.CLOSED).count()
    if not open_paths and not can_add:
        return None
    links = [(_("My families' paths"), reverse("cases:path_list")),
             (_("Search a person"), reverse("cases:person_search"))]
    if can_add:
        links.append((_("Open a path from a signal"), reverse("cases:path_create")))
    text = ngettext("You are in the team of %(count)d open path.", "You are in the team of %(count)d open paths.",
                    open_paths) % {"count": open_paths}
    return {"template": "accounts/panels/_card.html", "title": _("Families"), "text": text, "links": links}


def time_points_panel(request):
    """The case manager's time points overdue or due within 30 days."""
    items = read_time_points_due(request.user)
    if not items:
        return None
    links = [(_("%(family)s: %(time_point)s %(status)s (%(date)s)") % {
        "family": path.family.reference, "time_point": due.time_point, "status": due.status_label,
        "date": date_format(due.due_on, "SHORT_DATE_FORMAT")}, reverse("cases:path_detail", kwargs={"pk": path.pk}))
        for path, due in items[:8]]
    text = ngettext("%(count)d time point of Il Mondo del Bambino needs your attention.",
                    "%(count)d time points of Il Mondo del Bambino need your attention.", len(items)) % {
        "count": len(items)}
    return {"template": "accounts/panels/_card.html", "title": _("Time points due"), "text": text, "links": links}


def tasks_panel(request):
    """The user's open tasks from team meetings, soonest first."""
    tasks = read_open_tasks(request.user)
    if not tasks:
        return None
    links = [(_("%(family)s: %(task)s (by %(date)s)") % {
        "family": task.path.family.reference, "task": task.description,
        "date": date_format(task.due_on, "SHORT_DATE_FORMAT")}, reverse("cases:path_detail", kwargs={"pk": task.path_id}))
        for task in tasks]
    return {"template": "accounts/panels/_card.html", "title": _("My tasks"),
            "text": _("Next steps assigned to you in team meetings."), "links": links}
