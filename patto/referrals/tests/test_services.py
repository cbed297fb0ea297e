"""The request mechanism through its services: the clock in working days (weekend, national holiday,
patron saint, pauses), what an anonymous consultation refuses, every outcome of a signal, who sees what,
the reminders and the pact's indicators."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conftest import _member
from patto.accounts.models import Institution, Membership
from patto.accounts.roles import Role
from patto.cases.models import Cohort, Path, TeamMember
from patto.cases.queries import paths_visible_to
from patto.cases.services import DuplicatePerson
from patto.core.workdays import add_working_days, is_working_day, library_patron_day, working_days_between
from patto.governance.indicators import computed
from patto.governance.models import Adhesion, Pact, Procedure
from patto.notifications.models import Notification
from patto.referrals import services
from patto.referrals.models import Kind, Request
from patto.referrals.queries import requests_visible_to, side_of

ROME = ZoneInfo("Europe/Rome")


def at(day, hour=10):
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ROME)


@pytest.fixture
def cast(world, personas):
    world.comune.patron_day = "10-14"  # San Gaudenzio, Rimini
    world.comune.save()
    nido = Institution.objects.create(
        district=world.district, kind=Institution.Kind.EDUCATIONAL_SERVICE, name="Nido Il Girasole", town="Rimini"
    )
    pact = Pact.objects.get(district=world.district)
    for institution in (nido, world.comune_b):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="F",
            signer_role="D",
            signed_on=date(2024, 3, 1),
            method="digital",
        )
    Procedure.objects.create(
        pact=pact,
        title="Segnalazioni dalla scuola",
        owner=world.comune,
        text="…",
        request_kind=Kind.SIGNAL,
        response_working_days=5,
        approved_on=date(2025, 1, 1),
        review_on=date(2027, 1, 1),
    )
    people = {name: m.user for name, m in personas.items()}
    people["head"] = _member("head", world.comune, Role.SERVICE_HEAD).user
    people["colleague"] = _member("colleague", world.comune, Role.SOCIAL_WORKER).user
    people["teacher2"] = _member("teacher2", world.school, Role.SCHOOL_REFERENT).user
    people["school_head"] = _member("school_head", world.school, Role.SCHOOL_HEAD).user
    people["nido"] = _member("nido", nido, Role.EDUCATIONAL_STAFF).user
    people["ausl_head"] = _member("ausl_head", world.ausl, Role.SERVICE_HEAD).user
    people["worker_b"] = _member("worker_b", world.comune_b, Role.SOCIAL_WORKER).user
    cohort = Cohort.objects.create(district=world.district, name="PIPPI 13", start_date=date(2025, 9, 15))
    return SimpleNamespace(world=world, nido_service=nido, cohort=cohort, pact=pact, **people)


def fresh(user):
    """A new User object, as each request has: per-request caches start empty."""
    return type(user).objects.get(pk=user.pk)


def signal_data(cast, **extra):
    return {
        "child_first_name": "Aurora",
        "child_last_name": "Zanfini",
        "child_birth_date": date(2017, 3, 2),
        "child_sex": "F",
        "comune": cast.world.comune,
        "school": cast.world.school,
        "school_class": "3ª B",
        "parents": "La madre, tel. 333 0000000",
        "observed": "Arriva spesso senza merenda e stanca.",
        "family_knows": "La madre è stata informata del colloquio.",
        "urgency": Request.Urgency.ORDINARY,
        **extra,
    }


# --- working days ---------------------------------------------------------------------------------------


def test_working_days_skip_weekends_national_holidays_and_the_patron_saint():
    assert library_patron_day("RN") == "10-14"  # the library knows Rimini's San Gaudenzio
    # Friday 9 October 2026 + 3: Monday 12, Tuesday 13, (Wednesday 14 is San Gaudenzio) Thursday 15.
    assert add_working_days(date(2026, 10, 9), 3, "10-14") == date(2026, 10, 15)
    assert add_working_days(date(2026, 10, 9), 3, "") == date(2026, 10, 14)  # elsewhere a working day
    # Friday 4 December + 5: Monday 7, (Tuesday 8 is the Immacolata) 9, 10, 11, Monday 14.
    assert add_working_days(date(2026, 12, 4), 5) == date(2026, 12, 14)
    # Saint Francis (4 October) is a national holiday again from 2026; Liberation Day, Republic Day.
    assert not is_working_day(date(2027, 10, 4)) and not is_working_day(date(2026, 6, 2))
    assert not is_working_day(date(2027, 4, 26)) or date(2027, 4, 26).weekday() < 5  # Easter Monday 2027 is 29 March
    assert not is_working_day(date(2027, 3, 29))
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 14)) == 5
    assert working_days_between(date(2026, 12, 14), date(2026, 12, 4)) == 0


def test_a_signal_is_due_after_the_procedures_working_days_counted_where_the_service_is(cast, fixed_clock):
    Membership.objects.update(valid_from=date(2025, 1, 1))
    fixed_clock.move_to(at(date(2026, 10, 9)))  # Friday before San Gaudenzio
    request = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    assert (request.working_days, request.procedure.title) == (5, "Segnalazioni dalla scuola")
    # Monday 12, Tuesday 13, (14 patron saint) 15, 16, Monday 19.
    assert request.due_on == date(2026, 10, 19)
    assert request.number.startswith("RN-SEG-2026-")
    # No procedure for consultations: the default.
    consultation = services.send_consultation(
        actor=fresh(cast.nido), receiver=cast.world.comune, age_band="0-2", observed="Pianto continuo all'ingresso."
    )
    assert consultation.working_days == 10 and consultation.procedure is None


def test_the_clock_stops_while_waiting_for_the_sender(cast, fixed_clock):
    fixed_clock.move_to(at(date(2026, 11, 30)))  # Monday
    request = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    assert request.due_on == date(2026, 12, 7)  # Tuesday 1 … Friday 4, Monday 7
    services.assign_request(
        actor=fresh(cast.head), request=request, version=request.version, assignee=cast.case_manager
    )
    fixed_clock.move_to(at(date(2026, 12, 2)))
    request.refresh_from_db()
    services.ask_more_information(
        actor=fresh(cast.case_manager), request=request, version=request.version, text="In che classe è?"
    )
    request.refresh_from_db()
    assert request.status == Request.Status.WAITING_SENDER and not request.is_overdue(date(2027, 1, 1))
    fixed_clock.move_to(at(date(2026, 12, 9)))  # five calendar days, four working days later (8th a holiday)
    services.provide_information(
        actor=fresh(cast.school_referent), request=request, version=request.version, text="3ª B, sezione a tempo pieno."
    )
    request.refresh_from_db()
    assert request.status == Request.Status.ASSIGNED
    assert request.due_on == add_working_days(date(2026, 12, 7), 4)  # moved on by the 4 paused working days
    fixed_clock.move_to(at(date(2026, 12, 10)))
    services.close_no_intervention(
        actor=fresh(cast.case_manager), request=request, version=request.version, answer="Seguire con il pediatra."
    )
    request.refresh_from_db()
    # 1, 2 | paused 3, 4, 7, 9 | 10: three working days counted.
    assert request.response_working_days == 3


def test_initial_due_date_of_a_signal_sent_on_a_monday(cast, fixed_clock):
    fixed_clock.move_to(at(date(2026, 11, 30)))
    request = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    assert request.due_on == date(2026, 12, 7)  # Tuesday 1 … Friday 4, Monday 7


# --- anonymous consultations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, text",
    [
        ("observed", "Il bambino (RSSMRA15C12H294X) arriva tardi."),
        ("tried", "Colloquio del 12/10/2026 con la madre."),
        ("observed_since", "nata il 3.4.2021"),
    ],
)
def test_a_consultation_refuses_what_identifies_the_child_and_says_why(cast, field, text):
    data = {"observed": "Stanchezza", "observed_since": "", "tried": "", field: text}
    with pytest.raises(ValidationError) as refused:
        services.send_consultation(actor=fresh(cast.nido), receiver=cast.world.comune, age_band="0-2", **data)
    assert field in refused.value.message_dict
    assert "codice fiscale" in refused.value.message_dict[field][0] or "data" in refused.value.message_dict[field][0]
    assert not Request.objects.exists()


def test_the_database_refuses_a_named_consultation(cast):
    request = services.send_consultation(
        actor=fresh(cast.nido), receiver=cast.world.comune, age_band="0-2", observed="Pianto continuo."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(child_first_name="Aurora")


def test_consultation_becomes_a_signal_then_a_path_and_the_sender_sees_only_the_status(cast):
    consultation = services.send_consultation(
        actor=fresh(cast.nido),
        receiver=cast.world.comune,
        age_band="0-2",
        observed="Segni di trascuratezza, da settembre.",
        tried="Colloqui con la madre",
        family_informed=Request.FamilyInformed.PARTLY,
    )
    receivers = set(Notification.objects.filter(kind="request_received").values_list("recipient__username", flat=True))
    assert receivers == {"case_manager", "colleague", "head"}  # the comune's social service, nobody else
    services.assign_request(
        actor=fresh(cast.case_manager), request=consultation, version=consultation.version, assignee=cast.case_manager
    )
    consultation.refresh_from_db()
    services.answer_consultation(
        actor=fresh(cast.case_manager),
        request=consultation,
        version=consultation.version,
        outcome=Request.Outcome.BECOME_SIGNAL,
        answer="La situazione va segnalata: completate la segnalazione.",
    )
    consultation.refresh_from_db()
    signal = services.send_signal(
        actor=fresh(cast.nido),
        data=signal_data(cast, school=cast.nido_service, observed=consultation.observed),
        from_request=consultation,
    )
    with pytest.raises(ValidationError):  # only once
        services.send_signal(
            actor=fresh(cast.nido), data=signal_data(cast, child_first_name="Altra"), from_request=consultation
        )
    services.assign_request(actor=fresh(cast.head), request=signal, version=signal.version, assignee=cast.case_manager)
    signal.refresh_from_db()
    services.write_message(actor=fresh(cast.case_manager), request=signal, text="Nota interna", to_sender=False)
    services.take_in_charge(actor=fresh(cast.case_manager), request=signal, version=signal.version, cohort=cast.cohort)
    signal.refresh_from_db()
    assert (signal.status, signal.outcome) == (Request.Status.CLOSED, Request.Outcome.TAKEN_IN_CHARGE)
    path = signal.path
    assert path.state == Path.State.PRE_ASSESSMENT and path.signal_source == cast.nido_service
    assert TeamMember.objects.get(path=path).institution == cast.world.comune
    # The nido sees the request and the answer, never the path or the internal note.
    nido = fresh(cast.nido)
    assert requests_visible_to(nido).filter(pk=signal.pk).exists()
    assert side_of(nido, signal).sender_only
    assert not paths_visible_to(nido).filter(pk=path.pk).exists()
    from patto.referrals.queries import messages_for

    assert "Nota interna" not in [m.text for m in messages_for(nido, signal)]
    assert "Nota interna" in [m.text for m in messages_for(fresh(cast.case_manager), signal)]


def test_who_sees_a_signal(cast):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    visible = {
        name: requests_visible_to(fresh(getattr(cast, name))).filter(pk=signal.pk).exists()
        for name in (
            "school_referent",
            "teacher2",
            "school_head",
            "case_manager",
            "head",
            "coordinator",
            "health_professional",
            "ausl_head",
            "worker_b",
            "outsider",
            "auditor",
            "foreigner",
            "nido",
        )
    }
    assert {name for name, seen in visible.items() if seen} == {
        "school_referent",
        "school_head",
        "case_manager",
        "head",
    }


def test_without_standing_nothing_is_sent_and_nothing_seen(cast):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    Adhesion.objects.filter(institution=cast.world.school).update(withdrawn_on=date(2026, 11, 1))
    teacher = fresh(cast.school_referent)
    assert not requests_visible_to(teacher).exists()
    with pytest.raises(PermissionDenied):
        services.send_signal(actor=teacher, data=signal_data(cast))
    assert requests_visible_to(fresh(cast.head)).filter(pk=signal.pk).exists()


def test_a_signal_forwarded_to_another_comune_and_closed_without_intervention(cast):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    with pytest.raises(PermissionDenied):  # a social worker takes it for themselves; only the head names others
        services.assign_request(
            actor=fresh(cast.colleague), request=signal, version=signal.version, assignee=cast.case_manager
        )
    services.assign_request(actor=fresh(cast.head), request=signal, version=signal.version, assignee=cast.case_manager)
    signal.refresh_from_db()
    copy = services.forward_signal(
        actor=fresh(cast.case_manager),
        request=signal,
        version=signal.version,
        to=cast.world.comune_b,
        answer="Residenza a Santarcangelo.",
    )
    signal.refresh_from_db()
    assert (
        signal.outcome == Request.Outcome.SENT_ON
        and copy.from_request == signal
        and copy.receiver == cast.world.comune_b
    )
    assert requests_visible_to(fresh(cast.worker_b)).filter(pk=copy.pk).exists()
    assert requests_visible_to(fresh(cast.school_referent)).filter(pk__in=[signal.pk, copy.pk]).count() == 2
    services.assign_request(actor=fresh(cast.worker_b), request=copy, version=copy.version, assignee=cast.worker_b)
    copy.refresh_from_db()
    services.close_no_intervention(
        actor=fresh(cast.worker_b),
        request=copy,
        version=copy.version,
        answer="Nessun intervento: parlare con la famiglia.",
    )
    copy.refresh_from_db()
    assert copy.outcome == Request.Outcome.NO_INTERVENTION and copy.response_working_days == 0
    answered = Notification.objects.filter(kind="request_answered", recipient=cast.school_referent).count()
    assert answered == 2


def test_taking_in_charge_a_child_already_known(cast):
    first = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    services.assign_request(actor=fresh(cast.head), request=first, version=first.version, assignee=cast.case_manager)
    first.refresh_from_db()
    services.take_in_charge(actor=fresh(cast.case_manager), request=first, version=first.version, cohort=cast.cohort)
    first.refresh_from_db()
    second = services.send_signal(actor=fresh(cast.nido), data=signal_data(cast, school=cast.nido_service))
    services.assign_request(
        actor=fresh(cast.colleague), request=second, version=second.version, assignee=cast.colleague
    )
    second.refresh_from_db()
    with pytest.raises(DuplicatePerson) as duplicate:  # the colleague is not in that family's team: not told which
        services.take_in_charge(actor=fresh(cast.colleague), request=second, version=second.version, cohort=cast.cohort)
    assert duplicate.value.code == "duplicate_person" and first.path.family.reference not in str(duplicate.value)
    services.assign_request(actor=fresh(cast.head), request=second, version=second.version, assignee=cast.case_manager)
    second.refresh_from_db()
    with pytest.raises(DuplicatePerson) as duplicate:
        services.take_in_charge(
            actor=fresh(cast.case_manager), request=second, version=second.version, cohort=cast.cohort
        )
    assert first.path.family.reference in str(duplicate.value)
    services.take_in_charge(
        actor=fresh(cast.case_manager), request=second, version=second.version, existing_path=first.path
    )
    second.refresh_from_db()
    assert second.path == first.path and Path.objects.count() == 1


def test_overdue_reminders_once_a_day_and_the_indicators(cast, fixed_clock):
    fixed_clock.move_to(at(date(2026, 11, 2)))
    late = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    answered = []
    for name in ("Bianca", "Carlo", "Dario"):
        request = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast, child_first_name=name))
        services.assign_request(
            actor=fresh(cast.head), request=request, version=request.version, assignee=cast.case_manager
        )
        answered.append(request)
    for days, request in zip((1, 2, 6), answered):
        fixed_clock.move_to(at(add_working_days(date(2026, 11, 2), days)))
        request.refresh_from_db()
        services.close_no_intervention(
            actor=fresh(cast.case_manager), request=request, version=request.version, answer="Ok"
        )
    fixed_clock.move_to(at(date(2026, 11, 16)))
    today = date(2026, 11, 16)
    assert services.overdue_reminders(today) == 1  # the head of service: nobody has it yet
    assert services.overdue_reminders(today) == 0
    assert Notification.objects.get(kind="request_overdue").recipient == cast.head
    period = SimpleNamespace(pact=cast.pact, starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
    assert computed("request_response_median", cast.pact, period) == 2
    assert computed("request_response_p90", cast.pact, period) == 6
    assert computed("requests_overdue", cast.pact, period) == 1
    past = SimpleNamespace(pact=cast.pact, starts_on=date(2026, 1, 1), ends_on=date(2026, 11, 3))
    assert computed("requests_overdue", cast.pact, past) == 0  # on 3 November nothing was late yet
    assert late.is_overdue(today)
    from patto.referrals.panels import dashboard_section

    section = dashboard_section(None, cast.pact)
    assert section["answered"] == 3 and (section["median"], section["p90"]) == (2, 6)
    assert [(row["answered"], row["median"], row["p90"]) for row in section["by_kind"]] == [(3, 2, 6)]
    assert [(row["label"], row["answered"]) for row in section["by_service"]] == [("Comune di Rimini", 3)]
    # The section's statements are compiled once a day: each day, what the ORM reads that day.
    for day in (date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 13), today, date(2026, 11, 20), date(2027, 1, 4)):
        fixed_clock.move_to(at(day))
        assert _dashboard_section_by_the_orm(cast.pact, day) == _comparable(dashboard_section(None, cast.pact)), day


def _dashboard_section_by_the_orm(pact, today):
    """The referrals section of the dashboard as plain ORM queries say it, for the frozen statements' check."""
    from django.db.models import Count, Q

    from patto.core.workdays import add_working_days
    from patto.referrals.models import Request
    from patto.referrals.queries import OPEN_STATUSES, median, overdue, percentile, response_times

    soon = add_working_days(today, 2)
    waiting = Q(status=Request.Status.WAITING_SENDER)
    per_service = list(
        Request.objects.filter(district_id=pact.district_id, status__in=OPEN_STATUSES)
        .values("receiver__name")
        .annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=waiting),
            due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon) & ~waiting),
            late=Count("pk", filter=Q(due_on__lt=today) & ~waiting),
        )
        .order_by("receiver__name")
    )
    late = [(r.pk, r.receiver.name) for r in overdue(pact.district_id, today).order_by("due_on")[:20]]
    times = list(response_times(pact.district_id, date(today.year, 1, 1), today))
    return per_service, late, (len(times), median(times), percentile(times, 0.9))


