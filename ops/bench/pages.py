"""Citizens' pages against a bare Django view, in one run: requests/second and SQL queries of the
portal home, an article and the search page, cold and warm, and of `/healthz` (a trivial view
answering "ok" through the same settings, middleware and URLconf: the floor of the stack).

    DATABASE_URL=postgres://… REDIS_URL=redis://…/10 python ops/bench/pages.py \\
        [--province thainguyen] [--requests 200] [--cold-requests 40] [--rounds 5]

Works on a scratch database `portal_bench_pages` that it drops and re-creates, with one shipped
province onboarded and its demo content published (tenants.demo, what ./ops/run shows); give
REDIS_URL a database of its own (the run deletes the test settings' cache keys there). Requests
go through `django.test.Client` in this one process (no HTTP server, no network): what is
measured is Django's work per page. Cold = the province's public-cache version bumped before
each request (what every publication does: each page and fragment is rebuilt; host and site
look-ups stay cached); warm = the same request again (the whole page from Redis). The cases
run interleaved, round after round, so each sees the same machine load. Prints Markdown tables
(medians, min–max) and the ratios, for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import statistics
import time

from _django import article_path, scratch_province

DATABASE = "portal_bench_pages"
SEARCH = "/tim-kiem/?q=dat+dai"


def rate(client, path: str, n: int, before=None) -> float:
    """Requests per second over `n` GETs of `path` (`before` runs, untimed, before each)."""
    spent = 0.0
    for _ in range(n):
        if before is not None:
            before()
        start = time.perf_counter()
        response = client.get(path)
        spent += time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
    return n / spent


def queries(client, path: str, before) -> int:
    """The SQL queries of one GET of `path` (after `before`, if any)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if before is not None:
        before()
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def seed(slug: str):
    """The shipped province `slug` onboarded on a new scratch database, with its demo staff and
    content; the province and what was seeded."""
    province = scratch_province(DATABASE, slug)
    from django_tenants.utils import schema_context

    from provinces.loader import resolve_profile
    from tenants.demo.content import content_ensure
    from tenants.demo.staff import staff_ensure

    profile = resolve_profile(slug)
    with schema_context(province.schema_name):
        staff_ensure(profile=profile)
        seeded = content_ensure(profile=profile)
    return province, seeded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="thainguyen")
    parser.add_argument("--requests", type=int, default=200, help="warm requests per round")
    parser.add_argument("--cold-requests", type=int, default=40, help="cold requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    began = time.perf_counter()
    province, seeded = seed(args.province)
    from django.core.cache import cache
    from django.test import Client
    from django_tenants.utils import schema_context

    from editorial.services import PUBLIC_VERSION_KEY

    host = f"{province.slug}.localhost"
    client = Client(HTTP_HOST=host)

    def bump() -> None:
        with schema_context(province.schema_name):
            try:
                cache.incr(PUBLIC_VERSION_KEY)
            except ValueError:
                cache.set(PUBLIC_VERSION_KEY, 2, None)

    pages = {"home `/`": "/", "article `/bai-viet/<slug>/`": article_path(province)}
    search_status = client.get(SEARCH).status_code
    if search_status == 200:
        pages[f"search `{SEARCH}`"] = SEARCH
    else:
        print(f"search page: GET {SEARCH} answers {search_status}: skipped (not landed yet).\n")
    for path in ["/healthz", *pages.values()]:  # warm-up: plans, profile, host look-ups
        client.get(path)

    counts = {"bare": queries(client, "/healthz", None)}
    for name, path in pages.items():
        counts[f"{name}, cold"] = queries(client, path, bump)
        counts[f"{name}, warm"] = queries(client, path, None)
    results: dict[str, list[float]] = {"bare": []}
    for name in pages:
        results[f"{name}, cold"] = []
        results[f"{name}, warm"] = []
    for _ in range(args.rounds):
        results["bare"].append(rate(client, "/healthz", args.requests))
        for name, path in pages.items():
            results[f"{name}, cold"].append(rate(client, path, args.cold_requests, before=bump))
            client.get(path)  # stored again for the warm case
            results[f"{name}, warm"].append(rate(client, path, args.requests))

    def med(values: list[float]) -> float:
        return statistics.median(values)

    bare = med(results["bare"])
    print(
        f"## {province.portal_name} ({host}; demo content: {sum(seeded.items.values())} items, "
        f"{seeded.questions} questions; {args.rounds} rounds of {args.requests} warm and "
        f"{args.cold_requests} cold requests; django.test.Client, one process)\n"
    )
    print("| page | req/s, median (min–max) | ms/request | ratio to bare | SQL queries |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        label = "bare view `/healthz` (same stack, answers “ok”)" if name == "bare" else name
        print(
            f"| {label} | {med(values):.0f} ({min(values):.0f}–{max(values):.0f}) | "
            f"{1000 / med(values):.2f} | {med(values) / bare:.2f} | {counts[name]} |"
        )
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
