"""Browser tests: headless Chromium (Debian's `chromium` and `chromium-driver`) against a real
server process, never Django's test client.

Once per session: a database of its own (the test database's name + `_browser`, made afresh;
it stays after the run, for looking into a failure, until the next run drops it),
migrated and filled by `seed_demo` exactly as `./ops/run` fills it, then gunicorn with
`config.settings.dev` and DEBUG off on a free port of 127.0.0.1. Chromium maps every
`*.localhost` host to 127.0.0.1, so the province and component-site hosts answer as in
development. Nothing is downloaded: Selenium is handed both binaries, so Selenium Manager never
runs, and axe-core is the copy in tests/browser/vendor/.

Without Chromium the tests are skipped with the reason (`./ops/test` deselects them and says
so); under CI (CI=true) a missing browser fails them instead."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from psycopg import sql

from tests.browser.chromium import Browser, start_chromium

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL_HINT = "apt-get install chromium chromium-driver"
# The server's cache and rate-limit keys, apart from the unit tests' (`portal-test`).
CACHE_PREFIX = "portal-browser"
SERVER_START_SECONDS = 60
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@dataclass(frozen=True)
class Portal:
    """The running platform: `url("thainguyen.localhost", "/tin-tuc/")`."""

    port: int
    log: Path

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def log_tail(self, lines: int = 40) -> str:
        return _log_tail(self.log, lines)


def _browser_missing() -> str | None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return None
    return f"browser tests need {' and '.join(missing)} ({INSTALL_HINT})"


@pytest.fixture(scope="session")
def _browser_available() -> None:
    reason = _browser_missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true" and os.environ.get("BROWSER_INSTALL") != "impossible":
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


def _database_settings() -> dict:
    database = dict(settings.DATABASES["default"])
    name = database["NAME"]
    # pytest-django renames the default database to test_<name> once it has set it up.
    base = name if name.startswith("test_") else f"test_{name}"
    database["NAME"] = f"{base}_browser"
    return database


def _database_url(database: dict) -> str:
    user = database["USER"] or ""
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = database["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a socket directory: libpq reads it from the query string
        return f"postgres://{credentials}/{database['NAME']}?host={host}&port={database['PORT']}"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{database['NAME']}"


def _maintenance_connection(database: dict) -> psycopg.Connection:
    """A connection to the server's `postgres` database, to create and drop ours."""
    parameters = {
        "user": database["USER"],
        "password": database["PASSWORD"],
        "host": database["HOST"],
        "port": database["PORT"],
    }
    given = {key: value for key, value in parameters.items() if value}
    return psycopg.connect(dbname="postgres", autocommit=True, **given)


def _drop_database(database: dict) -> None:
    with _maintenance_connection(database) as admin:
        name = sql.Identifier(database["NAME"])
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _recreate_database(database: dict) -> None:
    _drop_database(database)
    with _maintenance_connection(database) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))


def _clear_server_keys() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def _server_environment(database: dict) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DJANGO_DEBUG="false",
        DATABASE_URL=_database_url(database),
        REDIS_URL=settings.REDIS_URL,
        CACHE_KEY_PREFIX=CACHE_PREFIX,
        PLATFORM_DEV_HOSTS="true",
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        PYTHONUNBUFFERED="1",
        SENTRY_DSN="",
        LOG_LEVEL="WARNING",
    )
    return environment


def _server_command() -> list[str]:
    """gunicorn with two threaded workers (a 2-core machine). Not sync workers: Chromium opens
    spare connections ahead of need, and each would hold a sync worker until it timed out.
    Port 0: the system picks a free port, and gunicorn's log says which."""
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", "127.0.0.1:0",
        "--workers", "2",
        "--worker-class", "gthread",
        "--threads", "4",
        "--timeout", "60",
        "--access-logfile", "-",
        # gunicorn's control socket defaults to one path per user, shared with other servers.
        "--no-control-socket",
    ]  # fmt: skip


def _run(command: list[str], environment: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"{' '.join(command[1:3])} failed (exit {done.returncode}):\n{tail}")


def _log_tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_until_answering(server: subprocess.Popen, log: Path) -> Portal:
    """The running portal, once gunicorn has said where it listens and the home page answers."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    port = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited ({server.returncode}):\n{_log_tail(log)}")
        if port is None:
            listening = LISTENING.search(log.read_text(errors="replace"))
            port = int(listening.group(1)) if listening else None
        if port is not None:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/", headers={"Host": "thainguyen.localhost"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                    return Portal(port=port, log=log)
            except urllib.error.HTTPError as error:
                pytest.fail(f"the portal home answered {error.code}:\n{_log_tail(log)}")
            except OSError:
                pass
        time.sleep(0.25)
    pytest.fail(f"the server did not answer within {SERVER_START_SECONDS} s:\n{_log_tail(log)}")


@pytest.fixture(scope="session")
def portal(_browser_available) -> Iterator[Portal]:
    """The platform running in gunicorn on its own database, seeded with the demo content."""
    database = _database_settings()
    workdir = Path(tempfile.mkdtemp(prefix="portal-browser-"))
    log = workdir / "server.log"
    environment = _server_environment(database)
    python = sys.executable

    server = None
    try:
        _recreate_database(database)
        _clear_server_keys()
        _run([python, "manage.py", "migrate_schemas", "--shared", "--noinput"], environment, log)
        _run([python, "manage.py", "seed_demo"], environment, log)
        with log.open("a") as out:
            server = subprocess.Popen(
                _server_command(), cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
            )
        yield _wait_until_answering(server, log)
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        _clear_server_keys()
        # The database stays until the next run drops it, to look into a failure.
        # seed_demo keeps the demo accounts' one-time passwords per database: not this one's.
        (ROOT / "var" / "demo-logins" / f"{database['NAME']}-{database['PORT']}.json").unlink(
            missing_ok=True
        )
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium(_browser_available):
    """One headless Chromium for the session (each test gets it clean: `browser`)."""
    driver = start_chromium(chromium=CHROMIUM, chromedriver=CHROMEDRIVER)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium, portal) -> Browser:
    """Chromium at 1280 px with no cookies, visiting the running portal."""
    page = Browser(chromium, portal)
    page.reset()
    return page
