"""Assessments with Il Mondo del Bambino (drafts and complete ones) and the pre/post questionnaires."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.exceptions import ConflictError
from patto.core.versioning import update_versioned

from ..models import Assessment, Framework, Person, PrePostAssessment, Rating, SubDimension
from .path import _event


def current_framework():
    return Framework.objects.get(is_current=True, code="mondo-del-bambino")


@transaction.atomic
def save_assessment(
    *, actor, path, child, time_point, rater, values, child_says="", family_says="", version=None, complete=True
):
    """Create or update one rating of a child at a time point, by the team or by the family.

    ``values`` maps sub-dimension ids to a scale value, or None for "not assessable". ``version`` is
    the one the form was loaded with (None for a new assessment): a stale save raises ConflictError.
    ``complete=False`` saves a draft: sub-dimensions may be left out (not rated yet) and the assessment
    stays out of the comparison and of the time points done until it is saved complete, which needs a
    value (or "not assessable") for every sub-dimension of its framework."""
    assessment = Assessment.objects.filter(path=path, child=child, time_point=time_point, rater=rater).first()
    if child.family_id != path.family_id or child.kind != Person.Kind.CHILD:
        raise ValidationError(_("Only the children of this family are assessed here."))
    was_complete = None
    if assessment is None:
        if version not in (None, 0):
            raise ConflictError(current=None)
        framework = current_framework()
        assessment = Assessment.objects.create(
            path=path,
            child=child,
            framework=framework,
            time_point=time_point,
            rater=rater,
            child_says=child_says,
            family_says=family_says,
            updated_by=actor,
            is_complete=complete,
        )
        old = {}
    else:
        old = dict(assessment.ratings.values_list("subdimension_id", "value"))
        was_complete = assessment.is_complete
        update_versioned(
            assessment,
            version or 0,
            {"child_says": child_says, "family_says": family_says, "updated_by": actor, "is_complete": complete},
        )
    allowed = set(SubDimension.objects.filter(side__framework=assessment.framework_id).values_list("pk", flat=True))
    scale = set(assessment.framework.scale.values_list("value", flat=True))
    if set(values) - allowed or {v for v in values.values() if v is not None} - scale:
        raise ValidationError(_("A rating is outside the framework's scale."))
    if complete and allowed - set(values):
        raise ValidationError(
            _(
                "To complete the assessment, rate every sub-dimension (or mark it “not "
                "assessable”); otherwise save it as a draft."
            )
        )
    assessment.ratings.all().delete()
    Rating.objects.bulk_create(
        [Rating(assessment=assessment, subdimension_id=sub, value=value) for sub, value in values.items()]
    )
    changes = {f"rating_{sub}": [old.get(sub), value] for sub, value in values.items() if old.get(sub) != value}
    changes.update({f"rating_{sub}": [value, None] for sub, value in old.items() if sub not in values})
    if was_complete is not complete:
        changes["is_complete"] = [was_complete, complete]
    _event(
        path, actor, "assessment.saved", time_point=time_point, rater=rater, child=child.first_name, draft=not complete
    )
    record_event(actor=actor, action="cases.assessment.saved", obj=assessment, subjects=[child], changes=changes)
    return assessment


@transaction.atomic
def save_prepost(*, actor, path, time_point, factors, versions):
    """Risk and protective factors per side. ``factors``: {side id: (risk, protective)};
    ``versions``: {side id: the version loaded, or None if the side had no record}."""
    for side_id, (risk, protective) in factors.items():
        record = PrePostAssessment.objects.filter(path=path, time_point=time_point, side_id=side_id).first()
        if record is None:
            if versions.get(side_id):
                raise ConflictError(current=None)
            PrePostAssessment.objects.create(
                path=path,
                time_point=time_point,
                side_id=side_id,
                risk_factors=risk,
                protective_factors=protective,
                updated_by=actor,
            )
        else:
            update_versioned(
                record,
                versions.get(side_id) or 0,
                {"risk_factors": risk, "protective_factors": protective, "updated_by": actor},
            )
    _event(path, actor, "prepost.saved", time_point=time_point)
    record_event(
        actor=actor,
        action="cases.prepost.saved",
        obj=path,
        subjects=list(path.family.members.all()),
        changes={"time_point": [None, time_point]},
    )
