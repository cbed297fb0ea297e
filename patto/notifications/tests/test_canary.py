"""The canary: no e-mail ever carries a name. A child named "Canarino Zzyzx" is signalled and put on a
family's path, with his name in a signal and a meeting's agenda; every user is renamed with canary names too;
the real services notify what they notify (a signal received, people added to the team, a meeting convened
with its .ics), and every kind of the catalogue gets one more notification besides, to a person e-mailed at
once and to one who gets the daily digest. Then every e-mail is sent, and none of their subjects, bodies or
attachments contains the name of any person or user in the database."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core import mail
from django.urls import reverse

from patto.accounts.models import User
from patto.cases import services as cases
from patto.cases.models import Person
from patto.core.calendar import CalendarEvent, calendar_bytes
from patto.notifications import services
from patto.notifications.kinds import Delivery, Kind
from patto.notifications.models import EmailDelivery, Notification
from patto.referrals import services as referrals

CHILD = ("Canarino", "Zzyzx")


def _rename_every_user():
    for number, user in enumerate(User.objects.order_by("username")):
        user.first_name, user.last_name = f"Canarina{number:02d}q", f"Zzyzxuser{number:02d}q"
        user.save(update_fields=["first_name", "last_name"])


def _send_everything():
    services.prepare_digests()
    for email_id in EmailDelivery.objects.values_list("pk", flat=True):
        services.deliver_email(email_id)


def _texts(message):
    """Subject, body and every attachment of an e-mail, as text."""
    yield message.subject
    yield message.body
    for _name, content, _mimetype in message.attachments:
        yield content.decode() if isinstance(content, bytes) else content


def test_no_email_carries_a_name_of_anyone_in_the_database(family_path, personas, world):
    _rename_every_user()
    case_manager, teacher = personas["case_manager"].user, personas["school_referent"].user
    cases.add_person(
        actor=case_manager,
        path=family_path,
        kind=Person.Kind.CHILD,
        first_name=CHILD[0],
        last_name=CHILD[1],
        birth_date=date(2016, 5, 4),
        sex="M",
        fiscal_code="ZZYCNR16E04H294J",
        town="Rimini",
    )
    referrals.send_signal(
        actor=teacher,
        data={
            "comune": world.comune,
            "child_first_name": CHILD[0],
            "child_last_name": CHILD[1],
            "child_birth_date": date(2016, 5, 4),
            "observed": f"{CHILD[0]} {CHILD[1]} arriva a scuola senza merenda.",
        },
    )
    cases.schedule_meeting(
        actor=case_manager,
        path=family_path,
        held_at=datetime(2026, 11, 20, 15, 30, tzinfo=ZoneInfo("Europe/Rome")),
        agenda=f"La situazione di {CHILD[0]} {CHILD[1]} e della madre Elena Canestrari",
        place="Servizi sociali",
        participants=[case_manager, teacher, personas["team_member"].user],
    )
    # Every kind once more, to someone e-mailed at once (the defaults) and to someone who chose the digest.
    digest_reader = personas["coordinator"].user
    services.set_preferences(actor=digest_reader, choices=dict.fromkeys(Kind.values, Delivery.DIGEST))
    url = reverse("cases:path_detail", kwargs={"pk": family_path.pk})
    reference = family_path.family.reference
    start = datetime(2026, 11, 20, 15, 30, tzinfo=ZoneInfo("Europe/Rome"))
    ics = calendar_bytes([CalendarEvent(uid="canary", starts_at=start, ends_at=start, summary=reference)])
    for kind in Kind:
        services.notify(
            recipients=[case_manager, digest_reader],
            kind=kind,
            url=url,
            reference=reference,
            ics=ics if kind in (Kind.MEETING_CONVENED, Kind.MEETING_CHANGED) else None,
        )

    _send_everything()

    kinds_sent = set(Notification.objects.filter(emailed_at__isnull=False).values_list("kind", flat=True))
    assert kinds_sent == set(Kind.values)
    assert Notification.objects.filter(kind=Kind.REQUEST_RECEIVED, emailed_at__isnull=False).count() >= 3
    assert any(message.attachments for message in mail.outbox)
    assert any("notifiche del giorno" in message.subject for message in mail.outbox)  # the digest
    names = {CHILD[0], CHILD[1], "ZZYCNR16E04H294J"}
    for person in Person.objects.all():
        names |= {person.first_name, person.last_name} | ({person.fiscal_code} - {""})
    for user in User.objects.all():
        names |= {user.first_name, user.last_name}
    assert len(names) > 20
    leaks = {
        (message.subject, name) for message in mail.outbox for text in _texts(message) for name in names if name in text
    }
    assert leaks == set()
    assert len(mail.outbox) >= 15
