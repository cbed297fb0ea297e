"""The real queue: a notification's e-mail is a row in the database queue (django-tasks-db) once the
transaction commits, and the worker (``manage.py db_worker``, here in batch mode: run what is queued, then
stop) sends it."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from patto.notifications import services
from patto.notifications.kinds import Kind
from patto.notifications.models import EmailDelivery


# A transactional test: the worker closes its database connection between tasks (as a long-running process
# must), which on PostgreSQL would end the transaction an ordinary test runs in.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_notification_email(personas, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify(
            recipients=[personas["case_manager"].user], kind=Kind.TASK_ASSIGNED, url="/", reference="RN-2026-0001"
        )
    (queued,) = DBTaskResult.objects.all()
    assert queued.status == "READY" and queued.args_kwargs == {"args": [notification.email_id], "kwargs": {}}
    assert mail.outbox == []  # queued, not sent: the request that notified did not wait for SMTP

    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, reload=False, stdout=StringIO())

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == "sent"
    assert [message.to for message in mail.outbox] == [[personas["case_manager"].user.email]]
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT
