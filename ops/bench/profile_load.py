"""The load of the profile in force per request: from the profile store (ADR 0031) against the
shipped files (the load before the store), same run, same process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any REDIS_URL=redis://127.0.0.1:6379/1 \\
      .venv/bin/python ops/bench/profile_load.py [--province thainguyen] [--n 2000] [--rounds 9]

Works on a scratch database `portal_bench_profile_load` (dropped and re-created, migrated: the
shipped files are seeded into the store) with the province onboarded; test settings. Inside
the province's schema, each case calls `core.profiles.current_profile()` (what every request
that reads the rules does) `--n` times per round; the cases alternate within each round, their
order reversed every other round; medians (min–max) over the rounds, in microseconds per call:

- files: no version source registered (the loader before the store: the province's folder
  listed, each file's signature read, the composed profile from its cache);
- store, warm: the process's copy of the versions and the generation memo both fresh (a
  request within GENERATION_MEMO_SECONDS of the last one that asked);
- store, generation read: the memo expired before every call (one Redis GET in the public key
  space, the copy still good): a process's first request after the memo window;
- store, after an approval: the province invalidated before every call (a new generation, one
  query of the approved rows; the composed profile from its cache, the text being the same).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import scratch_province

DATABASE = "portal_bench_profile_load"


def per_call(fn: Callable[[], object], n: int, before: Callable[[], object] | None = None) -> float:
    """Seconds per call of `fn` over `n` calls (`before` runs untimed before each call)."""
    total = 0.0
    for _ in range(n):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        total += time.perf_counter() - start
    return total / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="thainguyen")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    if not 1 <= args.n <= 1_000_000 or not 1 <= args.rounds <= 1000:
        raise SystemExit("--n within 1..1,000,000 and --rounds within 1..1000")

    province = scratch_province(DATABASE, args.province)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from core.profiles import current_profile
    from provinces.loader import register_version_source
    from tenants import profile_store
    from tenants.models import ProfileVersion

    stored = ProfileVersion.objects.filter(slug=province.slug, status="approved").count()
    if not stored:
        raise SystemExit(f"the store holds no approved version of {province.slug}")

    def files() -> object:
        return current_profile()

    def store() -> object:
        return current_profile()

    def expire_generation() -> None:
        profile_store._generations.clear()

    def approval() -> None:
        profile_store.invalidate(province.slug)

    cases: dict[str, tuple[Callable[[], object], Callable[[], object] | None, bool]] = {
        "files (no store)": (files, None, False),
        "store, warm": (store, None, True),
        "store, generation read (Redis GET)": (store, expire_generation, True),
        "store, after an approval (query)": (store, approval, True),
    }
    results: dict[str, list[float]] = {name: [] for name in cases}
    with schema_context(province.schema_name):
        same = current_profile()
        register_version_source(None)
        assert current_profile() == same, "the store and the files disagree"
        profile_store.register()
        for round_index in range(args.rounds + 1):  # round 0: warm-up, not kept
            names = list(cases) if round_index % 2 else list(reversed(cases))
            for name in names:
                fn, before, with_store = cases[name]
                if with_store:
                    profile_store.register()
                else:
                    register_version_source(None)
                seconds = per_call(fn, args.n, before)
                if round_index:
                    results[name].append(seconds)
        queries = {}
        for name, (fn, before, with_store) in cases.items():
            if with_store:
                profile_store.register()
            else:
                register_version_source(None)
            if before is not None:
                before()
            with CaptureQueriesContext(connection) as captured:
                fn()
            queries[name] = len(captured)
        profile_store.register()

    base = statistics.median(results["files (no store)"])
    print(
        f"# profile load, {args.province}: {args.rounds} rounds of {args.n} calls; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("| case | µs/call, median (min–max) | against the files | SQL queries |")
    print("|---|---|---|---|")
    for name, values in results.items():
        median = statistics.median(values)
        print(
            f"| {name} | {median * 1e6:.1f} ({min(values) * 1e6:.1f}–{max(values) * 1e6:.1f}) "
            f"| {median / base:.2f} | {queries[name]} |"
        )


if __name__ == "__main__":
    main()
