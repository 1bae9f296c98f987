"""Requests/second and p50/p99 latency of a province home page through the tenant middleware,
against a bare Django view, both under gunicorn on loopback, measured with wrk in alternation.

    DATABASE_URL=… REDIS_URL=… python ops/bench/http_home.py [--duration 10] [--rounds 3]

Needs wrk (Debian package `wrk`) and the development database seeded (./ops/run once, or
`manage.py seed_demo`). Bounded: each wrk run lasts --duration seconds against 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

from _serve import free_port, gunicorn

ROOT = Path(__file__).resolve().parents[2]


def wrk(port: int, host: str, duration: int, connections: int, path: str = "/") -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Host: {host}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx answers from {host}:\n{out}")

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": rps, "p50": ms("50"), "p99": ms("99")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--host", default="hagiang.localhost")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only",  # noqa: S106
        SECURE_SSL_REDIRECT="0",
        PLATFORM_DEV_HOSTS="1",
        ALLOWED_HOSTS=".localhost",
        LOG_LEVEL="WARNING",
    )
    platform_port, bare_port = free_port(), free_port()
    platform = gunicorn(["config.wsgi:application"], platform_port, env)
    bare = gunicorn(
        ["--chdir", str(ROOT / "ops" / "bench"), "bare_app:application"], bare_port, env
    )
    results: dict[str, list[dict]] = {"tenant": [], "health": [], "bare": []}
    try:
        wrk(platform_port, args.host, 2, args.connections)  # warm both
        wrk(bare_port, "bare", 2, args.connections)
        for _ in range(args.rounds):
            results["tenant"].append(wrk(platform_port, args.host, args.duration, args.connections))
            results["health"].append(
                wrk(platform_port, args.host, args.duration, args.connections, "/healthz")
            )
            results["bare"].append(wrk(bare_port, "bare", args.duration, args.connections))
    finally:
        for proc in (platform, bare):
            proc.terminate()
            proc.wait(10)

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    print(
        f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} alternating rounds, "
        "gunicorn 2 sync workers each, medians"
    )
    print("| page | req/s | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    print(
        f"| {args.host} home (tenant middleware, site lookup, template) | "
        f"{med('tenant', 'rps'):.0f} | {med('tenant', 'p50'):.2f} | {med('tenant', 'p99'):.2f} |"
    )
    print(
        f"| {args.host}/healthz (tenant middleware, trivial view) | {med('health', 'rps'):.0f} | "
        f"{med('health', 'p50'):.2f} | {med('health', 'p99'):.2f} |"
    )
    print(
        f"| bare Django view | {med('bare', 'rps'):.0f} | {med('bare', 'p50'):.2f} | "
        f"{med('bare', 'p99'):.2f} |"
    )
    bare = med("bare", "rps")
    print(f"| ratio home / bare (req/s) | {med('tenant', 'rps') / bare:.2f} | | |")
    print(f"| ratio healthz / bare (req/s) | {med('health', 'rps') / bare:.2f} | | |")


if __name__ == "__main__":
    main()
