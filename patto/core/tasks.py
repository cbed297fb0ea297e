"""Core's background task: building an export (``exportjobs``). Its argument is the job's id only."""

from django_tasks import task


@task()
def build_export(job_id):
    """Build one queued export job; see ``exportjobs.run_export``."""
    from .exportjobs import run_export

    return run_export(job_id)
