"""`manage.py check --deploy --fail-level WARNING` passes with the production settings and a
realistic environment (issue 13, acceptance), and the production policy upgrades insecure
requests. Each runs in a process of its own: the production settings are read once, at start."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from csp.constants import NONCE
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.without_services


def _environment(**overrides: str) -> dict[str, str]:
    """What a real deployment sets (docs/operations.md), nothing from the test run."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    environment = {key: os.environ[key] for key in keep if key in os.environ}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=".gov.vn,platform.mic.gov.vn",
        PLATFORM_HOST="platform.mic.gov.vn",
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "postgres://portal:secret@db.internal:5432/portal"
        ),
        REDIS_URL=settings.REDIS_URL,
        SENTRY_DSN="",
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    )
    environment.update(overrides)
    return environment


def _manage(*arguments: str, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deployment_check_passes_with_production_settings():
    # when the operators' check runs as the deployment guide says
    done = _manage("check", "--deploy", "--fail-level", "WARNING")
    # then it finds nothing, not even a warning
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_deployment_check_fails_on_a_weak_secret_key():
    # given a deployment whose secret key is short and guessable
    done = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="changeme")
    # then the check says so and fails: it really checks the production settings
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


def test_the_deployment_check_fails_when_https_redirection_is_turned_off():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="false")
    assert done.returncode != 0
    assert "security.W008" in done.stdout + done.stderr


def test_production_keeps_the_strict_policy_and_upgrades_insecure_requests():
    # when the production settings are read
    done = _manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))",
    )
    assert done.returncode == 0, done.stderr
    directives = json.loads(done.stdout.strip().splitlines()[-1])
    # then pages load nothing over plain http and the base policy is unchanged
    assert directives["upgrade-insecure-requests"] is True
    assert directives["script-src"] == ["'self'", str(NONCE)]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
