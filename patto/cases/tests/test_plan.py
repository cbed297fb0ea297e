import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import Note, PlanAction, SubDimension
from patto.cases.tests.pages import section, whole_path_page
from patto.core.exceptions import ConflictError


@pytest.fixture
def goal(family_path, personas):
    sub = SubDimension.objects.get(side__framework__is_current=True, code="cura")
    return services.add_goal(
        actor=personas["case_manager"].user,
        path=family_path,
        subdimension=sub,
        expected_result="Aurora fa colazione prima di andare a scuola",
    )


def test_who_does_what_by_when(goal, family_path, personas, world):
    cm = personas["case_manager"].user
    mother = family_path.family.members.get(kind="parent")
    services.add_action(
        actor=cm,
        goal=goal,
        description="Preparare la colazione la sera prima",
        area="educational",
        deadline=date(2026, 1, 31),
        person=mother,
    )
    services.add_action(
        actor=cm,
        goal=goal,
        description="Colloqui di sostegno alla genitorialità",
        area="psychological",
        deadline=date(2026, 2, 28),
        professional=personas["health_professional"].user,
    )
    services.add_action(
        actor=cm,
        goal=goal,
        description="Merenda a scuola e diario",
        area="social",
        deadline=date(2026, 2, 1),
        institution=world.school,
    )
    actions = list(goal.actions.order_by("pk"))
    assert actions[1].institution == personas["health_professional"].institution  # from the team membership
    assert actions[2].for_school
    from patto.cases.queries import missing_areas, plan_of

    assert missing_areas(plan_of(family_path)) == []


