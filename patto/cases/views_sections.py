"""The sections of a family's path page loaded on demand (``sections``): the path page itself shows the
path, its family and the signal within its query budget, and each of these from its own page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import RequestContext, engines
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from patto.core.shortcuts import is_htmx

from . import forms
from .models import Assessment, TeamMember
from .queries import (
    access_to,
    actions_for_schools,
    assessment_progress,
    consents_of,
    devices_of,
    fetch_path,
    latest_events,
    latest_meetings,
    latest_notes,
    open_tasks_of_path,
    school_consents,
    team_completeness,
    team_of,
)
from .schedule import time_points
from .sections import register_path_section, section_named, slots_for, team_actions_for
from .timeline import describe


@require_GET
def path_section(request, pk, name):
    """One section of the path page: for htmx, the section alone (in place of its slot); otherwise a page
    with the section (the link shown without JavaScript). Not visible → 404 and not allowed → 403, as the
    path page; the read is logged with the family as the people concerned."""
    section = section_named(name)
    if section is None:
        raise Http404
    path = fetch_path(request.user, pk, action="cases.path.section_viewed")
    access = access_to(request.user, path)
    if not section.shown(request, path, access):
        raise PermissionDenied
    result = section.load(request, path, access)
    if is_htmx(request):
        if result is None:  # nothing for this user: the slot goes
            return HttpResponse("")
        return render(request, result["template"], {"path": path, "section": result, **result})
    context = {"path": path, "title": section.title, "section": result, **(result or {})}
    return render(request, "cases/path_section.html", context)


@require_GET
def path_sections(request, pk):
    """Every on-demand section of the path page the user may see, in one response: the page asks for it once
    it is shown (htmx), and each section takes the place of its slot (out of band). One request and one access
    row for the rest of the page, instead of one per section; the checks are the path page's (404, and a
    section the user may not see is not in the answer). Outside htmx: the path page."""
    path = fetch_path(request.user, pk, action="cases.path.section_viewed")
    if not is_htmx(request):
        return redirect("cases:path_detail", pk=path.pk)
    access = access_to(request.user, path)
    parts = []
    # One request context for every section: the context processors (the header's menu, the bell...) run
    # once, not once per section; each section renders with its own data pushed on top, as an include does.
    engine = engines["django"].engine
    context = RequestContext(request, autoescape=engine.autoescape)
    with context.bind_template(engine.from_string("")):
        for column in ("main", "side"):
            for section in slots_for(request, path, access, column):
                result = section.load(request, path, access)
                html = ""  # nothing for this user: the slot is emptied
                if result is not None:
                    with context.push({"path": path, "section": result, **result}):
                        html = engine.get_template(result["template"]).render(context)
                parts.append((section.name, html))
    return HttpResponse(
        format_html_join("\n", '<div id="section-{}" hx-swap-oob="true">{}</div>', parts),
    )


def _members(path, access):
    members = list(path.family.members.all())  # fetched with the path (fetch_path)
    if not access.team_view:  # a school seat: its own pupils of the family
        members = [person for person in members if person.school_id in access.schools]
    return members


def team_section(request, path, access):
    user = request.user
    team = team_of(path)
    if not access.team_view:  # a school seat: whom to call in the team
        team = [member for member in team if member.team_role == TeamMember.TeamRole.CASE_MANAGER and member.is_current]
    return {
        "template": "cases/_path_team.html",
        "team": team,
        "completeness": team_completeness(team),
        "details": user.has_perm("cases.view_path_details", path),
        "can_manage_team": user.has_perm("cases.manage_team", path),
        "team_actions": team_actions_for(request, path, access),
    }


def consents_section(request, path, access):
    return {
        "template": "cases/_path_consents.html",
        "consents": consents_of(path),
        "can_manage_consent": request.user.has_perm("cases.manage_consent", path),
    }


def assessments_section(request, path, access):
    user = request.user
    children = [person for person in _members(path, access) if person.kind == "child"]
    done, drafts = assessment_progress(path, children)
    return {
        "template": "cases/_path_assessments.html",
        "can_view_assessments": True,
        "can_assess": user.has_perm("cases.assess", path),
        "children": children,
        "schedule": time_points(path, done),
        "drafts": [
            {"child": child, "time_point": tp, "rater": rater, "rater_label": Assessment.Rater(rater).label}
            for child, tp, rater in drafts
        ],
    }


def school_actions_section(request, path, access):
    return {
        "template": "cases/_path_school_actions.html",
        "school_actions": list(actions_for_schools(path, access.schools)),
    }


def devices_section(request, path, access):
    user = request.user
    return {
        "template": "cases/_path_devices.html",
        "devices": list(devices_of(path, user)),
        "can_activate_device": user.has_perm("cases.activate_device", path),
        "can_record_session": user.has_perm("cases.record_session", path),
    }


def meetings_section(request, path, access):
    user = request.user
    return {
        "template": "cases/_path_meetings.html",
        "meetings": latest_meetings(path, user),
        "open_tasks": open_tasks_of_path(path),
        "details": user.has_perm("cases.view_path_details", path),
        "can_add_meeting": user.has_perm("cases.add_meeting", path),
    }


def note_form(access, path, data=None):
    schools = school_consents(path)
    if not access.team_view:
        schools = schools.filter(pk__in=access.schools)
    return forms.NoteForm(data, audiences=access.writable_audiences(), schools=schools)


def notes_section(request, path, access):
    user = request.user
    can_add = user.has_perm("cases.add_note", path)
    return {
        "template": "cases/_path_notes.html",
        "notes": latest_notes(user, path),
        "can_add_note": can_add,
        "note_form": note_form(access, path) if can_add else None,
    }


def timeline_section(request, path, access):
    events = latest_events(request.user, path)
    return {"template": "cases/_path_timeline.html", "timeline": [(e, describe(e)) for e in events]}


def _can(perm):
    return lambda request, path, access: request.user.has_perm(perm, path)


def register():
    """The path page's own sections (called from CasesConfig.ready)."""
    register_path_section(
        5,
        consents_section,
        name="consensi",
        title=_("Consent to share with schools"),
        shown=_can("cases.view_path_details"),
    )
    register_path_section(
        30,
        assessments_section,
        name="valutazioni",
        title=_("Il Mondo del Bambino"),
        shown=_can("cases.view_assessments"),
    )
    register_path_section(
        40,
        school_actions_section,
        name="azioni-scuola",
        title=_("What the plan asks of your institution"),
        shown=lambda request, path, access: not access.team_view,
    )
    register_path_section(50, devices_section, name="dispositivi", title=_("Intervention devices"))
    register_path_section(60, meetings_section, name="incontri", title=_("Team meetings"))
    register_path_section(70, notes_section, name="note", title=_("Notes"))
    register_path_section(10, team_section, name="equipe", title=_("The team"), column="side")
    register_path_section(20, timeline_section, name="cronologia", title=_("Timeline"), column="side")
