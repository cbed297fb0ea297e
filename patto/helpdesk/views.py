"""The help desk's screens. Questions: the school asks and follows its questions; the legal office works from
the list (open ones by due date, the overdue highlighted) and the question's page. FAQs: searchable, grouped by
category. Templates: the library with revisions. Every page starts from a ``*_visible_to`` queryset (404 if not
visible, 403 if not allowed, the read logged); every change goes through one service."""

from dataclasses import dataclass
from typing import Callable

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

from patto.audit.services import record_access
from patto.core.exceptions import ConflictError
from patto.core.forms import add_service_errors, rebase_after_conflict, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for
from patto.documents.responses import attachment_response

from . import forms, services
from .models import Category, Faq, Question
from .queries import (
    faqs_visible_to,
    fetch_question,
    is_legal_office,
    log_question_read,
    manager_districts,
    memberships_in_standing,
    office_counts,
    office_people,
    questions_for_list,
    search_faqs,
    side_of,
    templates_visible_to,
    thread_of,
)

S = Question.Status


def _page(request, queryset):
    return Paginator(queryset, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))


# --- questions ------------------------------------------------------------------------------------------


@require_GET
def questions(request):
    """The legal office: its open questions by due date, the overdue ones highlighted (``?stato=risposte``: the
    answered ones). A school: the questions it asked (a head: the institution's)."""
    if not request.user.has_perm("helpdesk.view_questions"):
        raise PermissionDenied
    answered = request.GET.get("stato") == "risposte"
    page = _page(request, questions_for_list(request.user, answered=answered))
    today = timezone.localdate()
    with transaction.atomic():  # the read is logged and the page rendered together (fail closed)
        if page.object_list:
            record_access(actor=request.user, action="helpdesk.questions.viewed")
        for item in page:
            item.overdue = item.is_overdue(today)
        is_office = any(is_legal_office(m) for m in memberships_in_standing(request.user))
        context = {
            "page": page,
            "answered": answered,
            "counts": office_counts(request.user, today) if is_office else None,
            "can_ask": request.user.has_perm("helpdesk.ask_question"),
        }
        return render(request, "helpdesk/questions.html", context)


@once_per_form
def ask(request):
    if not request.user.has_perm("helpdesk.ask_question"):
        raise PermissionDenied
    acting = request.user.acting_institution
    offices = services.legal_offices_for(acting.district_id) if acting is not None else []
    form = forms.QuestionForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.ask_question(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Question %(number)s sent to the legal office: it answers by %(date)s.")
                % {"number": item.number, "date": _short(item.due_on)},
            )
            return redirect("helpdesk:question", pk=item.pk)
    return render(request, "helpdesk/ask.html", {"form": form})


@require_GET
def question(request, pk):
    item = fetch_question(request.user, pk)
    return _render_question(request, item)


@dataclass(frozen=True)
class Action:
    perm: str
    form: Callable
    call: Callable
    done: str


def _assign_form(request, item, data=None):
    return forms.AssignForm(data, initial={"version": item.version}, people=list(office_people(item)))


def _text_form(label, help_text=""):
    def make(request, item, data=None):
        return forms.TextForm(data, initial={"version": item.version}, label=label, help_text=help_text)

    return make


def _answer_form(request, item, data=None):
    return forms.AnswerForm(data, initial={"version": item.version})


def _close_form(request, item, data=None):
    return forms.VersionedForm(data, initial={"version": item.version})


ACTIONS = {
    "assign": Action(
        "helpdesk.assign_question",
        _assign_form,
        lambda user, item, data: services.assign_question(
            actor=user, question=item, version=data["version"], assignee=data["assignee"]
        ),
        gettext_lazy("Assigned."),
    ),
    "ask_clarification": Action(
        "helpdesk.handle_question",
        _text_form(
            gettext_lazy("What the legal office needs to know"),
            gettext_lazy("The school reads it; the clock stops until it answers."),
        ),
        lambda user, item, data: services.ask_clarification(
            actor=user, question=item, version=data["version"], text=data["text"]
        ),
        gettext_lazy("Clarification asked: the clock is paused until the school answers."),
    ),
    "answer": Action(
        "helpdesk.handle_question",
        _answer_form,
        lambda user, item, data: services.answer_question(
            actor=user, question=item, version=data["version"], answer=data["answer"]
        ),
        gettext_lazy("Answer sent to the school."),
    ),
    "give_clarification": Action(
        "helpdesk.clarify_question",
        _text_form(gettext_lazy("Your clarification"), forms.NO_DATA_HELP),
        lambda user, item, data: services.give_clarification(
            actor=user, question=item, version=data["version"], text=data["text"]
        ),
        gettext_lazy("Clarification sent to the legal office."),
    ),
    "close": Action(
        "helpdesk.close_question",
        _close_form,
        lambda user, item, data: services.close_question(actor=user, question=item, version=data["version"]),
        gettext_lazy("Question closed."),
    ),
}


