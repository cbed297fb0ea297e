import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from patto.audit.models import AppendOnlyError, AuditEvent, AuditSubject
from patto.audit.services import mask_changes, record_event


def test_event_records_who_what_and_masks_sensitive_values(personas):
    actor = personas["institution_admin"].user
    target = personas["case_manager"]
    event = record_event(
        actor=actor,
        action="accounts.membership.changed",
        obj=target,
        subjects=[target.user],
        changes={"role": ["a", "b"], "password": ["x", "y"], "fiscal_code": [None, "RSSMRA80A01H294X"]},
    )
    event.refresh_from_db()
    assert (event.actor, event.actor_institution, event.actor_role) == (actor, target.institution, "institution_admin")
    assert (event.object_type, event.object_id) == ("accounts.membership", str(target.pk))
    assert event.changes == {"role": ["a", "b"], "password": ["***", "***"], "fiscal_code": [None, "***"]}
    assert list(event.subjects.values_list("kind", "subject_id")) == [("user", str(target.user_id))]


def test_mask_keeps_empty_values_visible():
    assert mask_changes({"token": ["", "abc"]}) == {"token": ["", "***"]}


def test_orm_cannot_change_or_delete_events(personas):
    event = record_event(actor=personas["auditor"].user, action="test.event", subjects=[personas["auditor"].user])
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditSubject.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent", "DELETE FROM audit_auditsubject"],
)
def test_database_refuses_raw_update_and_delete(personas, sql):
    record_event(actor=personas["auditor"].user, action="test.event", subjects=[personas["auditor"].user])
    with pytest.raises((DatabaseError, IntegrityError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(action="test.event").count() == 1


def test_reading_a_person_writes_one_access_row(login, personas):
    person = personas["case_manager"].user
    client = login("institution_admin")
    before = AuditEvent.objects.count()
    response = client.get(reverse("accounts:person_detail", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "accounts.person.viewed"
    assert event.request_id == response["X-Request-ID"]
    assert event.ip == "127.0.0.1"
    assert list(event.subjects.values_list("subject_id", flat=True)) == [str(person.pk)]


def test_no_audit_row_no_data(login, personas, audit_refused):
    """Fail closed: if the access row cannot be written, the page is not returned."""
    person = personas["case_manager"].user
    client = login("institution_admin")
    with audit_refused():
        response = client.get(reverse("accounts:person_detail", kwargs={"pk": person.pk}))
    assert response.status_code == 503
    assert person.last_name.encode() not in response.content
    assert person.email.encode() not in response.content


def test_no_audit_row_no_write(login, personas, audit_refused):
    membership = personas["case_manager"]
    client = login("institution_admin")
    with audit_refused():
        response = client.post(
            reverse("accounts:membership_end", kwargs={"pk": membership.pk}),
            {"version": membership.version, "reason": "trasferita"},
        )
    assert response.status_code == 503
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_denied_access_to_an_existing_object_is_recorded(login, personas):
    client = login("outsider")
    target = personas["case_manager"].user
    assert client.get(reverse("accounts:person_detail", kwargs={"pk": target.pk})).status_code == 404
    event = AuditEvent.objects.get(action="security.access_denied")
    assert (event.actor.username, event.object_id) == ("outsider", str(target.pk))


def test_trail_filters_by_person_and_records_its_own_reading(login, personas):
    admin = login("institution_admin")
    admin.get(reverse("accounts:person_detail", kwargs={"pk": personas["case_manager"].user_id}))
    admin.get(reverse("accounts:person_detail", kwargs={"pk": personas["coordinator"].user_id}))
    client = login("auditor")
    response = client.get(reverse("audit:trail"), {"person": personas["case_manager"].user_id})
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert {e.action for e in rows} == {"accounts.person.viewed"}
    assert all(
        personas["case_manager"].user_id.hex in str(s.subject_id).replace("-", "")
        for e in rows
        for s in e.subjects.all()
    )
    assert AuditEvent.objects.filter(action="audit.trail.viewed", actor__username="auditor").exists()
    # Each person concerned who is a user is named in the row, on the page and in its htmx results.
    name = personas["case_manager"].user.get_full_name()
    assert name
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(reverse("audit:trail"), {"person": personas["case_manager"].user_id}, **headers)
        cells = page.content.decode().split("<tbody>")[1].split("</tbody>")[0]
        assert cells.count(name) >= len(rows) > 0


def test_trail_invalid_period_keeps_input_and_shows_message(login, personas):
    response = login("auditor").get(reverse("audit:trail"), {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors
    assert b'value="2026-05-10"' in response.content


def test_trail_htmx_returns_only_the_results(login, personas):
    response = login("auditor").get(reverse("audit:trail"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"audit-table" in response.content
