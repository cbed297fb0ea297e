"""Every change of a request: sending, assigning, answering, pausing, closing with an outcome. Each one
audited, each one telling the people concerned (notifications name nobody: a request's number, a
family's reference at most)."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Institution, Membership
from patto.accounts.roles import Role
from patto.audit.services import record_event
from patto.cases import services as cases
from patto.cases.models import Path, TeamMember, channel_of
from patto.cases.queries import TEAM_ROLE_FIT, access_to, paths_visible_to
from patto.core.versioning import update_versioned
from patto.core.workdays import add_working_days, response_working_days, working_days_between
from patto.documents.services import store_attachment
from patto.governance.models import Procedure
from patto.governance.queries import in_standing
from patto.notifications.kinds import Kind as Notice
from patto.notifications.services import notify
from patto.territory.models import Comune

from .models import Kind, Request, RequestMessage, RequestPause
from .queries import HEAD_ROLES, INTAKE_ROLES, SENDER_ROLES, SOCIAL_SERVICE_KINDS, side_of

Out = Request.Outcome
S = Request.Status
NUMBER_CODES = {Kind.CONSULTATION: "CON", Kind.SIGNAL: "SEG", Kind.PROFESSIONAL: "RIC", Kind.TRANSFER: "TRA"}
# A codice fiscale (omocodia letters allowed) or a full date: what an anonymous consultation must not carry.
FISCAL_CODE_LIKE = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]", re.I)
MONTHS = "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
DATE_LIKE = re.compile(
    r"\b\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2}(\d{2})?\b"  # 3/4/2019, 03.04.19
    r"|\b(19|20)\d{2}\s*-\s*\d{1,2}\s*-\s*\d{1,2}\b"  # 2019-04-03
    rf"|\b\d{{1,2}}°?\s+({MONTHS})\s+(19|20)?\d{{2}}\b",  # 3 aprile 2019 (a day and a month alone may stay)
    re.I,
)
CONSULTATION_TEXT = ("observed", "observed_since", "tried")
SIGNAL_FIELDS = (
    "child_first_name",
    "child_last_name",
    "child_birth_date",
    "child_sex",
    "comune",
    "school",
    "school_site",
    "school_class",
    "parents",
    "concerns",
    "family_knows",
    "urgency",
    "observed",
    "observed_since",
    "tried",
    "family_informed",
    "age_band",  # kept from the consultation the signal completes, or when the date of birth is not known
)


# --- the clock ------------------------------------------------------------------------------------------


def patron_day_of(institution):
    """The local holiday of the office that answers: its own, or the comune's of the same town."""
    if institution.patron_day:
        return institution.patron_day
    comune = (
        Institution.objects.filter(district_id=institution.district_id, kind="comune", town=institution.town)
        .exclude(patron_day="")
        .values_list("patron_day", flat=True)
        .first()
    )
    return comune or ""


def procedure_for(district, kind, day=None):
    """The district's procedure governing this kind of request, approved by ``day``: its working days."""
    day = day or timezone.localdate()
    return (
        Procedure.objects.filter(pact__district=district, request_kind=kind, approved_on__lte=day)
        .exclude(response_working_days=None)
        .order_by("-approved_on", "-pk")
        .first()
    )


def _start_clock(request):
    procedure = procedure_for(request.district, request.kind)
    request.procedure = procedure
    request.working_days = (
        procedure.response_working_days if procedure else settings.PATTO_DEFAULT_RESPONSE_WORKING_DAYS
    )
    request.due_on = add_working_days(
        timezone.localdate(request.sent_at), request.working_days, patron_day_of(request.receiver)
    )


def _stop_clock(request):
    """At the answer: the working days it took, pauses left out."""
    return response_working_days(
        timezone.localdate(request.sent_at), timezone.localdate(), request.pauses.all(), patron_day_of(request.receiver)
    )


# --- helpers --------------------------------------------------------------------------------------------


