"""Reports: the time to draft a month's report of a province (figures, due day, DOCX, XLSX,
audit: `reports.services.draft_report`) with 10,000 items and 5,000 questions, against a single
`SELECT COUNT(*)` of the items table in the same run.

    DATABASE_URL=… REDIS_URL=… python ops/bench/report_draft.py [--items N] [--questions N]
        [--rounds N]

Scratch database `portal_bench_reports` (dropped and re-created), Thái Nguyên onboarded. The
rows are bulk-created (no workflow): 60 % of the items first published in November 2026 over
the portal and every component site, a third of them with an update deadline (a fifth of those
late); the rest spread over 2026; the questions spread over October–November, two thirds
answered, a tenth late; a page-view row per day, site and kind. The report timed is Thái
Nguyên's periodic report of the portal's activity (QĐ 40/2012 Art. 16(2)(d)) for November:
the whole province. Each round drafts it anew (the report and its files are removed after,
untimed), interleaved with the COUNT(*)."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, datetime, timedelta

from _django import scratch_province
from _timing import ms, percentile


def fill(*, items: int, questions: int, seed: int) -> None:
    from django.db import connection

    from accounts.models import User
    from editorial.models import Item, Kind
    from organization.models import Agency, ComponentSite
    from provinces.calendar import TZ
    from qa.models import Question
    from qa.services import topic_ensure
    from reports.models import PageViewDay

    rng = random.Random(seed)
    author = User.objects.create(username="bench_author", full_name="Tác giả")
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
    sites = list(ComponentSite.objects.select_related("agency").order_by("pk"))
    kinds = [Kind.NEWS, Kind.ANNOUNCEMENT, Kind.NEWS, Kind.NEWS]
    november = datetime(2026, 11, 1, tzinfo=TZ)
    year = datetime(2026, 1, 1, tzinfo=TZ)
    batch = []
    for i in range(items):
        if rng.random() < 0.6:
            at = november + timedelta(seconds=rng.randrange(30 * 86400))
        else:
            at = year + timedelta(seconds=rng.randrange(300 * 86400))
        site = rng.choice([None, *sites])
        agency = site.agency if site is not None else rng.choice(agencies)
        due = met = None
        if rng.random() < 0.33:
            due = at + timedelta(hours=rng.choice([-30, 2, 8, 24]))
            met = at
        batch.append(
            Item(
                kind=rng.choice(kinds),
                site=site,
                agency=agency,
                slug=f"bench-{i:06d}",
                author=author,
                status=Item.Status.PUBLISHED,
                first_published_at=at,
                published_at=at,
                sla_due_at=due,
                sla_met_at=met,
            )
        )
    Item.objects.bulk_create(batch, batch_size=2000)
    topics = [topic_ensure(name=f"Lĩnh vực {a.pk}", agency=a) for a in agencies]
    october = datetime(2026, 10, 1, tzinfo=TZ)
    rows = []
    for i in range(questions):
        topic = rng.choice(topics)
        received = october + timedelta(seconds=rng.randrange(61 * 86400))
        due = received + timedelta(days=7)
        answered = None
        if rng.random() < 0.66:
            answered = received + timedelta(days=rng.choice([1, 3, 5, 6, 10]))
        rows.append(
            Question(
                tracking_code=f"B{i:08d}",
                topic=topic,
                agency=topic.agency,
                title="Hỏi về thủ tục",
                text="Xin hỏi thủ tục?",
                received_at=received,
                profile_effective_from=received.date(),
                deadline_kind="competence",
                deadline_working_days=5,
                clock_start_at=received,
                due_at=due,
                deadline_rule="5 ngày làm việc",
                deadline_source="QĐ 40/2012 Art. 14(4)",
                answered_at=answered,
                status=Question.Status.ANSWERED if answered else Question.Status.RECEIVED,
            )
        )
    Question.objects.bulk_create(rows, batch_size=2000)
    views = [
        PageViewDay(day=date(2026, 11, d), site=s, kind=k, views=rng.randrange(1, 500))
        for d in range(1, 31)
        for s in [None, *sites]
        for k in ("home", "item", "list", "qa")
    ]
    PageViewDay.objects.bulk_create(views, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    province = scratch_province("portal_bench_reports", "thainguyen")
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from core.profiles import current_profile
    from editorial.models import Item
    from reports.figures import activity_figures
    from reports.models import Report
    from reports.selectors import entries
    from reports.services import draft_for_month, draft_report

    with schema_context(province.schema_name):
        started = time.perf_counter()
        fill(items=args.items, questions=args.questions, seed=14)
        print(f"filled in {time.perf_counter() - started:.1f} s")
        entry = next(
            e
            for e in entries(current_profile())
            if (e.reporting.cadence, e.reporting.per, e.reporting.subject)
            == ("periodic", "province", "portal_activity")
        )
        table = Item._meta.db_table

        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                return cursor.fetchone()[0]

        def draft() -> Report:
            return draft_report(
                entry_key=entry.key, start=date(2026, 11, 1), end=date(2026, 11, 30)
            )

        def remove(report: Report) -> None:
            for name in (report.document.name, report.tables.name):
                if name:
                    default_storage.delete(name)
            report.delete()

        assert count() >= args.items
        remove(draft())  # warm-up
        count()
        drafts, counts, figures_only = [], [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            report = draft()
            drafts.append(time.perf_counter() - t0)
            remove(report)
            t0 = time.perf_counter()
            activity_figures(start=date(2026, 11, 1), end=date(2026, 11, 30))
            figures_only.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            count()
            counts.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as queries:
            report = draft()
        figures = report.figures
        remove(report)
        t0 = time.perf_counter()
        month = draft_for_month(year=2026, month=11)
        whole_month = time.perf_counter() - t0
        for each in month:
            remove(each)

    print(
        f"items {args.items:,}, questions "
        f"{args.questions:,}; November: published {figures['published_total']:,}, "
        f"questions received {figures['questions_received']:,}, answered "
        f"{figures['questions_answered']:,}, page views {figures['page_views']:,}"
    )
    print()
    print("| operation | median | p90 | min |")
    print("|---|---|---|---|")
    for name, values in (
        ("`draft_report`: figures, due day, DOCX, XLSX, audit (whole province)", drafts),
        ("of which the figures alone, `activity_figures`", figures_only),
        ("baseline `SELECT COUNT(*)` of the items table", counts),
    ):
        print(
            f"| {name} | {ms(statistics.median(values))} | {ms(percentile(values, 90))} | "
            f"{ms(min(values))} |"
        )
    ratio = statistics.median(drafts) / statistics.median(counts)
    print(f"| ratio of the medians, draft / COUNT(*) | {ratio:.0f} | | |")
    print()
    print(f"queries of one draft: {len(queries.captured_queries)}")
    print(
        f"`draft_for_month` (all of Thái Nguyên's November reports: {len(month)}): "
        f"{whole_month:.2f} s"
    )


if __name__ == "__main__":
    main()
