"""The gunicorn-restart drill (ops/drills/gunicorn-restart) run for real: the shipped nginx in
front of gunicorn with the production settings, on the test database; gunicorn is stopped and
started again while two public pages of a seeded province are asked for every 50 ms, and nginx
must answer each from its cache (issue 13, item 7).

The seeded provinces of the test database hold no committed article, and a committed
throw-away province (tests/backups/conftest.py) cannot render article pages under its
test-only name; so the second page here is the province's news list, passed with --article.
Without --article the drill takes the first article linked from the home page, as it does on
the demo data of `./ops/run --production` (docs/operations.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories.celery import database_url

DRILL = Path(__file__).resolve().parents[2] / "ops" / "drills" / "gunicorn-restart"
MISSING_TOOL = 2


def _drill(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRILL), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _in_ci() -> bool:
    return bool(os.environ.get("CI")) and os.environ.get("DRILL_INSTALL") != "impossible"


@pytest.mark.django_db
def test_nginx_serves_cached_pages_the_whole_time_gunicorn_is_down(provinces):
    # given
    if shutil.which("nginx") is None and shutil.which("/usr/sbin/nginx") is None:
        reason = "gunicorn-restart drill not run: nginx is not installed (apt-get install nginx)"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)

    # when
    result = _drill(
        "--host", "backan.localhost", "--article", "/tin-tuc/", "--down-seconds", "4",
        DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL,
    )  # fmt: skip

    # then
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert out.rstrip().endswith(
        "PASS: nginx answered every request for the cached pages from its cache while "
        "gunicorn was down"
    )
    down = re.findall(
        r"^    (/\S*): (\d+) requests while gunicorn was down: (\d+) × 200", out, re.M
    )
    assert down[0][0] == "/"
    assert down[1][0] == "/tin-tuc/"
    assert all(total == ok and int(total) > 10 for _, total, ok in down)
    # The application really was gone: an uncached address got nginx's error meanwhile.
    assert re.search(r"/healthz \(never cached\) while gunicorn was down: \d+ × 503$", out, re.M)


def test_a_bad_argument_is_refused_before_anything_starts():
    result = _drill("--down-seconds", "1000")
    assert result.returncode == 64
    assert "--down-seconds 2 to 120" in result.stderr
    assert result.stdout == ""


def test_without_a_database_the_drill_says_which_setting_is_missing():
    result = _drill(DATABASE_URL="")
    assert result.returncode == MISSING_TOOL
    assert "DATABASE_URL is not set" in result.stderr