def _number(district, kind):
    start = f"{district.reference_prefix}-{NUMBER_CODES[kind]}-{timezone.localdate().year}-"
    last = Request.objects.filter(number__startswith=start).order_by("-number").values_list("number", flat=True).first()
    return f"{start}{int(last.removeprefix(start)) + 1 if last else 1:04d}"


def _save_new(request):
    """Start the clock and save the request under the district's next number."""
    _start_clock(request)
    request.full_clean(exclude=["number", "due_on", "working_days"])
    for _attempt in range(5):  # two requests in the same second: the number is unique, take the next
        request.number = _number(request.district, request.kind)
        try:
            with transaction.atomic():
                request.save()
            return request
        except IntegrityError:
            continue
    raise ValidationError(_("Could not give the request a number. Try again."))


def _url(request):
    return reverse("referrals:detail", args=[request.pk])


def _reference(request):
    if request.path_id:
        return f"{request.number} · {request.path.family.reference}"
    return request.number


def _people_at_receiver(request, roles):
    from django.contrib.auth import get_user_model

    members = Membership.objects.current().filter(institution=request.receiver, role__in=roles)
    return list(get_user_model().objects.filter(pk__in=members.values("user")))


def _intake_people(request):
    return _people_at_receiver(request, INTAKE_ROLES[request.kind])


def _heads(request):
    return _people_at_receiver(request, HEAD_ROLES)


def _sender_membership(actor):
    membership = actor.acting_membership
    if membership is None or membership.role not in SENDER_ROLES or not in_standing(membership.institution):
        raise PermissionDenied
    return membership


def _message(request, actor, text, *, from_sender=False, to_sender=False, event=""):
    institution = request.sender_institution if from_sender else request.receiver
    return RequestMessage.objects.create(
        request=request,
        author=actor,
        author_institution=institution,
        from_sender=from_sender,
        to_sender=to_sender,
        text=text,
        event=event,
    )


def _subjects(request):
    """The people concerned, for the trail: the family's members once there is a path."""
    if request.path_id:
        return list(request.path.family.members.all())
    return []


def _audit(actor, request, action, changes=None, purpose=""):
    record_event(actor=actor, action=action, obj=request, subjects=_subjects(request), changes=changes, purpose=purpose)


def check_anonymous(data):
    """An anonymous consultation names nobody: refuse what looks like a codice fiscale or a full date,
    saying why, in the field that carries it."""
    errors = {}
    for field in CONSULTATION_TEXT:
        value = data.get(field) or ""
        if FISCAL_CODE_LIKE.search(re.sub(r"[\s.-]+", "", value)):  # also written with spaces
            errors[field] = _(
                "This looks like a codice fiscale. An anonymous consultation must not identify the child: "
                "remove it (if the child should be named, send a signal instead)."
            )
        elif DATE_LIKE.search(value):
            errors[field] = _(
                "This looks like a date (of birth?). An anonymous consultation must not identify the child: "
                'write the age band instead, or "since October" for when things started.'
            )
    if errors:
        raise ValidationError(errors)


def social_services(district):
    """Where consultations and signals go: the comuni (and the Ambito's office) of the district, in standing."""
    from patto.governance.queries import institutions_in_standing

    return institutions_in_standing().filter(district=district, kind__in=SOCIAL_SERVICE_KINDS).order_by("kind", "name")


# --- sending --------------------------------------------------------------------------------------------


def _check_social_service(institution, district_id, field, message):
    """Consultations, signals and transfers go to the social service of a comune (or the Ambito) of the
    district, whose institution is in standing."""
    if institution.kind not in SOCIAL_SERVICE_KINDS or institution.district_id != district_id:
        raise ValidationError({field: message})
    if not in_standing(institution):
        raise ValidationError({field: _("This service has no adhesion to the pact in force.")})


