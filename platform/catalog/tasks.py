"""The catalogue's background work: a file imported on the staff page, run by a worker.

The task is queued inside the province's schema (catalog.services.import_job_start, on commit)
and tenant-schemas-celery carries the schema in the message, so it runs inside it. A thin,
idempotent wrapper: a job runs once (import_job_run does nothing for a job no longer queued)."""

from __future__ import annotations

from catalog.services import import_job_run
from config.celery import app
from tenants.tasks import in_a_province


@app.task(name="catalog.import_run")
def import_run(job_pk: int) -> str:
    if not in_a_province():
        return ""
    job = import_job_run(job_pk=job_pk)
    return job.status if job is not None else ""
