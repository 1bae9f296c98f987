"""A real PgBouncer (Debian's /usr/sbin/pgbouncer) on a free loopback port in front of the test
PostgreSQL, and a load that checks every answer came from its own province's schema
(tests/ops/test_pgbouncer.py, ADR 0026)."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PGBOUNCER = os.environ.get("PGBOUNCER", "/usr/sbin/pgbouncer")
PSQL = shutil.which("psql") or "/usr/bin/psql"
# A load stops after this many failed requests (each may have waited out a timeout).
MAX_FAILURES = 10
# PgBouncer refuses to run as root: started by root, it drops to this account.
UNPRIVILEGED = os.environ.get("PGBOUNCER_RUN_AS", "postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Bouncer:
    port: int
    user: str
    log: Path

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def show(self, what: str) -> list[dict[str, str]]:
        """`SHOW <what>` on the admin console (simple protocol: through psql)."""
        result = subprocess.run(
            [
                PSQL,
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                "pgbouncer",
                "-A",
                "-F",
                "\t",
                "-c",
                f"SHOW {what}",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        lines = [line for line in result.stdout.splitlines() if line and "\t" in line]
        header, *rows = (line.split("\t") for line in lines)
        return [dict(zip(header, row, strict=False)) for row in rows]

    def ping(self, database: str) -> None:
        """One query through the pool, before any client: the first server login is done."""
        subprocess.run(
            [
                PSQL,
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-Atc",
                "SELECT 1",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )

    def server_logins(self) -> int:
        """Server connections PgBouncer opened to PostgreSQL so far (from its log)."""
        return len(re.findall(r"new connection to server", self.log.read_text()))


@contextmanager
def pgbouncer(
    database: str,
    *,
    server_host: str | None = None,
    server_port: int | None = None,
    user: str = "postgres",
    pool_mode: str = "session",
    pool_size: int = 4,
    max_client_conn: int = 200,
) -> Iterator[Bouncer]:
    """PgBouncer in `pool_mode` with at most `pool_size` server connections per database and
    user, trusting local clients (the test PostgreSQL trusts them too), in front of the
    PostgreSQL the tests run on (settings.DATABASES: the embedded one when DATABASE_URL is
    unset) unless told otherwise. Stopped on exit; its directory (configuration, log) removed."""
    from django.conf import settings

    server = settings.DATABASES["default"]
    server_host = server_host or server.get("HOST") or "127.0.0.1"
    server_port = server_port or int(server.get("PORT") or 5432)
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    run_as = []
    if os.geteuid() == 0:
        account = pwd.getpwnam(UNPRIVILEGED)
        os.chown(workdir, account.pw_uid, account.pw_gid)
        run_as = [f"user = {UNPRIVILEGED}"]
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    log = workdir / "pgbouncer.log"
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "\n".join(
            [
                "[databases]",
                # Declared, not PgBouncer's `*` auto-database: clients arriving together at a
                # database registered on the fly can wait for a first server login forever.
                f"{database} = host={server_host} port={server_port} dbname={database}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {workdir / 'users.txt'}",
                f"admin_users = {user}",
                f"stats_users = {user}",
                f"pool_mode = {pool_mode}",
                f"default_pool_size = {pool_size}",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                f"max_client_conn = {max_client_conn}",
                f"max_db_connections = {pool_size}",
                # Session mode's default: what a client left (SET search_path …) is wiped before
                # the server connection serves the next client.
                "server_reset_query = DISCARD ALL",
                "query_wait_timeout = 30",
                f"logfile = {log}",
                f"pidfile = {workdir / 'pgbouncer.pid'}",
                "log_connections = 1",
                "log_disconnections = 1",
                *run_as,
                "",
            ]
        )
    )
    # PgBouncer writes every log line to stderr too: to a file, never to a pipe nobody reads
    # (a full pipe blocks PgBouncer's one thread, and with it every client).
    stderr = (workdir / "stderr.log").open("wb")
    process = subprocess.Popen([PGBOUNCER, str(config)], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_listening(port, process, workdir / "stderr.log")
        bouncer = Bouncer(port=port, user=user, log=log)
        bouncer.ping(database)
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_listening(port: int, process: subprocess.Popen, stderr: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {stderr.read_text().strip()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("pgbouncer did not listen within 15 s")


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """What a load saw: answers per province, and every answer not from its own schema."""

    answered: Counter = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.answered.values())


def own_schema_marker(slug: str, body: dict) -> bool:
    """/api/v1/sites/ lists the component sites read from the province's schema; each site's
    host is `<site>.<slug>.<domain>`, so one row of another schema shows at once."""
    hosts = [site["host"] for site in body.get("results", body) if isinstance(site, dict)]
    return bool(hosts) and all(f".{slug}." in host for host in hosts)


def province_load(
    port: int, slugs: Sequence[str], *, threads: int = 8, requests_per_thread: int = 200
) -> Tally:
    """`threads` clients each sending `requests_per_thread` GETs of /api/v1/sites/, cycling over
    the provinces' hosts (each thread from a different one), checking every answer's schema."""
    import json

    tally = Tally()
    lock = threading.Lock()
    stop = threading.Event()
    _warm_up(port, slugs, threads)

    def client(offset: int) -> None:
        for number in range(requests_per_thread):
            if stop.is_set():
                return
            slug = slugs[(offset + number) % len(slugs)]
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/sites/?page_size=50",
                headers={"Host": f"{slug}.localhost", "Accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    body = json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError) as error:
                with lock:
                    tally.failures.append(f"{slug}: {error}")
                    if len(tally.failures) >= MAX_FAILURES:
                        stop.set()  # something is broken: report it, do not wait out the load
                continue
            with lock:
                tally.answered[slug] += 1
                if not own_schema_marker(slug, body):
                    tally.mismatches.append(f"{slug}: {str(body)[:200]}")

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    tally.seconds = time.monotonic() - started
    return tally


def _warm_up(port: int, slugs: Sequence[str], count: int) -> None:
    """`count` concurrent requests until each answers, so the load starts with the workers
    booted (gunicorn accepts connections before its workers have imported the app)."""

    def ping() -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Host": f"{slugs[0]}.localhost"}
        )
        with urllib.request.urlopen(request, timeout=180) as response:  # noqa: S310
            response.read()

    pings = [threading.Thread(target=ping) for _ in range(count)]
    for thread in pings:
        thread.start()
    for thread in pings:
        thread.join()