def _form(name, request, item, data=None):
    form = ACTIONS[name].form(request, item, data)
    form.prefix = name
    return form


@require_POST
@once_per_form
def act(request, pk, action):
    """Every action of the question's page: fetch and authorise, validate, one service call, respond."""
    spec = ACTIONS[action]
    item = fetch_question(request.user, pk, spec.perm, log=False)
    form = _form(action, request, item, request.POST)
    conflict = None
    if form.is_valid():
        try:
            spec.call(request.user, item, form.cleaned_data)
        except ConflictError as error:
            conflict = rebase_after_conflict(form, error.current)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(spec.done))
            return redirect("helpdesk:question", pk=item.pk)
    item = fetch_question(request.user, pk, log=False)
    log_question_read(request.user, item)
    return _render_question(request, item, bound=(action, form), conflict=conflict)


def _render_question(request, item, bound=None, conflict=None):
    user = request.user
    asking, office = side_of(user, item)
    action_forms = {
        name: _form(name, request, item) for name, spec in ACTIONS.items() if user.has_perm(spec.perm, item)
    }
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    faq = Faq.objects.filter(source_question=item).first()
    context = {
        "item": item,
        "asking": asking,
        "office": office,
        "thread": list(thread_of(item)),
        "overdue": item.is_overdue(),
        "forms": action_forms,
        "bound_form": bound[1] if bound else None,
        "conflict": conflict,
        "faq": faq,
        "can_publish": user.has_perm("helpdesk.publish_faq", item),
    }
    return render(request, "helpdesk/question.html", context, status=409 if conflict else 200)


@once_per_form
def publish(request, pk):
    """The answer, edited, published as an FAQ for every school of the district."""
    item = fetch_question(request.user, pk, "helpdesk.publish_faq")
    initial = {"category": item.category, "question": item.text, "answer": item.answer}
    form = forms.FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            faq = services.publish_faq(actor=request.user, source_question=item, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Published as an FAQ for every school and educational service of the district.")
            )
            return redirect("helpdesk:faq", pk=faq.pk)
    return render(request, "helpdesk/publish.html", {"form": form, "item": item})


# --- FAQs -----------------------------------------------------------------------------------------------


@require_GET
def faqs(request):
    """The FAQs, grouped by category; search by words and by category."""
    if not request.user.has_perm("helpdesk.view_faqs"):
        raise PermissionDenied
    search = forms.FaqSearchForm(request.GET or None)
    words, category = "", ""
    if search.is_valid():
        words, category = search.cleaned_data["q"], search.cleaned_data["categoria"]
    found = search_faqs(faqs_visible_to(request.user), words, category).order_by("category", "-published_at", "pk")
    page = _page(request, found)
    labels = dict(Category.choices)
    for faq in page:
        faq.category_label = labels.get(faq.category, faq.category)
    context = {"page": page, "search": search, "searching": bool(words or category)}
    return render(request, "helpdesk/faqs.html", context)


