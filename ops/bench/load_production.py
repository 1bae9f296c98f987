"""A bounded load test of the production stack (`./ops/run --production`): mixed anonymous
pages of every province, a few staff actions through the API, citizens' questions; it fails
on any 5xx and reports the memory of every gunicorn and Celery worker over time.

    GUNICORN_MAX_REQUESTS=0 QA_SUBMISSIONS_PER_HOUR=100000 ./ops/run --production &
    python ops/bench/load_production.py --port 8080 --minutes 10 \\
        --staff-key hagiang=<API key with the write scope of a staff member who holds the
                             first step's role and has changed the one-time password>

Start the stack with worker recycling off (GUNICORN_MAX_REQUESTS=0), or the memory figures
show the recycling, not the code; and with the per-address question limit raised, since every
question comes from 127.0.0.1 (nginx passes the loopback address on). Bounded: --minutes of
load from --clients threads, a question every --question-every seconds, a staff action every
--staff-every seconds. Exit status 0 only when no answer was a 5xx or a broken connection.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psutil

PROVINCES = ("thainguyen", "thuathienhue", "dongnai", "hagiang", "backan")
# Pages every portal has, besides the articles its sitemap lists.
FIXED_PATHS = ("/", "/tin-tuc/", "/thu-tuc/", "/hoi-dap/", "/tim-kiem/?q=h%E1%BB%93+s%C6%A1")
MAX_URLS_PER_PROVINCE = 200


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    def add(self, kind: str, status: int, seconds: float, what: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.kinds[kind] += 1
            if len(self.latencies) < 200_000:
                self.latencies.append(seconds)
            if (status >= 500 or status == 0) and len(self.failures) < 50:
                self.failures.append(f"{status} {kind} {what}")


class Client:
    """One keep-alive HTTP/1.1 connection to nginx, reopened when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, host: str, path: str, body=None, headers=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(
                    method, path, body=body, headers={"Host": host, **(headers or {})}
                )
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, b""
        return 0, b""


def discover(port: int) -> dict[str, list[str]]:
    """Each province's public paths: the fixed ones and the articles of its sitemaps."""
    client = Client(port)
    found: dict[str, list[str]] = {}
    for slug in PROVINCES:
        host = f"{slug}.localhost"
        paths = set(FIXED_PATHS)
        status, body = client.request("GET", host, "/sitemap.xml")
        if status != 200:
            raise SystemExit(f"{host}/sitemap.xml answered {status}: is the stack seeded?")
        pending = [body]
        for _ in range(10):  # an index and its sections
            if not pending:
                break
            for loc in re.findall(rb"<loc>([^<]+)</loc>", pending.pop()):
                parts = urlsplit(loc.decode())
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.hostname != host:
                    continue
                if path.endswith(".xml"):
                    status, inner = client.request("GET", host, path)
                    if status == 200:
                        pending.append(inner)
                else:
                    paths.add(path)
        found[host] = sorted(paths)[:MAX_URLS_PER_PROVINCE]
    return found


def topics(port: int) -> dict[str, list[str]]:
    client = Client(port)
    result = {}
    for slug in PROVINCES:
        host = f"{slug}.localhost"
        status, body = client.request("GET", host, "/api/v1/qa/topics/")
        if status == 200:
            data = json.loads(body)
            rows = data["results"] if isinstance(data, dict) else data
            result[host] = [row["slug"] for row in rows if row.get("slug")]
    return {host: slugs for host, slugs in result.items() if slugs}


def anonymous(port, urls, tally, stop):
    client = Client(port)
    hosts = list(urls)
    while not stop.is_set():
        host = random.choice(hosts)
        path = random.choice(urls[host])
        started = time.perf_counter()
        status, _ = client.request("GET", host, path, headers={"Accept-Encoding": "gzip"})
        tally.add("page", status, time.perf_counter() - started, f"{host}{path}")


