from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.accounts.models import Institution
from patto.accounts.stepup import require_recent_password
from patto.core.exceptions import ConflictError, TransitionError
from patto.core.exports import pdf_response
from patto.core.forms import add_service_errors, rebase_after_conflict, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for, is_htmx
from patto.documents.responses import attachment_response

from . import forms, services
from .models import NEXT_STATE, SCHOOL_KINDS, Agreement, Assessment, Person, PlanAction, TeamMember, TimePoint
from .queries import (
    access_to,
    comparison_chart,
    fetch_path,
    missing_areas,
    paths_visible_to,
    plan_of,
    removed_actions,
    search_people,
    seats_in_force,
    team_users,
)
from .queries import comparison as comparison_data
from .sections import sections_for, slots_for, slots_markup
from .views_sections import note_form


def path_list(request):
    """The paths the user may see, filtered (GET: phases, cohorts, the family's reference), in working order."""
    from django.db import transaction

    from .filters import PathFilterForm
    from .queries import PathListing, read_path_page

    listing = PathListing(request.user)
    form = PathFilterForm(request.GET or None, cohorts=listing.cohorts(), cohort_choices=listing.cohort_choices())
    page = listing.page(form.filters(), request.GET.get("page"))
    with transaction.atomic():  # the read is logged and the page rendered together (fail closed)
        read_path_page(request.user, page)
        return render(
            request,
            "cases/path_list.html",
            {
                "page": page,
                "form": form,
                "filtered": bool(form.filters()),
                "can_add": request.user.has_perm("cases.add_path"),
            },
        )


@once_per_form
def path_create(request):
    if not request.user.has_perm("cases.add_path"):
        raise PermissionDenied
    district = request.user.acting_institution.district
    signal = forms.SignalForm(request.POST or None, district=district, prefix="signal")
    child = forms.ChildForm(request.POST or None, district=district, prefix="child")
    if request.method == "POST" and signal.is_valid() and child.is_valid():
        data = {name: child.cleaned_data[name] for name in child.Meta.fields}
        try:
            path = services.open_path(actor=request.user, child=data, **signal.cleaned_data)
        except ValidationError as error:
            add_service_errors(child, error)
        else:
            messages.success(
                request,
                _("Path opened for family %(reference)s. You are its case manager.")
                % {"reference": path.family.reference},
            )
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/path_create.html", {"signal": signal, "child": child})


def _path_for(request, pk, perm="cases.view_path", action="cases.path.viewed"):
    """Fetch, authorise and log the read (``queries.fetch_path``): every page of a path goes through here."""
    return fetch_path(request.user, pk, perm, action=action)


def path_detail(request, pk):
    """The path, its family and the signal; every other section from its own page, loaded on demand
    (``sections``, ``views_sections``): the page keeps within its query budget (issue 13: ≤ 12)."""
    path = _path_for(request, pk)
    access = access_to(request.user, path)
    user = request.user
    members = list(path.family.members.all())  # fetched with the path, with their school and plesso
    if not access.team_view:  # a school seat: its own pupils of the family
        members = [person for person in members if person.school_id in access.schools]
    context = {
        "path": path,
        "members": members,
        "details": user.has_perm("cases.view_path_details", path),
        "can_change": user.has_perm("cases.change_path", path) and path.is_open,
        "can_reopen": user.has_perm("cases.change_path", path) and not path.is_open,
        "can_add_person": user.has_perm("cases.add_person", path),
        "next_state": NEXT_STATE.get(path.state),
        "agreement": getattr(path, "agreement", None),
        "agreement_form": forms.AgreementDocumentForm(auto_id="agreement_%s"),
        "can_attach_agreement": user.has_perm("cases.attach_agreement_document", path),
        "archive": access.archive,
        "can_view_plan": user.has_perm("cases.view_plan", path),
        "sections": sections_for(request, path, access),  # computed here (none today: each costs queries)
    }
    for column in ("main", "side"):  # the sections loaded on demand (requests, notes, …): their places
        context[f"{column}_slots"] = slots = slots_for(request, path, access, column)
        context[f"{column}_slots_html"] = slots_markup(path, slots)
    return render(request, "cases/path_detail.html", context)


