import datetime

from django.db.models import DateTimeField, F
from django.utils import timezone

from .exceptions import ConflictError


def _auto_now_values(model):
    """What ``save()`` would put in the model's ``auto_now`` fields: ``QuerySet.update()`` skips them."""
    now = timezone.now()
    return {
        field.name: now if isinstance(field, DateTimeField) else datetime.date.today()
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False)
    }


def update_versioned(instance, version, fields):
    """Save ``fields`` only if nobody saved ``instance`` since ``version`` was read (optimistic lock).

    Every ``auto_now`` field (``updated_at``) is set too, as ``save()`` would. Returns {field: [old, new]}
    for the fields that changed; raises ConflictError with the current row otherwise. The caller runs
    inside a transaction and audits the returned changes."""
    model = type(instance)
    stamps = {name: value for name, value in _auto_now_values(model).items() if name not in fields}
    updated = model._default_manager.filter(pk=instance.pk, version=version).update(
        version=F("version") + 1, **fields, **stamps
    )
    if not updated:
        raise ConflictError(current=model._default_manager.get(pk=instance.pk))
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [old, value]
        setattr(instance, name, value)
    for name, value in stamps.items():
        setattr(instance, name, value)
    instance.version = version + 1
    return changes
