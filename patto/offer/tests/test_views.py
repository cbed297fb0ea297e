"""The offer's pages: the map (counts only, filters), the waiting lists from the path, co-design; stale edits get
409; every list costs the same with one or three items."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.tests.pages import whole_path_page
from patto.offer import services
from patto.offer.models import CodesignProcess, Offer, WaitingEntry

from .conftest import client_for, device, fresh

TODAY = date(2026, 11, 16)


def test_the_map_shows_counts_never_families(offers, family_path, personas, login):
    services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user), path=family_path, offer=offers.home, need="Educativa"
    )
    page = login("institution_admin").get(reverse("offer:map")).content.decode()
    assert "Coop Orizzonti" in page and "Santarcangelo di Romagna" in page
    assert "&lt;5" in page  # one family waiting
    assert family_path.family.reference not in page and "Canestrari" not in page
    assert reverse("offer:offer_edit", args=[offers.home.pk]) not in page  # only the coordinator edits
    coordinator_page = login("coordinator").get(reverse("offer:map")).content.decode()
    assert reverse("offer:offer_edit", args=[offers.home.pk]) in coordinator_page


def test_the_map_filters(offers, comuni, login):
    client = login("case_manager")
    coop, comune = "<td>Coop Orizzonti</td>", "<td>Comune di Rimini</td>"
    by_comune = client.get(reverse("offer:map"), {"comune": comuni.santarcangelo.pk}).content.decode()
    assert coop in by_comune and comune not in by_comune
    by_band = client.get(reverse("offer:map"), {"fascia": "0-2"}).content.decode()
    assert coop not in by_band and comune in by_band
    by_device = client.get(reverse("offer:map"), {"dispositivo": device("gruppi").pk}).content.decode()
    assert coop not in by_device and comune in by_device
    ignored = client.get(reverse("offer:map"), {"comune": "nessuno", "fascia": "99"})
    assert ignored.status_code == 200 and coop in ignored.content.decode()


def _more_offers(world, personas, comuni, count):
    from patto.accounts.models import Institution

    for index in range(count):
        provider = Institution.objects.create(
            district=world.district, kind="third_sector", name=f"Cooperativa {index}", town="Rimini"
        )
        services.add_offer(
            actor=personas["coordinator"].user,
            district=world.district,
            device_type=device("gruppi"),
            provider=provider,
            comuni=[comuni.rimini, comuni.santarcangelo],
            age_bands=["6-10"],
            places=4,
        )


@pytest.mark.parametrize("count", [1, 3])
def test_the_map_costs_the_same_with_one_or_three_offers(count, world, personas, comuni, django_assert_num_queries):
    _more_offers(world, personas, comuni, count)
    client = client_for(personas["case_manager"].user)
    with django_assert_num_queries(MAP_QUERIES):
        response = client.get(reverse("offer:map"))
    assert response.content.decode().count("<td>Cooperativa ") == count


MAP_QUERIES = 11


@pytest.mark.parametrize("count", [1, 3])
def test_the_waiting_list_costs_the_same_with_one_or_three_entries(
    count, offers, family_path, open_path, personas, django_assert_num_queries
):
    case_manager = personas["case_manager"].user
    paths = [family_path] + [open_path(i) for i in range(count - 1)]
    for path in paths:
        services.put_on_waiting_list(actor=fresh(case_manager), path=path, offer=offers.home, need="Educativa")
    client = client_for(case_manager)
    with django_assert_num_queries(WAITING_QUERIES):
        response = client.get(reverse("offer:waiting_list"))
    page = response.content.decode()
    assert all(path.family.reference in page for path in paths)
    event = AuditEvent.objects.filter(action="offer.waiting.listed").latest("pk")
    assert event.subjects.count() == sum(path.family.members.count() for path in paths)


WAITING_QUERIES = 12  # with the user's seats, read once per request (cases.queries.my_seats)


@pytest.mark.parametrize("count", [1, 3])
def test_the_codesign_list_costs_the_same_with_one_or_three(count, world, personas, django_assert_num_queries):
    for index in range(count):
        services.start_process(
            actor=personas["coordinator"].user, district=world.district, title=f"Processo {index}", started_on=TODAY
        )
    client = client_for(personas["other_admin"].user)
    with django_assert_num_queries(CODESIGN_QUERIES):
        response = client.get(reverse("offer:codesign_list"))
    assert response.content.decode().count("Processo ") == count


CODESIGN_QUERIES = 6


def test_the_path_page_shows_the_waiting_to_the_team_not_to_the_school(offers, family_path, personas, login):
    services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user),
        path=family_path,
        offer=offers.home,
        need="Educativa pomeridiana",
        since=TODAY - timedelta(days=12),
    )
    manager_page = whole_path_page(  # the waiting lists are a section of the path page, loaded on demand
        login("case_manager"), family_path
    )
    assert "Educativa pomeridiana" in manager_page and ">12<" in manager_page
    assert reverse("offer:waiting_add", args=[family_path.pk]) in manager_page
    team_page = whole_path_page(login("team_member"), family_path)
    assert "Educativa pomeridiana" in team_page
    assert reverse("offer:waiting_add", args=[family_path.pk]) not in team_page
    school_page = whole_path_page(login("school_referent"), family_path)
    assert "Educativa pomeridiana" not in school_page


def test_the_case_manager_puts_the_family_on_a_list_and_activates_it(offers, family_path, personas, login):
    client = login("case_manager")
    add_url = reverse("offer:waiting_add", args=[family_path.pk])
    form = client.get(add_url).content.decode()
    assert "Coop Orizzonti" in form  # the availability, before choosing
    response = client.post(add_url, {"offer": offers.home.pk, "need": "Educativa", "since": "2026-11-02"})
    assert response.status_code == 302
    entry = WaitingEntry.objects.get()
    assert entry.since == date(2026, 11, 2) and entry.entered_by == personas["case_manager"].user
    activate_url = reverse("offer:waiting_activate", args=[entry.pk])
    page = client.get(activate_url).content.decode()
    assert "Coop Orizzonti" in page
    response = client.post(
        activate_url,
        {
            "version": entry.version,
            "starts_on": "2026-11-16",
            "hours_per_week": "4",
            "device_type": "x",
            "provider": "x",
        },
    )
    assert response.status_code == 302, response.content.decode()
    entry.refresh_from_db()
    assert entry.outcome == "activated"
    assert entry.activation.provider == offers.home.provider  # the entry's provider, whatever was sent
    assert entry.activation.device_type == offers.home.device_type


def test_a_stale_withdrawal_gets_409(offers, family_path, personas, login):
    entry = services.put_on_waiting_list(
        actor=fresh(personas["case_manager"].user), path=family_path, offer=offers.home, need="Educativa"
    )
    client = login("case_manager")
    url = reverse("offer:waiting_withdraw", args=[entry.pk])
    WaitingEntry.objects.filter(pk=entry.pk).update(version=2)  # someone saved meanwhile
    response = client.post(url, {"version": 1, "reason": "Rinuncia", "ended_on": "2026-11-16"})
    assert response.status_code == 409
    assert "Rinuncia" in response.content.decode()
    response = client.post(url, {"version": 2, "reason": "Rinuncia", "ended_on": "2026-11-16"})
    assert response.status_code == 302
    assert WaitingEntry.objects.get().outcome == "withdrawn"
    assert client.get(url).status_code == 403  # ended: nothing more to do


def test_a_stale_offer_edit_gets_409(offers, comuni, login):
    client = login("coordinator")
    url = reverse("offer:offer_edit", args=[offers.home.pk])
    data = {"comuni": [comuni.rimini.pk], "age_bands": ["6-10"], "places": 9, "is_active": "on"}
    Offer.objects.filter(pk=offers.home.pk).update(version=5)
    response = client.post(url, {**data, "version": 1})
    assert response.status_code == 409
    response = client.post(url, {**data, "version": 5})
    assert response.status_code == 302
    assert Offer.objects.get(pk=offers.home.pk).places == 9


def test_the_coordinator_runs_a_process_and_governance_reads_it(offers, world, personas, pact, login):
    client = login("coordinator")
    response = client.post(
        reverse("offer:codesign_add"),
        {
            "title": "Co-progettazione educativa",
            "started_on": "2026-10-01",
            "participants": [world.coop.pk],
            "body": pact.bodies.get().pk,
            "needs_year": 2025,
        },
    )
    assert response.status_code == 302
    process = CodesignProcess.objects.get()
    detail = reverse("offer:codesign_detail", args=[process.pk])
    page = client.get(detail).content.decode()
    assert "Sala Giunta" in page  # the governance body's meeting
    assert reverse("monitoring:needs_report") + "?anno=2025" in page
    advance = reverse("offer:codesign_advance", args=[process.pk])
    assert client.post(advance, {"version": 1, "on": "2026-10-20"}).status_code == 302
    assert client.post(advance, {"version": 1, "on": "2026-10-21"}).status_code == 409
    capacity = reverse("offer:codesign_capacity", args=[process.pk])
    assert client.post(capacity, {"offer": offers.home.pk, "places_added": 3}).status_code == 302
    reader = login("school_referent").get(detail)
    assert reader.status_code == 200 and "Coop Orizzonti" in reader.content.decode()
    assert login("case_manager").get(detail).status_code == 403


@pytest.mark.parametrize("reader", ["other_admin", "coordinator"])
@pytest.mark.parametrize("count", [1, 3])
def test_a_process_page_costs_the_same_with_one_or_three_of_each(
    count, reader, offers, world, personas, pact, django_assert_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from patto.documents.tests import samples
    from patto.governance import services as governance

    coordinator = personas["coordinator"].user
    body = pact.bodies.get()
    process = services.start_process(
        actor=coordinator, district=world.district, title="Processo", started_on=TODAY, body=body
    )
    for index in range(count):
        services.add_document(
            actor=coordinator,
            process=process,
            phase="notice",
            title=f"Documento {index}",
            upload=SimpleUploadedFile("avviso.pdf", samples.pdf()),
        )
    from patto.accounts.models import Institution

    for index in range(count):
        provider = Institution.objects.create(
            district=world.district, kind="third_sector", name=f"Cooperativa {index}", town="Rimini"
        )
        offer = services.add_offer(
            actor=coordinator,
            district=world.district,
            device_type=device("gruppi"),
            provider=provider,
            comuni=list(offers.home.comuni.all()),
            age_bands=["6-10"],
            places=4,
        )
        services.add_capacity(actor=coordinator, process=process, offer=offer, places_added=2)
    for index in range(count - 1):
        governance.schedule_body_meeting(
            actor=coordinator,
            body=body,
            starts_at=timezone.now() - timedelta(days=10 + index),
            duration_minutes=60,
            place=f"Sala {index}",
            agenda="Tavolo",
        )
    meetings = list(body.meetings.order_by("starts_at"))
    assert len(meetings) == count
    for meeting, phase in zip(meetings, ["notice", "tables", "tables"], strict=False):  # one of a phase not begun
        services.assign_meeting_phase(actor=coordinator, process=process, meeting=meeting, phase=phase)
    client = client_for(personas[reader].user)
    with django_assert_num_queries(PROCESS_QUERIES[reader]):
        response = client.get(reverse("offer:codesign_detail", args=[process.pk]))
    page = response.content.decode()
    assert page.count("Documento ") == count and page.count("<td>Cooperativa ") == count
    assert page.count("Incontro del tavolo") == count


PROCESS_QUERIES = {"other_admin": 12, "coordinator": 13}  # the assignments; the coordinator: the offers to add