def _note_form(access, path, data=None):
    return note_form(access, path, data)


def _state_change(request, pk, form_class, template, call, **form_kwargs):
    """The shared shape of the state-changing pages: confirm, validate, call the service, respond."""
    path = _path_for(request, pk, "cases.change_path")
    if form_class is forms.AgreementForm:
        form_kwargs["path"] = path
    form = form_class(request.POST or None, request.FILES or None, initial={"version": path.version}, **form_kwargs)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            call(path, data)
        except ConflictError as error:
            conflict = rebase_after_conflict(form, error.current)
        except TransitionError:
            messages.error(request, _("This step is not possible from the path's current state."))
            return redirect("cases:path_detail", pk=path.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The path is now: %(state)s.") % {"state": path.get_state_display()})
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request,
        template,
        {"path": path, "form": form, "conflict": conflict, "next_state": NEXT_STATE.get(path.state)},
        status=409 if conflict else 200,
    )


def agreement_document(request, pk):
    """The signed agreement: the team (not the school) downloads it; the case manager attaches it."""
    path = _path_for(
        request, pk, "cases.attach_agreement_document" if request.method == "POST" else "cases.view_path_details"
    )
    agreement = Agreement.objects.filter(path=path).select_related("signed_document").first()
    if agreement is None:
        raise Http404
    if request.method != "POST":
        if agreement.signed_document is None:
            raise Http404
        return attachment_response(
            request,
            agreement.signed_document,
            filename=f"adesione-famiglia-{path.pk.hex[:8]}",
            action="cases.agreement.downloaded",
            obj=path,
            subjects=list(path.family.members.all()),
        )
    form = forms.AgreementDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_agreement_document(
                actor=request.user, agreement=agreement, upload=form.cleaned_data["signed_document"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Signed agreement attached."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/agreement_document.html", {"path": path, "form": form})


def path_advance(request, pk):
    return _state_change(
        request,
        pk,
        forms.VersionedForm,
        "cases/path_advance.html",
        lambda path, data: services.advance_path(actor=request.user, path=path, **data),
    )


def path_agreement(request, pk):
    return _state_change(
        request,
        pk,
        forms.AgreementForm,
        "cases/path_agreement.html",
        lambda path, data: services.record_agreement(actor=request.user, path=path, **data),
    )


def path_close(request, pk):
    return _state_change(
        request,
        pk,
        forms.CloseForm,
        "cases/path_close.html",
        lambda path, data: services.close_path(actor=request.user, path=path, **data),
    )


def path_reopen(request, pk):
    return _state_change(
        request,
        pk,
        forms.ReopenForm,
        "cases/path_reopen.html",
        lambda path, data: services.reopen_path(actor=request.user, path=path, **data),
    )


@once_per_form
def person_add(request, pk):
    path = _path_for(request, pk, "cases.add_person")
    form = forms.PersonForm(request.POST or None, district=path.family.district)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in forms.PersonForm.Meta.fields}
        try:
            services.add_person(actor=request.user, path=path, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Person added to the family."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/person_add.html", {"path": path, "form": form})


@require_GET
def school_sites(request):
    """The sites (plessi) of the school chosen in a person's form, as options (htmx). Reference data of the
    user's own district, for those who register children: opening a path, or the family they manage."""
    if not request.user.has_perm("cases.choose_school_site"):
        raise PermissionDenied
    # The form may carry a prefix (the child's form when opening a path: "child-school").
    chosen = next((value for name, value in request.GET.items() if name == "school" or name.endswith("-school")), "")
    schools = Institution.objects.filter(
        kind__in=SCHOOL_KINDS,
        district_id__in={membership.institution.district_id for membership in request.user.current_memberships},
    )
    if not chosen:
        return render(
            request,
            "cases/_options.html",
            {"field": forms.PersonForm(district=None, initial={"school": ""})["school_site"]},
        )
    if not chosen.isdigit():
        raise Http404
    school = get_object_for(request.user, None, schools, pk=chosen)
    form = forms.PersonForm(district=school.district, initial={"school": school.pk})
    return render(request, "cases/_options.html", {"field": form["school_site"]})


