"""The one way to queue a task: a transactional outbox (ADR 0024).

`enqueue(task, *args, **kwargs)` writes the task as a row of `tenants.OutboxTask` in the
caller's transaction and hands it to the broker once that transaction commits. So:

- a change that is rolled back queues nothing, and one that commits always has its task: the
  broker (Redis) being down when it commits costs the caller nothing (no error, no wait past the
  broker's one-second connect timeout), and the row waits; `outbox_resend` (beat, every minute,
  and at each worker's start) sends what the broker did not take, in order, once it is back;
- a task runs to its end at most once in effect: the message carries the row's id, and the
  worker (config.celery.OutboxAwareTask) takes the row's advisory lock, skips a row already done
  or held by another worker, and marks it done when the task returns. A worker killed mid-task
  leaves the row unfinished and its lock released (the connection dies with it); the broker
  hands the unacknowledged message to another worker after its visibility timeout (late acks,
  CELERY_VISIBILITY_TIMEOUT), which runs it again from the start, so the tasks queued here are
  written to be rerun (each checks what it already did, e.g. a job's state or a notice's row);
- a message the broker lost (a Redis restarted without its data) is sent again when its row
  was published long ago (the visibility timeout and ten minutes) and never started.

Eager mode (tests, development without a worker): the task runs at once, inside the caller's
transaction, as `.delay()` would, its errors raised to the caller.

The rows live in the public schema, one table for every province (`schema_name` says where the
task runs): a province's backup or restore never carries or replays another's queue."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from celery.exceptions import Retry
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from config.celery import app
from tenants.models import OutboxTask

logger = logging.getLogger(__name__)

HEADER = "_outbox"  # the message header carrying the row's id
# pg_try_advisory_lock(int, int): the first key says "outbox" (ADR 0024), the second the row.
LOCK_CLASS = 20024
# A row whose publication failed is sent again by the next resend after this delay (the commit
# that wrote it may still be publishing it).
RESEND_AFTER = timedelta(seconds=10)
RESEND_BATCH = 500  # rows sent again by one run of outbox_resend, the oldest first
KEEP_DONE = timedelta(days=2)  # done rows are kept this long to be read, then deleted
KEEP_FAILED = timedelta(days=30)
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
WARN_EVERY = 60.0  # seconds between two warnings of a broker that refuses publications

T = TypeVar("T")

_warned = {"at": float("-inf")}
_warn_lock = threading.Lock()


def enqueue(task, *args, **kwargs) -> OutboxTask:
    """Queue `task` (a Celery task of the platform) with JSON arguments, to run in the active
    schema once the caller's transaction commits. Returns the row."""
    row = OutboxTask.objects.create(
        schema_name=connection.schema_name, task=task.name, args=list(args), kwargs=kwargs
    )
    if app.conf.task_always_eager:
        publish(row.pk)
    else:
        transaction.on_commit(partial(_publish_after_commit, row.pk), robust=True)
    return row


def _publish_after_commit(pk: int) -> None:
    """The row is committed: a publication that fails now, the broker or even the database
    gone in between, leaves it for outbox_resend and never fails the caller's request."""
    try:
        publish(pk)
    except DatabaseError as error:
        logger.warning(
            "outbox task %s kept for the next resend: database unavailable (%s)",
            pk,
            type(error).__name__,
        )
    except Exception:  # never raised to the caller, whose change is committed
        logger.exception("outbox task %s kept for the next resend", pk)


def _broker_refused(error: BaseException, pk: int) -> None:
    now = time.monotonic()
    with _warn_lock:
        warn = now - _warned["at"] >= WARN_EVERY
        if warn:
            _warned["at"] = now
    if warn:
        # The error's class only: its text may carry the broker's address.
        logger.warning(
            "task broker refused task %s (%s): kept in the outbox, to be sent again",
            pk,
            type(error).__name__,
        )


