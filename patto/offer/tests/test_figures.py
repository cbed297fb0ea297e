"""What is in use and who is waiting, computed in the database, reconciled with the activations and the entries
drawn by Hypothesis: a family counts once per dispositivo and provider while an activation of it is in force
today (started, not ended), in the offer's district only; an entry counts while it is open."""

import os
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patto.accounts.models import Institution, User
from patto.cases.models import Cohort, DeviceActivation, Family, Path
from patto.offer.models import Offer, WaitingEntry
from patto.offer.queries import Figures, with_figures

from .conftest import device

EXAMPLES = int(os.environ.get("PATTO_OFFER_FIGURES_EXAMPLES", "25"))
TODAY = date(2026, 11, 16)
CODES = ("educativa-domiciliare", "gruppi")

activations = st.lists(
    st.tuples(
        st.integers(0, 3),  # the path (3: a path of another district)
        st.sampled_from(CODES),
        st.integers(0, 1),  # the provider
        st.integers(-400, 20),  # starts, days from today
        st.one_of(st.none(), st.integers(0, 400)),  # lasts, days (None: no end)
    ),
    max_size=12,
)
entries = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(CODES), st.integers(0, 1), st.booleans()), max_size=6)


def _paths(world, cohort, foreign_cohort):
    paths = []
    for index in range(4):
        district, chosen = (world.foreign_district, foreign_cohort) if index == 3 else (world.district, cohort)
        family = Family.objects.create(district=district, reference=f"FIG-{index}")
        paths.append(
            Path.objects.create(
                family=family, cohort=chosen, signal_source=world.comune, signal_summary="x", state="intervention"
            )
        )
    return paths


