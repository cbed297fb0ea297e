"""Comuni as data in the cases app: the age band of a birth date computed in the database, the migration that
maps the comune of residence written as text, the person forms' comune, and who signalled a path."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db.models import Count
from django.urls import reverse

from patto.cases.models import Family, Path, Person
from patto.territory.bands import AGE_BANDS, age_band_case, band_of
from patto.territory.services import sync_comuni

migration = importlib.import_module("patto.cases.migrations.0016_comune_of_residence_signal_channel")


@pytest.fixture
def comuni(world):
    sync_comuni()
    from patto.territory.models import Comune

    return {c.istat_code: c for c in Comune.objects.all()}


def _person(world, born, town="", **extra):
    family = Family.objects.create(district=world.district, reference=f"RN-2026-{Family.objects.count() + 1:04d}")
    return Person.objects.create(
        family=family,
        district=world.district,
        kind="child",
        first_name="A",
        last_name=f"B{Person.objects.count()}",
        birth_date=born,
        sex="F",
        town=town,
        **extra,
    )


def test_the_age_band_of_a_birth_date_is_computed_in_the_database(world):
    on = date(2025, 1, 1)
    births = {
        date(2025, 1, 1): "0-2",  # born that day: 0
        date(2022, 1, 2): "0-2",  # 2 until tomorrow
        date(2022, 1, 1): "3-5",  # 3 today
        date(2015, 1, 1): "6-10",  # 10 today
        date(2014, 1, 1): "11-13",
        date(2011, 1, 2): "11-13",  # 13 until tomorrow
        date(2007, 1, 2): "14-17",  # 17 until tomorrow
        date(2007, 1, 1): None,  # 18 today
        date(2016, 2, 29): "6-10",  # a leap-day birthday
    }
    for born in births:
        _person(world, born)
    rows = dict(Person.objects.annotate(band=age_band_case("birth_date", on)).values_list("birth_date", "band"))
    assert rows == births
    # GROUP BY the band in one query: what the monitoring app does.
    grouped = Person.objects.annotate(band=age_band_case("birth_date", on)).values("band").annotate(n=Count("pk"))
    assert {row["band"]: row["n"] for row in grouped} == {
        "0-2": 2,
        "3-5": 1,
        "6-10": 2,
        "11-13": 2,
        "14-17": 1,
        None: 1,
    }
    assert [band_of(age) for age in (0, 2, 3, 5, 6, 10, 11, 13, 14, 17, 18)] == [
        "0-2", "0-2", "3-5", "3-5", "6-10", "6-10", "11-13", "11-13", "14-17", "14-17", None
    ]  # fmt: skip
    assert [str(band.label) for band, *_ in AGE_BANDS][0] in ("0–2 years", "0–2 anni")


def test_the_migration_maps_the_text_to_the_districts_comuni(world, comuni, fixed_clock):
    mapped = [_person(world, date(2015, 1, 1), town) for town in ("  rimini ", "RÍMINI", "Comune di Santarcangelo")]
    kept = [_person(world, date(2015, 1, 1), town) for town in ("Cesena", "Forlì", "")]
    migration.map_towns(apps, None)
    assert [Person.objects.get(pk=p.pk).comune.istat_code for p in mapped] == ["099014", "099014", "099018"]
    assert all(Person.objects.get(pk=p.pk).town == "" for p in mapped)
    # Forlì is a comune of another district: the text stays for the coordinator to see.
    assert [(Person.objects.get(pk=p.pk).comune, Person.objects.get(pk=p.pk).town) for p in kept] == [
        (None, "Cesena"),
        (None, "Forlì"),
        (None, ""),
    ]


def test_the_migration_sets_who_signalled_from_the_institutions_kind(family_path, world):
    Path.objects.update(signal_channel="other")
    migration.signal_channels(apps, None)
    family_path.refresh_from_db()
    assert (
        family_path.signal_channel == {"school": "school", "comune": "social_service"}[family_path.signal_source.kind]
    )


def _open(client, world, **extra):
    from patto.cases.models import Cohort

    cohort = Cohort.objects.get_or_create(district=world.district, name="PIPPI 14", start_date=date(2026, 9, 1))[0]
    data = {
        "signal-cohort": cohort.pk,
        "signal-signal_source": world.school.pk,
        "signal-signal_date": "2026-10-01",
        "signal-signal_summary": "Il pediatra segnala.",
        "signal-legal_basis": "public_interest",
        "child-first_name": "Tommaso",
        "child-last_name": "Righetti",
        "child-birth_date": "2016-05-20",
        "child-sex": "M",
        "child-fiscal_code": "",
        **extra,
    }
    return client.post(reverse("cases:path_create"), data)


def test_opening_a_path_asks_the_comune_and_who_signalled(login, personas, world, comuni):
    client = login("case_manager")
    page = client.get(reverse("cases:path_create")).content.decode()
    assert "Santarcangelo" in page and "Forlì" not in page  # the district's comuni only
    assert 'name="signal-signal_channel"' in page
    # Both a comune and a text outside the district: refused, what was typed kept.
    both = _open(client, world, **{"child-comune": comuni["099014"].pk, "child-town": "Cesena"})
    assert both.status_code == 200 and 'value="Cesena"' in both.content.decode()
    assert not Path.objects.exists()
    # The comune chosen; who signalled left to the institution's kind (a school).
    assert _open(client, world, **{"child-comune": comuni["099018"].pk}).status_code == 302
    path = Path.objects.get()
    assert path.signal_channel == "school"
    assert path.family.members.get().comune == comuni["099018"]
    # The paediatrician chosen by hand; the comune typed as text is the district's comune.
    _open(
        client,
        world,
        **{"child-first_name": "Ada", "child-town": "rimini", "signal-signal_channel": "paediatrician",
           "signal-signal_source": world.ausl.pk},
    )  # fmt: skip
    second = Path.objects.exclude(pk=path.pk).get()
    assert second.signal_channel == "paediatrician"
    child = second.family.members.get()
    assert (child.comune, child.town) == (comuni["099014"], "")