@once_per_form
def team_add(request, pk):
    path = _path_for(request, pk, "cases.manage_team")
    if is_htmx(request) and request.method == "GET":  # the people whose role fits the team role chosen
        form = forms.TeamMemberForm(path=path, initial={"team_role": request.GET.get("team_role")})
        return render(request, "cases/_options.html", {"field": form["membership"]})
    form = forms.TeamMemberForm(request.POST or None, path=path)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_team_member(actor=request.user, path=path, **form.seat())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Added to the team. They can open the path now."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/team_add.html", {"path": path, "form": form})


def team_end(request, pk, member_pk):
    path = _path_for(request, pk, "cases.manage_team")
    member = get_object_for(
        request.user, None, TeamMember.objects.filter(path=path).select_related("user"), pk=member_pk
    )
    form = forms.EndTeamMemberForm(request.POST or None, initial={"version": member.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.end_team_member(actor=request.user, member=member, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Removed from the team. From now on they cannot open the path."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request,
        "cases/team_end.html",
        {"path": path, "member": member, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_POST
@once_per_form
def note_add(request, pk):
    path = _path_for(request, pk, "cases.add_note")
    form = _note_form(access_to(request.user, path), path, request.POST)
    if form.is_valid():
        try:
            services.add_note(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/note_add.html", {"path": path, "form": form})


def person_search(request):
    """Search among the people the user may see. By POST: names never travel in a URL."""
    form = forms.PersonSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = search_people(request.user, form.cleaned_data["query"])
    return render(request, "cases/person_search.html", {"form": form, "results": results})


# --- "Il Mondo del Bambino" -----------------------------------------------------------------------


def _child_of(request, path, child_pk):
    return get_object_for(request.user, None, path.family.members.filter(kind="child"), pk=child_pk)


@once_per_form
def assessment_edit(request, pk, child_pk, time_point, rater):
    path = _path_for(request, pk, "cases.assess", action="cases.assessment.viewed")
    child = _child_of(request, path, child_pk)
    if time_point not in TimePoint.values or rater not in Assessment.Rater.values:
        raise Http404
    existing = (
        Assessment.objects.filter(path=path, child=child, time_point=time_point, rater=rater)
        .select_related("framework")
        .prefetch_related("ratings")
        .first()
    )
    framework = existing.framework if existing else services.current_framework()
    initial = {"version": 0}
    if existing:
        initial = {
            "version": existing.version,
            "child_says": existing.child_says,
            "family_says": existing.family_says,
            **{
                f"sub_{r.subdimension_id}": forms.NOT_ASSESSABLE if r.value is None else str(r.value)
                for r in existing.ratings.all()
            },
        }
    form = forms.AssessmentForm(request.POST or None, framework=framework, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assessment(
                actor=request.user,
                path=path,
                child=child,
                time_point=time_point,
                rater=rater,
                values=form.values(),
                child_says=form.cleaned_data["child_says"],
                family_says=form.cleaned_data["family_says"],
                version=form.cleaned_data["version"] or None,
                complete=form.complete,
            )
        except ConflictError:
            conflict = Assessment.objects.get(path=path, child=child, time_point=time_point, rater=rater)
            rebase_after_conflict(form, conflict)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not form.complete:
                messages.success(request, _("Draft saved. It is not in the comparison until it is complete."))
                return redirect("cases:path_detail", pk=path.pk)
            messages.success(request, _("Assessment saved."))
            return redirect("cases:comparison", pk=path.pk, child_pk=child.pk)
    context = {
        "path": path,
        "child": child,
        "form": form,
        "framework": framework,
        "conflict": conflict,
        "time_point": TimePoint(time_point),
        "rater": Assessment.Rater(rater),
        "assessment": existing,
        "conflict_values": _assessment_summary(conflict) if conflict else None,
    }
    return render(request, "cases/assessment_edit.html", context, status=409 if conflict else 200)


def _assessment_summary(assessment):
    return [(str(r.subdimension), r.value) for r in assessment.ratings.select_related("subdimension")]


def comparison(request, pk, child_pk):
    path = _path_for(request, pk, "cases.view_assessments", action="cases.assessment.compared")
    child = _child_of(request, path, child_pk)
    framework = (
        Assessment.objects.filter(path=path, child=child, is_complete=True).values_list("framework", flat=True).first()
        or services.current_framework().pk
    )
    data = comparison_data(path, child, framework)
    chart = comparison_chart(data, framework)
    context = {
        "path": path,
        "child": child,
        "data": data,
        "chart": chart,
        "can_assess": request.user.has_perm("cases.assess", path),
        "drafts": data["drafts"],
    }
    return render(request, "cases/comparison.html", context)


@require_GET
def framework(request):
    """The assessment framework in use: its sides, sub-dimensions and scale, and whether the list is
    provisional (said here once, not on every assessment). Reference data, no personal data."""
    current = services.current_framework()
    return render(
        request,
        "cases/framework.html",
        {"framework": current, "sides": current.sides.prefetch_related("subdimensions"), "scale": current.scale.all()},
    )


def prepost_edit(request, pk, time_point):
    path = _path_for(request, pk, "cases.assess", action="cases.prepost.viewed")
    if time_point not in (TimePoint.T0, TimePoint.T2):
        raise Http404
    framework = services.current_framework()
    sides = list(framework.sides.all())
    records = {r.side_id: r for r in path.prepost.filter(time_point=time_point)}
    initial = {}
    for side in sides:
        record = records.get(side.pk)
        initial.update(
            {
                f"risk_{side.pk}": record.risk_factors if record else "",
                f"protective_{side.pk}": record.protective_factors if record else "",
                f"version_{side.pk}": record.version if record else None,
            }
        )
    form = forms.PrePostForm(request.POST or None, sides=sides, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.save_prepost(
                actor=request.user, path=path, time_point=time_point, factors=form.factors(), versions=form.versions()
            )
        except ConflictError:
            conflict = True
        else:
            messages.success(request, _("Risk and protective factors saved."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request,
        "cases/prepost_edit.html",
        {"path": path, "form": form, "time_point": TimePoint(time_point), "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- Micro-progettazione: the family's plan -------------------------------------------------------


def plan(request, pk):
    path = _path_for(request, pk, "cases.view_plan", action="cases.plan.viewed")
    goals = plan_of(path)
    can_change = request.user.has_perm("cases.change_plan", path)
    context = {
        "path": path,
        "goals": goals,
        "missing": [PlanAction.Area(a).label for a in missing_areas(goals)],
        "can_change": can_change,
        "removed": removed_actions(path),
        "goal_form": forms.GoalForm(framework=services.current_framework()) if can_change else None,
    }
    return render(request, "cases/plan.html", context)


@require_POST
@once_per_form
def goal_add(request, pk):
    path = _path_for(request, pk, "cases.change_plan")
    form = forms.GoalForm(request.POST, framework=services.current_framework())
    if form.is_valid():
        try:
            services.add_goal(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Micro-project added: now say who does what."))
            return redirect("cases:plan", pk=path.pk)
    return render(request, "cases/goal_form.html", {"path": path, "form": form})


def _goal_for(request, pk, goal_pk, perm="cases.change_plan"):
    path = _path_for(request, pk, perm)
    return path, get_object_for(request.user, None, path.goals.select_related("subdimension"), pk=goal_pk)


def goal_edit(request, pk, goal_pk):
    path, goal = _goal_for(request, pk, goal_pk)
    initial = {
        name: getattr(goal, name)
        for name in ("expected_result", "check_t1", "check_t1_note", "check_t2", "check_t2_note", "version")
    }
    form = forms.GoalEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.update_goal(actor=request.user, goal=goal, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Micro-project saved."))
            return redirect("cases:plan", pk=path.pk)
    return render(
        request,
        "cases/goal_form.html",
        {"path": path, "goal": goal, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@once_per_form
def action_add(request, pk, goal_pk):
    path, goal = _goal_for(request, pk, goal_pk)
    form = forms.ActionForm(request.POST or None, path=path, team_users=team_users(path))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("cases:plan", pk=path.pk)
    return render(request, "cases/action_form.html", {"path": path, "goal": goal, "form": form})


def action_remove(request, pk, action_pk):
    """Removing an action is confirmed on its own page, with a reason; the action stays in the plan's
    history (WCAG 3.3.4: nothing is lost to one keypress)."""
    path = _path_for(request, pk, "cases.change_plan")
    action = get_object_for(
        request.user,
        None,
        PlanAction.objects.filter(goal__path=path).select_related(
            "goal__subdimension", "person", "professional", "institution"
        ),
        pk=action_pk,
    )
    form = forms.RemoveActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_action(actor=request.user, action=action, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action removed from the plan. It stays in the plan's history."))
            return redirect("cases:plan", pk=path.pk)
    return render(request, "cases/action_remove.html", {"path": path, "plan_action": action, "form": form})


def _family_plan_context(request, path):
    team = list(seats_in_force().filter(path=path).select_related("user", "institution"))
    parents = [p for p in path.family.members.all() if p.kind != Person.Kind.CHILD]
    return {
        "path": path,
        "goals": plan_of(path),
        "team": team,
        "parents": parents,
        "children": [p for p in path.family.members.all() if p.kind == Person.Kind.CHILD],
        "today": timezone.localdate(),
    }


def plan_print(request, pk):
    """The plan as the family sees it, to print: plain words, who does what, signature lines. No notes. An
    export like the PDF: after the permission check, the password again (step-up)."""
    get_object_for(request.user, "cases.view_plan", paths_visible_to(request.user), pk=pk)
    return _plan_print(request, pk)


@require_recent_password
def _plan_print(request, pk):
    path = _path_for(request, pk, "cases.view_plan", action="cases.plan.printed")
    return render(request, "cases/plan_family.html", _family_plan_context(request, path))


def plan_pdf(request, pk):
    """The plan as a PDF: a file of the family's data leaves Patto, so after the permission check the
    password is asked again (step-up) before the read is logged and the file made."""
    get_object_for(request.user, "cases.view_plan", paths_visible_to(request.user), pk=pk)
    return _plan_pdf(request, pk)


@require_recent_password
def _plan_pdf(request, pk):
    path = _path_for(request, pk, "cases.view_plan", action="cases.plan.pdf")
    return pdf_response(
        request, "cases/plan_family.html", _family_plan_context(request, path), f"progetto-{path.family.reference}.pdf"
    )


# --- Consent items: what the family agrees to share, with which school ---------------------------------


@once_per_form
def consent_add(request, pk):
    path = _path_for(request, pk, "cases.manage_consent")
    form = forms.ConsentForm(request.POST or None, path=path)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_consent(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The family's consent is recorded: the school can now take part."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/consent_form.html", {"path": path, "form": form})


def consent_withdraw(request, pk, consent_pk):
    path = _path_for(request, pk, "cases.manage_consent")
    item = get_object_for(
        request.user, None, path.consents.filter(withdrawn_on__isnull=True).select_related("institution"), pk=consent_pk
    )
    form = forms.ConsentWithdrawForm(request.POST or None, initial={"version": item.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form,
            lambda: services.withdraw_consent(
                actor=request.user,
                item=item,
                version=form.cleaned_data["version"],
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if saved:
            messages.success(
                request, _("Consent withdrawn: %(school)s no longer sees the path.") % {"school": item.institution}
            )
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request,
        "cases/consent_withdraw.html",
        {"path": path, "item": item, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- Archive access: closed paths, read with a reason ---------------------------------------------------


def archive_open(request):
    """The social service reads a closed path after the team's seats ended: by POST (the reference never
    travels in a URL), with a reason that is recorded and shown to the DPO."""
    if not request.user.has_perm("cases.open_archive"):
        raise PermissionDenied
    form = forms.ArchiveAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            path = services.open_archive(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.info(
                request,
                _("Archive access recorded with your reason. It lasts %(hours)s hours.")
                % {"hours": settings.PATTO_ARCHIVE_ACCESS_HOURS},
            )
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/archive_open.html", {"form": form})
