"""The requests' screens: the sender writes a consultation or a signal and follows its status; the receiving
service works from its inbox and the request's page. Who sees what, what is refused, what is kept."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.models import Path
from patto.cases.queries import paths_visible_to
from patto.referrals import services
from patto.referrals.models import Kind, Request

from .conftest import client_for, fresh

CONSULTATION = {
    "age_band": "3-5",
    "observed": "Il bambino arriva spesso senza merenda e piange quando lo vengono a prendere.",
    "observed_since": "da ottobre",
    "tried": "Colloquio con la madre all'uscita.",
    "family_informed": "partly",
}


def send_signal(rw, sender=None, **extra):
    data = {
        "comune": rw.comune,
        "child_first_name": "Nina",
        "child_last_name": "Fabbri",
        "child_birth_date": date(2019, 5, 3),
        "child_sex": "F",
        "school": rw.school,
        "observed": "Arriva spesso stanca e senza merenda.",
        "urgency": "ordinary",
        **extra,
    }
    return services.send_signal(actor=fresh(sender or rw.teacher), data=data)


def take(rw, request, user=None):
    """The social worker takes the request for themselves (as the inbox's "take it" does)."""
    user = fresh(user or rw.social_worker)
    request.refresh_from_db()
    return services.assign_request(actor=user, request=request, version=request.version, assignee=user)


def detail(request):
    return reverse("referrals:detail", args=[request.pk])


def action(name, request):
    return reverse(f"referrals:{name}", args=[request.pk])


def page(response):
    return response.content.decode()


# --- the anonymous consultation, its answer, the signal that completes it, the path it opens ---------------


def test_consultation_to_signal_to_path_through_the_screens(referrals_world):
    rw = referrals_world
    educator = client_for(rw.nido_educator)
    form = educator.get(reverse("referrals:consultation_create"))
    assert form.status_code == 200
    assert "codice fiscale" in page(form) and "112" in page(form)  # the anonymity notice, immediate danger
    assert rw.comune.name in page(form) and rw.bellaria.name in page(form)  # the district's social services

    # A codice fiscale in the text: refused on its field, saying why, keeping what was typed.
    typed = CONSULTATION | {"receiver": rw.comune.pk, "observed": "Si tratta di RSSMRA85T10A944S, 4 anni."}
    refused = educator.post(reverse("referrals:consultation_create"), typed)
    assert refused.status_code == 200 and not Request.objects.exists()
    assert "RSSMRA85T10A944S, 4 anni." in page(refused)
    assert 'id="id_observed_error"' in page(refused) and "codice fiscale" in page(refused)

    sent = educator.post(reverse("referrals:consultation_create"), CONSULTATION | {"receiver": rw.comune.pk})
    consultation = Request.objects.get()
    assert sent.status_code == 302 and sent["Location"] == detail(consultation)
    assert (consultation.kind, consultation.receiver, consultation.sender) == (
        Kind.CONSULTATION,
        rw.comune,
        rw.nido_educator,
    )

    # The social worker finds it in the inbox, takes it, answers "this should become a signal".
    worker = client_for(rw.social_worker)
    assert consultation.number in page(worker.get(reverse("referrals:inbox")))
    assert worker.post(action("assign", consultation), {"assign-version": 1, "assign-assignee": rw.social_worker.pk})[
        "Location"
    ] == detail(consultation)
    answered = worker.post(
        action("answer", consultation),
        {"answer-version": 2, "answer-outcome": "become_signal", "answer-text": "Meglio una segnalazione."},
    )
    assert answered.status_code == 302
    consultation.refresh_from_db()
    assert consultation.outcome == Request.Outcome.BECOME_SIGNAL

    # The educator completes it as a signal without typing again what was observed.
    shown = page(educator.get(detail(consultation)))
    completion = reverse("referrals:signal_create") + f"?da={consultation.pk}"
    assert completion in shown and "Meglio una segnalazione." in shown
    prefilled = page(educator.get(completion))
    assert CONSULTATION["observed"] in prefilled and "da ottobre" in prefilled
    signal_form = {
        "child_first_name": "Luca",
        "child_last_name": "Pazzaglia",
        "child_birth_date": "2022-02-14",
        "age_band": "3-5",
        "child_sex": "M",
        "comune": rw.comune.pk,
        "school": rw.nido.pk,
        "observed": CONSULTATION["observed"],
        "observed_since": "da ottobre",
        "family_informed": "partly",
        "urgency": "ordinary",
    }
    assert educator.post(completion, signal_form).status_code == 302
    signal = Request.objects.get(kind=Kind.SIGNAL)
    assert signal.from_request == consultation and signal.age_band == "3-5" and signal.school == rw.nido

    # The social worker takes it in charge: a path in pre-assessment, the social worker its case manager.
    take(rw, signal)
    taken = worker.post(
        action("take_in_charge", signal),
        {
            "take_in_charge-version": 2,
            "take_in_charge-cohort": rw.cohort.pk,
            "take_in_charge-legal_basis": Path.LegalBasis.PUBLIC_INTEREST,
        },
    )
    assert taken.status_code == 302
    signal.refresh_from_db()
    assert signal.outcome == Request.Outcome.TAKEN_IN_CHARGE and signal.path.state == Path.State.PRE_ASSESSMENT

    # The educator reads "taken in charge on …, referente: …" and nothing of the path.
    seen = page(educator.get(detail(signal)))
    assert "Taken in charge on" in seen or "Presa in carico il" in seen
    assert rw.social_worker.get_full_name() in seen
    assert reverse("cases:path_detail", args=[signal.path_id]) not in seen
    assert signal.path.family.reference not in seen
    assert signal.path_id not in paths_visible_to(fresh(rw.nido_educator)).values_list("pk", flat=True)


# --- the sender's side: what was sent and what came back, never the case ---------------------------------


def test_the_sender_reads_what_is_written_to_them_never_internal_notes_nor_a_path_they_have_no_seat_in(
    referrals_world,
):
    rw = referrals_world
    signal = send_signal(rw)
    take(rw, signal)
    worker = fresh(rw.social_worker)
    services.write_message(actor=worker, request=signal, text="NOTA-RISERVATA: padre già noto.", to_sender=False)
    services.write_message(
        actor=fresh(rw.social_worker), request=signal, text="Grazie, ci pensiamo noi.", to_sender=True
    )
    signal.refresh_from_db()
    services.take_in_charge(actor=fresh(rw.social_worker), request=signal, version=signal.version, cohort=rw.cohort)
    signal.refresh_from_db()

    teacher = page(client_for(rw.teacher).get(detail(signal)))
    assert "Grazie, ci pensiamo noi." in teacher and "Nina" in teacher
    assert "NOTA-RISERVATA" not in teacher
    assert rw.social_worker.get_full_name() in teacher  # the referente
    assert reverse("cases:path_detail", args=[signal.path_id]) not in teacher
    assert signal.path.family.reference not in teacher
    # The receiving side reads the whole thread, internal notes marked as such, and the path.
    receiving = page(client_for(rw.social_worker).get(detail(signal)))
    assert "NOTA-RISERVATA" in receiving and "nota interna: chi ha inviato non la legge" in receiving
    assert reverse("cases:path_detail", args=[signal.path_id]) in receiving


def test_a_school_with_a_seat_in_the_familys_path_reaches_it_from_its_signal(referrals_world, family_path):
    """The child is already known (the duplicate check): the case manager, who sees the family, links the
    signal to its path; the school, which has a seat there with the family's consent, gets the link."""
    rw = referrals_world
    child = family_path.family.members.get(kind="child")
    signal = send_signal(
        rw, child_first_name=child.first_name, child_last_name=child.last_name, child_birth_date=child.birth_date
    )
    take(rw, signal)
    worker = client_for(rw.social_worker)
    fields = {
        "take_in_charge-version": 2,
        "take_in_charge-cohort": rw.cohort.pk,
        "take_in_charge-legal_basis": Path.LegalBasis.PUBLIC_INTEREST,
    }
    found = worker.post(action("take_in_charge", signal), fields)
    assert found.status_code == 200 and Path.objects.count() == 1
    assert family_path.family.reference in page(found)  # disclosed: the case manager sees that family
    assert f'value="{family_path.pk}"' in page(found) and 'type="radio"' in page(found)
    linked = worker.post(action("take_in_charge", signal), fields | {"take_in_charge-existing_path": family_path.pk})
    assert linked.status_code == 302
    signal.refresh_from_db()
    assert signal.path == family_path and Path.objects.count() == 1

    teacher = page(client_for(rw.teacher).get(detail(signal)))
    assert reverse("cases:path_detail", args=[family_path.pk]) in teacher


def test_who_may_open_and_act_on_a_signal(referrals_world):
    rw = referrals_world
    signal = send_signal(rw)
    for outsider in (rw.outsider, rw.coordinator, rw.psychologist, rw.bellaria_worker, rw.nido_educator):
        client = client_for(outsider)
        assert client.get(detail(signal)).status_code == 404, outsider
        assert client.post(action("take_in_charge", signal), {}).status_code == 404, outsider
    assert client_for(rw.teacher).get(reverse("referrals:inbox")).status_code == 403
    assert client_for(rw.social_worker).get(reverse("referrals:consultation_create")).status_code == 403
    assert client_for(rw.teacher).post(action("take_in_charge", signal), {}).status_code == 403
    # Before anyone took it, the social worker may take it for themselves, not handle it; the head assigns.
    worker = client_for(rw.social_worker)
    shown = page(worker.get(detail(signal)))
    assert action("assign", signal) in shown and action("take_in_charge", signal) not in shown
    assert worker.post(action("no_intervention", signal), {}).status_code == 403
    head = page(client_for(rw.head).get(detail(signal)))
    assert action("assign", signal) in head and rw.social_worker.get_full_name() in head
    assert action("no_intervention", signal) in head  # the head of service may answer it too
    assert action("take_in_charge", signal) not in head  # but a path's case manager is a social worker
    # Every read is logged with the child as the person concerned.
    viewed = AuditEvent.objects.filter(action="referrals.request.viewed", object_id=str(signal.pk))
    assert viewed.count() == 2 and {s.kind for s in viewed.first().subjects.all()} == {"request"}


def test_a_stale_answer_is_refused_with_409_keeping_what_was_typed(referrals_world):
    rw = referrals_world
    signal = send_signal(rw)
    take(rw, signal)  # version 2 now; the head's page was loaded at version 1
    stale = client_for(rw.head).post(
        action("ask_information", signal),
        {"ask_information-version": 1, "ask_information-text": "Chi sono i genitori? DOMANDA-SCRITTA"},
    )
    assert stale.status_code == 409
    assert "DOMANDA-SCRITTA" in page(stale) and 'id="conflict-alert"' in page(stale)
    signal.refresh_from_db()
    assert signal.status == Request.Status.ASSIGNED and not signal.pauses.exists()
    # Sent again (now carrying the saved version): the question goes and the clock stops.
    again = client_for(rw.head).post(
        action("ask_information", signal),
        {"ask_information-version": 2, "ask_information-text": "Chi sono i genitori?"},
    )
    assert again.status_code == 302
    signal.refresh_from_db()
    assert signal.status == Request.Status.WAITING_SENDER
    # The sender answers from the same page; an empty answer is refused on its field.
    teacher = client_for(rw.teacher)
    assert 'id="id_provide_information-text_error"' in page(
        teacher.post(action("provide_information", signal), {"provide_information-version": 3})
    )
    assert (
        teacher.post(
            action("provide_information", signal),
            {"provide_information-version": 3, "provide_information-text": "La madre, Sara."},
        ).status_code
        == 302
    )
    signal.refresh_from_db()
    assert signal.status == Request.Status.ASSIGNED


def test_a_signal_with_an_attachment_through_the_form(referrals_world, world):
    from patto.accounts.models import SchoolSite
    from patto.documents.tests import samples

    rw = referrals_world
    marina = SchoolSite.objects.create(institution=rw.school, name="Primaria Marina Centro", level="primaria")
    SchoolSite.objects.create(institution=rw.nido, name="Sede di via Roma", level="infanzia")
    teacher = client_for(rw.teacher)
    form = page(teacher.get(reverse("referrals:signal_create")))
    assert "Procura della Repubblica" in form and 'hx-get="/richieste/segnalazione/plessi/"' in form
    options = page(teacher.get(reverse("referrals:school_sites"), {"school": rw.school.pk}))
    assert "Primaria Marina Centro" in options and "via Roma" not in options

    data = {
        "child_first_name": "Nina",
        "child_last_name": "Fabbri",
        "child_sex": "F",
        "comune": rw.comune.pk,
        "school": rw.school.pk,
        "school_site": marina.pk,
        "school_class": "3B",
        "concerns": ["bambino", "famiglia"],
        "observed": "Arriva stanca.",
        "urgency": "urgent",
    }
    # A site that is not the school's: refused on its field, the rest kept.
    wrong = teacher.post(reverse("referrals:signal_create"), data | {"school": rw.nido.pk})
    assert wrong.status_code == 200 and 'id="id_school_site_error"' in page(wrong) and "Arriva stanca." in page(wrong)
    sent = teacher.post(
        reverse("referrals:signal_create"),
        data | {"attachment": SimpleUploadedFile("relazione.pdf", samples.pdf(), content_type="application/pdf")},
    )
    assert sent.status_code == 302
    signal = Request.objects.get()
    assert (signal.school_site, signal.concerns, signal.urgency) == (marina, ["bambino", "famiglia"], "urgent")
    document = signal.attachments.get()

    url = reverse("referrals:attachment", args=[signal.pk, document.pk])
    worker = client_for(rw.social_worker)
    assert url in page(worker.get(detail(signal)))
    download = worker.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="referrals.attachment.downloaded", object_id=str(signal.pk)).exists()
    assert client_for(rw.bellaria_worker).get(url).status_code == 404


