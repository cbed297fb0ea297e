"""How the audit trail finds a child named in a signal before (or without) any path: the DPO asks "who read
this child's data?" and the reads of the signal are recorded with ("request", id) as the person concerned
until a path exists (``queries.people_concerned``). Registered with the audit app when the app is ready."""

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from patto.audit.subjects import Subject, register_finder

from .models import Kind, Request

MAX_MATCHES = 30


def signal_subject(request):
    key = str(request.pk)
    name = f"{request.child_first_name} {request.child_last_name}".strip()
    born = date_format(request.child_birth_date, "SHORT_DATE_FORMAT") if request.child_birth_date else ""
    return Subject(
        kind="signal",
        key=key,
        label=name,
        family=request.path.family.reference if request.path_id else "",
        family_key=str(request.path.family_id) if request.path_id else "",
        record=("referrals.request", key),
        description=_("Named in signal %(number)s%(born)s")
        % {"number": request.number, "born": f", {born}" if born else ""},
        people={("request", key): name},
        objects={"referrals.request": [key]},
    )


def find_signals(district_id, *, text="", kind="", key=""):
    signals = Request.objects.filter(district_id=district_id, kind=Kind.SIGNAL).select_related("path__family")
    if kind or key:
        if kind != "signal" or not key.isdigit():
            return []
        return [signal_subject(s) for s in signals.filter(pk=int(key))]
    terms = text.split()
    if not terms:
        return []
    for term in terms:
        signals = signals.filter(
            Q(child_first_name__icontains=term) | Q(child_last_name__icontains=term) | Q(number__iexact=term)
        )
    return [signal_subject(s) for s in signals.order_by("-sent_at")[:MAX_MATCHES]]


register_finder(find_signals)
