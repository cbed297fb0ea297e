"""The requests' screens: the sender writes a consultation or a signal and follows its status; the receiving
service works from its inbox and the request's page. Who sees what, what is refused, what is kept."""

from datetime import date

from django.urls import reverse

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