def faq(request, pk):
    """An FAQ; the legal office edits it, withdraws it or publishes it again."""
    perm = "helpdesk.change_faq" if request.method == "POST" else "helpdesk.view_faqs"
    item = get_object_for(request.user, perm, faqs_visible_to(request.user).select_related("source_question"), pk=pk)
    form = _faq_form(request, item, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, conflict = run_service(
            form,
            lambda: services.update_faq(
                actor=request.user,
                faq=item,
                version=data["version"],
                category=data["category"],
                question=data["question"],
                answer=data["answer"],
            ),
        )
        if saved:
            messages.success(request, _("FAQ saved."))
            return redirect("helpdesk:faq", pk=item.pk)
    return _render_faq(request, item, form, conflict)


def _faq_form(request, item, data=None):
    if not request.user.has_perm("helpdesk.change_faq", item):
        return None
    initial = {"category": item.category, "question": item.question, "answer": item.answer, "version": item.version}
    return forms.FaqEditForm(data, initial=initial)


def _render_faq(request, item, form, conflict=None, publication_conflict=False):
    context = {
        "item": item,
        "form": form,
        "conflict": conflict,
        "publication_conflict": publication_conflict,
        "revisions": list(item.revisions.select_related("author")) if form is not None else [],
    }
    return render(request, "helpdesk/faq.html", context, status=409 if conflict or publication_conflict else 200)


@require_POST
def faq_publication(request, pk):
    """Withdraw or publish again, for the version the page showed: a version missing, unreadable or older than
    the saved one is a conflict (409, nothing changed, the page as it is now), never "the current one"."""
    item = get_object_for(request.user, "helpdesk.change_faq", faqs_visible_to(request.user), pk=pk)
    publish_again = request.POST.get("publish") == "1"
    version = request.POST.get("version", "")
    try:
        if not version.isdigit():
            raise ConflictError(current=item)
        services.set_faq_published(actor=request.user, faq=item, version=int(version), published=publish_again)
    except ConflictError as error:
        item = error.current or item
        return _render_faq(request, item, _faq_form(request, item), publication_conflict=True)
    messages.success(
        request, _("FAQ published again.") if publish_again else _("FAQ withdrawn: the schools no longer read it.")
    )
    return redirect("helpdesk:faq", pk=item.pk)


# --- templates ------------------------------------------------------------------------------------------


@require_GET
def templates(request):
    if not request.user.has_perm("helpdesk.view_templates"):
        raise PermissionDenied
    page = _page(
        request, templates_visible_to(request.user).select_related("owner", "file").order_by("kind", "title", "pk")
    )
    context = {"page": page, "can_add": request.user.has_perm("helpdesk.add_template")}
    return render(request, "helpdesk/templates.html", context)


def _managed_district(request):
    if not request.user.has_perm("helpdesk.add_template"):
        raise PermissionDenied
    districts = manager_districts(request.user)
    acting = request.user.acting_institution
    if acting is not None and acting.district_id in districts:
        return acting.district
    from patto.accounts.models import District

    return District.objects.get(pk=min(districts))


@once_per_form
def template_add(request):
    district = _managed_district(request)
    form = forms.TemplateForm(request.POST or None, request.FILES or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_template(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Template added to the library."))
            return redirect("helpdesk:template", pk=item.pk)
    return render(request, "helpdesk/template_add.html", {"form": form})


def template(request, pk):
    """A template with its earlier revisions; the legal office and the coordinator revise it."""
    perm = "helpdesk.change_template" if request.method == "POST" else "helpdesk.view_templates"
    item = get_object_for(
        request.user, perm, templates_visible_to(request.user).select_related("owner", "file", "district"), pk=pk
    )
    form = None
    conflict = None
    if request.user.has_perm("helpdesk.change_template", item):
        initial = {
            "title": item.title,
            "kind": item.kind,
            "description": item.description,
            "owner": item.owner_id,
            "approved_on": item.approved_on,
            "review_on": item.review_on,
            "version": item.version,
        }
        form = forms.TemplateReviseForm(
            request.POST or None, request.FILES or None, initial=initial, district=item.district
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            version, upload = data.pop("version"), data.pop("upload")
            saved, conflict = run_service(
                form,
                lambda: services.revise_template(
                    actor=request.user, template=item, version=version, upload=upload, **data
                ),
            )
            if saved:
                messages.success(request, _("Template saved."))
                return redirect("helpdesk:template", pk=item.pk)
    context = {
        "item": item,
        "revisions": list(item.revisions.select_related("file", "replaced_by")),
        "form": form,
        "conflict": conflict,
    }
    return render(request, "helpdesk/template.html", context, status=409 if conflict else 200)


@require_GET
def template_file(request, pk):
    """The template's file (``?revisione=N``: an earlier revision's), the download logged."""
    item = get_object_for(request.user, "helpdesk.view_templates", templates_visible_to(request.user), pk=pk)
    attachment, revision = item.file, item.revision
    wanted = request.GET.get("revisione", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        earlier = item.revisions.filter(revision=int(wanted)).select_related("file").first()
        if earlier is None:
            raise Http404
        attachment, revision = earlier.file, earlier.revision
    return attachment_response(
        request,
        attachment,
        filename=f"modello-{item.pk}-rev{revision}",
        action="helpdesk.template.downloaded",
        obj=item,
    )


def _short(day):
    from django.utils.formats import date_format

    return date_format(day, "SHORT_DATE_FORMAT")