def test_menu_entries_and_home_cards(referrals_world):
    rw = referrals_world
    signal = send_signal(rw)
    worker = page(client_for(rw.social_worker).get("/"))
    assert 'href="/richieste/"' in worker and signal.number in worker
    assert 'href="/richieste/inviate/"' not in worker
    teacher = page(client_for(rw.teacher).get("/"))
    assert 'href="/richieste/inviate/"' in teacher and reverse("referrals:signal_create") in teacher
    assert 'href="/richieste/"' not in teacher
    services.close_no_intervention(
        actor=fresh(rw.head), request=signal, version=signal.version, answer="Nessun intervento: parlatene in classe."
    )
    assert signal.number in page(client_for(rw.teacher).get("/"))  # the latest answers
    outsider = page(client_for(rw.outsider).get("/"))
    assert "/richieste/" not in outsider


# --- lists: what they show, and a fixed number of queries whatever their length ----------------------------


def test_the_inbox_open_first_by_due_date_overdue_marked_answered_apart(referrals_world, fixed_clock):
    rw = referrals_world
    late = send_signal(rw, child_first_name="Primo")
    fixed_clock.shift(60 * 60 * 24 * 21)  # three weeks on: the first is overdue
    fresh_one = send_signal(rw, child_first_name="Secondo")
    closed = send_signal(rw, child_first_name="Terzo")
    services.close_no_intervention(actor=fresh(rw.head), request=closed, version=closed.version, answer="Ok.")
    body = page(client_for(rw.social_worker).get(reverse("referrals:inbox")))
    assert body.index(late.number) < body.index(fresh_one.number) and closed.number not in body
    assert body.count('class="badge bg-danger"') == 2  # the counts' badge and the late row's, in words too
    answered = page(client_for(rw.social_worker).get(reverse("referrals:inbox") + "?stato=risposte"))
    assert closed.number in answered and late.number not in answered
    assert AuditEvent.objects.filter(action="referrals.inbox.viewed").count() == 2


