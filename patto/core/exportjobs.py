"""Exports built in the background: a job per request, built by the task worker, downloaded by who asked.

The lifecycle, each step audited (``core.export.*``):

1. ``queue_export(request, kind, params)`` (from a view, once the view has authorised the export and decided
   it is too big for the request: ``core.exports.fits_in_request``) records the job and queues the task when the
   transaction commits; the user is sent to the "being prepared" page (``core:export_status``), which polls.
2. The task (``core.tasks.build_export``) claims the job and builds it in a child process (``manage.py
   build_export``; PATTO_EXPORT_SUBPROCESS), so the worker gets the memory of a big PDF back when the child
   exits, and a job that runs past PATTO_EXPORT_TIMEOUT_SECONDS is stopped. The file is written under
   PATTO_EXPORT_ROOT (outside the web root, a random name, mode 0600): ready, or failed with a message.
3. ``open_export`` serves it to the requester only (others: 404), after the registered ``check`` repeated the
   original view's access check; expired (PATTO_EXPORT_KEEP_HOURS) → 410.
4. ``expire_exports`` (nightly, ``manage.py maintenance``) removes the files of expired jobs.

Builders and checks are registered by the apps: see ``core.exports.register_export``."""

import logging
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext

from .audit import record_event
from .exports import export_kind
from .models import ExportJob
from .storage import PrivateStorage

logger = logging.getLogger(__name__)
Status = ExportJob.Status


class ExportStorage(PrivateStorage):
    """Where finished exports wait to be downloaded: outside the web root, random names, no URL."""

    served_by = "core:export_download"

    def __init__(self):
        super().__init__(settings.PATTO_EXPORT_ROOT)


def export_storage():
    return ExportStorage()


def _keep():
    return timedelta(hours=settings.PATTO_EXPORT_KEEP_HOURS)


# --- Asking --------------------------------------------------------------------------------------------------


@transaction.atomic
def request_export(*, actor, kind, params, back_url=""):
    """Record an export job for ``actor`` (who was authorised by the calling view) and queue it on commit."""
    spec = export_kind(kind)
    membership = getattr(actor, "acting_membership", None)
    job = ExportJob.objects.create(
        kind=kind,
        params=params,
        requested_by=actor,
        acting_membership_id=membership.pk if membership is not None else None,
        title=str(spec.title)[:200],
        language=translation.get_language() or settings.LANGUAGE_CODE,
        back_url=back_url[:300],
        expires_at=timezone.now() + _keep(),
    )
    record_event(actor=actor, action="core.export.requested", obj=job, changes={"kind": [None, kind]})
    transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return job


def _enqueue(job_id):
    from .tasks import build_export

    try:
        build_export.enqueue(str(job_id))
    except Exception:  # noqa: BLE001 — say so on the user's page rather than leave it waiting
        logger.warning("Could not queue export %s", job_id, exc_info=True)
        _fail(ExportJob.objects.get(pk=job_id), gettext("The export could not be queued. Please try again later."))


def queue_export(request, kind, params, back_url=""):
    """For a view that authorised an export too big for the request: queue it, send the user to its page
    (``back_url``: a path of Patto to go back to, e.g. the report's page)."""
    job = request_export(actor=request.user, kind=kind, params=params, back_url=back_url)
    return redirect("core:export_status", pk=job.pk)


# --- Building (the worker) -----------------------------------------------------------------------------------


def run_export(job_id):
    """The task's body: claim the queued job, build it (in a child process unless PATTO_EXPORT_SUBPROCESS is
    off), and fail it if the child died or ran out of time. Returns the job's final status."""
    if not ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.RUNNING):
        return "skipped"  # already taken, or expired while queued
    if not settings.PATTO_EXPORT_SUBPROCESS:
        return build_now(job_id)
    try:
        subprocess.run(
            [sys.executable, "-m", "django", "build_export", str(job_id)],
            check=False,
            timeout=settings.PATTO_EXPORT_TIMEOUT_SECONDS,
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "patto.settings")},
        )
    except subprocess.TimeoutExpired:
        logger.warning("Export %s stopped after %s s", job_id, settings.PATTO_EXPORT_TIMEOUT_SECONDS)
    job = ExportJob.objects.get(pk=job_id)
    if job.status == Status.RUNNING:  # the child did not finish it: timed out, killed, crashed
        _fail(job, _generic_failure(job))
    return job.status


