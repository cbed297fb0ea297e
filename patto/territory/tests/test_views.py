"""The comuni page (the coordinator maps comuni of residence written as text; small counts as "<5") and the
enrolment page (a school enters its pupils, with optimistic locking; the coordinator reads them)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.cases.models import Family, Person
from patto.territory.models import SchoolEnrolment
from patto.territory.residence import residence_key


def _people(world, town, count, comune=None):
    family = Family.objects.create(district=world.district, reference=f"RN-2026-{Family.objects.count() + 1:04d}")
    for index in range(count):
        Person.objects.create(
            family=family,
            district=world.district,
            kind="child",
            first_name=f"Nome{index}",
            last_name=f"{town}{index}",
            birth_date=date(2015, 1, 1),
            sex="F",
            town=town,
            comune=comune,
        )


def test_the_coordinator_maps_a_comune_of_residence_written_as_text(comuni, world, login, personas):
    _people(world, "S. Arcangelo", 2)
    _people(world, "Cesena", 6)
    client = login("coordinator")
    page = client.get(reverse("territory:comuni")).content.decode()
    assert "Santarcangelo" in page and "099018" in page
    assert "S. Arcangelo" in page and "&lt;5" in page and ">6<" in page  # 2 people shown as "<5"
    assert "Nome0" not in page  # figures, never names
    santarcangelo = comuni["099018"]
    url = reverse("territory:map_residence")
    response = client.post(url, {"key": residence_key("S. Arcangelo"), "comune": santarcangelo.pk}, follow=True)
    assert response.status_code == 200
    assert Person.objects.filter(comune=santarcangelo, town="").count() == 2
    assert Person.objects.filter(town="Cesena", comune=None).count() == 6
    event = AuditEvent.objects.get(action="cases.person.residence_mapped")
    assert event.changes["people"] == [None, 2] and event.subjects.count() == 2
    # The message suppresses the small count as the list does: never "for 2 people".
    message = str(list(response.context["messages"])[0])
    assert "2" not in message and "5" in message
    # A comune of another district is not a choice; nothing changes.
    forli = comuni["040012"]
    client.post(url, {"key": residence_key("Cesena"), "comune": forli.pk}, follow=True)
    assert Person.objects.filter(town="Cesena", comune=None).count() == 6
    # Counts from 5 on are the list's own figures: said exactly.
    response = client.post(url, {"key": residence_key("Cesena"), "comune": santarcangelo.pk}, follow=True)
    assert "6" in str(list(response.context["messages"])[0])
    # Only the texts listed as unmapped now: one already mapped, one never listed, the text itself instead of
    # its key: nothing changes, a message without counts.
    _people(world, "Cesena", 1, comune=comuni["099014"])
    for data in ({"key": residence_key("Cesena")}, {"key": residence_key("Rimini")}, {"value": "Cesena"}):
        response = client.post(url, {**data, "comune": santarcangelo.pk}, follow=True)
        (message,) = response.context["messages"]
        assert message.level_tag == "error" and not any(ch.isdigit() for ch in str(message))
    assert Person.objects.filter(comune=santarcangelo).count() == 8
    assert AuditEvent.objects.filter(action="cases.person.residence_mapped").count() == 2
    # Who may: the coordinator; not a social worker.
    assert login("case_manager").post(url, {}).status_code == 403


def test_a_text_of_residence_with_digits_is_shown_cut_and_mapped_whole(comuni, world, login, personas):
    _people(world, "Via Roma 3, Rimini", 1)
    _people(world, "47921 Rimini", 1)
    client = login("coordinator")
    page = client.get(reverse("territory:comuni")).content.decode()
    assert "Via Roma" not in page and "47921" not in page  # not even in the forms' hidden fields
    assert "…, Rimini" in page and "… Rimini" in page
    assert f'value="{residence_key("Via Roma 3, Rimini")}"' in page
    client.post(
        reverse("territory:map_residence"), {"key": residence_key("Via Roma 3, Rimini"), "comune": comuni["099014"].pk}
    )
    assert list(Person.objects.filter(comune=comuni["099014"]).values_list("town", flat=True)) == [""]
    assert Person.objects.filter(town="47921 Rimini", comune=None).count() == 1


def test_the_territory_asks_the_institutions_standing_and_only_the_coordinator_maps(comuni, world, login, personas):
    """A pact coordinator or a school whose institution has no adhesion in force reads and writes nothing; the
    technical administrator (a platform role, the district office signs no pact) reads the comuni and their
    population but neither lists nor maps people's residence."""
    from django.test import Client

    from patto.accounts.roles import Role
    from patto.accounts.tests.factories import MembershipFactory
    from patto.governance.models import Adhesion

    _people(world, "Rimni", 1)
    url = reverse("territory:map_residence")
    data = {"key": residence_key("Rimni"), "comune": comuni["099014"].pk}
    outsider = Client()
    outsider.force_login(MembershipFactory(institution=world.comune_b, role=Role.PACT_COORDINATOR).user)
    assert outsider.get(reverse("territory:comuni")).status_code == 403
    assert outsider.get(reverse("territory:enrolment")).status_code == 403
    assert outsider.post(url, data).status_code == 403
    admin = login("admin")
    page = admin.get(reverse("territory:comuni"))
    assert (
        page.status_code == 200 and "Rimni" not in page.content.decode() and 'name="key"' not in page.content.decode()
    )
    assert admin.post(url, data).status_code == 403
    assert Person.objects.filter(town="Rimni", comune=None).count() == 1
    # The school's adhesion withdrawn: its administrator no longer enters its pupils.
    school_admin = login("other_admin")
    assert school_admin.get(reverse("territory:enrolment")).status_code == 200
    Adhesion.objects.filter(institution=world.school).update(withdrawn_on=date(2026, 11, 1))
    assert school_admin.get(reverse("territory:enrolment")).status_code == 403
    assert school_admin.post(reverse("territory:enrolment"), {"school_year": 2025, "pupils": 1}).status_code == 403
    assert not SchoolEnrolment.objects.exists()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_with_more_rows(comuni, world, login, personas):
    from patto.accounts.models import Institution
    from patto.territory.models import Comune

    client = login("coordinator")
    _people(world, "Altrove 1", 1)
    SchoolEnrolment.objects.create(school=world.school, school_year=2025, pupils=800)
    one = (_count_queries(client, reverse("territory:comuni")), _count_queries(client, reverse("territory:enrolment")))
    _people(world, "Altrove 2", 1)
    _people(world, "Altrove 3", 1)
    Comune.objects.create(district=world.district, istat_code="099001", name="Bellaria-Igea Marina")
    other = Institution.objects.create(
        district=world.district, kind="school", name="IC Bellaria", codice_meccanografico="RNIC80903C"
    )
    SchoolEnrolment.objects.create(school=world.school, school_year=2024, pupils=790)
    SchoolEnrolment.objects.create(school=other, school_year=2025, pupils=1000)
    three = (
        _count_queries(client, reverse("territory:comuni")),
        _count_queries(client, reverse("territory:enrolment")),
    )
    assert one == three


