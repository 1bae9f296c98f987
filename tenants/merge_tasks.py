"""The merge's background work (issue 16): the run of a merge job, queued from the operators'
console or API through the outbox, and the checks made before it is queued.

Not in tenants.tasks: the modules' own tasks import that one (for_each_province), and the
engine reads every module's records, so importing it there would make each module depend on
all the others. The workers register this module from tenants.apps."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from config.celery import app
from core.errors import ErrorKind
from tenants.merging import MergeError, merge_interrupted, merge_run
from tenants.models import MergeJob, OutboxTask
from tenants.outbox import enqueue
from tenants.selectors import merge_run_queued

logger = logging.getLogger(__name__)

PROGRESS_FOR = 60 * 60  # seconds a running stage's last progress is kept for the console
OPEN = (MergeJob.Status.PLANNED, MergeJob.Status.FAILED)


def merge_progress_key(job_id: int) -> str:
    return f"merging:progress:{job_id}"


def merge_run_queue(*, job: MergeJob, actor=None) -> OutboxTask:
    """Queue a merge's run for a worker (the console, the API), after the refusals that can be
    known now, since the worker only logs one: a job no longer open, a plan with problems, a
    run already queued. One transaction; returns the outbox row."""
    with transaction.atomic():
        job = MergeJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in OPEN and not merge_interrupted(job):
            raise MergeError(
                "merge_closed",
                _("Hợp nhất này đã chạy xong, đang chạy hoặc đã huỷ."),
                kind=ErrorKind.CONFLICT,
            )
        if (job.plan or {}).get("problems"):
            raise MergeError(
                "plan_problems",
                _("Kế hoạch còn vấn đề cần xử lý: giải quyết rồi chạy thử lại trước khi chạy."),
                kind=ErrorKind.CONFLICT,
            )
        if merge_run_queued(job, task_name=merge_run_task.name):
            raise MergeError(
                "already_queued",
                _("Hợp nhất này đã được xếp hàng chạy."),
                kind=ErrorKind.CONFLICT,
            )
        return enqueue(merge_run_task, job.pk, actor.pk if actor is not None else None)


@app.task(name="tenants.merge_run")
def merge_run_task(job_id: int, actor_id: int | None = None) -> str:
    """Run a merge's stages not yet done: a failed job resumes where it stopped, a job already
    completed or cancelled is left as it is (a message delivered twice does nothing more).
    Runs in the public schema, where the job lives; the engine enters each province's schema.
    Returns the job's status; a stage's failure is recorded on the job, logged and raised."""
    with schema_context(get_public_schema_name()):
        job = MergeJob.objects.filter(pk=job_id).first()
        if job is None:
            logger.warning("merge job %s not run: no such job", job_id)
            return ""
        if job.status in (MergeJob.Status.COMPLETED, MergeJob.Status.CANCELLED):
            return job.status
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None

        def progress(stage: str, done: int, total: int) -> None:
            cache.set(
                merge_progress_key(job_id),
                {"stage": stage, "done": done, "total": total},
                PROGRESS_FOR,
            )

        try:
            job = merge_run(job=job, actor=actor, progress=progress)
        except MergeError as error:
            logger.warning("merge job %s stopped: %s", job_id, error.code)
            raise
        finally:
            cache.delete(merge_progress_key(job_id))
        return job.status