@transaction.atomic
def send_consultation(*, actor, receiver, age_band, observed, observed_since="", tried="", family_informed=""):
    """A school, nido or health professional asks the social service about a situation, naming nobody."""
    membership = _sender_membership(actor)
    _check_social_service(
        receiver,
        membership.institution.district_id,
        "receiver",
        _("Choose the social service of a comune of your district."),
    )
    check_anonymous({"observed": observed, "observed_since": observed_since, "tried": tried})
    request = Request(
        district_id=membership.institution.district_id,
        kind=Kind.CONSULTATION,
        sender=actor,
        sender_institution=membership.institution,
        sender_role=membership.role,
        receiver=receiver,
        age_band=age_band,
        observed=observed,
        observed_since=observed_since,
        tried=tried,
        family_informed=family_informed,
        sent_at=timezone.now(),
    )
    _save_new(request)
    _audit(actor, request, "referrals.request.sent", {"kind": [None, request.kind], "receiver": [None, str(receiver)]})
    notify(
        recipients=_intake_people(request),
        kind=Notice.REQUEST_RECEIVED,
        url=_url(request),
        reference=request.number,
        exclude=actor,
    )
    return request


@transaction.atomic
def send_signal(*, actor, data, uploads=(), from_request=None):
    """A named child signalled to the social service of the child's comune of residence. ``from_request``:
    the consultation it continues (answered "this should become a signal"), which the sender sent."""
    membership = _sender_membership(actor)
    district_id = membership.institution.district_id
    comune = data.get("comune")
    if comune is None or comune.kind != "comune" or comune.district_id != district_id:
        raise ValidationError({"comune": _("Choose the child's comune of residence among the district's comuni.")})
    if not in_standing(comune):
        raise ValidationError(
            {"comune": _("This comune has no adhesion to the pact in force: send the signal by the usual channels.")}
        )
    if from_request is not None and not (
        from_request.kind == Kind.CONSULTATION
        and from_request.outcome == Out.BECOME_SIGNAL
        and from_request.sender_id == actor.pk
        and not from_request.followed_by.exists()
    ):
        raise ValidationError(_("This consultation cannot become a signal (already done, or not answered so)."))
    school = data.get("school")
    site = data.get("school_site")
    if school is not None and (
        school.district_id != district_id or school.kind not in ("school", "educational_service")
    ):
        raise ValidationError({"school": _("Choose a school or educational service of the district.")})
    if site is not None and (school is None or site.institution_id != school.pk):
        raise ValidationError({"school_site": _("This school site is not one of the chosen school's.")})
    birth = data.get("child_birth_date")
    if birth is not None and birth > timezone.localdate():
        raise ValidationError({"child_birth_date": _("The date of birth cannot be in the future.")})
    fields = {name: data[name] for name in SIGNAL_FIELDS if name in data and data[name] is not None}
    request = Request(
        district_id=district_id,
        kind=Kind.SIGNAL,
        sender=actor,
        sender_institution=membership.institution,
        sender_role=membership.role,
        receiver=comune,
        from_request=from_request,
        sent_at=timezone.now(),
        **fields,
    )
    _save_new(request)
    for upload in uploads:
        request.attachments.add(store_attachment(actor=actor, upload=upload, scope=f"referrals.request:{request.pk}"))
    _audit(
        actor,
        request,
        "referrals.request.sent",
        {"kind": [None, request.kind], "receiver": [None, str(comune)], "urgency": [None, request.urgency]},
    )
    notify(
        recipients=_intake_people(request),
        kind=Notice.REQUEST_RECEIVED,
        url=_url(request),
        reference=request.number,
        exclude=actor,
    )
    return request


def _case_manager_seat(actor, path):
    return (
        TeamMember.objects.filter(path=path, user=actor, team_role=TeamMember.TeamRole.CASE_MANAGER, ended_at=None)
        .select_related("institution")
        .first()
    )


