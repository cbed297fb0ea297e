import json
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.framework_loader import SHIPPED, load_framework, read
from patto.cases.models import Assessment, Framework, Path, SubDimension
from patto.cases.queries import comparison, done_time_points
from patto.cases.schedule import add_months, time_points
from patto.cases.tests.pages import section, whole_path_page
from patto.core.exceptions import ConflictError


def test_the_provisional_framework_is_loaded_from_its_file(db):
    framework = Framework.objects.get(is_current=True)
    data = read(SHIPPED)
    assert framework.provisional and framework.version == data["version"]
    assert [side.name for side in framework.sides.all()] == ["Bambino", "Famiglia", "Ambiente"]
    assert SubDimension.objects.filter(side__framework=framework).count() == 18
    assert list(framework.scale.values_list("value", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_a_new_framework_version_replaces_it_without_code_changes(db, tmp_path):
    data = read(SHIPPED)
    data["version"] = "2027-verificato"
    data["provisional"] = False
    data["sides"][0]["subdimensions"].append({"code": "nuova", "name": "Nuova sottodimensione"})
    path = tmp_path / "mdb.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_framework", str(path), stdout=open("/dev/null", "w"))
    current = Framework.objects.get(is_current=True)
    assert current.version == "2027-verificato" and not current.provisional
    assert Framework.objects.filter(is_current=False).count() == 1
    call_command("load_framework", str(path), stdout=open("/dev/null", "w"))  # idempotent
    assert Framework.objects.count() == 2
    assert load_framework(data, apps) == current


def _values(framework, value):
    return {sub.pk: value for sub in SubDimension.objects.filter(side__framework=framework)}


@pytest.fixture
def in_intervention(family_path, personas):
    actor = personas["case_manager"].user
    path = family_path
    services.advance_path(actor=actor, path=path, version=path.version)
    services.record_agreement(
        actor=actor, path=path, version=path.version, signed_on=date(2025, 10, 1), signed_by="Elena Canestrari"
    )
    services.advance_path(actor=actor, path=path, version=path.version)
    services.advance_path(actor=actor, path=path, version=path.version)
    Path.objects.filter(pk=path.pk).update(intervention_started_on=date(2025, 10, 6))
    path.refresh_from_db()
    return path


def test_time_points_follow_the_cohort_schedule(in_intervention):
    path = in_intervention
    points = time_points(path, set(), today=date(2026, 7, 20))
    assert [(p.time_point, p.due_on, p.status) for p in points] == [
        ("T0", date(2025, 10, 6), "overdue"),
        ("T1", date(2026, 7, 6), "overdue"),
        ("T2", date(2027, 4, 6), "scheduled"),
    ]
    assert time_points(path, {"T0"}, today=date(2026, 6, 20))[1].status == "due"
    assert add_months(date(2025, 5, 31), 9) == date(2026, 2, 28)


def test_team_and_family_rate_separately_and_the_comparison_shows_change(in_intervention, personas):
    actor = personas["case_manager"].user
    path = in_intervention
    child = path.family.members.get(kind="child")
    framework = services.current_framework()
    services.save_assessment(
        actor=actor,
        path=path,
        child=child,
        time_point="T0",
        rater="team",
        values=_values(framework, 2),
        child_says="Mi piace disegnare",
    )
    services.save_assessment(
        actor=actor, path=path, child=child, time_point="T0", rater="family", values=_values(framework, 4)
    )
    t2 = _values(framework, 5)
    first = next(iter(t2))
    t2[first] = None  # not assessable
    services.save_assessment(actor=actor, path=path, child=child, time_point="T2", rater="team", values=t2)
    assert done_time_points(path, [child]) == {"T0", "T2"}
    data = comparison(path, child, framework)
    bambino = data["sides"][0]
    assert bambino["rows"][1]["change"] == 3 and bambino["rows"][0]["change"] is None
    columns = data["columns"]
    assert bambino["means"][columns.index(("T0", "team"))] == 2.0
    assert bambino["means"][columns.index(("T0", "family"))] == 4.0
    assert bambino["means"][columns.index(("T2", "team"))] == 5.0
    assert AuditEvent.objects.filter(action="cases.assessment.saved").count() == 3


def test_ratings_outside_the_scale_are_refused(in_intervention, personas):
    from django.core.exceptions import ValidationError

    path = in_intervention
    child = path.family.members.get(kind="child")
    with pytest.raises(ValidationError):
        services.save_assessment(
            actor=personas["case_manager"].user,
            path=path,
            child=child,
            time_point="T0",
            rater="team",
            values=_values(services.current_framework(), 9),
        )
    assert not Assessment.objects.exists()


def test_stale_assessment_save_is_a_conflict(in_intervention, personas):
    actor = personas["case_manager"].user
    path = in_intervention
    child = path.family.members.get(kind="child")
    framework = services.current_framework()
    saved = services.save_assessment(
        actor=actor, path=path, child=child, time_point="T1", rater="team", values=_values(framework, 3)
    )
    services.save_assessment(
        actor=actor,
        path=path,
        child=child,
        time_point="T1",
        rater="team",
        values=_values(framework, 4),
        version=saved.version,
    )
    with pytest.raises(ConflictError):
        services.save_assessment(
            actor=actor,
            path=path,
            child=child,
            time_point="T1",
            rater="team",
            values=_values(framework, 1),
            version=saved.version,
        )
    assert set(Assessment.objects.get().ratings.values_list("value", flat=True)) == {4}


def _form_data(framework, value, version=0):
    data = {f"sub_{sub.pk}": value for sub in SubDimension.objects.filter(side__framework=framework)}
    return {**data, "version": version, "child_says": "", "family_says": "Siamo più sereni"}


def test_assessment_page_saves_and_unanswered_keeps_input(in_intervention, login):
    path = in_intervention
    child = path.family.members.get(kind="child")
    framework = services.current_framework()
    url = reverse(
        "cases:assessment_edit", kwargs={"pk": path.pk, "child_pk": child.pk, "time_point": "T0", "rater": "family"}
    )
    client = login("health_professional")
    incomplete = _form_data(framework, "3")
    incomplete.pop(next(k for k in incomplete if k.startswith("sub_")))
    response = client.post(url, incomplete)
    assert response.status_code == 200 and response.context["form"].errors
    assert "Siamo più sereni" in response.content.decode()
    assert not Assessment.objects.exists()
    assert client.post(url, _form_data(framework, "na")).status_code == 302
    assert set(Assessment.objects.get().ratings.values_list("value", flat=True)) == {None}
    comparison_page = client.get(reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk}))
    assert comparison_page.status_code == 200 and b"mdb-chart-data" in comparison_page.content


