"""The inbox in the browser (axe-core WCAG 2.1 AA, no CSP violation, reflow at 320 px): the bell in the
header says how many are unread, opening one goes to its page and marks it read, the e-mail choices are saved
(no "off" for a kind that cannot be turned off), and the technical administrator sends a failed e-mail again."""

import pytest
from django.core import mail

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.notifications import services
from patto.notifications.kinds import Kind
from patto.notifications.models import EmailDelivery, NotificationPreference

pytestmark = pytest.mark.browser


def test_inbox_choices_and_emails_not_sent(visit, rimini):
    admin = MembershipFactory(
        user=UserFactory(username="tecnico"), institution=rimini.office, role=Role.TECHNICAL_ADMIN
    ).user
    services.notify(recipients=[admin], kind=Kind.TASK_ASSIGNED, url="/profilo/", reference="RN-2026-0001")
    (failed,) = services.notify(recipients=[admin], kind=Kind.REQUEST_RECEIVED, url="/", reference="SG-2026-0001")
    EmailDelivery.objects.filter(pk=failed.email_id).update(
        status=EmailDelivery.Status.FAILED, attempts=8, last_error="SMTPRecipientsRefused [550]"
    )
    mail.outbox.clear()

    tab = visit()
    tab.sign_in("tecnico")
    assert tab.header_problems("Notifiche") == []
    assert tab.page.locator("header .notification-bell > span[aria-hidden]").inner_text().split() == ["Notifiche", "2"]
    assert "2 notifiche non lette" in tab.page.locator("header .notification-bell").text_content()

    tab.page.click("header .notification-bell")
    tab.check()
    assert tab.page.locator("h1").inner_text() == "Notifiche"
    tab.page.click("text=Le è stato assegnato un compito")
    tab.check()
    assert tab.page.url.endswith("/profilo/")
    assert "1 notifica non letta" in tab.page.locator("header .notification-bell").text_content()

    tab.open("/notifiche/preferenze/")
    assert tab.page.locator("input[name=request_received][value=off]").count() == 0
    tab.page.click("label[for=id_team_added_1]")  # Bootstrap Italia draws the radio on its label
    tab.submit()
    assert "Le sue scelte sono state salvate." in tab.page.locator("main").inner_text()
    assert NotificationPreference.objects.get(user=admin).kind == Kind.TEAM_ADDED

    tab.open("/notifiche/invii/")
    assert "SMTPRecipientsRefused [550]" in tab.page.locator("main table").inner_text()
    tab.submit("main table button[type=submit]")
    assert "Tutte le e-mail sono state inviate." in tab.page.locator("main").inner_text()
    assert len(mail.outbox) == 1

    phone = visit(width=320, height=640)
    phone.sign_in("tecnico")
    phone.open("/notifiche/")
    assert phone.reflow_problems() == [] and phone.header_problems("Notifiche") == []