@transaction.atomic
def request_professional(*, actor, path, receiver, team_role, text):
    """The case manager asks another institution (the AUSL, a cooperative, a school) for a professional."""
    seat = _case_manager_seat(actor, path)
    if seat is None or not path.is_open:
        raise PermissionDenied
    if receiver.district_id != path.family.district_id or not in_standing(receiver):
        raise ValidationError({"receiver": _("This institution has no adhesion to the pact in force.")})
    if team_role in (TeamMember.TeamRole.CASE_MANAGER, "") or team_role not in TeamMember.TeamRole.values:
        raise ValidationError({"team_role": _("Choose the role the professional will have in the team.")})
    from patto.accounts.roles import ROLE_KINDS

    if not any(receiver.kind in ROLE_KINDS[role] for role in TEAM_ROLE_FIT[team_role]):
        raise ValidationError(
            {
                "team_role": _("%(institution)s has no professionals for this role in the team.")
                % {"institution": receiver}
            }
        )
    cases._check_consent(path, receiver, "receiver")
    request = Request(
        district_id=path.family.district_id,
        kind=Kind.PROFESSIONAL,
        sender=actor,
        sender_institution=seat.institution,
        sender_role=Role.SOCIAL_WORKER,
        receiver=receiver,
        path=path,
        team_role=team_role,
        text=text,
        sent_at=timezone.now(),
    )
    _save_new(request)
    cases._event(path, actor, "request.professional", role=team_role, institution_name=str(receiver))
    _audit(actor, request, "referrals.request.sent", {"kind": [None, request.kind], "team_role": [None, team_role]})
    notify(
        recipients=_heads(request),
        kind=Notice.REQUEST_RECEIVED,
        url=_url(request),
        reference=_reference(request),
        exclude=actor,
    )
    return request


@transaction.atomic
def request_transfer(*, actor, path, receiver, text):
    """The case manager asks another comune's social service (the family moved), or a colleague's, to take
    the path over."""
    seat = _case_manager_seat(actor, path)
    if seat is None or not path.is_open:
        raise PermissionDenied
    _check_social_service(
        receiver, path.family.district_id, "receiver", _("Choose the social service of a comune of the district.")
    )
    if Request.objects.filter(
        path=path, kind=Kind.TRANSFER, status__in=(S.SENT, S.ASSIGNED, S.WAITING_SENDER)
    ).exists():
        raise ValidationError(_("A transfer of this path is already waiting for an answer."))
    request = Request(
        district_id=path.family.district_id,
        kind=Kind.TRANSFER,
        sender=actor,
        sender_institution=seat.institution,
        sender_role=Role.SOCIAL_WORKER,
        receiver=receiver,
        path=path,
        team_role=TeamMember.TeamRole.CASE_MANAGER,
        text=text,
        sent_at=timezone.now(),
    )
    _save_new(request)
    cases._event(path, actor, "request.transfer", institution_name=str(receiver))
    _audit(actor, request, "referrals.request.sent", {"kind": [None, request.kind], "receiver": [None, str(receiver)]})
    notify(
        recipients=_intake_people(request),
        kind=Notice.REQUEST_RECEIVED,
        url=_url(request),
        reference=_reference(request),
        exclude=actor,
    )
    return request


# --- the receiving side ---------------------------------------------------------------------------------


def _require_receiver(actor, request, *, head=False):
    side = side_of(actor, request)
    if not side.receiver or (head and not side.head):
        raise PermissionDenied
    return side


def _require_handler(actor, request):
    """The person the request is assigned to, or the head of the receiving service."""
    side = _require_receiver(actor, request)
    if not (side.head or request.assignee_id == actor.pk):
        raise PermissionDenied


def _require_open(request, *statuses):
    if request.status not in (statuses or (S.SENT, S.ASSIGNED)):
        raise ValidationError(_("This request is no longer open for this: someone answered it meanwhile."))


