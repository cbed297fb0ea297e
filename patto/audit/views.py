from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from patto.accounts.models import User
from patto.accounts.queries import institutions_visible_to
from patto.accounts.stepup import require_recent_password
from patto.core.exports import pdf_response, xlsx_response
from patto.core.shortcuts import is_htmx

from .forms import AccessSearchForm, TrailFilterForm
from .paging import keyset_page, newest_page
from .queries import (
    access_rows,
    events_about,
    events_visible_to,
    filter_events,
    name_subjects,
    newest_events,
    person_window,
    trail_directory,
    with_access_details,
    with_details,
)
from .services import record_event, render_with_access
from .subjects import find_subjects, get_subject


@require_safe
def trail(request):
    """The read-only audit trail for auditors, filtered by person, user, institution, action, period."""
    if not request.user.has_perm("audit.view_trail"):
        raise PermissionDenied
    institutions = institutions_visible_to(request.user)
    people = (
        User.objects.filter(memberships__institution__in=institutions).distinct().order_by("last_name", "first_name")
    )
    form = TrailFilterForm(
        request.GET or None, people=people, institutions=institutions, directory=trail_directory(request.user)
    )
    events = events_visible_to(request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    person = filters.get("person")
    # The person's page is read from their newest events first (see person_window), with the other filters.
    narrow = (
        person_window(person, with_details(filter_events(events, **{**filters, "person": None}))) if person else None
    )
    if filters:
        events = filter_events(events, **filters)
    elif form.is_bound:
        events = events.none()
    # The trail as it opens (no filter, no cursor): its newest page by statements compiled once a day.
    newest = None if request.GET else newest_events(request.user)
    if newest is not None:
        page = newest_page(newest, settings.PATTO_PAGE_SIZE)
    else:
        page = keyset_page(
            with_details(events),
            size=settings.PATTO_PAGE_SIZE,
            before=request.GET.get("prima", ""),
            after=request.GET.get("dopo", ""),
            narrow=narrow,
        )
    query = request.GET.copy()
    query.pop("prima", None)
    query.pop("dopo", None)
    name_subjects(page)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "audit/trail.html#results" if is_htmx(request) else "audit/trail.html"
    return render_with_access(
        request, template, context, action="audit.trail.viewed", subjects=[person] if person else []
    )


# --- "Who read this family's data?" (the Garante's question) ------------------------------------------


def _district_of_auditor(request):
    if not request.user.has_perm("audit.view_accesses"):
        raise PermissionDenied
    return request.user.acting_membership.institution.district_id


def _subject(request, kind, key):
    """The family or person of the auditor's district with this key: another district's → 404."""
    subject = get_subject(_district_of_auditor(request), kind, str(key))
    if subject is None:
        raise Http404
    return subject


def subject_url(subject, name="accesses"):
    return reverse(f"audit:{subject.kind}_{name}", kwargs={"key": subject.key})


def access_search(request):
    """Find a family (by reference) or a person (by name or codice fiscale) of the auditor's district.
    By POST: names never travel in a URL. One match opens its accesses; several are listed."""
    district_id = _district_of_auditor(request)
    form = AccessSearchForm(request.POST or None)
    if not (request.method == "POST" and form.is_valid()):
        return render(request, "audit/access_search.html", {"form": form, "matches": None})
    matches = find_subjects(district_id, form.cleaned_data["query"])
    if len(matches) == 1:
        return redirect(subject_url(matches[0]))
    return render_with_access(
        request,
        "audit/access_search.html",
        {"form": form, "matches": matches},
        action="audit.accesses.searched",
        subjects=[ref for match in matches for ref in match.people],
    )


def _accesses(request, subject):
    return with_access_details(events_about(events_visible_to(request.user), subject))


def _record(request, action, subject):
    object_type, object_id = subject.record
    record_event(
        actor=request.user, action=action, object_type=object_type, object_id=object_id, subjects=list(subject.people)
    )


@require_safe
def subject_accesses(request, kind, key):
    """Every access to one family or one person, newest first: when, who (name, institution, role at
    the time), what (in words), the family, the people concerned, the purpose."""
    subject = _subject(request, kind, key)
    page = Paginator(_accesses(request, subject), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"subject": subject, "page": page, "rows": access_rows(page, subject)}
    with transaction.atomic():
        _record(request, "audit.accesses.viewed", subject)
        return render(request, "audit/subject_accesses.html", context)


ACCESS_HEADER = (
    _("When"),
    _("Who"),
    _("Institution"),
    _("Role"),
    _("What"),
    _("Record"),
    _("Family"),
    _("People concerned"),
    _("Purpose"),
)


@require_safe
def subject_accesses_xlsx(request, kind, key):
    """The same accesses as a spreadsheet (formulas neutralised); the export is itself in the trail.
    Authorised first (403/404), then the password is asked again (step-up) before anything leaves."""
    return _export_accesses(request, _subject(request, kind, key))


@require_recent_password
def _export_accesses(request, subject):
    rows = [row.cells() for row in access_rows(_accesses(request, subject).iterator(chunk_size=500), subject)]
    header = [str(label) for label in ACCESS_HEADER]
    with transaction.atomic():
        _record(request, "audit.trail.exported", subject)
        return xlsx_response(translation.gettext("Accesses"), header, rows, f"accessi-{_filename(subject)}.xlsx")


def _filename(subject):
    return subject.family if subject.kind == "family" else f"{subject.family}-{subject.key[:8]}"


def _report_context(request, subject):
    rows = access_rows(_accesses(request, subject), subject)
    return {
        "subject": subject,
        "rows": rows,
        "generated_at": timezone.now(),
        "generated_by": request.user,
        "first": rows[-1].occurred_at if rows else None,
        "district": request.user.acting_membership.institution.district,
        "language": translation.get_language(),
    }


def _report_language(request):
    """Italian, the data subject's language, unless the auditor asks for another one of Patto's."""
    language = request.GET.get("lingua", "it")
    return language if language in dict(settings.LANGUAGES) else "it"


@require_safe
def subject_report(request, key):
    """The subject-access report for one person (GDPR art. 15; Garante, dossier sanitario 2015): who
    accessed their data, when, for which institution and in which role, and what they did. Printable."""
    with translation.override(_report_language(request)):
        return _subject_report(request, _subject(request, "person", key))


@require_recent_password
def _subject_report(request, subject):
    context = _report_context(request, subject)
    with transaction.atomic():
        _record(request, "audit.subject_report.printed", subject)
        return render(request, "audit/subject_report.html", context)


@require_safe
def subject_report_pdf(request, key):
    with translation.override(_report_language(request)):
        return _subject_report_pdf(request, _subject(request, "person", key))


@require_recent_password
def _subject_report_pdf(request, subject):
    context = _report_context(request, subject)
    with transaction.atomic():
        _record(request, "audit.subject_report.pdf", subject)
        return pdf_response(request, "audit/subject_report.html", context, f"rapporto-accessi-{_filename(subject)}.pdf")