def _comparable(section):
    late = [(r.pk, r.receiver.name) for r in section["late"]]
    return section["per_service"], late, (section["answered"], section["median"], section["p90"])


# --- found by the hostile-insider review ------------------------------------------------------------------


def _taken(cast, **extra):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast, **extra))
    services.assign_request(actor=fresh(cast.head), request=signal, version=signal.version, assignee=cast.case_manager)
    signal.refresh_from_db()
    services.take_in_charge(actor=fresh(cast.case_manager), request=signal, version=signal.version, cohort=cast.cohort)
    signal.refresh_from_db()
    return signal


def test_a_signal_is_never_linked_to_another_familys_path(cast):
    other = _taken(cast)  # Aurora's family
    signal = services.send_signal(
        actor=fresh(cast.school_referent), data=signal_data(cast, child_first_name="Nina", child_last_name="Fabbri")
    )
    services.assign_request(actor=fresh(cast.head), request=signal, version=signal.version, assignee=cast.case_manager)
    signal.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.take_in_charge(
            actor=fresh(cast.case_manager), request=signal, version=signal.version, existing_path=other.path
        )
    assert "existing_path" in refused.value.message_dict
    signal.refresh_from_db()
    assert signal.is_open and signal.path is None


def test_a_school_asked_for_a_teacher_loses_the_request_when_the_family_withdraws_consent(cast):
    from patto.cases.models import ConsentItem
    from patto.cases.services import give_consent, withdraw_consent

    path = _taken(cast).path
    manager = fresh(cast.case_manager)
    give_consent(
        actor=manager,
        path=path,
        institution=cast.world.school,
        scope="Frequenza",
        given_on=date(2026, 11, 2),
        given_by="I genitori",
    )
    request = services.request_professional(
        actor=fresh(cast.case_manager), path=path, receiver=cast.world.school, team_role="teacher", text="Un docente"
    )
    assert requests_visible_to(fresh(cast.school_head)).filter(pk=request.pk).exists()
    item = ConsentItem.objects.get(path=path)
    withdraw_consent(
        actor=manager, item=item, version=item.version, withdrawn_on=date(2026, 11, 16), reason="La famiglia"
    )
    head = fresh(cast.school_head)
    assert not requests_visible_to(head).filter(pk=request.pk).exists()
    assert not side_of(head, request).receiver


