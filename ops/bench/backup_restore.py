"""Backups of one province: backup, verification and restore times and the archive's size for a
province with 100,000 items and 1 GB of files, against `pg_dump` of the same schema alone in
the same run; then the web traffic of three provinces while two of them are backed up at once,
against the same traffic with no backup running.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/5 python ops/bench/backup_restore.py \\
        [--items 100000] [--files-mb 1024] [--quick] [--clients 2] [--idle-seconds 20]

Works on a scratch database `portal_bench_backups` (dropped and re-created) with three shipped
provinces onboarded and their demo content published (A: Thái Nguyên, B: Hà Giang, C: Đồng Nai
by default, `--provinces`), files under a scratch MEDIA_ROOT and archives under a scratch
BACKUP_ROOT (`var/bench_backups/`); give REDIS_URL a database of its own. Everything it made —
the database, the verification's scratch databases, the files, the archives, its cache keys —
is removed at the end, also when a step fails.

Data: province A gets `--items` published news items (one revision each, a Vietnamese body of
2–6 KB made of generated administrative prose) inserted in bulk (ORM `bulk_create` of the items,
COPY of the revisions), and `--files-mb` MB of incompressible random bytes as editorial
attachments (about 1 MB each, 0.1–3 MB, with their Attachment rows and sha256) under
MEDIA_ROOT/<schema>/. Province B gets a quarter of both (`--second-share`); C only the demo.

Part 1, province A, once each and in this order: `pg_dump --format=custom` of A's schema alone
(the baseline: what the archive's database part costs by itself), `backup_create`,
`backup_verify`, `backup_restore` into a new schema, `backup_restore` in place (the RTO:
the province is back as it was in the archive) and `kept_schema_drop`.

Part 2: gunicorn (`--workers` sync workers, test settings, the scratch database) serves the
three provinces; `--clients` threads send anonymous GETs in a closed loop (Python's
http.client over loopback, no think time), cycling over each province's home page and one
article, each once as a visitor without cookies (the page cache answers) and once with an
unknown session cookie (the page is built for the visitor: session look-up, the view, the
templates). Phases: idle (`--idle-seconds`), during (A and B backed up at once, each by
`backup_create` in its own thread, the load running until both are done), idle again; a
sampler reads `pg_locks` every 100 ms for a lock not granted. Prints Markdown tables for
docs/benchmarks.md."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from _django import ROOT, clear_cache, scratch_database_url, scratch_province
from _serve import free_port, gunicorn
from _text import FILLER
from _timing import percentile

DATABASE = "portal_bench_backups"
WORK = ROOT / "var" / "bench_backups"
MEDIA = WORK / "media"
ARCHIVES = WORK / "archives"
BASELINE = WORK / "baseline"

# Generated prose: words and phrases of provincial news (NFC, as the platform stores text).
SUBJECTS = [
    "đất đai", "giải phóng mặt bằng", "thủ tục hành chính", "cải cách hành chính",
    "nông thôn mới", "giáo dục và đào tạo", "y tế cơ sở", "bảo hiểm xã hội", "giao thông",
    "du lịch cộng đồng", "thu hút đầu tư", "quy hoạch đô thị", "bảo vệ môi trường",
    "chuyển đổi số", "dịch vụ công trực tuyến", "giảm nghèo bền vững", "phòng chống thiên tai",
    "sản xuất nông nghiệp", "trồng rừng", "nước sạch nông thôn", "người có công",
]  # fmt: skip
PLACES = [
    "thành phố", "thị xã", "huyện miền núi", "xã vùng cao", "phường trung tâm", "khu công nghiệp",
    "trung tâm hành chính công", "bộ phận một cửa", "sở ngành", "ủy ban nhân dân cấp xã",
]  # fmt: skip


# --- data -----------------------------------------------------------------------------------


def paragraphs(rng: random.Random, count: int) -> list[str]:
    """`count` paragraphs of 60–140 words (about 300–900 bytes in UTF-8), each about a subject."""
    out = []
    for _ in range(count):
        words: list[str] = []
        target = rng.randint(60, 140)
        while len(words) < target:
            roll = rng.random()
            if roll < 0.04:
                words += rng.choice(SUBJECTS).split()
            elif roll < 0.07:
                words += rng.choice(PLACES).split()
            else:
                words.append(rng.choice(FILLER))
        out.append(" ".join(words).capitalize() + ".")
    return out


def fill_items(*, count: int, seed: int) -> int:
    """`count` published news items of the portal in the active schema, each with one revision
    whose body is 2–6 KB of prose; the bytes of body text written."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from editorial.models import Item, Kind, Revision
    from organization.models import Agency

    rng = random.Random(seed)
    now = timezone.now()
    author = User.objects.order_by("pk").first()
    agency = Agency.objects.order_by("pk").first()
    pool = paragraphs(rng, 3000)
    for start in range(0, count, 5000):
        batch = []
        for i in range(start, min(start + 5000, count)):
            published = now - timedelta(days=1, seconds=rng.randint(0, 3 * 365 * 86400))
            batch.append(
                Item(
                    kind=Kind.NEWS,
                    agency=agency,
                    slug=f"bench-{i:06d}",
                    author=author,
                    status=Item.Status.PUBLISHED,
                    first_published_at=published,
                    published_at=published,
                )
            )
        Item.objects.bulk_create(batch)
    item_table, revision_table = Item._meta.db_table, Revision._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, slug FROM {item_table} WHERE slug LIKE 'bench-%%' ORDER BY id"  # noqa: S608
        )
        ids = cursor.fetchall()
        columns = "item_id, number, title, summary, body, fields, source_name, source_url, "
        columns += "author_id, created_at"
        with cursor.cursor.copy(f"COPY {revision_table} ({columns}) FROM STDIN") as copy:
            for item_id, slug in ids:
                subject = rng.choice(SUBJECTS)
                title = f"{rng.choice(FILLER).capitalize()} {subject} số {slug[6:]}"
                chosen = rng.sample(pool, rng.randint(4, 9))
                body = "".join(f"<p>{text}</p>" for text in chosen)
                written += len(body.encode())
                copy.write_row(
                    (item_id, 1, title, chosen[0][:200], body, "{}", "", "", author.pk, now)
                )
        cursor.execute(
            f"UPDATE {item_table} i SET current_revision_id = r.id, "  # noqa: S608
            f"published_revision_id = r.id FROM {revision_table} r "
            "WHERE r.item_id = i.id AND i.slug LIKE 'bench-%%'"
        )
        cursor.execute("ANALYZE")
    return written


