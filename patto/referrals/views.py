"""The requests' screens: the sender writes a consultation or a signal and follows "my institution's
requests"; the receiving service works from its inbox and the request's page, where every action the user may
take has its form. Every page starts from ``queries.fetch_request`` / ``requests_visible_to`` (404 if not
visible, 403 if not allowed, the read logged); every change goes through one service."""

from dataclasses import dataclass
from typing import Callable

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from patto.accounts.models import SchoolSite
from patto.accounts.roles import Role
from patto.cases.models import SCHOOL_KINDS, Path, Side
from patto.cases.queries import paths_visible_to
from patto.cases.services import DuplicatePerson
from patto.core.exceptions import ConflictError
from patto.core.forms import add_service_errors, rebase_after_conflict
from patto.core.idempotency import once_per_form
from patto.documents.responses import attachment_response

from . import forms, services
from .models import Kind, Request
from .queries import (
    assignable_people,
    case_manager_of,
    fetch_request,
    inbox_counts,
    inbox_of,
    log_request_read,
    messages_for,
    open_inbox_page,
    people_concerned,
    read_request_page,
    sent_by_institution_of,
    side_of,
)

S = Request.Status
RUNNING = (S.SENT, S.ASSIGNED)  # the statuses in which the service answers (not waiting for the sender)


# --- lists ----------------------------------------------------------------------------------------------


