"""The drill of ops/drills/worker-kill run for real (ADR 0024): a Celery worker killed with
SIGKILL in the middle of sending a receipt mail (its pool process, then the whole worker); the
mail is sent once, by a second run, and the outbox row is done. Its own Redis and mail server;
a scratch database on the test run's PostgreSQL server, dropped afterwards."""

import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.without_services

DRILL = Path(__file__).resolve().parents[2] / "ops" / "drills" / "worker-kill"
MISSING_TOOL = 2


def _in_ci() -> bool:
    return bool(os.environ.get("CI")) and os.environ.get("DRILL_INSTALL") != "impossible"


def test_a_killed_worker_loses_no_mail_and_sends_it_once():
    database = f"drill_worker_kill_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [str(DRILL), "--visibility-timeout", "5", "--database", database],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode == MISSING_TOOL:
        reason = f"worker-kill drill not run: {result.stdout.strip()}"
        if _in_ci():
            pytest.fail(f"{reason} (CI must run the drill)")
        pytest.skip(reason)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert out.rstrip().endswith("PASS")
    for case in ("child", "worker"):
        line = re.search(rf"^  {case}: (.*)$", out, re.MULTILINE)
        assert line, out
        assert "killed during the send (run 1); sent by run 2" in line[1]
        assert "mails accepted: 1; outbox: runs 2, done True, failed False" in line[1]


def test_a_bad_argument_is_refused_before_anything_starts():
    result = subprocess.run(
        [str(DRILL), "--visibility-timeout", "0"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "--visibility-timeout must be 2..300 seconds" in result.stderr
