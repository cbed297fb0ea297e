from django.db.models import F

from .exceptions import ConflictError


def update_versioned(instance, version, fields):
    """Save ``fields`` only if nobody saved ``instance`` since ``version`` was read (optimistic lock).

    Returns {field: [old, new]} for the fields that changed; raises ConflictError with the current
    row otherwise. The caller runs inside a transaction and audits the returned changes."""
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=version).update(
        version=F("version") + 1, **fields)
    if not updated:
        raise ConflictError(current=model._default_manager.get(pk=instance.pk))
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [old, value]
        setattr(instance, name, value)
    instance.version = version + 1
    return changes
