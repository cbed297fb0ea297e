from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Path
from .queries import paths_visible_to


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