@transaction.atomic
def assign_request(*, actor, request, version, assignee):
    """The head of the receiving service names who handles it (a social worker may take a consultation or a
    signal for themselves). For a professional or a transfer the person named must then accept."""
    side = _require_receiver(actor, request)
    if not side.head and not (assignee == actor and request.kind in (Kind.CONSULTATION, Kind.SIGNAL)):
        raise PermissionDenied
    _require_open(request)
    from .queries import assignable_people

    if not assignable_people(request).filter(user=assignee).exists():
        raise ValidationError({"assignee": _("Choose a person of the service whose role fits the request.")})
    if request.kind == Kind.PROFESSIONAL and request.path_id:
        if TeamMember.objects.filter(
            path=request.path, user=assignee, ended_at=None, team_role=request.team_role
        ).exists():
            raise ValidationError({"assignee": _("This person is already in the team with this role.")})
    changes = update_versioned(
        request, version, {"assignee": assignee, "assigned_at": timezone.now(), "status": S.ASSIGNED}
    )
    _message(request, actor, _("Assigned to %(name)s.") % {"name": assignee.get_full_name()}, event="assigned")
    _audit(actor, request, "referrals.request.assigned", {k: v for k, v in changes.items() if k != "assigned_at"})
    if assignee != actor:
        notify(recipients=[assignee], kind=Notice.REQUEST_ASSIGNED, url=_url(request), reference=_reference(request))
    return request


@transaction.atomic
def write_message(*, actor, request, text, to_sender):
    """A message in the thread: the service writes an internal note or to the sender; the sender writes
    to the service."""
    side = side_of(actor, request)
    if side.receiver:
        if not (side.head or request.assignee_id == actor.pk):
            raise PermissionDenied
        message = _message(request, actor, text, to_sender=to_sender)
        if to_sender:
            notify(
                recipients=[request.sender], kind=Notice.REQUEST_ANSWERED, url=_url(request), reference=request.number
            )
    elif side.sender and request.sender_id == actor.pk:
        if not request.is_open:
            raise ValidationError(_("This request is closed: send a new one."))
        message = _message(request, actor, text, from_sender=True)
        if request.assignee_id:
            notify(
                recipients=[request.assignee], kind=Notice.REQUEST_ANSWERED, url=_url(request), reference=request.number
            )
    else:
        raise PermissionDenied
    _audit(actor, request, "referrals.request.message", {"to_sender": [None, bool(to_sender)]})
    return message


@transaction.atomic
def ask_more_information(*, actor, request, version, text):
    """Back to the sender with a question: the clock stops until the sender answers."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind not in (Kind.CONSULTATION, Kind.SIGNAL):
        raise ValidationError(_("Ask the case manager directly: this request continues in the team."))
    changes = update_versioned(request, version, {"status": S.WAITING_SENDER, "paused_since": timezone.localdate()})
    RequestPause.objects.create(request=request, started_on=timezone.localdate())
    _message(request, actor, text, to_sender=True, event="more_information")
    _audit(actor, request, "referrals.request.information_asked", changes)
    notify(recipients=[request.sender], kind=Notice.REQUEST_ANSWERED, url=_url(request), reference=request.number)
    return request


@transaction.atomic
def provide_information(*, actor, request, version, text):
    """The sender answers the question: the clock runs again, the due date moved on by the pause."""
    if request.sender_id != actor.pk or not side_of(actor, request).sender:
        raise PermissionDenied
    _require_open(request, S.WAITING_SENDER)
    pause = request.pauses.filter(ended_on=None).first()
    today = timezone.localdate()
    patron = patron_day_of(request.receiver)
    paused = working_days_between(pause.started_on, today, patron) if pause else 0
    if pause:
        pause.ended_on = today
        pause.save(update_fields=["ended_on"])
    status = S.ASSIGNED if request.assignee_id else S.SENT
    changes = update_versioned(
        request,
        version,
        {"status": status, "paused_since": None, "due_on": add_working_days(request.due_on, paused, patron)},
    )
    _message(request, actor, text, from_sender=True, event="information_given")
    _audit(actor, request, "referrals.request.information_given", changes)
    notify(
        recipients=_handler_or_heads(request),
        kind=Notice.REQUEST_ANSWERED,
        url=_url(request),
        reference=request.number,
    )
    return request


def _close(actor, request, version, outcome, answer, **fields):
    changes = update_versioned(
        request,
        version,
        {
            "status": S.CLOSED,
            "outcome": outcome,
            "closed_at": timezone.now(),
            "response_working_days": _stop_clock(request),
            **fields,
        },
    )
    if answer:
        _message(request, actor, answer, to_sender=True, event=outcome)
    _audit(actor, request, "referrals.request.closed", {k: v for k, v in changes.items() if k != "closed_at"})
    notify(
        recipients=[request.sender],
        kind=Notice.REQUEST_ANSWERED,
        url=_url(request),
        reference=request.number,
        exclude=actor,
    )
    return request


CONSULTATION_OUTCOMES = (Out.ADVICE, Out.JOINT_MEETING, Out.BECOME_SIGNAL)


@transaction.atomic
def answer_consultation(*, actor, request, version, outcome, answer):
    """Advice to the sender, an invitation to a joint meeting, or "this should become a signal"."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind != Kind.CONSULTATION or outcome not in CONSULTATION_OUTCOMES:
        raise ValidationError({"outcome": _("Choose one of the answers to a consultation.")})
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer the sender will read.")})
    return _close(actor, request, version, outcome, answer)