def test_school_member_sees_no_assessment(in_intervention, login):
    path = in_intervention
    child = path.family.members.get(kind="child")
    client = login("school_referent")
    assert client.get(reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk})).status_code == 403
    body = whole_path_page(client, path)
    assert "Il Mondo del Bambino" not in body


def test_prepost_factors_per_side(in_intervention, login):
    path = in_intervention
    framework = services.current_framework()
    sides = list(framework.sides.all())
    data = {}
    for side in sides:
        data.update(
            {
                f"risk_{side.pk}": f"rischio {side.code}",
                f"protective_{side.pk}": f"protezione {side.code}",
                f"version_{side.pk}": "",
            }
        )
    client = login("case_manager")
    url = reverse("cases:prepost_edit", kwargs={"pk": path.pk, "time_point": "T0"})
    assert client.post(url, data).status_code == 302
    assert path.prepost.filter(time_point="T0").count() == 3
    assert client.post(url, data).status_code == 409  # the versions posted are stale (none → now 1)
    assert client.get(reverse("cases:prepost_edit", kwargs={"pk": path.pk, "time_point": "T1"})).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_comparison_query_count(count, in_intervention, personas, django_assert_num_queries):
    actor = personas["case_manager"].user
    path = in_intervention
    child = path.family.members.get(kind="child")
    framework = services.current_framework()
    for time_point in ["T0", "T1", "T2"][:count]:
        services.save_assessment(
            actor=actor, path=path, child=child, time_point=time_point, rater="team", values=_values(framework, 3)
        )
    client = Client()
    client.force_login(actor)
    # 18: the scale's bounds from the framework joined the 17 of before (drafts come with the ratings' query).
    with django_assert_num_queries(16):
        assert client.get(reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk})).status_code == 200


def test_home_page_lists_overdue_time_points_for_the_case_manager(in_intervention, login, personas):
    from patto.cases.queries import time_points_needing_attention

    items = time_points_needing_attention(personas["case_manager"].user, today=date(2026, 7, 20))
    assert [(path.pk, due.time_point, due.status) for path, due in items] == [
        (in_intervention.pk, "T0", "overdue"),
        (in_intervention.pk, "T1", "overdue"),
    ]
    assert time_points_needing_attention(personas["health_professional"].user) == []  # not their case
    body = login("case_manager").get("/").content.decode()
    assert in_intervention.family.reference in body and "T0" in body


@pytest.mark.parametrize("count", [1, 3])
def test_time_points_query_count(count, in_intervention, personas, django_assert_num_queries):
    from patto.cases.queries import time_points_needing_attention

    actor = personas["case_manager"].user
    for index in range(count - 1):
        path = services.open_path(
            actor=actor,
            cohort=in_intervention.cohort,
            signal_source=in_intervention.signal_source,
            signal_date=date(2025, 9, 1),
            signal_summary="s",
            legal_basis="public_interest",
            child={
                "first_name": f"Bimbo{index}",
                "last_name": "Prova",
                "sex": "M",
                "birth_date": date(2018, 1, 1),
                "fiscal_code": "",
                "town": "",
                "school": None,
                "school_site": None,
            },
        )
        Path.objects.filter(pk=path.pk).update(state="intervention", intervention_started_on=date(2025, 10, 1))
    actor = type(actor).objects.get(pk=actor.pk)
    with django_assert_num_queries(3):  # paths, children, ratings
        assert len(time_points_needing_attention(actor, today=date(2026, 7, 20))) == 2 * count


