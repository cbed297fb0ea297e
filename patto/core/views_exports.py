"""The pages of a background export (``exportjobs``): "being prepared" (polled by htmx), then the download.
Only the person who asked sees a job (anyone else: 404, like a job that does not exist)."""

from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .exportjobs import jobs_of, open_export
from .exports import export_kind
from .models import ExportJob
from .shortcuts import get_object_for


def _job(request, pk):
    return get_object_for(request.user, None, jobs_of(request.user), pk=pk)


@require_GET
def export_status(request, pk):
    return render(request, "core/export_job.html", {"job": _job(request, pk)})


@require_GET
def export_fragment(request, pk):
    """The status block alone, for htmx's polling: it stops polling once the job is final."""
    return render(request, "core/export_job.html#status", {"job": _job(request, pk)})


@require_GET
def export_download(request, pk):
    job = _job(request, pk)
    if not job.is_downloadable:
        status = 410 if job.status in (ExportJob.Status.READY, ExportJob.Status.EXPIRED) else 404
        return render(request, "core/export_gone.html", {"job": job}, status=status)
    refusal = export_kind(job.kind).check(request, job.params)  # the original view's access check, again
    if refusal is not None:
        return refusal
    try:
        handle = open_export(actor=request.user, job=job)
    except ExportJob.DoesNotExist:
        return render(request, "core/export_gone.html", {"job": job}, status=410)
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