def test_a_transfer_hands_the_paths_open_requests_to_the_new_case_manager(cast):
    path = _taken(cast).path
    asked = services.request_professional(
        actor=fresh(cast.case_manager),
        path=path,
        receiver=cast.world.ausl,
        team_role="psychologist",
        text="Valutazione",
    )
    _member("head_b", cast.world.comune_b, Role.SERVICE_HEAD)
    transfer = services.request_transfer(
        actor=fresh(cast.case_manager), path=path, receiver=cast.world.comune_b, text="Trasloco"
    )
    from patto.accounts.models import User

    services.assign_request(
        actor=fresh(User.objects.get(username="head_b")),
        request=transfer,
        version=transfer.version,
        assignee=cast.worker_b,
    )
    transfer.refresh_from_db()
    services.accept_assignment(actor=fresh(cast.worker_b), request=transfer, version=transfer.version)
    asked.refresh_from_db()
    assert (asked.sender, asked.sender_institution) == (cast.worker_b, cast.world.comune_b)
    assert not requests_visible_to(fresh(cast.case_manager)).filter(pk=asked.pk).exists()
    assert requests_visible_to(fresh(cast.worker_b)).filter(pk=asked.pk).exists()


def test_only_the_sender_writes_as_the_sender(cast):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    with pytest.raises(PermissionDenied):
        services.write_message(actor=fresh(cast.school_head), request=signal, text="Scrivo io", to_sender=False)
    services.write_message(actor=fresh(cast.school_referent), request=signal, text="Aggiungo", to_sender=False)