def questions(port, topic_slugs, tally, stop, every):
    client = Client(port)
    hosts = list(topic_slugs)
    number = 0
    while hosts and not stop.wait(every):
        number += 1
        host = hosts[number % len(hosts)]
        body = {
            "name": "Nguyễn Văn Thử",
            "email": f"nguoi.hoi.{number}@example.vn",
            "topic": random.choice(topic_slugs[host]),
            "title": f"Câu hỏi thử tải số {number}",
            "text": "Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ gồm những gì?",
            "consent": True,
        }
        started = time.perf_counter()
        status, data = client.request(
            "POST",
            host,
            "/api/v1/qa/questions/",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        tally.add("question", status, time.perf_counter() - started, host)
        if status != 201:
            tally.add("question_refused", status, 0.0, data[:200].decode(errors="replace"))


def staff(port, keys, tally, stop, every):
    """Staff at work through the API: create a draft, read it, read the queue."""
    client = Client(port)
    number = 0
    while keys and not stop.wait(every):
        number += 1
        host, key = keys[number % len(keys)]
        auth = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
        item = {
            "kind": "news",
            "title": f"Tin thử tải số {number}",
            "summary": "Bản nháp tạo trong lúc đo tải.",
            "body": "<p>Nội dung bản nháp.</p>",
        }
        for method, path, body in (
            ("POST", "/api/v1/items/", json.dumps(item).encode()),
            ("GET", "/api/v1/queue/", None),
            ("GET", "/api/v1/items/?limit=20", None),
        ):
            started = time.perf_counter()
            status, _ = client.request(method, host, path, body=body, headers=auth)
            tally.add(f"staff {method}", status, time.perf_counter() - started, path)


def workers() -> dict[str, list[psutil.Process]]:
    """gunicorn's worker processes and Celery's pool processes (children of their masters)."""
    found: dict[str, list[psutil.Process]] = {"gunicorn": [], "celery": []}
    for proc in psutil.process_iter(["cmdline", "ppid"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        try:
            parent = " ".join(psutil.Process(proc.info["ppid"]).cmdline())
        except (psutil.Error, ValueError):
            continue
        if "gunicorn" in cmd and "config.wsgi" in cmd and "gunicorn" in parent:
            found["gunicorn"].append(proc)
        elif "celery" in cmd and " worker" in cmd and "celery" in parent and " worker" in parent:
            found["celery"].append(proc)
    return found


def rss_mb(procs: list[psutil.Process]) -> list[float]:
    sizes = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            sizes.append(proc.memory_info().rss / 2**20)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--question-every", type=float, default=2.0)
    parser.add_argument("--staff-every", type=float, default=5.0)
    parser.add_argument("--sample-every", type=float, default=30.0)
    parser.add_argument(
        "--staff-key", action="append", default=[], help="HOST_SLUG=KEY (repeatable)"
    )
    args = parser.parse_args()
    if not 0 < args.minutes <= 60 or not 1 <= args.clients <= 64:
        raise SystemExit("--minutes must be in (0, 60] and --clients in [1, 64]")
    keys = []
    for value in args.staff_key:
        slug, _, key = value.partition("=")
        keys.append((f"{slug}.localhost", key))

    urls = discover(args.port)
    topic_slugs = topics(args.port)
    print(
        f"pages: {sum(map(len, urls.values()))} across {len(urls)} provinces; "
        f"question topics in {len(topic_slugs)} provinces; staff keys: {len(keys)}"
    )
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=anonymous, args=(args.port, urls, tally, stop))
        for _ in range(args.clients)
    ]
    threads.append(
        threading.Thread(
            target=questions, args=(args.port, topic_slugs, tally, stop, args.question_every)
        )
    )
    threads.append(
        threading.Thread(target=staff, args=(args.port, keys, tally, stop, args.staff_every))
    )
    procs = workers()
    samples = [(0.0, {name: rss_mb(p) for name, p in procs.items()})]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    deadline = started + args.minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(args.sample_every, max(0.0, deadline - time.monotonic())))
        samples.append((time.monotonic() - started, {name: rss_mb(p) for name, p in procs.items()}))
        done = sum(tally.statuses.values())
        print(
            f"  {samples[-1][0]:6.0f} s  {done} answers  "
            + "  ".join(f"{n} {sum(s):.0f} MB" for n, s in samples[-1][1].items())
        )
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    elapsed = time.monotonic() - started

    total = sum(tally.statuses.values())
    bad = sum(n for status, n in tally.statuses.items() if status >= 500 or status == 0)
    lat = sorted(tally.latencies)
    print(
        f"\n{total} answers in {elapsed:.0f} s ({total / elapsed:.0f}/s): "
        + ", ".join(f"{status or 'broken'}: {n}" for status, n in sorted(tally.statuses.items()))
    )
    print("by kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(tally.kinds.items())))
    if lat:
        print(
            f"latency p50 {statistics.median(lat) * 1000:.1f} ms, "
            f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms"
        )
    for name in procs:
        first = samples[0][1][name]
        if not first:
            continue
        middle = samples[len(samples) // 2][1][name] or first
        last = samples[-1][1][name] or first
        start_mb, half_mb, end_mb = map(statistics.mean, (first, middle, last))
        print(
            f"{name}: {len(first)} processes, mean RSS {start_mb:.0f} MB at start, "
            f"{half_mb:.0f} MB at half time, {end_mb:.0f} MB at the end "
            f"(second half {end_mb - half_mb:+.1f} MB)"
        )
    for failure in tally.failures:
        print("FAILED:", failure)
    print("PASS: no 5xx" if bad == 0 else f"FAIL: {bad} answers were 5xx or broken")
    raise SystemExit(0 if bad == 0 else 1)


if __name__ == "__main__":
    main()
