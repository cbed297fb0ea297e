import pytest


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Tasks run at once in these tests (the e-mail is in ``mail.outbox`` when the transaction commits);
    ``test_worker.py`` runs the real database queue and worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PATTO_BASE_URL = "https://patto.example.org"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...``: what the block queues on commit runs when it ends (as after a request)."""

    def _committed():
        return django_capture_on_commit_callbacks(execute=True)

    return _committed