@pytest.mark.parametrize("text", ["nato il 3 aprile 2019", "il 03/04/19", "dal 2019-04-03", "CF RSS MRA 85T10 A944S"])
def test_a_consultation_refuses_dates_and_codici_fiscali_in_other_shapes(cast, text):
    with pytest.raises(ValidationError):
        services.check_anonymous({"observed": text})
    services.check_anonymous({"observed": "da ottobre, dal 3 ottobre, 3 volte a settimana, classe 3ª B"})


def test_an_overdue_request_whose_handler_left_reminds_the_heads(cast):
    signal = services.send_signal(actor=fresh(cast.school_referent), data=signal_data(cast))
    services.assign_request(
        actor=fresh(cast.colleague), request=signal, version=signal.version, assignee=cast.colleague
    )
    Membership.objects.filter(user=cast.colleague).update(valid_to=date(2026, 11, 1))
    Request.objects.filter(pk=signal.pk).update(due_on=date(2026, 11, 10))
    assert services.overdue_reminders(date(2026, 11, 16)) == 1
    assert Notification.objects.get(kind="request_overdue").recipient == cast.head


def test_a_signal_taken_in_charge_gives_the_child_its_comune_and_says_who_signalled(cast):
    from patto.territory.services import sync_comuni

    sync_comuni()
    signal = services.send_signal(actor=fresh(cast.nido), data=signal_data(cast, school=cast.nido_service))
    services.assign_request(actor=fresh(cast.head), request=signal, version=signal.version, assignee=cast.case_manager)
    signal.refresh_from_db()
    services.take_in_charge(actor=fresh(cast.case_manager), request=signal, version=signal.version, cohort=cast.cohort)
    signal.refresh_from_db()
    path = signal.path
    assert path.signal_channel == Path.SignalChannel.EDUCATIONAL_SERVICE
    child = path.family.members.get()
    assert (child.comune.istat_code, child.town) == (cast.world.comune.istat_code, "")
