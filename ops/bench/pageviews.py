"""Page-view counting overhead per request (issue 14, ADR 0028): the same citizen page with the
counting on and off, in one run, round after round; nginx's copy of a page (what a view served
from nginx's cache costs Django) against the bare view of the same stack; the counter alone.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/10 python ops/bench/pageviews.py \\
        [--province thainguyen] [--requests 500] [--rounds 12]

Works on a scratch database `portal_bench_pageviews` that it drops and re-creates, with one
shipped province onboarded and its demo content published (tenants.demo); give REDIS_URL a
database of its own (the run deletes the test settings' cache keys there). Requests go through
`django.test.Client` in this one process (the whole middleware stack, no HTTP server): the
warm home page and an article come whole from Redis with no SQL, the cheapest citizen's pages
there are, so the counter's share of a request is the largest it can be. Off = the setting
PAGE_VIEWS_COUNTED False (the middleware returns before judging the page). The cases alternate
within each round, each first in every other round; medians (min–max) of the rounds. The views
counted during the run are then moved into the province's table by the flush, and checked:
none lost, none doubled."""

from __future__ import annotations

import argparse
import statistics
import time

from _django import article_path, scratch_province

DATABASE = "portal_bench_pageviews"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def per_request(client, path: str, n: int, status: int = 200) -> float:
    """Seconds per GET of `path` over `n` requests (each answered `status`)."""
    spent = 0.0
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        spent += time.perf_counter() - start
        if response.status_code != status:
            raise SystemExit(f"GET {path}: {response.status_code}")
    return spent / n


def seed(slug: str):
    province = scratch_province(DATABASE, slug)
    from django_tenants.utils import schema_context

    from provinces.loader import resolve_profile
    from tenants.demo.content import content_ensure
    from tenants.demo.staff import staff_ensure

    profile = resolve_profile(slug)
    with schema_context(province.schema_name):
        staff_ensure(profile=profile)
        content_ensure(profile=profile)
    return province


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", default="thainguyen")
    parser.add_argument("--requests", type=int, default=500, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()

    began = time.perf_counter()
    province = seed(args.province)
    from django.db import connection
    from django.test import Client, override_settings
    from django_tenants.utils import schema_context

    from reports.models import PageViewDay
    from reports.pageviews import count_view, page_views_flush

    host = f"{province.slug}.localhost"
    client = Client(HTTP_HOST=host, HTTP_USER_AGENT=BROWSER)
    pages = {"home `/`": "/", "article": article_path(province)}
    for path in pages.values():  # warm-up: the pages stored in Redis, plans, host look-ups
        client.get(path)
        client.get(path)
    with schema_context(province.schema_name):
        page_views_flush()  # the warm-up's views out of the way
        PageViewDay.objects.all().delete()

    results: dict[str, list[float]] = {}
    for name in pages:
        results[f"{name}, counted"] = []
        results[f"{name}, not counted"] = []
    results["nginx's copy of the home page (`/__luot-xem/`, 204)"] = []
    results["bare view `/healthz` (same stack, answers “ok”)"] = []
    results["the counter alone (count_view)"] = []
    counted_requests = 0
    for round_ in range(args.rounds):
        for name, path in pages.items():
            # Each case first in every other round: neither gains from going second.
            order = ("counted", "not counted") if round_ % 2 else ("not counted", "counted")
            for case in order:
                with override_settings(PAGE_VIEWS_COUNTED=case == "counted"):
                    results[f"{name}, {case}"].append(per_request(client, path, args.requests))
            counted_requests += args.requests
        copies = Client(HTTP_HOST=host, HTTP_USER_AGENT=BROWSER, HTTP_X_ORIGINAL_URI="/")
        results["nginx's copy of the home page (`/__luot-xem/`, 204)"].append(
            per_request(copies, "/__luot-xem/", args.requests, status=204)
        )
        counted_requests += args.requests
        results["bare view `/healthz` (same stack, answers “ok”)"].append(
            per_request(client, "/healthz", args.requests)
        )
        with schema_context(province.schema_name):
            start = time.perf_counter()
            for _ in range(args.requests):
                count_view(site_id=None, kind="other")
            results["the counter alone (count_view)"].append(
                (time.perf_counter() - start) / args.requests
            )

    with schema_context(province.schema_name):
        flush_began = time.perf_counter()
        moved = page_views_flush()
        flush_seconds = time.perf_counter() - flush_began
        again = page_views_flush()
        stored = {row.kind: row.views for row in PageViewDay.objects.all()}
    counter_calls = args.rounds * args.requests
    expected_pages = counted_requests
    if stored.get("other", 0) != counter_calls or (
        stored.get("home", 0) + stored.get("item", 0) != expected_pages
    ):
        raise SystemExit(f"counts lost or doubled: {stored}, expected {expected_pages} pages")

    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(
        f"## {province.portal_name} ({host}; {args.rounds} rounds of {args.requests} requests "
        f"per case; django.test.Client, one process; PostgreSQL {connection.pg_version})\n"
    )
    print("| case | ms/request, median (min–max) | ratio to not counted |")
    print("|---|---|---|")
    for name in pages:
        off = med(results[f"{name}, not counted"])
        for case in (f"{name}, not counted", f"{name}, counted"):
            values = results[case]
            print(
                f"| {case} | {med(values) * 1000:.3f} ({min(values) * 1000:.3f}–"
                f"{max(values) * 1000:.3f}) | {med(values) / off:.3f} |"
            )
    home_off = med(results["home `/`, not counted"])
    for case in (
        "nginx's copy of the home page (`/__luot-xem/`, 204)",
        "bare view `/healthz` (same stack, answers “ok”)",
    ):
        values = results[case]
        print(
            f"| {case} | {med(values) * 1000:.3f} ({min(values) * 1000:.3f}–"
            f"{max(values) * 1000:.3f}) | {med(values) / home_off:.3f} (to home, not counted) |"
        )
    alone = results["the counter alone (count_view)"]
    print(
        f"| the counter alone (count_view: one Redis command) | {med(alone) * 1000:.3f} "
        f"({min(alone) * 1000:.3f}–{max(alone) * 1000:.3f}) | |"
    )
    print(
        f"\nflush: {moved} views moved in {flush_seconds * 1000:.1f} ms "
        f"(a second flush moved {again}); stored {stored}"
    )
    print(f"total run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
