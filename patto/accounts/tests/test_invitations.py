"""A new account's invitation: valid PATTO_INVITATION_HOURS (72 by default), sent again by the institution's
administrator (audited), the previous link then useless."""

import re
from datetime import date, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from patto.accounts import services
from patto.accounts.roles import Role
from patto.audit.models import AuditEvent

LINK = re.compile(r"https?://testserver(/password/reimposta/[^/\s]+/[^/\s]+/)")


def _invite(personas, world, mailoutbox, capture):
    with capture(execute=True):  # the e-mail leaves once the grant is committed
        services.add_member(
            actor=personas["institution_admin"].user,
            institution=world.comune,
            email="nuova.collega@example.org",
            first_name="Nora",
            last_name="Collega",
            role=Role.SOCIAL_WORKER,
            valid_from=date(2026, 1, 1),
            request_base_url="http://testserver",
        )
    return LINK.search(mailoutbox[-1].body).group(1)


def _link_works(client, link):
    return client.get(link).status_code == 302  # a valid link moves on to the "choose your password" form


def test_an_invitation_lasts_72_hours_and_says_so(
    client, personas, world, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        link = _invite(personas, world, mailoutbox, django_capture_on_commit_callbacks)
        assert "72 ore" in mailoutbox[-1].body or "72 hours" in mailoutbox[-1].body
        clock.shift(timedelta(hours=71))
        assert _link_works(client, link)
        clock.shift(timedelta(hours=2))
        assert not _link_works(client, link)


def test_the_administrator_sends_it_again_and_the_old_link_stops_working(
    client, personas, world, mailoutbox, login, django_capture_on_commit_callbacks
):
    old_link = _invite(personas, world, mailoutbox, django_capture_on_commit_callbacks)
    membership = world.comune.memberships.get(user__email="nuova.collega@example.org")
    admin = login("institution_admin")
    people = admin.get(reverse("accounts:institution_people", kwargs={"pk": world.comune.pk})).content.decode()
    resend = reverse("accounts:invitation_resend", kwargs={"pk": membership.pk})
    assert people.count('action="/incarichi/') == 1 and f'action="{resend}"' in people  # only the pending one
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(resend)
    assert response.status_code == 302
    new_link = LINK.search(mailoutbox[-1].body).group(1)
    assert len(mailoutbox) == 2 and new_link != old_link
    assert not _link_works(client, old_link) and _link_works(client, new_link)
    event = AuditEvent.objects.get(action="accounts.invitation.resent")
    assert event.actor == personas["institution_admin"].user and event.object_id == str(membership.pk)


def test_no_invitation_again_for_someone_with_a_password_nor_from_outside(personas, world, login, mailoutbox):
    case_manager = personas["case_manager"]
    response = login("institution_admin").post(
        reverse("accounts:invitation_resend", kwargs={"pk": case_manager.pk}), follow=True
    )
    assert (
        "already chosen a password" in response.content.decode()
        or "già scelto una password" in response.content.decode()
    )
    assert (
        login("other_admin").post(reverse("accounts:invitation_resend", kwargs={"pk": case_manager.pk})).status_code
        == 404
    )
    assert mailoutbox == [] and not AuditEvent.objects.filter(action="accounts.invitation.resent").exists()


def test_a_reset_link_still_lasts_one_hour(client, personas, mailoutbox):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = personas["case_manager"].user
    with time_machine.travel(timezone.now(), tick=False) as clock:
        link = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        clock.shift(timedelta(minutes=59))
        assert _link_works(client, link)
        clock.shift(timedelta(minutes=2))
        assert not _link_works(client, link)
