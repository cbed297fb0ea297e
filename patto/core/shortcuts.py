from django.core.exceptions import PermissionDenied
from django.http import Http404

from .signals import access_denied


def get_object_for(user, perm, queryset, **lookup):
    """Fetch one object from a visibility queryset and check an action permission on it.

    Not in the queryset → 404, identical to "does not exist". In it but ``perm`` refused → 403.
    Refusals of existing objects are reported through ``access_denied`` (audited).
    """
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        obj = None
    return check_object_for(user, perm, queryset.model, obj, **lookup)


def check_object_for(user, perm, model, obj, **lookup):
    """``get_object_for``'s checks on an object fetched from a visibility query by other means (None: not
    visible, or missing)."""
    if obj is None:
        # The row names the object refused by its primary key, whatever the lookup (a pact is looked up
        # by its district, a version by its number).
        existing = model._base_manager.filter(**lookup).values_list("pk", flat=True).first()
        if existing is not None:
            access_denied.send(
                sender=model,
                user=user,
                perm=perm,
                object_type=model._meta.label_lower,
                object_id=str(existing),
                reason="not_visible",
            )
        raise Http404 from None
    if perm and not user.has_perm(perm, obj):
        access_denied.send(
            sender=type(obj),
            user=user,
            perm=perm,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            reason="not_allowed",
        )
        raise audited(PermissionDenied())
    return obj


def audited(exception):
    """Mark a refusal already reported (so the middleware that reports the others does not twice)."""
    exception.audited = True
    return exception


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"
