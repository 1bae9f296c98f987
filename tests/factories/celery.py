"""A real Celery worker for the tests that need one: a separate process on its own queue, the
test database and the real Redis broker, with this process's app sending to it (not eager)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection

from config import celery_app

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process of its own."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def real_worker(
    *, log_level: str = "warning", output: int | IO = subprocess.DEVNULL, **env: str
) -> Iterator[str]:
    """Start a worker on a queue of its own (yielded), its output to `output`, `env` added to
    its environment; results come back through Redis. Stopped at the end."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    backend = settings.REDIS_URL
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    command += ["-Q", queue, "--without-heartbeat", "--without-mingle", "--without-gossip"]
    process = subprocess.Popen(
        [*command, "-l", log_level],
        cwd=ROOT,
        env=dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url(),
            CELERY_RESULT_BACKEND=backend,
            **env,
        ),
        stdout=output,
        stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
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
