"""The outbox (tenants.outbox, ADR 0024): a task queued in a transaction exists only if the
transaction commits; a message of a task already done, or running in another worker, is not
run again; a task that fails is recorded and not sent again; a lost message is resent."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tenants.models import OutboxTask
from tenants.outbox import HEADER, LOCK_CLASS, enqueue, run_once, waiting
from tenants.tasks import outbox_resend


def _message(pk: int):
    return SimpleNamespace(headers={HEADER: pk}, get=lambda name, default=None: default)


@pytest.fixture
def row(tenant_db, redis_down):
    """A row queued while the broker refuses (so nothing ran it)."""
    from config.celery import where_am_i

    return enqueue(where_am_i)


def test_a_rolled_back_change_queues_nothing(tenant_db, redis_down):
    from config.celery import where_am_i

    before = OutboxTask.objects.count()

    def change_that_fails() -> None:
        with transaction.atomic():
            enqueue(where_am_i)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert OutboxTask.objects.count() == before


def test_a_done_task_is_not_run_again(row):
    runs = []
    assert run_once(_message(row.pk), lambda: runs.append(1) or "first") == "first"
    assert run_once(_message(row.pk), lambda: runs.append(2) or "second") is None
    row.refresh_from_db()
    assert runs == [1]
    assert row.runs == 1
    assert row.done_at is not None
    assert not row.failed


def test_a_task_running_in_another_worker_is_not_run_twice(row, django_db_blocker):
    # given another connection (another worker) holding the row's lock
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, row.pk])
        # when this worker receives the same message
        ran = []
        result = run_once(_message(row.pk), lambda: ran.append(1))
        # then it does not run it
        assert result is None
        assert ran == []
    finally:
        other.close()  # the other worker dies: its lock goes with its connection
    # (the server ends that session a moment after the socket closes)
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND objid = %s",
                [LOCK_CLASS, row.pk],
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    assert run_once(_message(row.pk), lambda: "now") == "now"


def test_a_failed_task_is_recorded_and_not_resent(row):
    with pytest.raises(ZeroDivisionError):
        run_once(_message(row.pk), lambda: 1 / 0)
    row.refresh_from_db()
    assert row.failed
    assert row.error == "ZeroDivisionError"
    assert row.done_at is not None
    assert not waiting(timezone.now() + timedelta(days=1)).filter(pk=row.pk).exists()


def test_which_rows_are_sent_again(row, settings):
    now = timezone.now()
    # refused by the broker: sent again once RESEND_AFTER has passed
    assert not waiting(now).filter(pk=row.pk).exists()
    assert waiting(now + timedelta(seconds=11)).filter(pk=row.pk).exists()
    # taken by the broker and never started: lost only past the visibility timeout
    OutboxTask.objects.filter(pk=row.pk).update(published_at=now)
    lost_after = timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT) + timedelta(minutes=10)
    assert not waiting(now + lost_after - timedelta(minutes=1)).filter(pk=row.pk).exists()
    assert waiting(now + lost_after + timedelta(minutes=1)).filter(pk=row.pk).exists()
    # started (its worker killed): the broker redelivers it, the outbox does not resend it
    OutboxTask.objects.filter(pk=row.pk).update(runs=1)
    assert not waiting(now + lost_after * 2).filter(pk=row.pk).exists()


def test_a_message_without_the_outbox_just_runs(tenant_db):
    plain = SimpleNamespace(headers=None, get=lambda name, default=None: default)
    assert run_once(plain, lambda: "ran") == "ran"


def test_the_resend_runs_the_task_in_its_province(tenant_db, redis_down, provinces):
    from django_tenants.utils import schema_context

    from config.celery import app, where_am_i

    schema = provinces["hagiang"].schema_name
    with schema_context(schema):
        row = enqueue(where_am_i)
    assert row.schema_name == schema
    app.conf.task_always_eager = True  # Redis "back": the worker's run happens here
    assert outbox_resend(now=timezone.now() + timedelta(minutes=1)) >= 1
    row.refresh_from_db()
    assert row.done_at is not None
    assert row.runs == 1
    assert connection.schema_name == "public"
