"""Issue 9, "dropdowns without context": each choice of a person names their institution and role and
lists only those who fit; a school's sites (plessi) follow the school chosen (htmx, with the same check on
the server without JavaScript); a dispositivo's responsible person is one of the provider's staff."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patto.accounts.models import Institution, SchoolSite
from patto.accounts.roles import Role
from patto.accounts.tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from patto.cases import forms, services
from patto.cases.models import DeviceActivation, DeviceType, Person
from patto.governance.models import Adhesion, Pact

HTMX = {"HTTP_HX_REQUEST": "true"}


def _school_b(world):
    """A second school of the district, in standing, that the family has not agreed to share with."""
    school = InstitutionFactory(
        district=world.district,
        kind=Institution.Kind.SCHOOL,
        name="IC Rimini Centro",
        istat_code="",
        codice_meccanografico="RNIC81000B",
    )
    Adhesion.objects.create(
        pact=Pact.objects.get(district=world.district),
        institution=school,
        signer_name="D",
        signer_role="Dirigente",
        signed_on=date(2024, 3, 1),
        method="digital",
    )
    return school


def test_team_choices_name_the_institution_and_role_and_fit_the_team_role(family_path, personas, world, login):
    teacher_b = MembershipFactory(
        user=UserFactory(username="teacher_b"), institution=_school_b(world), role=Role.SCHOOL_REFERENT
    )
    form = forms.TeamMemberForm(path=family_path)
    offered = set(form.fields["membership"].queryset)
    fitting = {
        personas[name]
        for name in ("case_manager", "coordinator", "school_referent", "health_professional", "team_member")
    }
    # Administrators, auditors, the comune without standing, another district, a school without consent: not listed.
    assert offered == fitting and teacher_b not in offered
    psychologist = personas["health_professional"]
    assert form.fields["membership"].label_from_instance(psychologist) == (
        f"{psychologist.user.last_name} {psychologist.user.first_name} — AUSL Romagna "
        f"({psychologist.get_role_display()})"
    )
    # Choosing the team role narrows the list (htmx asks the same page for the options).
    url = reverse("cases:team_add", kwargs={"pk": family_path.pk})
    client = login("case_manager")
    options = client.get(url, {"team_role": "psychologist"}, **HTMX)
    assert options.status_code == 200 and "<form" not in options.content.decode()
    assert f'value="{psychologist.pk}"' in options.content.decode()
    assert f'value="{personas["team_member"].pk}"' not in options.content.decode()
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-target="#id_membership"' in page
    # Without JavaScript: a person whose role does not fit is refused with a message saying so.
    educator = personas["team_member"]
    response = client.post(url, {"team_role": "psychologist", "membership": educator.pk, "valid_from": "2025-10-01"})
    assert response.status_code == 200 and educator.user.get_full_name() in str(response.context["form"].errors)
    assert list(response.context["form"].fields["membership"].queryset) == [psychologist]
    # A school the family has not agreed to share with: the service says why, on the person's field.
    response = client.post(url, {"team_role": "teacher", "membership": teacher_b.pk, "valid_from": "2025-10-01"})
    assert response.status_code == 200 and "membership" in response.context["form"].errors
    assert 'value="2025-10-01"' in response.content.decode()
    coordinator = personas["coordinator"]
    assert (
        client.post(url, {"team_role": "coach", "membership": coordinator.pk, "valid_from": "2025-10-01"}).status_code
        == 302
    )
    seat = family_path.team.get(user=coordinator.user)
    assert (seat.institution, seat.team_role) == (world.comune, "coach")


def test_school_sites_follow_the_school_chosen(family_path, personas, world, login):
    school_b = _school_b(world)
    marina = SchoolSite.objects.create(institution=world.school, name="Primaria Marina", level="primaria")
    centro = SchoolSite.objects.create(institution=school_b, name="Primaria Centro", level="primaria")
    client = login("case_manager")
    endpoint = reverse("cases:school_sites")
    # Opening a path, the child's form has the prefix "child".
    options = client.get(endpoint, {"child-school": world.school.pk}, **HTMX).content.decode()
    assert f'value="{marina.pk}"' in options and f'value="{centro.pk}"' not in options
    options = client.get(endpoint, {"school": school_b.pk}, **HTMX).content.decode()
    assert f'value="{centro.pk}"' in options and f'value="{marina.pk}"' not in options
    assert client.get(endpoint, {"school": world.foreign.pk}).status_code == 404  # not this district's
    assert client.get(endpoint, {"school": "x"}).status_code == 404
    assert login("team_member").get(endpoint, {"school": world.school.pk}).status_code == 403
    client = login("case_manager")
    # The form: without a school every site with its school's name; with one, that school's sites only.
    form = forms.PersonForm(district=world.district)
    labels = [label for _value, label in form.fields["school_site"].choices]
    assert "Primaria Centro — IC Rimini Centro" in labels and "Primaria Marina — IC Rimini Marina" in labels
    assert f'hx-get="{endpoint}"' in str(form["school"]) and 'hx-target="#id_school_site"' in str(form["school"])
    prefixed = forms.ChildForm(district=world.district, prefix="child")
    assert 'hx-target="#id_child-school_site"' in str(prefixed["school"])
    # Without JavaScript: a site of another school is refused, and what was typed is kept.
    url = reverse("cases:person_add", kwargs={"pk": family_path.pk})
    data = {
        "kind": "child",
        "first_name": "Matteo",
        "last_name": "Canestrari",
        "birth_date": "2019-05-02",
        "sex": "M",
        "fiscal_code": "",
        "town": "Rimini",
        "school": world.school.pk,
        "school_site": centro.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "school_site" in response.context["form"].errors
    assert 'value="Matteo"' in response.content.decode()
    assert [label for _v, label in response.context["form"].fields["school_site"].choices][1:] == ["Primaria Marina"]
    assert client.post(url, {**data, "school_site": marina.pk}).status_code == 302
    assert Person.objects.get(first_name="Matteo").school_site == marina
    with pytest.raises(ValidationError):
        Person(
            family=family_path.family,
            district=world.district,
            kind="child",
            first_name="A",
            last_name="B",
            birth_date=date(2019, 1, 1),
            sex="F",
            school=world.school,
            school_site=centro,
        ).full_clean()


def test_the_responsible_person_of_a_dispositivo_is_one_of_the_provider_staff(family_path, personas, world, login):
    home_education = DeviceType.objects.get(code="educativa-domiciliare")
    form = forms.DeviceForm(path=family_path)
    offered = set(form.fields["responsible"].queryset)
    assert personas["team_member"] in offered and personas["health_professional"] in offered
    assert not offered & {
        personas[name] for name in ("institution_admin", "other_admin", "admin", "auditor", "coordinator", "foreigner")
    }
    url = reverse("cases:device_add", kwargs={"pk": family_path.pk})
    client = login("case_manager")
    options = client.get(url, {"provider": world.coop.pk}, **HTMX).content.decode()
    assert f'value="{personas["team_member"].pk}"' in options
    assert f'value="{personas["health_professional"].pk}"' not in options
    assert f'hx-get="{url}"' in client.get(url).content.decode()
    data = {
        "device_type": home_education.pk,
        "provider": world.coop.pk,
        "starts_on": "2025-10-01",
        "hours_per_week": "4",
        "responsible": personas["health_professional"].pk,
        "notes": "Due pomeriggi",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "responsible" in response.context["form"].errors
    assert "Due pomeriggi" in response.content.decode()
    assert list(response.context["form"].fields["responsible"].queryset) == [personas["team_member"]]
    assert client.post(url, {**data, "responsible": personas["team_member"].pk}).status_code == 302
    assert DeviceActivation.objects.get().responsible == personas["team_member"].user
    with pytest.raises(ValidationError, match="responsible"):
        services.activate_device(
            actor=personas["case_manager"].user,
            path=family_path,
            device_type=home_education,
            provider=world.coop,
            starts_on=date(2025, 10, 1),
            hours_per_week=4,
            responsible=personas["institution_admin"].user,
        )
