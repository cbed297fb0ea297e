from django.dispatch import receiver

from patto.core.signals import access_denied

from .services import record_event


@receiver(access_denied)
def record_access_denied(sender, user, perm, object_type, object_id, reason, **kwargs):
    record_event(
        actor=user,
        action="security.access_denied",
        object_type=object_type,
        object_id=object_id,
        purpose=f"{perm or '-'} ({reason})",
    )