def publish(pk: int) -> bool:
    """Hand row `pk` to the broker (or run it, in eager mode). False when the broker refused
    it: the row stays waiting for outbox_resend. A row already done is not sent."""
    row = OutboxTask.objects.filter(pk=pk, done_at__isnull=True).first()
    if row is None:
        return True
    task = app.tasks.get(row.task)
    if task is None:  # a task renamed or removed since it was queued: never runnable
        logger.error("outbox task %s names no task: %s", pk, row.task)
        _finish(pk, error="UnknownTask")
        return True
    # One quick second try (a pooled connection left stale by a Redis restart fails once),
    # then the row waits: a request never waits on kombu's default retries.
    options = {"headers": {HEADER: row.pk}, "retry": True, "retry_policy": RETRY_POLICY}
    with schema_context(row.schema_name):  # the message carries the schema to run in
        if app.conf.task_always_eager:
            task.apply_async(row.args, row.kwargs, **options)
        else:
            try:
                task.apply_async(row.args, row.kwargs, **options)
            # Whatever stops a publication (a refused or stalled connection, a broker out of
            # memory) leaves the task in the outbox; the task itself does not run here.
            except Exception as error:
                OutboxTask.objects.filter(pk=pk).update(publish_failures=F("publish_failures") + 1)
                _broker_refused(error, pk)
                return False
    OutboxTask.objects.filter(pk=pk).update(published_at=timezone.now())
    return True


def _header(request) -> int | None:
    headers = getattr(request, "headers", None) or {}
    value = headers.get(HEADER) if isinstance(headers, dict) else None
    if value is None:
        value = request.get(HEADER) if hasattr(request, "get") else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _lock(pk: int, *, take: bool) -> bool:
    sql = "SELECT pg_try_advisory_lock(%s, %s)" if take else "SELECT pg_advisory_unlock(%s, %s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOCK_CLASS, pk % 2147483647])
        return bool(cursor.fetchone()[0])


def _finish(pk: int, *, error: str = "") -> None:
    OutboxTask.objects.filter(pk=pk).update(
        done_at=timezone.now(), failed=bool(error), error=error[:200]
    )


def run_once(request, call: Callable[[], T]) -> T | None:
    """Run `call` (a task's body) for the outbox row its message names, at most once to its
    end: None, without running it, when the row is done or another worker runs it now. A
    message sent without the outbox (a beat task, a `celery call`) just runs."""
    pk = _header(request)
    if pk is None:
        return call()
    if not _lock(pk, take=True):
        logger.info("outbox task %s is running in another worker: not run twice", pk)
        return None
    try:
        started = OutboxTask.objects.filter(pk=pk, done_at__isnull=True).update(
            started_at=timezone.now(), runs=F("runs") + 1
        )
        if not started:
            logger.info("outbox task %s already done: not run again", pk)
            return None
        try:
            result = call()
        except Retry:
            raise  # the task asked to be retried: its next run finishes the row
        except Exception as error:
            _finish(pk, error=type(error).__name__)
            raise
        _finish(pk)
        return result
    finally:
        try:
            _lock(pk, take=False)
        except Exception:  # the connection died with the task: its lock went with it
            logger.info("outbox task %s: lock not released (connection gone)", pk)


def waiting(now: datetime | None = None):
    """The rows to send again: never taken by the broker (RESEND_AFTER past), or taken so long
    ago (the visibility timeout and ten minutes) that a message never started was lost."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT) - timedelta(minutes=10)
    return OutboxTask.objects.filter(done_at__isnull=True).filter(
        Q(published_at__isnull=True, created_at__lt=now - RESEND_AFTER)
        | Q(published_at__lt=lost, runs=0)
    )


@app.task(name="tenants.outbox_resend")
def outbox_resend(now: datetime | None = None) -> int:
    """Send again what the broker did not take (beat, every minute; each worker at start), the
    oldest first, stopping at the first refusal; delete done rows past their keeping time.
    Returns the number of rows handed to the broker."""
    now = now or timezone.now()
    sent = 0
    with schema_context(get_public_schema_name()):
        for pk in waiting(now).order_by("created_at").values_list("pk", flat=True)[:RESEND_BATCH]:
            if not publish(pk):
                break
            sent += 1
        OutboxTask.objects.filter(done_at__lt=now - KEEP_DONE, failed=False).delete()
        OutboxTask.objects.filter(done_at__lt=now - KEEP_FAILED, failed=True).delete()
        # A run started and never finished for a month (a task retried without its outbox
        # header, or abandoned by hand): no longer worth keeping.
        OutboxTask.objects.filter(done_at__isnull=True, created_at__lt=now - KEEP_FAILED).delete()
    if sent:
        logger.info("outbox: %s task(s) sent again", sent)
    return sent


def _resend_at_start(sender=None, **_kwargs) -> None:
    """A worker that starts (after an outage of the broker, or of every worker) sends at once
    what waits, instead of waiting for beat's next minute."""
    try:
        outbox_resend.delay()
    except Exception as error:  # the broker that just let the worker start went away again
        logger.warning("outbox resend not queued at worker start (%s)", type(error).__name__)


worker_ready.connect(_resend_at_start, weak=False, dispatch_uid="tenants.outbox.resend_at_start")