def test_a_year_not_offered_loads_the_current_school_year(world, login, personas):
    client = login("other_admin")
    for anno in ("99999999999999999999", "99999", "2019", "²", "-1", "abc", ""):
        response = client.get(reverse("territory:enrolment"), {"anno": anno})
        assert response.status_code == 200 and response.context["form"].initial["school_year"] == 2026, anno
    assert client.get(reverse("territory:enrolment"), {"anno": "2021"}).context["form"].initial["school_year"] == 2021


def test_a_school_enters_its_pupils_with_optimistic_locking(world, login, personas):
    client = login("other_admin")  # the school's institution administrator
    url = reverse("territory:enrolment")
    assert client.get(url).status_code == 200
    response = client.post(url, {"school_year": 2025, "pupils": 884, "version": 0})
    assert response.status_code == 302
    row = SchoolEnrolment.objects.get(school=world.school, school_year=2025)
    assert (row.pupils, row.entered_by.username, row.version) == (884, "other_admin", 1)
    # Bad input keeps what was typed.
    response = client.post(url, {"school_year": 2025, "pupils": "-3", "version": 1})
    assert response.status_code == 200 and 'value="-3"' in response.content.decode()
    # A form loaded before someone else's save: 409, nothing saved, what was typed kept.
    assert client.post(url, {"school_year": 2025, "pupils": 900, "version": 1}).status_code == 302
    stale = client.post(url, {"school_year": 2025, "pupils": 870, "version": 1})
    assert stale.status_code == 409 and 'value="870"' in stale.content.decode()
    row.refresh_from_db()
    assert row.pupils == 900
    # A new row entered meanwhile by someone else (the form had no version) is also a conflict.
    assert client.post(url, {"school_year": 2025, "pupils": 1, "version": 0}).status_code == 409
    actions = list(AuditEvent.objects.filter(action__startswith="territory.enrolment").values_list("action", flat=True))
    assert sorted(actions) == ["territory.enrolment.changed", "territory.enrolment.created"]
    assert client.get(url + "?anno=2025").content.decode().count('value="900"') == 1
    # The coordinator reads every school's figures and may not write.
    coordinator = login("coordinator")
    page = coordinator.get(url).content.decode()
    assert "IC Rimini Marina" in page and "2025/26" in page and "900" in page and 'name="pupils"' not in page
    assert coordinator.post(url, {"school_year": 2025, "pupils": 1, "version": 2}).status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("case_manager", 403), ("school_referent", 403), ("admin", 200)])
def test_who_reads_the_territory_pages(world, login, personas, persona, status):
    client = login(persona)
    assert client.get(reverse("territory:comuni")).status_code == status
    assert client.get(reverse("territory:enrolment")).status_code == status
