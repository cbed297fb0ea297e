"""Background tasks (django-tasks; the database backend, run by ``manage.py db_worker``). Their arguments
are ids only: the queue's table never holds an address or a word of the message."""

from django_tasks import task


@task()
def send_email(email_id):
    """Send one e-mail (``EmailDelivery``); see ``services.deliver_email``."""
    from .services import deliver_email

    return deliver_email(email_id)