@transaction.atomic
def close_no_intervention(*, actor, request, version, answer):
    """A signal that needs no intervention: closed with advice back to the sender."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind != Kind.SIGNAL:
        raise ValidationError(_("Only a signal is closed this way."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the advice the sender will read.")})
    return _close(actor, request, version, Out.NO_INTERVENTION, answer)


@transaction.atomic
def forward_signal(*, actor, request, version, to, answer):
    """Sent to another service: closed here, and a new signal to that service with the same content."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind != Kind.SIGNAL:
        raise ValidationError(_("Only a signal is sent on to another service."))
    another = _("Choose the social service of another comune of the district.")
    if to.pk == request.receiver_id:
        raise ValidationError({"to": another})
    _check_social_service(to, request.district_id, "to", another)
    _close(actor, request, version, Out.SENT_ON, answer)
    copy = Request(
        district_id=request.district_id,
        kind=Kind.SIGNAL,
        sender=request.sender,
        sender_institution=request.sender_institution,
        sender_role=request.sender_role,
        receiver=to,
        from_request=request,
        sent_at=timezone.now(),
        **{name: getattr(request, name) for name in SIGNAL_FIELDS},
    )
    _save_new(copy)
    copy.attachments.set(request.attachments.all())
    _audit(actor, copy, "referrals.request.forwarded", {"from": [None, request.number], "receiver": [None, str(to)]})
    notify(
        recipients=_intake_people(copy),
        kind=Notice.REQUEST_RECEIVED,
        url=_url(copy),
        reference=copy.number,
        exclude=actor,
    )
    return copy


def child_data(request):
    """The child as the signal knows them, in the shape ``cases.open_path`` takes."""
    data = {
        "first_name": request.child_first_name,
        "last_name": request.child_last_name,
        "birth_date": request.child_birth_date,
        "sex": request.child_sex,
    }
    if request.comune_id:  # the comune of residence as data: the Comune of the same ISTAT code, else its name
        comune = Comune.objects.filter(
            district_id=request.district_id, istat_code=request.comune.istat_code, is_active=True
        ).first()
        if comune is not None and request.comune.istat_code:
            data["comune"] = comune
        else:
            data["town"] = request.comune.short_name or request.comune.name
    if request.school_id:
        data["school"] = request.school
    if request.school_site_id:
        data["school_site"] = request.school_site
    return data


def signal_summary(request):
    parts = [request.observed]
    if request.family_knows:
        parts.append(_("What the family knows: %(text)s") % {"text": request.family_knows})
    if request.parents:
        parts.append(_("Parents: %(text)s") % {"text": request.parents})
    return "\n\n".join(part for part in parts if part)[:4000]