def _requests(rw, count):
    for n in range(count):
        signal = send_signal(rw, child_first_name=f"Bimbo{n}")
        take(rw, signal)
        services.write_message(actor=fresh(rw.social_worker), request=signal, text="Ricevuta.", to_sender=True)


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_and_sent_list_query_counts(referrals_world, count, django_assert_num_queries):
    rw = referrals_world
    _requests(rw, count)
    worker, teacher = client_for(rw.social_worker), client_for(rw.teacher)
    with django_assert_num_queries(INBOX_QUERIES):
        assert worker.get(reverse("referrals:inbox")).content.decode().count("Bimbo") == count
    with django_assert_num_queries(SENT_QUERIES):
        assert teacher.get(reverse("referrals:sent")).content.decode().count("Ricevuta.") == count


@pytest.mark.parametrize("count", [1, 3])
def test_request_page_query_count(referrals_world, count, django_assert_num_queries):
    rw = referrals_world
    signal = send_signal(rw)
    take(rw, signal)
    for n in range(count):
        services.write_message(actor=fresh(rw.social_worker), request=signal, text=f"TESTO-{n}", to_sender=n % 2 == 0)
    worker = client_for(rw.social_worker)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert worker.get(detail(signal)).content.decode().count("TESTO-") == count


# session, user, memberships with their standing; count, page, the access row (savepoint, event, subjects), answers;
# the inbox's counts; the notifications' bell.
INBOX_QUERIES = 12
SENT_QUERIES = 11
# session, user, memberships with their standing; the request, the access row; thread, attachments, what followed it;
# the bell; the choices of the forms offered (cohorts, services to send on to).
DETAIL_QUERIES = 13  # with the user's seats, read once per request (cases.queries.my_seats)


def test_home_cards_cost_the_same_queries_with_more_requests(referrals_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rw = referrals_world
    worker, teacher = client_for(rw.social_worker), client_for(rw.teacher)

    def home_queries():
        counts = []
        for client in (worker, teacher):
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/").status_code == 200
            counts.append(len(queries))
        return counts

    first = send_signal(rw)
    services.close_no_intervention(actor=fresh(rw.head), request=first, version=first.version, answer="Ok.")
    send_signal(rw)
    one = home_queries()
    for _n in range(2):
        closed = send_signal(rw)
        services.close_no_intervention(actor=fresh(rw.head), request=closed, version=closed.version, answer="Ok.")
        send_signal(rw)
    assert home_queries() == one
