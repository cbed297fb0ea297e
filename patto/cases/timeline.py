"""Words for the timeline's entries, chosen at display time so they follow the reader's language."""

from django.utils.translation import gettext as _

from .models import Assessment, Note, Path, Person, PlanAction, TeamMember


def _label(choices, value):
    return dict(choices).get(value, value)


def describe(event):
    p = event.params
    if event.kind == "path.opened":
        return _("Path opened after a signal from %(source)s") % {"source": p.get("source", "")}
    if event.kind == "path.state_changed":
        return _("From “%(old)s” to “%(new)s”") % {
            "old": _label(Path.State.choices, p.get("old")),
            "new": _label(Path.State.choices, p.get("new")),
        }
    if event.kind == "path.reopened":
        return _("Path reopened: %(reason)s") % {"reason": p.get("reason", "")}
    if event.kind == "agreement.recorded":
        return (
            _("The family's agreement was recorded; the family agrees to share information with the school")
            if p.get("shares_with_school")
            else _("The family's agreement was recorded")
        )
    if event.kind == "consent.given":
        return _("The family agreed to share information with %(school)s") % {"school": p.get("school", "")}
    if event.kind == "consent.withdrawn":
        return _("The family withdrew its consent to share information with %(school)s") % {
            "school": p.get("school", "")
        }
    if event.kind == "person.added":
        return _("A family member was added (%(kind)s)") % {"kind": _label(Person.Kind.choices, p.get("member_kind"))}
    if event.kind == "team.added":
        return _("%(name)s joined the team as %(role)s") % {
            "name": p.get("name", ""),
            "role": _label(TeamMember.TeamRole.choices, p.get("role")),
        }
    if event.kind == "team.ended":
        return _("%(name)s left the team (%(role)s)") % {
            "name": p.get("name", ""),
            "role": _label(TeamMember.TeamRole.choices, p.get("role")),
        }
    if event.kind == "request.professional":
        return _("A %(role)s was requested from %(institution)s") % {
            "role": _label(TeamMember.TeamRole.choices, p.get("role")),
            "institution": p.get("institution_name", ""),
        }
    if event.kind == "request.transfer":
        return _("Transfer of the path to %(institution)s requested") % {"institution": p.get("institution_name", "")}
    if event.kind == "request.linked":
        return _("Signal %(number)s linked to this path") % {"number": p.get("number", "")}
    if event.kind == "case_manager.changed":
        return _("%(name)s (%(institution)s) became the case manager") % {
            "name": p.get("name", ""),
            "institution": p.get("institution_name", ""),
        }
    if event.kind == "note.added":  # the event has the note's audience, so the same people see both
        return _("A note was written (%(audience)s)") % {"audience": _label(Note.Audience.choices, event.audience)}
    if event.kind == "assessment.saved" and p.get("draft"):
        return _("Draft of the %(time_point)s assessment of %(child)s saved (%(rater)s)") % {
            "time_point": p.get("time_point", ""),
            "child": p.get("child", ""),
            "rater": _label(Assessment.Rater.choices, p.get("rater")),
        }
    if event.kind == "assessment.saved":
        return _("%(time_point)s assessment of %(child)s saved (%(rater)s)") % {
            "time_point": p.get("time_point", ""),
            "child": p.get("child", ""),
            "rater": _label(Assessment.Rater.choices, p.get("rater")),
        }
    if event.kind == "plan.goal_added":
        return _("Micro-project added: %(subdimension)s") % {"subdimension": p.get("subdimension", "")}
    if event.kind == "plan.goal_changed":
        return _("Micro-project updated: %(subdimension)s") % {"subdimension": p.get("subdimension", "")}
    if event.kind == "plan.action_added":
        return _("Action added to the plan (%(area)s)") % {"area": _label(PlanAction.Area.choices, p.get("area"))}
    if event.kind == "plan.action_removed" and p.get("reason"):
        return _("Action removed from the plan: “%(description)s”. Reason: %(reason)s") % {
            "description": p.get("description", ""),
            "reason": p["reason"],
        }
    if event.kind == "plan.action_removed":
        return _("Action removed from the plan")
    if event.kind == "meeting.scheduled":
        return _("Team meeting scheduled")
    if event.kind == "meeting.changed":
        return _("Team meeting rescheduled")
    if event.kind == "meeting.minutes":
        return _("Minutes of a team meeting written (%(tasks)s next steps)") % {"tasks": p.get("tasks", 0)}
    if event.kind == "device.activated":
        return _("Intervention device activated: %(device)s") % {"device": p.get("device", "")}
    if event.kind == "prepost.saved":
        return _("Risk and protective factors at %(time_point)s saved") % {"time_point": p.get("time_point", "")}
    return event.kind