def inbox(request):
    """Requests addressed to the user's services: open ones by due date (or, with ``?stato=risposte``, the
    answered ones, latest first), with the counts of those due soon and overdue."""
    if not request.user.has_perm("referrals.view_inbox"):
        raise PermissionDenied
    answered = request.GET.get("stato") == "risposte"
    if answered:
        requests = inbox_of(request.user, status="closed")
        page = Paginator(requests, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = open_inbox_page(request.user, request.GET.get("page"))
    today = timezone.localdate()
    with transaction.atomic():  # the read is logged and the page rendered together (fail closed)
        read_request_page(request.user, page, "referrals.inbox.viewed")
        for item in page:
            item.overdue = item.is_overdue(today)
        context = {"page": page, "answered": answered, "counts": inbox_counts(request.user, today)}
        return render(request, "referrals/inbox.html", context)


def sent(request):
    """ "My institution's requests": what the user sent (a head: what the institution sent), latest first,
    with the status, the dates, the contact person at the service and the answer."""
    if not request.user.has_perm("referrals.view_sent"):
        raise PermissionDenied
    page = Paginator(sent_by_institution_of(request.user), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    with transaction.atomic():
        read_request_page(request.user, page, "referrals.sent.viewed")
        context = {"page": page, "can_send": request.user.has_perm("referrals.send_request")}
        return render(request, "referrals/sent.html", context)


# --- sending --------------------------------------------------------------------------------------------


def _district_of_sender(request):
    if not request.user.has_perm("referrals.send_request"):
        raise PermissionDenied
    return request.user.acting_institution.district


@once_per_form
def consultation_create(request):
    form = forms.ConsultationForm(request.POST or None, district=_district_of_sender(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.send_consultation(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Consultation %(number)s sent: the social service answers by %(date)s.")
                % {"number": item.number, "date": _short(item.due_on)},
            )
            return redirect("referrals:detail", pk=item.pk)
    return render(request, "referrals/consultation_create.html", {"form": form})


def _consultation_to_complete(request):
    """The consultation named by ``?da=``, answered "this should become a signal" to this user, not yet
    completed: its text is carried into the signal, not typed again."""
    number = request.GET.get("da", "")
    if not number:
        return None
    if not number.isdigit():
        raise Http404
    consultation = fetch_request(request.user, int(number), log=False)  # anonymous: names nobody
    if not (
        consultation.kind == Kind.CONSULTATION
        and consultation.outcome == Request.Outcome.BECOME_SIGNAL
        and consultation.sender_id == request.user.pk
        and not consultation.followed_by.exists()
    ):
        raise PermissionDenied
    return consultation


def _signal_initial(request, consultation):
    institution = request.user.acting_institution
    initial = {"school": institution.pk} if institution.kind in SCHOOL_KINDS else {}
    if consultation is not None:
        initial.update(
            {
                name: getattr(consultation, name)
                for name in ("observed", "observed_since", "tried", "family_informed", "age_band")
            }
        )
        if consultation.receiver.kind == "comune":
            initial["comune"] = consultation.receiver_id
    return initial


@once_per_form
def signal_create(request):
    district = _district_of_sender(request)
    consultation = _consultation_to_complete(request)
    form = forms.SignalForm(
        request.POST or None,
        request.FILES or None,
        district=district,
        initial=_signal_initial(request, consultation),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("attachment")
        try:
            item = services.send_signal(
                actor=request.user,
                data=form.signal_data(),
                uploads=[upload] if upload else [],
                from_request=consultation,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Signal %(number)s sent to the social service of %(comune)s: it answers by %(date)s.")
                % {"number": item.number, "comune": item.receiver, "date": _short(item.due_on)},
            )
            return redirect("referrals:detail", pk=item.pk)
    return render(request, "referrals/signal_create.html", {"form": form, "consultation": consultation})


@require_GET
def school_sites(request):
    """The sites (plessi) of the school chosen in the signal's form, as options (htmx): reference data of
    the sender's own district."""
    district = _district_of_sender(request)
    chosen = request.GET.get("school", "")
    sites = SchoolSite.objects.none()
    if chosen:
        if not chosen.isdigit():
            raise Http404
        sites = SchoolSite.objects.filter(institution_id=chosen, institution__district=district).order_by("name")
    return render(request, "referrals/_site_options.html", {"sites": sites})


# --- one request ----------------------------------------------------------------------------------------


def detail(request, pk):
    item = fetch_request(request.user, pk)
    return _render_detail(request, item)


def attachment(request, pk, attachment_id):
    """A file sent with a request: for whoever may open the request, the download logged."""
    item = fetch_request(request.user, pk, log=False)
    document = item.attachments.filter(pk=attachment_id).first()
    if document is None:
        raise Http404
    return attachment_response(
        request,
        document,
        filename=f"allegato-{item.number}",
        action="referrals.attachment.downloaded",
        obj=item,
        subjects=people_concerned([item]),
    )


@dataclass(frozen=True)
class Action:
    """One thing a user may do to a request from its page: the permission, the kinds of request it fits,
    the statuses in which its form is offered, the form, the service call and what to say when done."""

    perm: str
    kinds: tuple
    statuses: tuple
    form: Callable
    call: Callable
    done: str


def _versioned(form_class):
    def make(request, item, data=None):
        return form_class(data, initial={"version": item.version})

    return make


def _assign_form(request, item, data=None):
    people = list(assignable_people(item))
    if side_of(request.user, item).head:
        return forms.AssignForm(data, initial={"version": item.version}, people=people)
    # A social worker takes it: the choice is themselves, one click.
    people = [membership for membership in people if membership.user_id == request.user.pk]
    form = forms.AssignForm(data, initial={"version": item.version, "assignee": request.user.pk}, people=people)
    form.fields["assignee"].widget = django_forms.HiddenInput()
    return form


def _message_form(request, item, data=None):
    if side_of(request.user, item).receiver:
        return forms.ReceiverMessageForm(data)
    return forms.MessageForm(data)


def _take_form(request, item, data=None, offer=None):
    open_paths = paths_visible_to(request.user).exclude(state=Path.State.CLOSED)
    return forms.TakeInChargeForm(data, initial={"version": item.version}, request=item, paths=open_paths, offer=offer)


def _text_form(label, help_text=""):
    def make(request, item, data=None):
        return forms.TextForm(data, initial={"version": item.version}, label=label, help_text=help_text)

    return make


def _forward_form(request, item, data=None):
    return forms.ForwardForm(data, initial={"version": item.version}, request=item)


ACTIONS = {
    "assign": Action(
        "referrals.assign_request",
        tuple(Kind),
        RUNNING,
        _assign_form,
        lambda user, item, data: services.assign_request(actor=user, request=item, **data),
        gettext_lazy("Assigned."),
    ),
    "message": Action(
        "referrals.view_request",
        tuple(Kind),
        (S.SENT, S.ASSIGNED, S.WAITING_SENDER, S.CLOSED, S.WITHDRAWN),
        _message_form,
        lambda user, item, data: services.write_message(
            actor=user, request=item, text=data["text"], to_sender=data.get("to_sender", False)
        ),
        gettext_lazy("Message saved."),
    ),
    "ask_information": Action(
        "referrals.handle_request",
        (Kind.CONSULTATION, Kind.SIGNAL),
        RUNNING,
        _text_form(
            gettext_lazy("What the service needs to know"),
            gettext_lazy("The sender reads it; the clock stops until they answer."),
        ),
        lambda user, item, data: services.ask_more_information(
            actor=user, request=item, version=data["version"], text=data["text"]
        ),
        gettext_lazy("Question sent: the clock is paused until the sender answers."),
    ),
    "provide_information": Action(
        "referrals.follow_request",
        tuple(Kind),
        (S.WAITING_SENDER,),
        _text_form(gettext_lazy("Your answer to the service")),
        lambda user, item, data: services.provide_information(
            actor=user, request=item, version=data["version"], text=data["text"]
        ),
        gettext_lazy("Answer sent to the service."),
    ),
    "answer": Action(
        "referrals.handle_request",
        (Kind.CONSULTATION,),
        RUNNING,
        _versioned(forms.ConsultationAnswerForm),
        lambda user, item, data: services.answer_consultation(
            actor=user, request=item, version=data["version"], outcome=data["outcome"], answer=data["text"]
        ),
        gettext_lazy("Answer sent: the consultation is closed."),
    ),
    "no_intervention": Action(
        "referrals.handle_request",
        (Kind.SIGNAL,),
        RUNNING,
        _text_form(gettext_lazy("Advice to the sender"), gettext_lazy("The sender reads it.")),
        lambda user, item, data: services.close_no_intervention(
            actor=user, request=item, version=data["version"], answer=data["text"]
        ),
        gettext_lazy("The signal is closed: no intervention needed."),
    ),
    "forward": Action(
        "referrals.handle_request",
        (Kind.SIGNAL,),
        RUNNING,
        _forward_form,
        lambda user, item, data: services.forward_signal(
            actor=user, request=item, version=data["version"], to=data["to"], answer=data["text"]
        ),
        gettext_lazy("The signal has been sent to the other service."),
    ),
    "take_in_charge": Action(
        "referrals.handle_request",
        (Kind.SIGNAL,),
        RUNNING,
        _take_form,
        lambda user, item, data: services.take_in_charge(
            actor=user,
            request=item,
            version=data["version"],
            cohort=data["cohort"],
            legal_basis=data["legal_basis"],
            existing_path=data["existing_path"],
            answer=data["text"],
        ),
        gettext_lazy("Taken in charge: the family's path is in pre-assessment."),
    ),
    "accept": Action(
        "referrals.accept_request",
        (Kind.PROFESSIONAL, Kind.TRANSFER),
        (S.ASSIGNED,),
        _versioned(forms.VersionedForm),
        lambda user, item, data: services.accept_assignment(actor=user, request=item, version=data["version"]),
        gettext_lazy("Accepted: you are in the family's team from today."),
    ),
    "decline": Action(
        "referrals.handle_request",
        (Kind.PROFESSIONAL, Kind.TRANSFER),
        RUNNING,
        _text_form(gettext_lazy("Why (the case manager reads it)")),
        lambda user, item, data: services.decline_request(
            actor=user, request=item, version=data["version"], answer=data["text"]
        ),
        gettext_lazy("Request declined."),
    ),
    "withdraw": Action(
        "referrals.follow_request",
        tuple(Kind),
        (S.SENT, S.ASSIGNED, S.WAITING_SENDER),
        _text_form(gettext_lazy("Why you withdraw it (the service reads it)")),
        lambda user, item, data: services.withdraw_request(
            actor=user, request=item, version=data["version"], reason=data["text"]
        ),
        gettext_lazy("Request withdrawn."),
    ),
}


def _form(name, request, item, data=None):
    """The action's form, its fields prefixed with the action's name: the page carries several."""
    form = ACTIONS[name].form(request, item, data)
    form.prefix = name
    return form


def _offered(user, item, name):
    action = ACTIONS[name]
    if item.kind not in action.kinds or item.status not in action.statuses or not user.has_perm(action.perm, item):
        return False
    if name == "take_in_charge":  # the new path's case manager: a social worker of the receiving service
        return any(
            m.institution_id == item.receiver_id and m.role == Role.SOCIAL_WORKER for m in user.current_memberships
        )
    if name == "message":  # the receiving side's handler writes at any time; the sender while it is open
        side = side_of(user, item)
        return (side.receiver and (side.head or item.assignee_id == user.pk)) or (
            item.sender_id == user.pk and side.sender and item.is_open
        )
    return True


@require_POST
@once_per_form  # a message, an answer: sent twice, saved once
def act(request, pk, action):
    """Every action of the request's page: fetch and authorise, validate, one service call, respond. A refused
    form comes back on the page with its errors and what was typed; a stale version with the 409 notice."""
    spec = ACTIONS[action]
    item = fetch_request(request.user, pk, spec.perm, log=False)
    if item.kind not in spec.kinds:
        raise PermissionDenied
    form = _form(action, request, item, request.POST)
    conflict = None
    if form.is_valid():
        try:
            spec.call(request.user, item, form.cleaned_data)
        except ConflictError as error:
            conflict = rebase_after_conflict(form, error.current)
        except DuplicatePerson as error:
            form = _offer_existing_paths(request, item, error) or form
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(spec.done))
            return redirect("referrals:detail", pk=item.pk)
    item = fetch_request(request.user, pk, log=False)  # as saved now (someone may have answered meanwhile)
    log_request_read(request.user, item)
    return _render_detail(request, item, bound=(action, form), conflict=conflict)


def _offer_existing_paths(request, item, error):
    """The child is already known: if the user may see the family's open paths, the form offers to link the
    signal to one of them instead of opening another."""
    paths = (
        paths_visible_to(request.user)
        .filter(family_id=error.existing.family_id)
        .exclude(state=Path.State.CLOSED)
        .select_related("family")
    )
    if not paths.exists():
        return None
    form = _take_form(request, item, request.POST, offer=paths)
    form.prefix = "take_in_charge"
    form.is_valid()
    return form


def _render_detail(request, item, bound=None, conflict=None):
    user = request.user
    side = side_of(user, item)
    action_forms = {name: _form(name, request, item) for name in ACTIONS if _offered(user, item, name)}
    if bound is not None:  # shown again with its errors and what was typed, even if no longer offered
        action_forms[bound[0]] = bound[1]
    concerns = []
    if item.concerns:
        names = {area.code: str(area) for area in Side.objects.filter(framework__is_current=True)}
        concerns = [names.get(code, code) for code in item.concerns]
    path_visible = bool(item.path_id) and paths_visible_to(user).filter(pk=item.path_id).exists()
    context = {
        "item": item,
        "side": side,
        "thread": list(messages_for(user, item)),
        "attachments": list(item.attachments.all()),
        "concerns": concerns,
        "overdue": item.is_overdue(),
        "referente": case_manager_of(item),
        "path_visible": path_visible,
        "followed_by": list(item.followed_by.all()) if side.receiver else [],
        "completable": (
            item.kind == Kind.CONSULTATION
            and item.outcome == Request.Outcome.BECOME_SIGNAL
            and item.sender_id == user.pk
            and not item.followed_by.exists()
        ),
        "forms": action_forms,
        "bound_form": bound[1] if bound else None,  # its errors put "Error:" in the page's title
        "conflict": conflict,
    }
    return render(request, "referrals/detail.html", context, status=409 if conflict else 200)


def _short(day):
    from django.utils.formats import date_format

    return date_format(day, "SHORT_DATE_FORMAT")