def fill_files(*, schema: str, megabytes: int, seed: int) -> tuple[int, int]:
    """About one file per MB of random bytes (0.1–3 MB, `megabytes` MB in all) under
    MEDIA_ROOT/<schema>/editorial/, each an Attachment of a bench item; (files, bytes)."""
    from accounts.models import User
    from editorial.models import Attachment, Item

    rng = random.Random(seed)
    total = megabytes * 1024 * 1024
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(min(int(rng.lognormvariate(13.6, 0.6)) + 100_000, 3 * 1024 * 1024))
    sizes[-1] -= sum(sizes) - total
    if sizes[-1] <= 0:
        sizes.pop()
    author = User.objects.order_by("pk").first()
    items = list(
        Item.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", flat=True)
    )
    rows = []
    for n, size in enumerate(sizes):
        name = f"editorial/2026/{n % 12 + 1:02d}/bao-cao-{n:05d}.pdf"
        path = MEDIA / schema / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with path.open("wb") as out:
            left = size
            while left:
                chunk = os.urandom(min(left, 1 << 20))
                digest.update(chunk)
                out.write(chunk)
                left -= len(chunk)
        rows.append(
            Attachment(
                item_id=items[n % len(items)],
                file=name,
                original_name=f"Báo cáo số {n}.pdf",
                content_type="application/pdf",
                size=size,
                sha256=digest.hexdigest(),
                uploaded_by=author,
            )
        )
    Attachment.objects.bulk_create(rows, batch_size=1000)
    return len(sizes), sum(sizes)


def seed(slugs: list[str]):
    """The scratch database with the three provinces onboarded, their demo staff and content."""
    os.environ["BACKUP_ROOT"] = str(ARCHIVES)
    first = scratch_province(DATABASE, slugs[0])
    from django.test.utils import override_settings

    # The files of these provinces live in the scratch folder, never in the platform's media.
    override_settings(MEDIA_ROOT=str(MEDIA)).enable()
    from django_tenants.utils import schema_context

    from provinces.loader import resolve_profile
    from tenants.demo.content import content_ensure
    from tenants.demo.staff import staff_ensure
    from tenants.services import province_onboard

    provinces = [first]
    provinces += [
        province_onboard(profile=resolve_profile(slug), dev_hosts=True).province
        for slug in slugs[1:]
    ]
    for province in provinces:
        profile = resolve_profile(province.slug)
        with schema_context(province.schema_name):
            staff_ensure(profile=profile)
            content_ensure(profile=profile)
    return provinces