def _generic_failure(job):
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return gettext("The export could not be prepared. Please try again later, or ask for a smaller one.")


def build_now(job_id):
    """Build a claimed (running) job in this process: the builder reads as the requester, the file is stored,
    the job is ready (or failed with a message for the user). ``manage.py build_export`` runs this."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != Status.RUNNING:
        return job.status
    actor = job.requested_by
    if job.acting_membership_id is not None and hasattr(actor, "act_as"):
        actor.act_as(job.acting_membership_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            export = export_kind(job.kind).build(job.params, actor)
        except (Http404, PermissionDenied, ObjectDoesNotExist):
            return _fail(job, gettext("You no longer have access to what you asked to export."))
        except Exception:  # noqa: BLE001 — logged for the operator; the user gets a plain message
            logger.exception("Export %s (%s) failed", job.pk, job.kind)
            return _fail(job, _generic_failure(job))
    return _finish(job, export)


def _finish(job, export):
    storage = export_storage()
    file_id = uuid.uuid4().hex
    name = f"{file_id[:2]}/{file_id}"
    if isinstance(export.content, (bytes, bytearray)):
        stored = storage.save(name, ContentFile(export.content))
    else:
        path = Path(export.content)
        with path.open("rb") as handle:
            stored = storage.save(name, File(handle))
        path.unlink()
    now = timezone.now()
    job.status, job.filename, job.content_type = Status.READY, export.filename[:200], export.content_type[:100]
    job.storage_name, job.size, job.finished_at, job.expires_at = stored, storage.size(stored), now, now + _keep()
    with transaction.atomic():
        job.save(
            update_fields=["status", "filename", "content_type", "storage_name", "size", "finished_at", "expires_at"]
        )
        record_event(actor=job.requested_by, action="core.export.ready", obj=job, changes={"size": [None, job.size]})
    return job.status


def _fail(job, message):
    job.status, job.error, job.finished_at = Status.FAILED, message[:300], timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "error", "finished_at"])
        record_event(actor=job.requested_by, action="core.export.failed", obj=job)
    return job.status


# --- Downloading and expiry ----------------------------------------------------------------------------------


def jobs_of(user):
    """The export jobs a user may see: their own, and nobody else's."""
    return ExportJob.objects.filter(requested_by=user) if user.is_authenticated else ExportJob.objects.none()


def open_export(*, actor, job):
    """The ready file of ``actor``'s own job, opened for reading, the download logged first (fail closed).
    Raises ExportJob.DoesNotExist if the file is gone."""
    if job.requested_by_id != actor.pk or not job.is_downloadable:
        raise ExportJob.DoesNotExist
    with transaction.atomic():
        record_event(actor=actor, action="core.export.downloaded", obj=job)
        try:
            return export_storage().open(job.storage_name, "rb")
        except FileNotFoundError:
            raise ExportJob.DoesNotExist from None


def expire_exports(now=None):
    """Remove the files of jobs past their time and mark them expired (a queued or running job too: the worker
    was down, or the child died). Returns how many."""
    now = now or timezone.now()
    storage = export_storage()
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(status=Status.EXPIRED):
        if job.storage_name:
            storage.delete(job.storage_name)
        job.status = Status.EXPIRED
        with transaction.atomic():
            job.save(update_fields=["status"])
            record_event(actor=None, actor_label="maintenance", action="core.export.expired", obj=job)
        expired += 1
    return expired
