from django.urls import reverse

from patto.governance.models import ProcedureRevision


def test_procedure_revisions_keep_history_and_owner_edits(pact, login, world):
    procedure = pact.procedures.get()
    url = reverse("governance:procedure", kwargs={"procedure_pk": procedure.pk})
    data = {
        "title": procedure.title,
        "response_working_days": 3,
        "text": "La scuola invia il modulo via PEC al servizio sociale, che risponde entro 3 giorni lavorativi.",
        "version": procedure.version,
    }
    assert login("school_referent").post(url, data).status_code == 403  # not the owner
    client = login("institution_admin")  # a governance member of the owner (the Comune)
    assert set(client.get(url).context["form"].fields) == {"title", "text", "response_working_days", "version"}
    assert client.post(url, data).status_code == 302
    procedure.refresh_from_db()
    assert (procedure.revision, procedure.response_working_days) == (2, 3)
    assert ProcedureRevision.objects.get().text.startswith("La scuola compila")
    assert client.post(url, {**data, "title": "Altro"}).status_code == 409  # stale version


def test_the_coordinator_records_approval_and_review_dates(pact, login, world):
    procedure = pact.procedures.get()
    url = reverse("governance:procedure", kwargs={"procedure_pk": procedure.pk})
    data = {
        "title": procedure.title,
        "owner": world.school.pk,
        "text": procedure.text,
        "response_working_days": 5,
        "approved_on": "2026-02-01",
        "review_on": "2027-02-01",
        "version": procedure.version,
    }
    client = login("coordinator")
    assert client.post(url, {**data, "review_on": "2026-01-01"}).status_code == 200  # review before approval
    assert client.post(url, data).status_code == 302
    procedure.refresh_from_db()
    assert (procedure.owner, str(procedure.approved_on), procedure.revision) == (world.school, "2026-02-01", 1)


def test_overdue_review_is_flagged_on_the_list_and_the_dashboard(pact, login):
    body = login("health_professional").get(reverse("governance:procedures")).content.decode()
    assert "da rivedere" in body or "to review" in body
    dashboard = login("coordinator").get(reverse("governance:dashboard"))
    assert [p.pk for p in dashboard.context["procedures_overdue"]] == [pact.procedures.get().pk]
