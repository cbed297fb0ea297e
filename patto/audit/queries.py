"""Who may read the audit trail, and the subject-access view of it."""

from django.db.models import Prefetch, Q

from patto.accounts.models import User
from patto.accounts.roles import Role

from .models import AuditEvent, AuditSubject


def events_visible_to(user):
    """Auditors see the events of their district (and sign-in events with no institution)."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None or membership.role != Role.AUDITOR:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        Q(actor_institution__district_id=membership.institution.district_id) | Q(actor_institution__isnull=True))


def filter_events(events, *, person=None, actor=None, institution=None, action="", date_from=None, date_to=None):
    if person is not None:
        events = events.filter(subjects__kind="user", subjects__subject_id=str(person.pk))
    if actor is not None:
        events = events.filter(actor=actor)
    if institution is not None:
        events = events.filter(actor_institution=institution)
    if action:
        events = events.filter(action__startswith=action)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events


def with_details(events):
    """Everything the trail screen shows, in a fixed number of queries whatever the page size."""
    return (events.select_related("actor_institution")
            .prefetch_related(Prefetch("subjects", queryset=AuditSubject.objects.order_by("id"))).distinct())


def subject_names(events):
    """{user id: name} for the people concerned by these events (one query)."""
    ids = {s.subject_id for event in events for s in event.subjects.all() if s.kind == "user"}
    return {str(u.pk): u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}