def test_a_draft_is_kept_out_of_the_comparison_until_it_is_completed(in_intervention, login, personas):
    """Issue 9: a partial save used to save nothing ("this field is required" × 17). A draft keeps what was
    chosen, is marked incomplete and shown on the path; completing it needs every sub-dimension."""
    from patto.cases.models import PathEvent

    path = in_intervention
    child = path.family.members.get(kind="child")
    framework = services.current_framework()
    url = reverse(
        "cases:assessment_edit", kwargs={"pk": path.pk, "child_pk": child.pk, "time_point": "T0", "rater": "team"}
    )
    client = login("case_manager")
    client.cookies["django_language"] = "en"
    form_page = client.get(url).content.decode()
    assert "national materials" not in form_page and reverse("cases:framework") in form_page
    assert "national materials" in client.get(reverse("cases:framework")).content.decode()  # said once, there
    first, second = [f"sub_{sub.pk}" for sub in SubDimension.objects.filter(side__framework=framework)][:2]
    draft = {**_form_data(framework, ""), first: "4", second: "na", "save": "draft"}
    response = client.post(url, draft)
    assert response.status_code == 302 and response["Location"] == reverse("cases:path_detail", kwargs={"pk": path.pk})
    saved = Assessment.objects.get()
    assert not saved.is_complete and sorted(saved.ratings.values_list("value", flat=True), key=str) == [4, None]
    assert done_time_points(path, [child]) == set()
    data = comparison(path, child, framework)
    assert data["present"] == [] and data["drafts"] == [saved]
    detail = section(client, path, "valutazioni")
    assert [(d["child"], d["time_point"], d["rater"]) for d in detail.context["drafts"]] == [(child, "T0", "team")]
    compared = client.get(reverse("cases:comparison", kwargs={"pk": path.pk, "child_pk": child.pk}))
    assert b"mdb-chart-data" not in compared.content and url.encode() in compared.content
    # Completing asks for every sub-dimension, with the field's own error, keeping what was chosen.
    attempt = client.post(url, {**draft, "save": "complete", "version": saved.version})
    errors = attempt.context["form"].errors
    assert attempt.status_code == 200 and len(errors) == 16 and first not in errors
    assert attempt.context["form"][first].value() == "4"
    done = client.post(url, {**_form_data(framework, "3", version=saved.version), "save": "complete"})
    assert done.status_code == 302
    saved.refresh_from_db()
    assert saved.is_complete and done_time_points(path, [child]) == {"T0"}
    assert comparison(path, child, framework)["present"] == [("T0", "team")]
    assert [e.params["draft"] for e in PathEvent.objects.filter(kind="assessment.saved").order_by("pk")] == [
        True,
        False,
    ]
    completed = AuditEvent.objects.filter(action="cases.assessment.saved").order_by("pk").last()
    assert completed.changes["is_complete"] == [False, True]


def test_the_service_completes_an_assessment_only_with_every_sub_dimension(in_intervention, personas):
    from django.core.exceptions import ValidationError

    path = in_intervention
    child = path.family.members.get(kind="child")
    values = _values(services.current_framework(), 3)
    values.popitem()
    with translation.override("en"), pytest.raises(ValidationError, match="draft"):  # whatever a test before left
        services.save_assessment(
            actor=personas["case_manager"].user, path=path, child=child, time_point="T1", rater="team", values=values
        )
    assert not Assessment.objects.exists()
    draft = services.save_assessment(
        actor=personas["case_manager"].user,
        path=path,
        child=child,
        time_point="T1",
        rater="team",
        values=values,
        complete=False,
    )
    assert not draft.is_complete and draft.ratings.count() == 17


def test_the_time_points_in_a_request_are_those_the_orm_finds(in_intervention, personas):
    """On the home page (in a request) the case manager's time points come from three frozen statements on
    their case manager seats; outside a request from the ORM's queries: the same answers, for every persona,
    before and after the team completes T0, on several days."""
    from patto.cases.queries import time_points_needing_attention
    from patto.cases.tests.test_request_caches import _InRequest

    def both(user, day):
        outside = [(p.pk, d.time_point, d.status, d.due_on) for p, d in time_points_needing_attention(user, day)]
        with _InRequest():
            inside = [(p.pk, d.time_point, d.status, d.due_on) for p, d in time_points_needing_attention(user, day)]
        return outside, inside

    days = (date(2025, 10, 1), date(2026, 6, 20), date(2026, 7, 20), date(2027, 4, 1))
    for step in ("none", "T0 done"):
        if step == "T0 done":
            child = in_intervention.family.members.get(kind="child")
            services.save_assessment(
                actor=personas["case_manager"].user,
                path=in_intervention,
                child=child,
                time_point="T0",
                rater="team",
                values=_values(services.current_framework(), 3),
            )
        for persona in personas.values():
            for day in days:
                outside, inside = both(persona.user, day)
                assert inside == outside, (step, persona, day)
    outside, _inside = both(personas["case_manager"].user, date(2026, 7, 20))
    assert [(item[1], item[2]) for item in outside] == [("T1", "overdue")]  # T0 done: only T1 left
