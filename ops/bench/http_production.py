"""Requests/second through the production stack's nginx (`./ops/run --production`): a cached
home page and article against nginx serving the same bytes as a static file, in alternation;
and the article uncached by nginx (each request carries an Authorization header, which
snippets/portal-cache.conf sends past the cache) against the bare Django view of
ops/bench/bare_app.py.

    ./ops/run --production &      # then, once it prints the URLs:
    python ops/bench/http_production.py [--port 8080] [--host hagiang.localhost]
        [--duration 5] [--rounds 3] [--clients 8]

wrk is not needed: the load comes from --clients processes, each keeping one HTTP/1.1
connection and sending the next request as soon as the previous answer is read. On a small
machine the clients share the CPUs with nginx, so the figures are those of the whole
loopback system; the ratios are what to compare. Bounded: every run lasts --duration seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import socket
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import free_port, gunicorn

ROOT = Path(__file__).resolve().parents[2]


def _client(port: int, host: str, path: str, duration: float, out, extra: str = "") -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n{extra}\r\n".encode()
    done = errors = 0
    sock, buffer = None, b""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if sock is None:  # gunicorn's sync workers close after each answer: connect again
            sock, buffer = socket.create_connection(("127.0.0.1", port), timeout=30), b""
        sock.sendall(request)
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("the server closed the connection mid-answer")
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(buffer) < length:
            buffer += sock.recv(65536)
        buffer = buffer[length:]
        if head.startswith(b"HTTP/1.1 200"):
            done += 1
        else:
            errors += 1
        if re.search(rb"(?i)\r\nconnection: *close", head):
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    out.put((done, errors))


def load(port: int, host: str, path: str, duration: float, clients: int, extra: str = "") -> float:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, host, path, duration, queue, extra))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=duration + 30) for _ in workers]
    for worker in workers:
        worker.join()
    done, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    if errors:
        raise SystemExit(f"{path} on {host}: {errors} answers were not 200")
    return done / duration


def fetch(port: int, host: str, path: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http only)
        return response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    parser.add_argument("--host", default="hagiang.localhost")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if not (1 <= args.duration <= 60 and 1 <= args.rounds <= 10 and 1 <= args.clients <= 64):
        parser.error("--duration 1-60, --rounds 1-10, --clients 1-64")

    home = fetch(args.port, args.host, "/")
    article = re.search(rb'href="(/bai-viet/[^"/?#]+/)"', home)
    if article is None:
        raise SystemExit(f"no article linked from {args.host}'s home page (seed_demo first)")
    article_path = article.group(1).decode()
    static_root = ROOT / "var" / "static" / "bench"
    static_root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)  # a fingerprint-shaped name: nginx's year-long location
    copies = {}
    for name, path in (("home", "/"), ("article", article_path)):
        body = fetch(args.port, args.host, path)
        (static_root / f"{name}.{token}.html").write_bytes(body)
        copies[name] = (path, f"/static/bench/{name}.{token}.html", len(body))

    # The bare Django view (ops/bench/bare_app.py) under gunicorn with the same worker count.
    bare_port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    bare = gunicorn(["bare_app:application"], bare_port, env, workers=workers)
    try:
        rates: dict[str, list[float]] = {}
        cases = {}
        for name, (path, static, size) in copies.items():
            cases[f"{name} cached through nginx ({size} B)"] = (args.port, args.host, path)
            cases[f"{name} as a static file via nginx"] = (args.port, args.host, static)
        cases["article uncached (nginx, gunicorn, Django)"] = (args.port, args.host, article_path)
        cases["bare Django view (gunicorn)"] = (bare_port, "localhost", "/")
        for _ in range(args.rounds):
            for label, (port, host, path) in cases.items():
                extra = "Authorization: Bench\r\n" if "uncached" in label else ""
                rates.setdefault(label, []).append(
                    load(port, host, path, args.duration, args.clients, extra)
                )
    finally:
        bare.terminate()
        bare.wait()
        for copy in static_root.glob(f"*.{token}.html"):
            copy.unlink()

    median = {label: statistics.median(values) for label, values in rates.items()}
    width = max(map(len, median))
    print(f"{args.clients} clients, {args.rounds} rounds of {args.duration:g} s, median req/s")
    for label, rate in median.items():
        print(f"  {label:<{width}}  {rate:>9,.0f}")
    for name in copies:
        cached = median[next(k for k in median if k.startswith(f"{name} cached"))]
        static = median[f"{name} as a static file via nginx"]
        print(f"  ratio {name} cached / static file: {cached / static:.2f}")
    uncached = median["article uncached (nginx, gunicorn, Django)"]
    bare_rate = median["bare Django view (gunicorn)"]
    print(f"  ratio uncached article / bare view: {uncached / bare_rate:.2f}")


if __name__ == "__main__":
    main()