def test_in_use_and_waiting_reconcile_with_the_rows(world, personas, comuni):
    cohort = Cohort.objects.create(district=world.district, name="C", start_date=date(2025, 1, 1))
    foreign_cohort = Cohort.objects.create(district=world.foreign_district, name="F", start_date=date(2025, 1, 1))
    providers = [world.coop, world.comune]
    user = personas["case_manager"].user
    tally = {"worlds": 0, "in_use": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(activations, entries)
    def check(drawn_activations, drawn_entries):
        with transaction.atomic():
            paths = _paths(world, cohort, foreign_cohort)
            offers = {}
            for code in CODES:
                for p, provider in enumerate(providers):
                    offer = Offer.objects.create(
                        district=world.district,
                        device_type=device(code),
                        provider=provider,
                        age_bands=",6-10,",
                        places=3,
                    )
                    offers[code, p] = offer
            for path_index, code, p, starts, lasts in drawn_activations:
                starts_on = TODAY + timedelta(days=starts)
                DeviceActivation.objects.create(
                    path=paths[path_index],
                    device_type=device(code),
                    provider=providers[p],
                    starts_on=starts_on,
                    ends_on=None if lasts is None else starts_on + timedelta(days=lasts),
                )
            for path_index, code, p, is_open in drawn_entries:
                offer = offers[code, p]
                if WaitingEntry.objects.filter(offer=offer, path=paths[path_index], ended_on__isnull=True).exists():
                    continue
                WaitingEntry.objects.create(
                    offer=offer,
                    path=paths[path_index],
                    need="x",
                    since=TODAY - timedelta(days=5),
                    entered_by=user,
                    ended_on=None if is_open else TODAY,
                    outcome="" if is_open else "withdrawn",
                )
            computed = {o.pk: o for o in with_figures(Offer.objects.filter(district=world.district))}
            for (code, p), offer in offers.items():
                in_force = {
                    path_index
                    for path_index, c, q, starts, lasts in drawn_activations
                    if c == code
                    and q == p
                    and path_index != 3
                    and starts <= 0
                    and (lasts is None or starts + lasts >= 0)
                }
                waiting = WaitingEntry.objects.filter(offer=offer, ended_on__isnull=True).count()
                row = computed[offer.pk]
                assert row.in_use == len(in_force), (code, p, drawn_activations)
                assert row.waiting_count == waiting
                tally["in_use"] += len(in_force)
                figures = Figures(row)
                if 1 <= len(in_force) <= 4:
                    assert figures.in_use is None and figures.free is None
                    assert figures.free_at_least == max(3 - 4, 0)
                else:
                    assert figures.in_use == len(in_force) and figures.free == max(3 - len(in_force), 0)
            tally["worlds"] += 1
            transaction.set_rollback(True)

    check()
    assert tally["worlds"] > 0 and tally["in_use"] > 0


def test_hours_in_use_are_shown_only_with_the_count(offers, family_path, open_path, personas):
    from patto.cases import services

    case_manager = User.objects.get(pk=personas["case_manager"].user_id)
    paths = [family_path] + [open_path(i) for i in range(5)]
    for path in paths:
        services.activate_device(
            actor=case_manager,
            path=path,
            device_type=offers.home.device_type,
            provider=offers.home.provider,
            starts_on=TODAY - timedelta(days=10),
            hours_per_week=3,
        )
    row = with_figures(Offer.objects.filter(pk=offers.home.pk)).get()
    figures = Figures(row)
    assert figures.in_use == 6 and figures.hours_in_use == 18 and figures.free == 0 and figures.full
    single = with_figures(Offer.objects.filter(pk=offers.groups.pk)).get()
    assert Figures(single).in_use == 0 and Figures(single).free == 20


def test_small_counts_hide_the_free_places_too(offers, family_path, personas):
    from patto.cases import services

    services.activate_device(
        actor=User.objects.get(pk=personas["case_manager"].user_id),
        path=family_path,
        device_type=offers.home.device_type,
        provider=offers.home.provider,
        starts_on=TODAY,
        hours_per_week=3,
    )
    figures = Figures(with_figures(Offer.objects.filter(pk=offers.home.pk)).get())
    assert figures.in_use is None and figures.hours_in_use is None
    assert figures.free is None and figures.free_at_least == 2  # 6 places, 1 to 4 in use: at least 2 free
    assert Institution.objects.filter(pk=offers.home.provider_id).exists()


def test_a_closed_path_no_longer_counts_as_waiting(offers, family_path, personas):
    from patto.offer import services

    services.put_on_waiting_list(actor=personas["case_manager"].user, path=family_path, offer=offers.home, need="x")
    assert with_figures(Offer.objects.filter(pk=offers.home.pk)).get().waiting_count == 1
    Path.objects.filter(pk=family_path.pk).update(state=Path.State.CLOSED)
    assert with_figures(Offer.objects.filter(pk=offers.home.pk)).get().waiting_count == 0


# --- F1: nothing rendered tells one count from 1 to 4 from another ------------------------------------------


def _fake_offer(places, in_use, waiting, hours_in_use):
    return SimpleNamespace(
        pk=1,
        places=places,
        in_use=in_use,
        waiting_count=waiting,
        hours_per_week=Decimal("30.0"),
        hours_in_use=hours_in_use,
        is_active=True,
        device_type="Educativa domiciliare",
        provider="Cooperativa",
        band_labels=["6-10 anni"],
    )


def _rendered(offer, can_change):
    figures = Figures(offer)
    with translation.override("it"):
        cell = render_to_string(
            "offer/_map_row.html",
            {"offer": offer, "figures": figures, "row": {"cells": [True, False]}, "can_change": can_change},
        )
        box = render_to_string("offer/_availability.html", {"availability": [(offer, figures)], "caption": "x"})
    return cell, box


@settings(max_examples=200, deadline=None, database=None)
@given(
    places=st.integers(0, 10),
    waiting=st.integers(0, 12),
    hours=st.lists(st.integers(0, 60), min_size=4, max_size=4),
    can_change=st.booleans(),
)
def test_the_map_cell_and_the_availability_box_are_the_same_for_1_to_4_in_use(places, waiting, hours, can_change):
    renderings = {_rendered(_fake_offer(places, n, waiting, hours[n - 1]), can_change) for n in range(1, 5)}
    assert len(renderings) == 1, (places, renderings)


@given(places=st.integers(0, 10), in_use=st.integers(0, 15))
@settings(max_examples=100, deadline=None, database=None)
def test_full_is_shown_only_when_it_tells_nothing_more_than_the_count_shown(places, in_use):
    figures = Figures(_fake_offer(places, in_use, 0, None))
    if in_use == 0 or in_use >= 5:
        assert figures.full == (in_use >= places) and not figures.room_unknown
    elif places >= 5:
        assert not figures.full and not figures.room_unknown
    elif places <= 1:
        assert figures.full and not figures.room_unknown
    else:
        assert not figures.full and figures.room_unknown
        cell, box = _rendered(_fake_offer(places, in_use, 0, None), False)
        assert "disponibilità non determinabile" in cell and "disponibilità non determinabile" in box
        assert "bg-danger" not in cell and "bg-danger" not in box


def test_the_pages_are_the_same_with_one_to_four_families_in_a_four_place_offer(
    offers, family_path, open_path, personas
):
    """End to end: the map's rows (the coordinator's) and the availability box on the waiting-list form (the case
    manager's), with 1, 2, 3 and 4 families in a dispositivo of 4 places, are the same."""
    import re

    from django.urls import reverse

    from patto.cases import services as cases_services

    from .conftest import client_for

    Offer.objects.filter(pk=offers.home.pk).update(places=4)
    case_manager = User.objects.get(pk=personas["case_manager"].user_id)
    coordinator, manager = client_for(personas["coordinator"].user), client_for(case_manager)
    renderings = set()
    for index in range(4):
        cases_services.activate_device(
            actor=case_manager,
            path=open_path(index),
            device_type=offers.home.device_type,
            provider=offers.home.provider,
            starts_on=TODAY - timedelta(days=3),
            hours_per_week=3,
        )
        page = coordinator.get(reverse("offer:map")).content.decode()
        box = manager.get(reverse("offer:waiting_add", args=[family_path.pk])).content.decode()
        parts = [
            page[page.index("<tbody>") : page.index("</tbody>")],
            box[box.index("<tbody>") : box.index("</tbody>")],
        ]
        renderings.add(tuple(re.sub(r"\s+", " ", part) for part in parts))
    assert len(renderings) == 1
    rows, box = renderings.pop()
    assert "disponibilità non determinabile" in rows and "disponibilità non determinabile" in box
