"""A real Celery worker (a separate process, real Redis broker): a task sent inside a province's
schema runs inside that schema, and one sent from another province runs in that one's."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from config import celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tenant_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    backend = settings.REDIS_URL
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=_database_url(),
        CELERY_RESULT_BACKEND=backend,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = (celery_app.conf.result_backend, celery_app.conf.task_always_eager)
    celery_app.conf.result_backend, celery_app.conf.task_always_eager = backend, False
    # An eager task run earlier in the session (an import job) cached the app's result backend
    # as it was then (disabled): forget it, before and after, so each side builds its own.
    celery_app._local.__dict__.pop("backend", None)
    try:
        yield queue
    finally:
        celery_app.conf.result_backend, celery_app.conf.task_always_eager = previous
        celery_app._local.__dict__.pop("backend", None)
        process.terminate()
        process.wait(15)


def test_tasks_run_in_the_schema_they_were_sent_from(worker, tenant_db):
    results = {}
    for slug in ("hagiang", "dongnai"):
        with schema_context(tenant_db[slug].schema_name):
            results[slug] = celery_app.send_task("platform.where_am_i", queue=worker)
    assert results["hagiang"].get(timeout=60) == "p_hagiang"
    assert results["dongnai"].get(timeout=60) == "p_dongnai"
    public = celery_app.send_task("platform.where_am_i", queue=worker)
    assert public.get(timeout=60) == "public"
