"""Who may see which family paths, notes and timeline entries. Every cases view starts here."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from patto.accounts.roles import HEALTH_ROLES, SCHOOL_ROLES

from .models import Note, Path, PathEvent, Person, TeamMember


def current_team_members(on=None):
    day = on or timezone.localdate()
    return TeamMember.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day,
                                     ended_at__isnull=True)


def paths_visible_to(user):
    """Paths whose équipe the user belongs to now, through an institution where they hold a valid role.

    Added to a team → visible from the next request; removed, expired or role ended → 404."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None:
        return Path.objects.none()
    institutions = [m.institution_id for m in user.current_memberships]
    mine = current_team_members().filter(path=OuterRef("pk"), user=user, institution_id__in=institutions)
    return Path.objects.filter(Exists(mine))


def people_visible_to(user):
    return Person.objects.filter(family__paths__in=paths_visible_to(user)).distinct()


def viewer_audiences(user):
    """The note audiences the user's acting role may read (the institution audience is checked apart)."""
    role = user.acting_role
    if role in SCHOOL_ROLES:
        return {Note.Audience.SCHOOL}
    audiences = {Note.Audience.TEAM, Note.Audience.SCHOOL, Note.Audience.INSTITUTION}
    if role in HEALTH_ROLES:
        audiences.add(Note.Audience.CLINICAL)
    return audiences


def _audience_filter(user):
    audiences = viewer_audiences(user)
    visible = Q(audience__in=audiences - {Note.Audience.INSTITUTION})
    if Note.Audience.INSTITUTION in audiences:
        visible |= Q(audience=Note.Audience.INSTITUTION, author_institution=user.acting_institution)
    return visible


def notes_visible_to(user, path):
    return (path.notes.filter(_audience_filter(user)).select_related("author", "author_institution")
            .order_by("-created_at"))


def timeline_visible_to(user, path):
    audiences = viewer_audiences(user)
    visible = Q(audience__in=audiences - {Note.Audience.INSTITUTION})
    if Note.Audience.INSTITUTION in audiences:
        visible |= Q(audience=Note.Audience.INSTITUTION, institution=user.acting_institution)
    return PathEvent.objects.filter(path=path).filter(visible).select_related("actor").order_by("-occurred_at", "-id")


def team_completeness(members):
    """Which of the core professions are in the team now (national data show they are often missing)."""
    roles = {m.team_role for m in members if m.is_current}
    R = TeamMember.TeamRole
    return {
        "social_worker": bool(roles & {R.CASE_MANAGER, R.SOCIAL_WORKER}),
        "educator": R.EDUCATOR in roles,
        "psychologist": bool(roles & {R.PSYCHOLOGIST, R.CHILD_NEUROPSYCHIATRIST}),
        "teacher": bool(roles & {R.TEACHER, R.EDUCATIONAL_STAFF}),
    }


def my_paths(user):
    """The user's paths for the list, with what the list shows, in a fixed number of queries."""
    return (paths_visible_to(user).select_related("family", "cohort")
            .prefetch_related("family__members").order_by("state", "-updated_at"))
