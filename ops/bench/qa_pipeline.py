"""Citizens' pipeline: deadline computations per second, and submissions through the whole
service (validation, screening, routing, deadline, rate limit, insert, audit) per second.

    DATABASE_URL=… REDIS_URL=… python ops/bench/qa_pipeline.py [--deadlines N] [--submissions N]

Scratch database `portal_bench_qa` (dropped and re-created). Baselines measured in the same run:
for deadlines, a naive `received + timedelta(days=n)`; for submissions, a bare
`Question.objects.create` of the same row (no checks)."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta

from _django import create_database, scratch_database_url, setup


def per_second(fn, n: int) -> tuple[float, list[float]]:
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        latencies.append(time.perf_counter() - t0)
    return n / (time.perf_counter() - start), latencies


def p(latencies: list[float], q: float) -> float:
    return statistics.quantiles(latencies, n=100)[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=50_000)
    parser.add_argument("--submissions", type=int, default=2_000)
    args = parser.parse_args()
    import os

    os.environ["QA_SUBMISSIONS_PER_HOUR"] = str(10 * args.submissions)
    url = scratch_database_url("portal_bench_qa")
    create_database(url)
    setup("portal_bench_qa")
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from provinces.calendar import TZ, calendar_for, qa_deadline
    from provinces.loader import resolve_profile
    from qa.models import Question
    from qa.services import question_submit, topic_ensure
    from tenants.services import platform_tenant_ensure, province_onboard

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_tenant_ensure()
    profile = resolve_profile("thainguyen")
    province = province_onboard(profile=profile, dev_hosts=False).province

    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=TZ)
    instants = [start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in range(1000)]
    kinds = list(profile.qa.kinds)
    calendar = calendar_for(profile)
    naive_rate, _ = per_second(lambda i: instants[i % 1000] + timedelta(days=7), args.deadlines)
    deadline_rate, _ = per_second(
        lambda i: qa_deadline(
            profile, instants[i % 1000], kinds[i % len(kinds)], calendar=calendar
        ),
        args.deadlines,
    )
    print("| deadline computation | per second |")
    print("|---|---|")
    print(
        f"| `qa_deadline` (Thái Nguyên, random instants of 2026, 3 kinds) | {deadline_rate:,.0f} |"
    )
    print(f"| baseline `received + timedelta(days=7)` | {naive_rate:,.0f} |")
    print(f"| ratio | {deadline_rate / naive_rate:.3f} |")

    with schema_context(province.schema_name):
        from organization.models import Agency

        topic = topic_ensure(name="Đất đai", agency=Agency.objects.order_by("pk").first())
        now = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)

        def submit(i):
            question_submit(
                name="Nguyễn Văn An",
                email=f"a{i}@example.vn",
                topic=topic.slug,
                title=f"Hỏi về thủ tục đất đai số {i}",
                text="Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu? " * 5,
                consent=True,
                client_address=f"10.0.{i // 250}.{i % 250}",
                received_at=now,
            )

        def bare(i):
            Question.objects.create(
                tracking_code=f"B{i:08d}",
                topic=topic,
                agency=topic.agency,
                title="x",
                text="y",
                received_at=now,
                profile_effective_from=now.date(),
                deadline_kind="competence",
                deadline_working_days=5,
                clock_start_at=now,
                due_at=now,
                deadline_rule="r",
                deadline_source="s",
            )

        bare_rate, bare_lat = per_second(bare, args.submissions)
        rate, lat = per_second(submit, args.submissions)
    print()
    print(
        "| submissions (in process, one client, committed one by one) | per second | p50 ms |"
        " p99 ms |"
    )
    print("|---|---|---|---|")
    print(
        f"| `question_submit`, all checks on | {rate:,.0f} | {p(lat, 50):.2f} | {p(lat, 99):.2f} |"
    )
    print(
        f"| baseline bare `Question.objects.create` | {bare_rate:,.0f} | {p(bare_lat, 50):.2f} | "
        f"{p(bare_lat, 99):.2f} |"
    )
    print(f"| ratio | {rate / bare_rate:.2f} | | |")


if __name__ == "__main__":
    main()
