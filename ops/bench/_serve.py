"""gunicorn on a free loopback port for the benchmarks that measure over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(args: list[str], port: int, env: dict, *, workers: int = 2) -> subprocess.Popen:
    """gunicorn `args` (the application and any options) on 127.0.0.1:`port`, once it accepts
    connections (15 s at most)."""
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            *args,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn on {port} did not start")