def test_actions_only_by_family_members_or_team_professionals(goal, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_action(
            actor=personas["case_manager"].user,
            goal=goal,
            description="x",
            area="social",
            deadline=date(2026, 1, 1),
            professional=personas["outsider"].user,
        )
    with pytest.raises(ValidationError):
        services.add_action(
            actor=personas["case_manager"].user, goal=goal, description="x", area="social", deadline=date(2026, 1, 1)
        )
    assert not PlanAction.objects.exists()


def test_plan_page_warns_about_missing_areas_and_form_keeps_input(goal, family_path, login):
    client = login("team_member")
    page = client.get(reverse("cases:plan", kwargs={"pk": family_path.pk}))
    assert "Psicologica" in page.content.decode() or "Psychological" in page.content.decode()
    url = reverse("cases:action_add", kwargs={"pk": family_path.pk, "goal_pk": goal.pk})
    response = client.post(url, {"description": "Accompagnare Aurora", "area": "educational", "deadline": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert "Accompagnare Aurora" in response.content.decode()
    ok = client.post(
        url,
        {
            "description": "Accompagnare Aurora",
            "area": "educational",
            "deadline": "2026-02-01",
            "professional": family_path.team.get(team_role="educator").user_id,
        },
    )
    assert ok.status_code == 302 and goal.actions.count() == 1


def test_checks_at_t1_and_t2_with_optimistic_locking(goal, personas, login, family_path):
    client = login("case_manager")
    url = reverse("cases:goal_edit", kwargs={"pk": family_path.pk, "goal_pk": goal.pk})
    data = {
        "version": goal.version,
        "expected_result": goal.expected_result,
        "check_t1": "partly",
        "check_t1_note": "Tre giorni su cinque",
        "check_t2": "",
        "check_t2_note": "",
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "check_t1": "achieved"})
    assert stale.status_code == 409
    goal.refresh_from_db()
    assert goal.check_t1 == "partly"
    with pytest.raises(ConflictError):
        services.update_goal(actor=personas["case_manager"].user, goal=goal, version=1, expected_result="x")


def test_school_member_sees_only_the_actions_assigned_to_the_school(goal, family_path, personas, world, login):
    cm = personas["case_manager"].user
    services.add_action(
        actor=cm,
        goal=goal,
        description="AZIONE-SCUOLA merenda in classe",
        area="social",
        deadline=date(2026, 2, 1),
        institution=world.school,
    )
    services.add_action(
        actor=cm,
        goal=goal,
        description="AZIONE-CASA colazione",
        area="educational",
        deadline=date(2026, 2, 1),
        person=family_path.family.members.get(kind="parent"),
    )
    client = login("school_referent")
    body = whole_path_page(client, family_path)
    assert "AZIONE-SCUOLA" in body and "AZIONE-CASA" not in body
    assert client.get(reverse("cases:plan", kwargs={"pk": family_path.pk})).status_code == 403
    event = family_path.events.filter(kind="plan.action_added").order_by("id").first()
    assert event.audience == Note.Audience.SCHOOL


def test_family_plan_pdf_in_plain_italian_without_notes(goal, family_path, personas, login):
    cm = personas["case_manager"].user
    services.add_action(
        actor=cm,
        goal=goal,
        description="Preparare la colazione la sera prima",
        area="educational",
        deadline=date(2026, 1, 31),
        person=family_path.family.members.get(kind="parent"),
    )
    services.add_note(
        actor=personas["health_professional"].user, path=family_path, audience="clinical", text="NOTA-CLINICA-RISERVATA"
    )
    services.add_note(actor=cm, path=family_path, audience="team", text="NOTA-DI-EQUIPE")
    client = login("case_manager")
    html = client.get(reverse("cases:plan_print", kwargs={"pk": family_path.pk})).content.decode()
    assert "Il nostro progetto" in html and "NOTA-" not in html
    response = client.get(reverse("cases:plan_pdf", kwargs={"pk": family_path.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Il nostro progetto" in text and "colazione" in text and "Firme" in text
    assert "Elena Canestrari" in text  # a signature line for the parent
    assert "NOTA-" not in text
    assert AuditEvent.objects.filter(action="cases.plan.pdf").count() == 1


@pytest.mark.parametrize("count", [1, 3])
def test_plan_query_count(count, goal, family_path, personas, django_assert_num_queries):
    cm = personas["case_manager"].user
    for index in range(count):
        services.add_action(
            actor=cm,
            goal=goal,
            description=f"azione {index}",
            area="social",
            deadline=date(2026, 2, 1),
            professional=personas["team_member"].user,
        )
    client = Client()
    client.force_login(cm)
    # 16: the removed actions (the plan's history) joined the 15 of before.
    with django_assert_num_queries(14):
        assert client.get(reverse("cases:plan", kwargs={"pk": family_path.pk})).status_code == 200


def test_removing_an_action_is_confirmed_and_kept_in_the_plan_history(goal, family_path, personas, world, login):
    """Issue 9 (WCAG 3.3.4): "Togli" deleted an action with one keypress. Now a confirmation page asks
    for a reason; the action leaves the plan, the school's view and the PDF, and stays in the history."""
    cm = personas["case_manager"].user
    action = services.add_action(
        actor=cm,
        goal=goal,
        description="AZIONE-SCUOLA merenda in classe",
        area="social",
        deadline=date(2026, 2, 1),
        institution=world.school,
    )
    client = login("team_member")
    url = reverse("cases:action_remove", kwargs={"pk": family_path.pk, "action_pk": action.pk})
    plan_page = client.get(reverse("cases:plan", kwargs={"pk": family_path.pk})).content.decode()
    assert f'href="{url}"' in plan_page  # a link to the confirmation, no longer a one-click form
    confirm = client.get(url)
    assert confirm.status_code == 200 and "AZIONE-SCUOLA" in confirm.content.decode()
    assert '<form method="post" novalidate' in confirm.content.decode()  # posts back to this page
    assert client.post(url, {"reason": ""}).status_code == 200  # no reason: nothing happens
    assert goal.actions.count() == 1
    response = client.post(url, {"reason": "La scuola offre già la merenda"})
    assert response.status_code == 302
    assert goal.actions.count() == 0 and PlanAction.with_removed.count() == 1
    removed = PlanAction.with_removed.get()
    assert removed.removed_by == personas["team_member"].user and removed.removal_reason.startswith("La scuola")
    plan = client.get(reverse("cases:plan", kwargs={"pk": family_path.pk}))
    assert [a.pk for a in plan.context["removed"]] == [action.pk]
    assert "La scuola offre già la merenda" in plan.content.decode()
    assert client.post(url, {"reason": "di nuovo"}).status_code == 404  # no longer in the plan
    # The school no longer sees it, but its timeline says it was removed (same audience as its addition).
    school = Client()
    school.force_login(personas["school_referent"].user)
    assert section(school, family_path, "azioni-scuola").context["school_actions"] == []
    event = family_path.events.get(kind="plan.action_removed")
    assert event.audience == Note.Audience.SCHOOL and event.params["reason"] == "La scuola offre già la merenda"
    audit = AuditEvent.objects.get(action="cases.plan.action_removed")
    assert audit.purpose == "La scuola offre già la merenda" and audit.object_id == str(action.pk)


def test_the_plan_read_by_frozen_statements_is_the_orm_s(goal, family_path, personas, world, django_assert_num_queries):
    """``plan_of`` and ``removed_actions`` (statements compiled once a day) against the ORM's reading: the goals
    in the model's order, each goal's actions in theirs with who does them, a removed action only in the history;
    read without a query afterwards."""
    from django.db.models import Prefetch

    from patto.cases.models import PlanGoal
    from patto.cases.queries import plan_of, removed_actions

    cm = personas["case_manager"].user
    mother = family_path.family.members.get(kind="parent")
    other = services.add_goal(
        actor=cm,
        path=family_path,
        subdimension=SubDimension.objects.filter(side__framework__is_current=True).exclude(code="cura").last(),
        expected_result="Compiti fatti con un adulto",
    )
    empty = services.add_goal(
        actor=cm,
        path=family_path,
        subdimension=SubDimension.objects.filter(side__framework__is_current=True).exclude(code="cura").first(),
        expected_result="Ancora da definire",
    )
    made = []
    for number, (target, deadline) in enumerate(
        [(goal, date(2026, 2, 1)), (other, date(2026, 1, 15)), (goal, date(2026, 1, 10)), (other, date(2026, 1, 15))]
    ):
        who = [
            {"person": mother},
            {"professional": personas["health_professional"].user},
            {"institution": world.school},
        ]
        made.append(
            services.add_action(
                actor=cm,
                goal=target,
                description=f"Azione {number}",
                area=["educational", "psychological", "social"][number % 3],
                deadline=deadline,
                **who[number % 3],
            )
        )
    services.remove_action(actor=cm, action=made[1], reason="Non più necessaria")

    orm = list(
        PlanGoal.objects.filter(path=family_path)
        .select_related("subdimension__side")
        .prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.select_related("person", "professional", "institution"))
        )
    )
    frozen = plan_of(family_path)
    with django_assert_num_queries(0):
        assert [g.pk for g in frozen] == [g.pk for g in orm]
        assert {empty.pk, other.pk, goal.pk} == {g.pk for g in frozen}
        for mine, theirs in zip(frozen, orm, strict=True):
            assert mine.subdimension.side.pk == theirs.subdimension.side.pk
            assert [
                (a.pk, a.person, a.professional, a.institution, a.goal.pk, a.deadline) for a in mine.actions.all()
            ] == [(a.pk, a.person, a.professional, a.institution, a.goal_id, a.deadline) for a in theirs.actions.all()]
            assert mine.path is family_path
    assert made[1].pk not in {a.pk for g in frozen for a in g.actions.all()}

    history = removed_actions(family_path)
    orm_history = list(
        PlanAction.with_removed.filter(goal__path=family_path, removed_at__isnull=False)
        .select_related("goal__subdimension", "removed_by", "professional")
        .order_by("-removed_at")
    )
    with django_assert_num_queries(0):
        assert [(a.pk, a.removed_by, a.goal.subdimension, a.professional) for a in history] == [
            (a.pk, a.removed_by, a.goal.subdimension, a.professional) for a in orm_history
        ]
    assert [a.pk for a in history] == [made[1].pk]
