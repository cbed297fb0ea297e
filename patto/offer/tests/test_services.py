"""The offer's services: every write audited, the rules they keep, optimistic locking."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.core.exceptions import ConflictError
from patto.offer import services
from patto.offer.models import CodesignProcess, Offer, WaitingEntry

from .conftest import device, fresh

TODAY = date(2026, 11, 16)


def last_event(action):
    return AuditEvent.objects.filter(action=action).order_by("-pk").first()


def test_an_offer_is_added_and_audited(offers, comuni):
    offer = Offer.objects.get(pk=offers.home.pk)
    assert offer.band_list == ["6-10", "11-13"]
    assert set(offer.comuni.all()) == {comuni.rimini, comuni.santarcangelo}
    event = last_event("offer.offer.added")
    assert event is not None and event.changes["places"] == [None, 20]  # the last one added: the groups


def test_one_offer_per_dispositivo_and_provider(offers, world, personas, comuni):
    with pytest.raises(ValidationError) as error:
        services.add_offer(
            actor=personas["coordinator"].user,
            district=world.district,
            device_type=device("educativa-domiciliare"),
            provider=world.coop,
            comuni=[comuni.rimini],
            age_bands=["6-10"],
            places=3,
        )
    assert "provider" in error.value.error_dict


def test_an_offer_needs_comuni_and_bands_of_the_district(world, personas, comuni):
    from patto.territory.models import Comune

    forli = Comune.objects.create(district=world.foreign_district, istat_code="040012", name="Forlì")
    for comuni_chosen, bands, field in (
        ([], ["6-10"], "comuni"),
        ([forli], ["6-10"], "comuni"),
        ([comuni.rimini], [], "age_bands"),
    ):
        with pytest.raises(ValidationError) as error:
            services.add_offer(
                actor=personas["coordinator"].user,
                district=world.district,
                device_type=device("gruppi"),
                provider=world.coop,
                comuni=comuni_chosen,
                age_bands=bands,
                places=3,
            )
        assert field in error.value.error_dict
    assert not Offer.objects.exists()


def test_a_stale_offer_edit_is_refused(offers, personas, comuni):
    offer = offers.home
    coordinator = personas["coordinator"].user
    services.update_offer(
        actor=coordinator, offer=offer, version=offer.version, comuni=[comuni.rimini], age_bands=["6-10"], places=8
    )
    offer.refresh_from_db()
    assert offer.places == 8 and offer.version == 2 and list(offer.comuni.all()) == [comuni.rimini]
    assert last_event("offer.offer.changed").changes["places"] == [6, 8]
    with pytest.raises(ConflictError):
        services.update_offer(
            actor=coordinator, offer=offer, version=1, comuni=[comuni.rimini], age_bands=["6-10"], places=9
        )
    offer.refresh_from_db()
    assert offer.places == 8


def test_waiting_entry_entered_withdrawn_with_reason(offers, family_path, personas):
    case_manager = fresh(personas["case_manager"].user)
    entry = services.put_on_waiting_list(
        actor=case_manager,
        path=family_path,
        offer=offers.home,
        need="Educativa, 4 ore",
        since=TODAY - timedelta(days=20),
    )
    assert entry.is_open and entry.days_waiting(TODAY) == 20
    event = last_event("offer.waiting.entered")
    assert {s.subject_id for s in event.subjects.all()} == {str(p.pk) for p in family_path.family.members.all()}
    with pytest.raises(ValidationError):  # once at a time
        services.put_on_waiting_list(actor=case_manager, path=family_path, offer=offers.home, need="ancora")
    with pytest.raises(ValidationError) as error:
        services.withdraw_waiting(actor=case_manager, entry=entry, version=entry.version, reason="  ")
    assert "reason" in error.value.error_dict
    services.withdraw_waiting(actor=case_manager, entry=entry, version=entry.version, reason="Trasferita")
    entry.refresh_from_db()
    assert entry.outcome == WaitingEntry.Outcome.WITHDRAWN and entry.ended_on == TODAY and entry.reason == "Trasferita"
    assert entry.days_waiting(TODAY + timedelta(days=30)) == 20  # the wait stops when the entry ends
    assert last_event("offer.waiting.withdrawn") is not None
    # ended: it can be entered again
    services.put_on_waiting_list(actor=case_manager, path=family_path, offer=offers.home, need="di nuovo")


def test_activating_from_the_waiting_list_ends_the_entry(offers, family_path, personas):
    case_manager = fresh(personas["case_manager"].user)
    entry = services.put_on_waiting_list(
        actor=case_manager, path=family_path, offer=offers.home, need="Educativa", since=TODAY - timedelta(days=9)
    )
    activation = services.activate_from_waiting(
        actor=case_manager, entry=entry, version=entry.version, starts_on=TODAY, hours_per_week=4
    )
    entry.refresh_from_db()
    assert entry.outcome == WaitingEntry.Outcome.ACTIVATED and entry.activation == activation
    assert activation.device_type == offers.home.device_type and activation.provider == offers.home.provider
    assert entry.days_waiting() == 9
    assert last_event("cases.device.activated") is not None and last_event("offer.waiting.activated") is not None


def test_activation_refused_keeps_the_entry_open(offers, family_path, personas):
    case_manager = fresh(personas["case_manager"].user)
    entry = services.put_on_waiting_list(actor=case_manager, path=family_path, offer=offers.home, need="Educativa")
    with pytest.raises(ValidationError):  # home education needs its hours
        services.activate_from_waiting(actor=case_manager, entry=entry, version=entry.version, starts_on=TODAY)
    entry.refresh_from_db()
    assert entry.is_open


def test_a_stale_waiting_entry_is_refused(offers, family_path, personas):
    case_manager = fresh(personas["case_manager"].user)
    entry = services.put_on_waiting_list(actor=case_manager, path=family_path, offer=offers.home, need="Educativa")
    stale = WaitingEntry.objects.get(pk=entry.pk)  # a form loaded before the withdrawal below
    services.withdraw_waiting(actor=case_manager, entry=entry, version=entry.version, reason="Rinuncia")
    with pytest.raises(ConflictError):
        services.withdraw_waiting(actor=case_manager, entry=stale, version=stale.version, reason="Ancora")
    with pytest.raises(ValidationError):  # ended already
        services.withdraw_waiting(actor=case_manager, entry=entry, version=entry.version, reason="Ancora")


def _process(world, personas, **extra):
    return services.start_process(
        actor=personas["coordinator"].user,
        district=world.district,
        title="Co-progettazione 2027",
        started_on=TODAY - timedelta(days=60),
        participants=[world.coop, world.comune],
        **extra,
    )


def test_a_process_goes_through_its_phases_and_its_agreement_adds_places(offers, world, personas):
    coordinator = personas["coordinator"].user
    process = _process(world, personas, needs_year=2025)
    assert process.phase == CodesignProcess.Phase.NOTICE
    for days in (40, 20, 10):
        process.refresh_from_db()
        services.advance_phase(
            actor=coordinator, process=process, version=process.version, on=TODAY - timedelta(days=days)
        )
    process.refresh_from_db()
    assert process.phase == CodesignProcess.Phase.PROJECT
    with pytest.raises(ValidationError):  # nothing the agreement creates yet
        services.advance_phase(actor=coordinator, process=process, version=process.version, on=TODAY)
    services.add_capacity(actor=coordinator, process=process, offer=offers.home, places_added=4, hours_added=20)
    with pytest.raises(ValidationError):
        services.add_capacity(actor=coordinator, process=process, offer=offers.home, places_added=1)
    with pytest.raises(ValidationError):  # a phase before the previous one
        services.advance_phase(
            actor=coordinator, process=process, version=process.version, on=TODAY - timedelta(days=30)
        )
    services.advance_phase(actor=coordinator, process=process, version=process.version, on=TODAY)
    process.refresh_from_db()
    offers.home.refresh_from_db()
    assert process.is_concluded and process.concluded_on == TODAY
    assert offers.home.places == 10 and offers.home.hours_per_week == 50
    assert [c.phase for c in process.phase_changes.all()] == ["notice", "interest", "tables", "project", "agreement"]
    assert last_event("offer.offer.places_added").changes["places"] == [6, 10]
    with pytest.raises(ValidationError):
        services.advance_phase(actor=coordinator, process=process, version=process.version, on=TODAY)
    with pytest.raises(ValidationError):
        services.add_capacity(actor=coordinator, process=process, offer=offers.groups, places_added=3)


def test_a_stale_process_edit_is_refused(world, personas):
    process = _process(world, personas)
    coordinator = personas["coordinator"].user
    fields = {"title": "Nuovo titolo", "reference": "", "description": "", "started_on": process.started_on}
    services.update_process(
        actor=coordinator, process=process, version=1, participants=[world.coop], body=None, needs_year=None, **fields
    )
    assert last_event("offer.codesign.changed").changes["participants"] == [
        "Comune di Rimini; Coop Orizzonti",
        "Coop Orizzonti",
    ]
    with pytest.raises(ConflictError):
        services.update_process(
            actor=coordinator, process=process, version=1, participants=[], body=None, needs_year=None, **fields
        )
    with pytest.raises(ConflictError):
        services.advance_phase(actor=coordinator, process=process, version=1, on=TODAY)


def test_a_process_refuses_what_is_not_the_districts(world, personas):
    with pytest.raises(ValidationError) as error:
        services.start_process(
            actor=personas["coordinator"].user,
            district=world.district,
            title="x",
            started_on=TODAY,
            participants=[world.foreign],
        )
    assert "participants" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.start_process(
            actor=personas["coordinator"].user, district=world.district, title="x", started_on=TODAY + timedelta(days=1)
        )
    assert not CodesignProcess.objects.exists()


def test_documents_of_a_phase_go_through_the_upload_pipeline(world, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.documents.tests import samples

    process = _process(world, personas)
    document = services.add_document(
        actor=personas["coordinator"].user,
        process=process,
        phase="notice",
        title="Avviso",
        upload=SimpleUploadedFile("avviso.pdf", samples.pdf()),
    )
    assert document.attachment.kind == "pdf" and document.attachment.scope == f"codesign:{process.pk}"
    assert last_event("documents.attachment.stored") is not None
    assert last_event("offer.codesign.document_added") is not None
    assert timezone.localdate() == TODAY


# --- F6: each service checks the actor itself (the views are not the only door) ----------------------------


def _counts():
    from patto.cases.models import DeviceActivation
    from patto.documents.models import Attachment
    from patto.offer.models import CapacityLine, CodesignDocument, PhaseChange

    models = (AuditEvent, Offer, WaitingEntry, CodesignProcess, PhaseChange, CapacityLine, CodesignDocument)
    return [model.objects.count() for model in (*models, DeviceActivation, Attachment)]


def _calls(world, comuni, offers, entry, process):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from patto.documents.tests import samples

    return {
        "add_offer": lambda actor, district=world.district: services.add_offer(
            actor=actor,
            district=district,
            device_type=device("vicinanza-solidale"),
            provider=world.comune,
            comuni=[comuni.rimini],
            age_bands=["6-10"],
            places=3,
        ),
        "update_offer": lambda actor: services.update_offer(
            actor=actor, offer=offers.home, version=offers.home.version, comuni=[comuni.rimini], age_bands=["6-10"]
        ),
        "put_on_waiting_list": lambda actor: services.put_on_waiting_list(
            actor=actor, path=entry.path, offer=offers.groups, need="Gruppi"
        ),
        "withdraw_waiting": lambda actor: services.withdraw_waiting(
            actor=actor, entry=entry, version=entry.version, reason="Rinuncia"
        ),
        "activate_from_waiting": lambda actor: services.activate_from_waiting(
            actor=actor, entry=entry, version=entry.version, starts_on=TODAY, hours_per_week=4
        ),
        "start_process": lambda actor, district=world.district: services.start_process(
            actor=actor, district=district, title="Altro", started_on=TODAY
        ),
        "update_process": lambda actor: services.update_process(
            actor=actor,
            process=process,
            version=process.version,
            participants=[],
            title="Cambiato",
            started_on=process.started_on,
        ),
        "advance_phase": lambda actor: services.advance_phase(
            actor=actor, process=process, version=process.version, on=TODAY
        ),
        "add_capacity": lambda actor: services.add_capacity(
            actor=actor, process=process, offer=offers.groups, places_added=3
        ),
        "add_document": lambda actor: services.add_document(
            actor=actor,
            process=process,
            phase="notice",
            title="Avviso",
            upload=SimpleUploadedFile("avviso.pdf", samples.pdf()),
        ),
    }


# Who may not: a team role for the coordinator's writes, the foreign district's member for every write, the
# coordinator and a psychologist of the équipe (no case manager) for the family's waiting entries.
REFUSED = {
    "add_offer": ("case_manager", "foreigner", "outsider"),
    "update_offer": ("case_manager", "foreigner", "team_member"),
    "put_on_waiting_list": ("coordinator", "health_professional", "foreigner", "school_referent"),
    "withdraw_waiting": ("coordinator", "health_professional", "foreigner", "school_referent"),
    "activate_from_waiting": ("coordinator", "health_professional", "foreigner", "school_referent"),
    "start_process": ("case_manager", "foreigner", "institution_admin"),
    "update_process": ("case_manager", "foreigner", "team_member"),
    "advance_phase": ("case_manager", "foreigner"),
    "add_capacity": ("case_manager", "foreigner"),
    "add_document": ("case_manager", "foreigner"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_service_called_by_who_may_not_raises_and_writes_nothing(name, offers, world, comuni, family_path, personas):
    from django.core.exceptions import PermissionDenied

    entry = services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user), path=family_path, offer=offers.home, need="Educativa"
    )
    process = _process(world, personas)
    call = _calls(world, comuni, offers, entry, process)[name]
    before = _counts()
    for username in REFUSED[name]:
        with pytest.raises(PermissionDenied):
            call(fresh(personas[username].user))
        assert _counts() == before, username
    entry.refresh_from_db()
    assert entry.is_open


@pytest.mark.parametrize("name", ["add_offer", "start_process"])
def test_the_coordinator_writes_only_in_their_own_district(name, offers, world, comuni, family_path, personas):
    from django.core.exceptions import PermissionDenied

    entry = services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user), path=family_path, offer=offers.home, need="Educativa"
    )
    call = _calls(world, comuni, offers, entry, _process(world, personas))[name]
    before = _counts()
    with pytest.raises(PermissionDenied):
        call(fresh(personas["coordinator"].user), district=world.foreign_district)
    assert _counts() == before
