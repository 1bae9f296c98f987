"""The drill of ops/drills/pg-restart run for real (ADR 0024): its own PostgreSQL cluster
restarted under a load of citizens' questions; every 201 keeps its row and its queued receipt,
the outage answers 503 with Retry-After, never 500. It needs neither the platform's database
nor its cache (its own cluster and Redis)."""

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.without_services

DRILL = Path(__file__).resolve().parents[2] / "ops" / "drills" / "pg-restart"
MISSING_TOOL = 2


def _drill(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DRILL), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _in_ci() -> bool:
    return bool(os.environ.get("CI")) and os.environ.get("DRILL_INSTALL") != "impossible"


def test_no_answered_question_is_lost_when_postgresql_restarts_under_load():
    result = _drill("--seconds", "16", "--restart-at", "6", "--threads", "6")
    if result.returncode == MISSING_TOOL:
        reason = f"pg-restart drill not run: {result.stdout.strip()}"
        if _in_ci():
            pytest.fail(f"{reason} (CI must run the drill)")
        pytest.skip(reason)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert out.rstrip().endswith("PASS")
    created = int(re.search(r"201 answered: (\d+); of them in the database: (\d+)", out)[1])
    kept = re.search(r"of them in the database: (\d+); with the receipt queued: (\d+)", out)
    assert created >= 10
    assert int(kept[1]) == created
    assert int(kept[2]) == created
    unavailable = re.search(r"503 \(with Retry-After\): (\d+) of (\d+)", out)
    assert unavailable[1] == unavailable[2]
    assert "500:" not in out
    assert re.search(r"PostgreSQL restart \(pg_ctl -m fast\): \d+\.\d+ s", out)


def test_a_missing_server_binary_is_named_with_the_package_to_install():
    result = _drill(PG_BIN="/nonexistent/postgresql/bin")
    assert result.returncode == MISSING_TOOL
    assert "apt-get install postgresql-15" in result.stdout


def test_a_bad_argument_is_refused_before_anything_starts():
    result = _drill("--restart-at", "30", "--seconds", "20")
    assert result.returncode == 2
    assert "--restart-at must fall inside the load" in result.stderr
    assert result.stdout == ""
