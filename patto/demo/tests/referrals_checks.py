"""Checks of the demo's requests and inboxes (issue 10), written from what a visitor of the demo expects:
requests in every state and with every outcome, an overdue signal, a psychologist waiting to be assigned,
a transfer accepted, consultations that name nobody, clocks that agree with the working days, and news
for every demo account that the account can open."""

from django.test import Client
from django.utils import timezone

from patto.accounts.models import User
from patto.cases.models import Path, Person, TeamMember
from patto.cases.queries import seats_in_force
from patto.core.workdays import add_working_days, working_days_between
from patto.notifications.models import Notification
from patto.referrals.models import Request
from patto.referrals.queries import inbox_of, overdue
from patto.referrals.services import CONSULTATION_TEXT, check_anonymous, patron_day_of

S = Request.Status
Out = Request.Outcome


def the_requests_tell_every_story():
    requests = Request.objects.select_related("receiver", "sender", "sender_institution", "path__family")
    today = timezone.localdate()
    for kind in ("consultation", "signal"):
        assert set(S.values) <= set(requests.filter(kind=kind).values_list("status", flat=True)), kind
    assert set(Out.values) <= set(requests.values_list("outcome", flat=True))
    senders = {r.sender.username for r in requests.filter(kind__in=["consultation", "signal"])}
    assert {"demo.referente", "demo.referente2", "demo.nido", "demo.pediatra"} <= senders

    # Consultations name nobody: nothing a codice fiscale or a date would refuse, no name of a child or
    # parent of the district (families, and the children and parents the signals name).
    people = {f"{p.first_name} {p.last_name}".casefold() for p in Person.objects.all()}
    for signal in requests.filter(kind="signal"):
        people.add(f"{signal.child_first_name} {signal.child_last_name}".casefold())
        people |= {part.split(":")[-1].strip().casefold() for part in signal.parents.split(" (")[0].split(";")}
    for consultation in requests.filter(kind="consultation"):
        check_anonymous({field: getattr(consultation, field) for field in CONSULTATION_TEXT})
        assert not consultation.child_first_name and consultation.child_birth_date is None
        texts = [getattr(consultation, field) for field in CONSULTATION_TEXT]
        texts += list(consultation.messages.values_list("text", flat=True))
        assert not any(name in text.casefold() for name in people for text in texts), consultation.number

    # Every clock agrees with the working days of the office that answers, pauses left out.
    for request in requests.prefetch_related("pauses"):
        patron = patron_day_of(request.receiver)
        sent_on = timezone.localdate(request.sent_at)
        due = add_working_days(sent_on, request.working_days, patron)
        for pause in request.pauses.all():
            if pause.ended_on:
                due = add_working_days(due, working_days_between(pause.started_on, pause.ended_on, patron), patron)
        assert request.due_on == due, request.number
        assert request.procedure and request.working_days == request.procedure.response_working_days
        assert sent_on < today
        if request.response_working_days is not None:
            closed_on = timezone.localdate(request.closed_at)
            paused = sum(
                working_days_between(p.started_on, p.ended_on or closed_on, patron) for p in request.pauses.all()
            )
            assert request.response_working_days == working_days_between(sent_on, closed_on, patron) - paused
        if request.status == S.WAITING_SENDER:
            assert request.paused_since and request.pauses.filter(ended_on=None).exists()
        messages = list(request.messages.values_list("created_at", flat=True))
        assert all(request.sent_at <= at <= timezone.now() for at in messages), request.number

    # An overdue signal to the Comune di Rimini; the head of service was reminded of it.
    late = overdue(today=today).filter(kind="signal", receiver__name="Comune di Rimini")
    assert late.exists()
    head = User.objects.get(username="demo.responsabile")
    assert Notification.objects.filter(recipient=head, kind="request_overdue").exists()

    # The psychologist's request waits in the AUSL head of service's inbox; an earlier one was accepted and
    # demo.psicologa sits in that family's team since.
    ausl_head = User.objects.get(username="demo.responsabile.ausl")
    waiting = inbox_of(ausl_head).filter(kind="professional", team_role="psychologist", status=S.SENT)
    assert waiting.count() == 1
    assert not TeamMember.objects.filter(path=waiting.get().path, user__username="demo.psicologa").exists()
    accepted = requests.get(kind="professional", outcome=Out.ACCEPTED)
    seat = seats_in_force().get(path=accepted.path, user__username="demo.psicologa")
    assert seat.valid_from == timezone.localdate(accepted.closed_at)

    # A path moved from Rimini to Santarcangelo: the case manager there now, the old seat ended, the
    # history in the timeline; another transfer waits.
    transfer = requests.get(kind="transfer", outcome=Out.ACCEPTED)
    assert (transfer.sender_institution.name, transfer.receiver.name) == (
        "Comune di Rimini",
        "Comune di Santarcangelo di Romagna",
    )
    managers = TeamMember.objects.filter(path=transfer.path, team_role="case_manager")
    assert seats_in_force().get(path=transfer.path, team_role="case_manager").user.username == "demo.doppio"
    assert managers.get(ended_at__isnull=False).user.username == "demo.assistente"
    assert transfer.path.events.filter(kind="case_manager.changed").exists()
    assert requests.filter(kind="transfer", status=S.SENT).exists()

    # Signals taken in charge opened paths in pre-assessment, signalled by the sender's institution.
    for signal in requests.filter(outcome=Out.TAKEN_IN_CHARGE):
        assert signal.path.state == Path.State.PRE_ASSESSMENT
        assert signal.path.signal_source_id == signal.sender_institution_id
        assert signal.path.signal_date == timezone.localdate(signal.sent_at)
    assert requests.filter(kind="signal", from_request__outcome=Out.BECOME_SIGNAL, outcome=Out.TAKEN_IN_CHARGE).exists()


def every_account_has_news_it_can_open():
    """Each demo account has notifications, read and unread ones in the demo, and each kind it has links to
    a page it may open."""
    accounts = User.objects.filter(username__startswith="demo.").order_by("username")
    notifications = Notification.objects.filter(recipient__in=accounts)
    assert set(notifications.values_list("recipient_id", flat=True)) == set(accounts.values_list("pk", flat=True))
    assert notifications.filter(read_at=None).exists() and notifications.exclude(read_at=None).exists()
    assert not notifications.filter(created_at__gt=timezone.now()).exists()
    unopened = []
    for user in accounts:
        client = Client()
        client.force_login(user)
        by_kind = {}
        for notification in notifications.filter(recipient=user).order_by("-created_at", "-pk"):
            by_kind.setdefault(notification.kind, []).append(notification.url)
        for kind, urls in by_kind.items():
            # The newest of each kind opens (an older one may lead to a path closed since, as in real life).
            response = client.get(urls[0])
            if response.status_code != 200:
                unopened.append((user.username, kind, urls[0], response.status_code, len(urls)))
    assert not unopened, unopened