def take_in_charge(
    *, actor, request, version, cohort=None, legal_basis=Path.LegalBasis.PUBLIC_INTEREST, existing_path=None, answer=""
):
    """The social service takes the signal in charge: a new path in pre-assessment with the actor as case
    manager (the duplicate check first: a child already known is linked to the family's existing path,
    if the actor may see it), or the existing path. The sender reads "taken in charge on … by …"."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind != Kind.SIGNAL:
        raise ValidationError(_("Only a signal is taken in charge."))
    if (
        not request.child_first_name
        or not request.child_last_name
        or request.child_birth_date is None
        or not request.child_sex
    ):
        raise ValidationError(
            _("The signal lacks the child's name, sex or date of birth: ask the sender for more information first.")
        )
    with transaction.atomic():
        if existing_path is not None:
            known = cases.find_existing_person(
                district=request.district,
                first_name=request.child_first_name,
                last_name=request.child_last_name,
                birth_date=request.child_birth_date,
            )
            open_and_seen = paths_visible_to(actor).filter(pk=existing_path.pk).exclude(state=Path.State.CLOSED)
            if (
                known is None
                or known.family_id != existing_path.family_id
                or not open_and_seen.exists()
                or not access_to(actor, existing_path).team_view
            ):
                raise ValidationError(
                    {
                        "existing_path": _(
                            "A signal is linked only to the open path of the family in which the duplicate check "
                            "found this child, and only by a member of that family's team."
                        )
                    }
                )
            path = existing_path
            cases._event(path, actor, "request.linked", number=request.number)
        else:
            if cohort is None:
                raise ValidationError({"cohort": _("Choose the cohort the path opens in.")})
            path = cases.open_path(
                actor=actor,
                child=child_data(request),
                service=request.receiver,
                cohort=cohort,
                signal_source=request.sender_institution,
                # Who signalled, from the kind of the sender's institution (a health professional's signal counts
                # as the AUSL's: the case manager corrects it on the path when it was the paediatrician).
                signal_channel=channel_of(request.sender_institution),
                signal_date=timezone.localdate(request.sent_at),
                signal_summary=signal_summary(request),
                legal_basis=legal_basis,
            )
            path = cases.advance_path(actor=actor, path=path, version=path.version)
        # The signal's attachments stay with the request; the team reads them there.
        answer = answer or _("Taken in charge by the social service.")
        return _close(actor, request, version, Out.TAKEN_IN_CHARGE, answer, path=path)


@transaction.atomic
def accept_assignment(*, actor, request, version):
    """The named person accepts: a professional's seat in the team exists from today; for a transfer the
    case manager's seat moves to them (the previous case manager's seat ends, history kept)."""
    if request.assignee_id != actor.pk or not side_of(actor, request).receiver:
        raise PermissionDenied
    _require_open(request, S.ASSIGNED)
    path = request.path
    if not path.is_open:
        raise ValidationError(_("The path was closed meanwhile."))
    today = timezone.localdate()
    if request.kind == Kind.PROFESSIONAL:
        cases._check_seat(path, actor, request.receiver, request.team_role)
        member = TeamMember(
            path=path, user=actor, institution=request.receiver, team_role=request.team_role, valid_from=today
        )
        member.full_clean()
        member.save()
        cases._event(path, actor, "team.added", name=actor.get_full_name(), role=request.team_role)
        record_event(
            actor=actor,
            action="cases.team.added",
            obj=member,
            subjects=[actor],
            changes={
                "path": [None, str(path.pk)],
                "team_role": [None, request.team_role],
                "request": [None, request.number],
            },
        )
    elif request.kind == Kind.TRANSFER:
        if (
            not Membership.objects.current()
            .filter(user=actor, institution=request.receiver, role=Role.SOCIAL_WORKER)
            .exists()
        ):
            raise ValidationError(_("Only a social worker of the receiving service becomes the case manager."))
        previous = list(TeamMember.objects.filter(path=path, team_role=TeamMember.TeamRole.CASE_MANAGER, ended_at=None))
        for seat in previous:
            seat.ended_at = timezone.now()
            seat.valid_to = max(seat.valid_from, today)
            seat.save(update_fields=["ended_at", "valid_to"])
        TeamMember.objects.create(
            path=path,
            user=actor,
            institution=request.receiver,
            team_role=TeamMember.TeamRole.CASE_MANAGER,
            valid_from=today,
        )
        cases._event(
            path, actor, "case_manager.changed", name=actor.get_full_name(), institution_name=str(request.receiver)
        )
        # The path's requests still waiting for an answer now belong to its new case manager: the answers
        # go to them, and the previous one (who no longer sees the path) no longer follows or withdraws them.
        Request.objects.filter(path=path, status__in=(S.SENT, S.ASSIGNED, S.WAITING_SENDER)).exclude(
            pk=request.pk
        ).update(sender=actor, sender_institution=request.receiver)
        record_event(
            actor=actor,
            action="cases.case_manager.changed",
            obj=path,
            subjects=list(path.family.members.all()),
            changes={
                "case_manager": [", ".join(str(s.user) for s in previous), str(actor)],
                "request": [None, request.number],
            },
        )
    else:
        raise ValidationError(_("Nothing to accept in this request."))
    return _close(actor, request, version, Out.ACCEPTED, _("Accepted by %(name)s.") % {"name": actor.get_full_name()})


@transaction.atomic
def decline_request(*, actor, request, version, answer):
    """The receiving service cannot give the professional or take the path over, saying why."""
    _require_handler(actor, request)
    _require_open(request)
    if request.kind not in (Kind.PROFESSIONAL, Kind.TRANSFER):
        raise ValidationError(_("Consultations and signals are answered with their own outcomes."))
    if not answer.strip():
        raise ValidationError({"answer": _("Say why, for the case manager.")})
    return _close(actor, request, version, Out.DECLINED, answer)


@transaction.atomic
def withdraw_request(*, actor, request, version, reason):
    """The sender withdraws a request nobody has answered yet."""
    if request.sender_id != actor.pk or not side_of(actor, request).sender:
        raise PermissionDenied
    _require_open(request, S.SENT, S.ASSIGNED, S.WAITING_SENDER)
    changes = update_versioned(request, version, {"status": S.WITHDRAWN, "closed_at": timezone.now()})
    _message(request, actor, reason, from_sender=True, event="withdrawn")
    _audit(actor, request, "referrals.request.withdrawn", {"status": changes["status"]}, purpose=reason)
    recipients = _handler_or_heads(request)
    notify(
        recipients=recipients, kind=Notice.REQUEST_ANSWERED, url=_url(request), reference=request.number, exclude=actor
    )
    return request


# --- reminders ------------------------------------------------------------------------------------------


def _handler_or_heads(request):
    """Who should act on the request now: its handler while they still work at the receiving service, the
    heads of the service otherwise (who can assign it again), or its intake people without heads."""
    if (
        request.assignee_id
        and Membership.objects.current()
        .filter(user_id=request.assignee_id, institution_id=request.receiver_id)
        .exists()
    ):
        return [request.assignee]
    return _heads(request) or _intake_people(request)


def overdue_reminders(today):
    """Once a day per overdue request: its handler, or the receiving service's heads when nobody (or
    somebody who has left) has it."""
    from .queries import overdue

    created = 0
    for request in overdue(today=today).select_related("receiver", "assignee", "path__family"):
        recipients = _handler_or_heads(request)
        created += len(
            notify(
                recipients=recipients,
                kind=Notice.REQUEST_OVERDUE,
                url=_url(request),
                reference=_reference(request),
                dedupe_key=f"request:{request.pk}:overdue:{today.isoformat()}",
            )
        )
    return created
