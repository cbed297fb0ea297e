"""The monitoring report past PATTO_EXPORT_DIRECT_MAX commitments is built in the background (core.exportjobs):
the "being prepared" page polls, the file is downloaded by who asked only (others: 404), the original view's
access check is repeated at download, each step is in the trail, the file expires."""

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from patto.audit.models import AuditEvent
from patto.core import exportjobs
from patto.core.management.commands.maintenance import STEPS
from patto.core.models import ExportJob


@pytest.fixture(autouse=True)
def background(settings, tmp_path):
    """Tasks run when the transaction commits, in this process (the child process could not see the test's
    database); files under a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PATTO_EXPORT_SUBPROCESS = False
    settings.PATTO_EXPORT_ROOT = str(tmp_path / "exports")
    return settings


def _url(name, period, **kwargs):
    return reverse(f"governance:{name}", kwargs={"period_pk": period.pk, **kwargs})


def _actions(job):
    return list(
        AuditEvent.objects.filter(object_type="core.exportjob", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_big_report_is_prepared_in_the_background_for_who_asked_only(
    pact, personas, login, client, background, django_capture_on_commit_callbacks, django_user_model
):
    period = pact.periods.get()
    background.PATTO_EXPORT_DIRECT_MAX = 1  # the fixture's version in force has two commitments
    coordinator = login("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        asked = coordinator.get(_url("period_report_pdf", period))
    job = ExportJob.objects.get()
    assert asked.status_code == 302 and asked.url == reverse("core:export_status", kwargs={"pk": job.pk})
    assert job.params == {"period": period.pk} and job.requested_by == personas["coordinator"].user
    assert job.status == ExportJob.Status.READY and job.filename == f"monitoraggio-{period.pk}.pdf"
    stored = Path(background.PATTO_EXPORT_ROOT) / job.storage_name
    assert stored.stat().st_mode & 0o777 == 0o600 and job.size == stored.stat().st_size

    page = coordinator.get(reverse("core:export_status", kwargs={"pk": job.pk})).content.decode()
    assert reverse("core:export_download", kwargs={"pk": job.pk}) in page and "hx-trigger" not in page
    assert _url("period_report", period) in page  # back to the report
    download = coordinator.get(reverse("core:export_download", kwargs={"pk": job.pk}))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF") and len(body) == job.size
    assert download["Content-Disposition"] == f'attachment; filename="monitoraggio-{period.pk}.pdf"'
    assert download["Content-Type"] == "application/pdf" and "sandbox" in download["Content-Security-Policy"]
    assert _actions(job) == ["core.export.requested", "core.export.ready", "core.export.downloaded"]
    # The worker read the report as the coordinator, under the seat they acted in: the access row is theirs.
    read = AuditEvent.objects.get(action="governance.report.pdf")
    assert read.actor == personas["coordinator"].user and read.actor_institution == personas["coordinator"].institution

    # Anyone else, even with the report's permission: the job does not exist for them.
    other = login("other_admin")
    for name in ("core:export_status", "core:export_fragment", "core:export_download"):
        assert other.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404

    # After PATTO_EXPORT_KEEP_HOURS: gone (410), then removed by the nightly maintenance (audited).
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        coordinator = login("coordinator")
        assert coordinator.get(reverse("core:export_download", kwargs={"pk": job.pk})).status_code == 410
        assert exportjobs.expire_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not stored.exists()
    assert _actions(job)[-1] == "core.export.expired" and "expire_exports" in STEPS
    gone = coordinator.get(reverse("core:export_download", kwargs={"pk": job.pk}))
    assert gone.status_code == 410 and "Esportazione non più disponibile" in gone.content.decode()


def test_a_small_report_stays_in_the_request_and_a_big_spreadsheet_goes_to_the_worker(
    pact, login, background, django_capture_on_commit_callbacks
):
    period = pact.periods.get()
    coordinator = login("coordinator")
    direct = coordinator.get(_url("period_report_xlsx", period))
    assert direct.status_code == 200 and direct["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()

    background.PATTO_EXPORT_DIRECT_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.get(_url("period_report_xlsx", period))
    job = ExportJob.objects.get()
    download = coordinator.get(reverse("core:export_download", kwargs={"pk": job.pk}))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert [sheet.title for sheet in workbook.worksheets] == [period.name, "Indicatori"]
    assert workbook.worksheets[0].max_row == 3  # the header and two commitments
    assert not list(Path(background.PATTO_EXPORT_ROOT).parent.glob("*.xlsx"))  # the builder's file was moved


def test_while_it_is_prepared_the_page_polls_and_says_so(pact, login, background, django_capture_on_commit_callbacks):
    background.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # never runs
    background.PATTO_EXPORT_DIRECT_MAX = 1
    coordinator = login("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.get(_url("period_report_pdf", pact.periods.get()))
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    fragment_url = reverse("core:export_fragment", kwargs={"pk": job.pk})
    page = coordinator.get(reverse("core:export_status", kwargs={"pk": job.pk})).content.decode()
    assert f'hx-get="{fragment_url}" hx-trigger="every 3s"' in page and "in preparazione" in page
    assert 'aria-live="polite"' in page
    fragment = coordinator.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="export-status"') and "<html" not in fragment
    assert coordinator.get(reverse("core:export_download", kwargs={"pk": job.pk})).status_code == 404

    assert exportjobs.run_export(job.pk) == ExportJob.Status.READY  # what the worker does
    fragment = coordinator.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and reverse("core:export_download", kwargs={"pk": job.pk}) in fragment
    assert exportjobs.run_export(job.pk) == "skipped"  # claimed once


def test_the_worker_and_the_download_check_access_again(pact, personas, login, background):
    """The builder fetches and authorises as the requester (a job for someone who may not see the report fails
    with a plain message); the download repeats the report view's check (a governance role lost: 403)."""
    period = pact.periods.get()
    outsider = personas["outsider"].user
    job = exportjobs.request_export(actor=outsider, kind="governance.report_pdf", params={"period": period.pk})
    assert exportjobs.run_export(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.error == "Non hai più accesso a ciò che hai chiesto di esportare." and not job.storage_name
    assert _actions(job) == ["core.export.requested", "core.export.failed"]

    coordinator = personas["coordinator"]
    job = exportjobs.request_export(actor=coordinator.user, kind="governance.report_pdf", params={"period": period.pk})
    exportjobs.run_export(job.pk)
    client = login("coordinator")
    session = client.session
    del session["reauth_at"]  # the password typed too long ago: the report's step-up again
    session.save()
    download = reverse("core:export_download", kwargs={"pk": job.pk})
    assert client.get(download).url.startswith(reverse("accounts:confirm_password"))
    coordinator.valid_to = timezone.localdate()  # the coordinator's role ends today (the file is still kept)
    coordinator.save(update_fields=["valid_to"])
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() + timedelta(days=3))
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert login("coordinator").get(download).status_code in (403, 404)
    assert "core.export.downloaded" not in _actions(job)


def test_a_child_that_runs_out_of_time_fails_the_job(pact, personas, background, monkeypatch):
    background.PATTO_EXPORT_SUBPROCESS = True

    def too_slow(command, **kwargs):
        assert command[-2:] == ["build_export", str(job.pk)] and kwargs["timeout"] == 900
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", too_slow)
    job = exportjobs.request_export(
        actor=personas["coordinator"].user, kind="governance.report_xlsx", params={"period": pact.periods.get().pk}
    )
    assert exportjobs.run_export(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.error.startswith("Non è stato possibile preparare l'esportazione")