def fill(province, *, items: int, files_mb: int, seed: int) -> dict:
    from django_tenants.utils import schema_context

    began = time.perf_counter()
    with schema_context(province.schema_name):
        text = fill_items(count=items, seed=seed)
        files, size = fill_files(schema=province.schema_name, megabytes=files_mb, seed=seed)
    return {
        "items": items,
        "text": text,
        "files": files,
        "bytes": size,
        "seconds": time.perf_counter() - began,
    }


# --- part 1: one province --------------------------------------------------------------------


def pg_dump(schema: str) -> tuple[float, int]:
    """Seconds and bytes of `pg_dump --format=custom` of `schema` alone (as the archive's)."""
    BASELINE.mkdir(parents=True, exist_ok=True)
    out = BASELINE / f"{schema}.dump"
    from backups.binaries import find_tools, pg_environment

    # The same pg_dump and connection the backups module uses.
    command = [find_tools().path("pg_dump"), "--format=custom", f"--schema={schema}"]
    command += ["--no-owner", "--no-privileges", f"--file={out}"]
    start = time.perf_counter()
    subprocess.run(command, env=pg_environment(), check=True, timeout=3600)
    seconds = time.perf_counter() - start
    size = out.stat().st_size
    out.unlink()
    return seconds, size


class Stages:
    """A `progress` callback that notes when each stage first appears: where the time goes."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.seen: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        # A stage of a few steps (restore: scratch restore, dump, restore here) by its steps.
        if 1 < total <= 5:
            if done >= total:
                return
            stage = f"{stage} {done + 1}/{total}"
        self.seen.setdefault(stage, time.perf_counter() - self.began)

    def summary(self, total: float) -> str:
        marks = sorted(self.seen.items(), key=lambda kv: kv[1])
        if not marks:
            return ""
        parts = []
        for (stage, at), nxt in zip(marks, [*[m[1] for m in marks[1:]], total], strict=True):
            parts.append(f"{stage} {nxt - at:.1f} s")
        return ", ".join(parts)


def part_one(province) -> dict:
    from backups.services import backup_create, backup_restore, backup_verify, kept_schema_drop

    results: dict = {}
    results["pg_dump"] = pg_dump(province.schema_name)

    def run(name: str, fn: Callable[[Stages], object]):
        stages = Stages()
        start = time.perf_counter()
        value = fn(stages)
        seconds = time.perf_counter() - start
        results[name] = (seconds, stages.summary(seconds))
        return value

    backup = run("backup", lambda s: backup_create(province=province, progress=s))
    results["archive"] = backup.size_bytes
    verification = run("verify", lambda s: backup_verify(backup=backup, progress=s))
    results["verified"] = (verification.status, verification.problems[:3])
    target = f"{province.schema_name}_bench_copy"
    into = run(
        "into",
        lambda s: backup_restore(backup=backup, mode="into", target_schema=target, progress=s),
    )
    results["into_status"] = into.status
    in_place = run("in_place", lambda s: backup_restore(backup=backup, mode="in_place", progress=s))
    results["in_place_status"] = in_place.status
    run("kept_drop", lambda s: kept_schema_drop(restore=in_place))
    return results


# --- part 2: web traffic during two backups --------------------------------------------------


def serve(port: int, workers: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=scratch_database_url(DATABASE),
        LOG_LEVEL="WARNING",
    )
    return gunicorn(["config.wsgi:application"], port, env, workers=workers)


class Load:
    """Closed-loop clients: each thread cycles over the targets until stopped; every answer is
    recorded as (start instant, target, seconds, status)."""

    def __init__(self, port: int, targets: list[tuple[str, str, str, dict]], clients: int):
        self.port, self.targets, self.clients = port, targets, clients
        self.records: list[tuple[float, str, float, int]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _client(self, offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        n = offset
        while not self.stop.is_set():
            label, host, path, headers = self.targets[n % len(self.targets)]
            n += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": host, **headers})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.records.append((start, label, time.perf_counter() - start, status))
        conn.close()

    def start(self) -> None:
        step = max(1, len(self.targets) // self.clients)
        self.threads = [
            threading.Thread(target=self._client, args=(i * step,), daemon=True)
            for i in range(self.clients)
        ]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


class LockSampler:
    """Every 100 ms, the locks of the scratch database that are not granted (and who waits)."""

    def __init__(self) -> None:
        self.samples = 0
        self.waiting: list[tuple] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(scratch_database_url(DATABASE), autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT l.locktype, l.mode, l.relation::regclass::text, a.wait_event_type, "
                    "left(a.query, 120) FROM pg_locks l LEFT JOIN pg_stat_activity a "
                    "ON a.pid = l.pid WHERE NOT l.granted"
                ).fetchall()
                self.samples += 1
                self.waiting += rows
                time.sleep(0.1)

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(10)


def part_two(provinces, *, port: int, clients: int, idle: float) -> dict:
    from django.db import connection
    from django_tenants.utils import schema_context

    from backups.services import backup_create
    from editorial.models import Item
    from frontend.links import item_path

    roles = ("A (backed up)", "B (backed up)", "C (not backed up)")
    targets = []
    for role, province in zip(roles, provinces, strict=True):
        with schema_context(province.schema_name):
            article = (
                Item.objects.filter(status=Item.Status.PUBLISHED, site=None, kind="news")
                .exclude(slug__startswith="bench-")
                .order_by("-published_at")
                .first()
            )
            if article is None:
                raise SystemExit(f"{province.slug}: the demo content has no news item")
            paths = ["/", item_path(article)]
        host = f"{province.slug}.localhost"
        for path in paths:
            targets.append((f"{role}|cached", host, path, {}))
            targets.append((f"{role}|built", host, path, {"Cookie": "sessionid=bench-unknown"}))
    load = Load(port, targets, clients)
    # Warm-up: every page once built and once stored in the cache, plans and connections made.
    for _, host, path, headers in targets * 2:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Host": host, **headers})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {host}{path}: {response.status}")
        conn.close()

    sampler = LockSampler()
    phases: dict[str, tuple[float, float]] = {}
    errors: list[BaseException] = []
    done: dict[str, float] = {}

    def back_up(province) -> None:
        start = time.perf_counter()
        try:
            backup_create(province=province)
            done[province.slug] = time.perf_counter() - start
        except BaseException as error:  # reported after the run
            errors.append(error)
        finally:
            connection.close()

    load.start()
    try:
        t0 = time.perf_counter()
        time.sleep(idle)
        t1 = time.perf_counter()
        sampler.start()
        workers = [threading.Thread(target=back_up, args=(p,)) for p in provinces[:2]]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        t2 = time.perf_counter()
        sampler.finish()
        time.sleep(idle)
        t3 = time.perf_counter()
    finally:
        load.finish()
    if errors:
        raise errors[0]
    phases = {"idle": (t0, t1), "during": (t1, t2), "idle after": (t2, t3)}
    return {"records": load.records, "phases": phases, "sampler": sampler, "backups": done}


# --- report ----------------------------------------------------------------------------------


def size(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 10 * 1024 * 1024 else f"{n / 1024:,.0f} KB"


def report_one(data: dict, r: dict) -> None:
    dump_s, dump_b = r["pg_dump"]
    print(
        f"Province A: {data['items']:,} items ({size(data['text'])} of body text), "
        f"{data['files']:,} files ({size(data['bytes'])}); generated in {data['seconds']:.0f} s.\n"
    )
    print("| step | time | ratio to `pg_dump` of the schema | where the time goes |")
    print("|---|---|---|---|")
    print(f"| `pg_dump -Fc` of the schema alone (baseline) | {dump_s:.1f} s | 1.0× | |")
    for key, label in (
        ("backup", "`backup_create` (dump, checksums, files, archive stored)"),
        ("verify", "`backup_verify` (scratch restore, compare)"),
        ("into", "`backup_restore` into a new schema"),
        ("in_place", "`backup_restore` in place (RTO)"),
        ("kept_drop", "`kept_schema_drop`"),
    ):
        seconds, stages = r[key]
        print(f"| {label} | {seconds:.1f} s | {seconds / dump_s:.1f}× | {stages} |")
    archive = r["archive"] or 0
    print(
        f"\n| size | bytes | ratio |\n|---|---|---|\n"
        f"| `pg_dump` of the schema | {size(dump_b)} | |\n"
        f"| files | {size(data['bytes'])} | |\n"
        f"| archive | {size(archive)} | {archive / (dump_b + data['bytes']):.2f}× "
        f"(pg_dump + files) |"
    )
    print(
        f"\nverification: {r['verified'][0]} {r['verified'][1] or ''}; restores: "
        f"{r['into_status']}, {r['in_place_status']}"
    )
    print(f"RTO (in-place restore of province A): {r['in_place'][0]:.0f} s")


def report_two(r: dict) -> None:
    phases = r["phases"]
    by: dict[tuple[str, str], list[float]] = {}
    failed: dict[str, int] = {}
    counts: dict[str, int] = {}
    for start, label, seconds, status in r["records"]:
        for phase, (begin, end) in phases.items():
            if begin <= start < end:
                key = "idle" if phase.startswith("idle") else phase
                by.setdefault((label, key), []).append(seconds)
                counts[phase] = counts.get(phase, 0) + 1
                if status != 200:
                    failed[phase] = failed.get(phase, 0) + 1
    spans = {name: end - begin for name, (begin, end) in phases.items()}
    print(
        "\nbackups of A and B at once: "
        + ", ".join(f"{slug} {s:.1f} s" for slug, s in r["backups"].items())
    )
    print("\n| requests | idle p50 / p95 | during p50 / p95 | ratio p50 | ratio p95 |")
    print("|---|---|---|---|---|")
    labels = sorted({label for label, _ in by})
    for label in labels:
        idle, during = by.get((label, "idle"), []), by.get((label, "during"), [])
        if len(idle) < 2 or len(during) < 2:
            continue
        i50, i95 = statistics.median(idle), percentile(idle, 95)
        d50, d95 = statistics.median(during), percentile(during, 95)
        role, kind = label.split("|")
        print(
            f"| {role}, {kind} | {i50 * 1000:.1f} / {i95 * 1000:.1f} ms | "
            f"{d50 * 1000:.1f} / {d95 * 1000:.1f} ms | {d50 / i50:.2f}× | {d95 / i95:.2f}× |"
        )
    idle_rate = (counts.get("idle", 0) + counts.get("idle after", 0)) / (
        spans["idle"] + spans["idle after"]
    )
    during_rate = counts.get("during", 0) / spans["during"]
    print(
        f"\nthroughput: idle {idle_rate:.1f} req/s, during {during_rate:.1f} req/s "
        f"({during_rate / idle_rate:.2f}×); per phase: "
        + ", ".join(
            f"{phase} {counts.get(phase, 0)} in {spans[phase]:.0f} s "
            f"({counts.get(phase, 0) / spans[phase]:.1f}/s)"
            for phase in phases
        )
        + f"; failed (not 200): {sum(failed.values())}"
    )
    sampler = r["sampler"]
    print(
        f"pg_locks during the backups: {sampler.samples} samples, "
        f"{len(sampler.waiting)} lock(s) not granted"
        + (f": {sampler.waiting[:5]}" if sampler.waiting else "")
    )
    slowest = max((s for _, _, s, _ in r["records"]), default=0.0)
    print(f"slowest request: {slowest * 1000:.0f} ms")


# --- clean-up --------------------------------------------------------------------------------


def clean_up() -> None:
    """Remove what the run made: cache keys, databases (the scratch one and any scratch
    database a verification left), files and archives."""
    import psycopg

    with contextlib.suppress(Exception):
        clear_cache()
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    admin = scratch_database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
            [DATABASE, f"{DATABASE}\\_%"],
        ).fetchall()
        for (name,) in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(WORK, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--files-mb", type=int, default=1024)
    parser.add_argument("--quick", action="store_true", help="5,000 items, 50 MB: a smoke run")
    parser.add_argument("--second-share", type=float, default=0.25, help="B's share of A's data")
    parser.add_argument("--provinces", default="thainguyen,hagiang,dongnai", help="A,B,C")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=2, help="client threads")
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--skip-restore", action="store_true", help="part 2 only")
    args = parser.parse_args()
    if args.quick:
        args.items, args.files_mb, args.idle_seconds = 5000, 50, 8.0
    slugs = args.provinces.split(",")
    if len(slugs) != 3:
        raise SystemExit("--provinces takes three slugs: A,B,C")
    if not 1 <= args.items <= 2_000_000 or not 1 <= args.files_mb <= 20_000:
        raise SystemExit("--items within 1..2,000,000, --files-mb within 1..20,000")

    began = time.perf_counter()
    shutil.rmtree(WORK, ignore_errors=True)
    server = None
    try:
        provinces = seed(slugs)
        data = fill(provinces[0], items=args.items, files_mb=args.files_mb, seed=1)
        share = args.second_share
        fill(
            provinces[1],
            items=max(1, int(args.items * share)),
            files_mb=max(1, int(args.files_mb * share)),
            seed=2,
        )
        print(f"data ready in {time.perf_counter() - began:.0f} s\n", flush=True)
        if not args.skip_restore:
            report_one(data, part_one(provinces[0]))
            sys.stdout.flush()
        port = free_port()
        server = serve(port, args.workers)
        two = part_two(provinces, port=port, clients=args.clients, idle=args.idle_seconds)
        print(
            f"\ngunicorn {args.workers} sync workers (test settings), {args.clients} client "
            "threads (http.client, closed loop), idle phases "
            f"{args.idle_seconds:.0f} s before and after"
        )
        report_two(two)
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        clean_up()
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
