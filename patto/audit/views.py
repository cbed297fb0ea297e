from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from patto.accounts.models import User
from patto.accounts.queries import institutions_visible_to
from patto.core.shortcuts import is_htmx

from .forms import TrailFilterForm
from .queries import events_visible_to, filter_events, subject_names, with_details
from .services import render_with_access


def trail(request):
    """The read-only audit trail for auditors, filtered by person, user, institution, action, period."""
    if not request.user.has_perm("audit.view_trail"):
        raise PermissionDenied
    institutions = institutions_visible_to(request.user)
    people = User.objects.filter(memberships__institution__in=institutions).distinct().order_by("last_name", "first_name")
    form = TrailFilterForm(request.GET or None, people=people, institutions=institutions)
    events = events_visible_to(request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if filters:
        events = filter_events(events, **filters)
    elif form.is_bound:
        events = events.none()
    page = Paginator(with_details(events), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "names": subject_names(page), "query": query.urlencode()}
    template = "audit/trail.html#results" if is_htmx(request) else "audit/trail.html"
    person = filters.get("person")
    return render_with_access(request, template, context, action="audit.trail.viewed",
                              subjects=[person] if person else [])
