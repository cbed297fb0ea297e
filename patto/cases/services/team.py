"""The équipe: consent to share with schools, the seats of the team, notes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Institution, Membership
from patto.audit.services import record_event
from patto.core.versioning import update_versioned
from patto.governance.queries import in_standing
from patto.notifications.kinds import Kind
from patto.notifications.services import notify

from ..models import SCHOOL_KINDS, ConsentItem, Note, TeamMember
from ..queries import TEAM_ROLE_FIT, access_to, seats_in_force
from .path import _event


@transaction.atomic
def give_consent(*, actor, path, institution, scope, given_on, given_by):
    """The family agrees to share with one school or educational service (what: ``scope``)."""
    if institution.kind not in SCHOOL_KINDS or institution.district_id != path.family.district_id:
        raise ValidationError({"institution": _("Choose a school or educational service of the district.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    if ConsentItem.objects.filter(path=path, institution=institution, withdrawn_on__isnull=True).exists():
        raise ValidationError({"institution": _("The family already agrees to share with this institution.")})
    item = ConsentItem(
        path=path, institution=institution, scope=scope, given_on=given_on, given_by=given_by, recorded_by=actor
    )
    item.full_clean()
    item.save()
    _event(
        path, actor, "consent.given", institution=institution, audience=Note.Audience.SCHOOL, school=str(institution)
    )
    record_event(
        actor=actor,
        action="cases.consent.given",
        obj=item,
        subjects=list(path.family.members.all()),
        changes={"institution": [None, str(institution)], "scope": [None, scope]},
    )
    return item


@transaction.atomic
def withdraw_consent(*, actor, item, version, withdrawn_on, reason):
    """The family withdraws an agreement to share: from ``withdrawn_on`` (today at the latest) that
    institution's seats see nothing of the path, and nothing new can be shared with it."""
    if item.withdrawn_on is not None:
        raise ValidationError(_("This agreement was already withdrawn."))
    if withdrawn_on > timezone.localdate() or withdrawn_on < item.given_on:
        raise ValidationError({"withdrawn_on": _("The date is between the day it was given and today.")})
    changes = update_versioned(item, version, {"withdrawn_on": withdrawn_on, "withdrawal_reason": reason})
    _event(item.path, actor, "consent.withdrawn", school=str(item.institution))
    record_event(
        actor=actor,
        action="cases.consent.withdrawn",
        obj=item,
        changes=changes,
        purpose=reason,
        subjects=list(item.path.family.members.all()),
    )
    return item


def _check_consent(path, institution, field):
    """Nothing goes to a school or educational service the family has not agreed to share with."""
    if (
        institution is not None
        and institution.kind in SCHOOL_KINDS
        and not (ConsentItem.objects.in_force().filter(path=path, institution=institution).exists())
    ):
        raise ValidationError(
            {
                field: _(
                    "The family has not agreed to share information with %(school)s (or has "
                    "withdrawn the agreement): record the family's consent first."
                )
                % {"school": institution}
            }
        )


def _check_seat(path, user, institution, team_role):
    if team_role == TeamMember.TeamRole.CASE_MANAGER:
        raise ValidationError({"team_role": _("The path has its case manager: add a social worker instead.")})
    if institution.district_id != path.family.district_id or not in_standing(institution):
        raise ValidationError(
            {
                "institution": _(
                    "This institution has no adhesion to the pact in force: its people cannot join a family's team."
                )
            }
        )
    roles = set(Membership.objects.current().filter(user=user, institution=institution).values_list("role", flat=True))
    if not roles:
        raise ValidationError({"user": _("This person has no valid role in that institution.")})
    if not roles & TEAM_ROLE_FIT[team_role]:
        raise ValidationError(
            {"team_role": _("This role in the team does not fit the person's role in that institution.")}
        )
    _check_consent(path, institution, "institution")


@transaction.atomic
def add_team_member(*, actor, path, user, institution, team_role, valid_from, valid_to=None):
    """Add a professional to the team: they see the path from their next request (a seat at a school only
    with the family's consent to share with that school)."""
    _check_seat(path, user, institution, team_role)
    already = TeamMember.objects.filter(path=path, user=user, ended_at__isnull=True, team_role=team_role).exists()
    if already:
        raise ValidationError({"user": _("This person is already in the team with this role.")})
    member = TeamMember(
        path=path, user=user, institution=institution, team_role=team_role, valid_from=valid_from, valid_to=valid_to
    )
    member.full_clean()
    member.save()
    _event(path, actor, "team.added", name=user.get_full_name(), role=team_role)
    record_event(
        actor=actor,
        action="cases.team.added",
        obj=member,
        subjects=[user],
        changes={"path": [None, str(path.pk)], "team_role": [None, team_role]},
    )
    if seats_in_force().filter(pk=member.pk).exists():  # a seat starting later opens nothing yet
        notify(
            recipients=[user],
            kind=Kind.TEAM_ADDED,
            url=reverse("cases:path_detail", kwargs={"pk": path.pk}),
            reference=path.family.reference,
            exclude=actor,
        )
    return member


@transaction.atomic
def end_team_member(*, actor, member, version, reason):
    """Remove a professional from the team now: from their next request the path answers 404."""
    today = timezone.localdate()
    valid_to = today if member.valid_to is None or member.valid_to > today else member.valid_to
    changes = update_versioned(
        member, version, {"ended_at": timezone.now(), "valid_to": max(valid_to, member.valid_from)}
    )
    _event(member.path, actor, "team.ended", name=member.user.get_full_name(), role=member.team_role)
    record_event(
        actor=actor, action="cases.team.ended", obj=member, subjects=[member.user], changes=changes, purpose=reason
    )
    return member


@transaction.atomic
def add_note(*, actor, path, audience, text, school=None):
    """A note from the author's seat: clinical only from a health seat; a school seat writes only to its
    school; a note shared with a school names the school, which the family must have agreed to."""
    access = access_to(actor, path)
    if audience not in access.writable_audiences():
        raise ValidationError(
            {
                "audience": _(
                    "Your seat in this team cannot write notes for this audience "
                    "(clinical notes: health professionals only)."
                )
            }
        )
    if audience == Note.Audience.SCHOOL:
        if school is None:  # the only school it can be: the seat's own, or the one the family agreed to
            candidates = (
                access.schools
                if not access.team_view
                else set(ConsentItem.objects.in_force().filter(path=path).values_list("institution_id", flat=True))
            )
            school = Institution.objects.get(pk=next(iter(candidates))) if len(candidates) == 1 else None
        if school is None or (not access.team_view and school.pk not in access.schools):
            raise ValidationError({"school": _("Choose the school the note is shared with.")})
        _check_consent(path, school, "school")
    else:
        school = None
    seat = access.writing_seat
    note = Note.objects.create(
        path=path, author=actor, author_institution_id=seat.institution_id, audience=audience, school=school, text=text
    )
    _event(path, actor, "note.added", audience=audience, institution=school)
    record_event(
        actor=actor,
        action="cases.note.added",
        obj=note,
        subjects=list(path.family.members.all()),
        changes={"audience": [None, audience]},
    )
    return note
