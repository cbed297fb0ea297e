"""Three people of three institutions sign in: each sees what their role allows and nothing else."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    comune, school, office = rimini.comune, rimini.school, rimini.office
    people = {
        "assistente": MembershipFactory(
            user=UserFactory(username="assistente", first_name="Giulia", last_name="Fabbri"),
            institution=comune,
            role=Role.SOCIAL_WORKER,
        ),
        "admin": MembershipFactory(
            user=UserFactory(username="admin.comune"), institution=comune, role=Role.INSTITUTION_ADMIN
        ),
        "docente": MembershipFactory(
            user=UserFactory(username="docente"), institution=school, role=Role.SCHOOL_REFERENT
        ),
        "dpo": MembershipFactory(user=UserFactory(username="dpo"), institution=office, role=Role.AUDITOR),
    }
    return {"comune": comune, "school": school, "people": people}


def test_social_worker_sees_own_institution_and_not_the_audit_trail(visit, district):
    comune = district["comune"]
    tab = visit()
    tab.sign_in("assistente")
    assert "Stai lavorando come Assistente sociale" in tab.page.content()
    tab.page.click("nav >> text=Persone del mio ente")
    tab.check()
    assert tab.page.url.endswith(f"/enti/{comune.pk}/persone/")
    assert "Fabbri Giulia" in tab.page.inner_text("main")
    assert "Aggiungi una persona" not in tab.page.inner_text("main")  # not an administrator
    assert tab.open("/registro-accessi/").status == 403
    assert tab.open(f"/enti/{district['school'].pk}/persone/").status == 403
    tab.open("/enti/")
    assert "IC Rimini Marina" in tab.page.inner_text("main")


def test_school_referent_cannot_reach_the_comune_people(visit, district):
    tab = visit()
    tab.sign_in("docente")
    assert "Referente scolastico" in tab.page.content()
    assert tab.open(f"/enti/{district['comune'].pk}/persone/").status == 403
    person = district["people"]["assistente"].user_id
    assert tab.open(f"/persone/{person}/").status == 404
    tab.open(f"/enti/{district['school'].pk}/persone/")
    assert "Persone di IC Rimini Marina" in tab.page.inner_text("h1")


def test_auditor_reads_the_trail_of_what_the_others_did(visit, district):
    admin = visit()
    admin.sign_in("admin.comune")
    admin.open(f"/enti/{district['comune'].pk}/persone/aggiungi/")
    admin.page.fill("#id_first_name", "Marta")
    admin.page.fill("#id_last_name", "Gori")
    admin.page.fill("#id_email", "marta.gori@example.org")
    admin.page.select_option("#id_role", Role.EDUCATOR)
    admin.page.click("main button[type=submit]")
    admin.check()
    assert "Gori Marta" in admin.page.inner_text("main")

    auditor = visit()
    auditor.sign_in("dpo")
    auditor.page.click("nav >> text=Registro degli accessi")
    auditor.check()
    table = auditor.page.inner_text("table")
    assert "accounts.membership.created" in table and "admin.comune" in table
    auditor.page.fill("#id_action", "accounts.login")
    auditor.page.click("main form button[type=submit]")
    auditor.page.wait_for_url(re.compile(r"action=accounts.login"))
    auditor.check()
    assert "accounts.membership.created" not in auditor.page.inner_text("table")
    assert "accounts.login.succeeded" in auditor.page.inner_text("table")


def test_english_and_two_factor_enrolment(visit, district):
    tab = visit()
    tab.sign_in("assistente")
    tab.page.select_option("#language-select", "en")
    assert "Good to see you" not in tab.page.inner_text("main")  # choosing changes nothing (WCAG 3.2.2)...
    tab.page.click(".language-switch button")  # ...the button does
    tab.page.wait_for_selector("text=Good to see you")
    tab.check()
    tab.open("/profilo/due-fattori/attiva/")
    key = b32decode(tab.page.inner_text(".secret-key").replace(" ", ""))  # the key shown to type by hand
    tab.page.fill("#id_token", f"{totp(key):06d}")
    tab.page.click("main button[type=submit]")
    tab.check()
    assert tab.page.locator(".recovery-codes li").count() == 10
    tab.open("/profilo/")
    assert "You confirm every sign-in" in tab.page.inner_text("main")
