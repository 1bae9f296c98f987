"""The staff queues at 1,000 open items: the editorial queue (`/staff/queue/`) with 1,000 items
waiting for the approver's step and the Q&A inbox (`/staff/hoi-dap/`) with 1,000 open
questions, in one province; SQL queries per page and p50/p99 of rendering each page, against a
bare indexed SELECT of one row measured in the same run.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/10 python ops/bench/queues.py \\
        [--items 1000] [--questions 1000] [--requests 200]

Works on a scratch database `portal_bench_queues` that it drops and re-creates, with Thái
Nguyên onboarded in it; give REDIS_URL a database of its own (the run deletes the test
settings' cache keys there). One item and one question go through the services; the others
are copies of them written in bulk, with due times spread from 30 days late to 30 days ahead.
Pages through `django.test.Client` (the whole middleware stack, one process), the staff
navigation's counts warm (they are kept 60 s). Prints a Markdown table for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import timedelta

from _django import scratch_province
from _timing import timed

DATABASE = "portal_bench_queues"


def spread(n: int) -> list:
    from django.utils import timezone

    now = timezone.now()
    return [now + timedelta(hours=(i * 1440) // n - 720) for i in range(n)]


def staff(code: str, agency, *, name: str = ""):
    from accounts.models import User
    from organization.models import Role, RoleAssignment

    role = Role.objects.get(code=code)
    user = User.objects.create(
        username=f"bench_{code}{name}", full_name=f"Cán bộ {code}", is_staff=True
    )
    scoped = agency if role.scope == Role.Scope.AGENCY else None
    RoleAssignment.objects.create(user=user, role=role, agency=scoped)
    return user


def fill_items(site, n: int):
    """One item through the services, sent to the approver's step, and n - 1 copies in bulk."""
    from editorial.models import Item, Revision, WorkflowState
    from editorial.services import item_create, item_transition

    updater, approver = staff("updater", site.agency), staff("approver", site.agency)
    item = item_create(
        actor=updater,
        site=site,
        kind="news",
        title="Tin mẫu",
        fields={"event_at": "2026-01-05T09:00:00+07:00"},
    )
    item = item_transition(item=item, actor=updater, decision="forward")
    state = item.workflow_states.get(status=WorkflowState.Status.ACTIVE)
    copies = Item.objects.bulk_create(
        Item(
            kind=item.kind,
            site=site,
            agency=item.agency,
            slug=f"ban-sao-{number}",
            status=item.status,
            author=updater,
            sla_content_type=item.sla_content_type,
            sla_due_at=due,
            sla_rule=item.sla_rule,
            sla_source=item.sla_source,
        )
        for number, due in enumerate(spread(n - 1))
    )
    revisions = Revision.objects.bulk_create(
        Revision(item=copy, number=1, title=f"Tin bản sao {n}", author=updater)
        for n, copy in enumerate(copies)
    )
    for copy, revision in zip(copies, revisions, strict=True):
        copy.current_revision = revision
    Item.objects.bulk_update(copies, ["current_revision"], batch_size=1000)
    WorkflowState.objects.bulk_create(
        WorkflowState(
            item=copy,
            workflow=state.workflow,
            profile_effective_from=state.profile_effective_from,
            steps=state.steps,
            delegation_allowed=state.delegation_allowed,
            current_step=state.current_step,
        )
        for copy in copies
    )
    return approver


def fill_questions(site, n: int) -> None:
    """One question through the services and n - 1 copies in bulk."""
    from qa.models import Question
    from qa.services import question_submit, topic_ensure

    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = question_submit(
        topic=topic.slug,
        name="Lê Thị C",
        email="c@example.vn",
        title="Hỏi về đất đai",
        text="Xin hỏi thủ tục?",
        consent=True,
    )
    fields = [f for f in Question._meta.concrete_fields if not f.primary_key]
    Question.objects.bulk_create(
        Question(
            **{f.attname: getattr(question, f.attname) for f in fields}
            | {"tracking_code": f"B{number:08d}", "due_at": due}
        )
        for number, due in enumerate(spread(n - 1))
    )


def timings(fn, n: int) -> list[float]:
    return [timed(fn) for _ in range(n)]


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    province = scratch_province(DATABASE)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from editorial.models import Item
    from organization.models import ComponentSite

    with schema_context(province.schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        approver = fill_items(site, args.items)
        fill_questions(site, args.questions)
        answerer = staff("updater", site.agency, name="_qa")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        host = site.dev_host
        pk = Item.objects.order_by("pk").values_list("pk", flat=True).first()
        queue, inbox = Client(HTTP_HOST=host), Client(HTTP_HOST=host)
        queue.force_login(approver)
        inbox.force_login(answerer)

    def bare() -> None:
        with schema_context(province.schema_name):
            Item.objects.filter(pk=pk).values_list("slug", flat=True).first()

    pages = {
        "queue `/staff/queue/` (page 1 of 50 rows)": (queue, "/staff/queue/"),
        "Q&A inbox `/staff/hoi-dap/` (page 1 of 25 rows)": (inbox, "/staff/hoi-dap/"),
    }
    counts = {}
    for name, (client, path) in pages.items():
        response = client.get(path)  # warm: plans, profile, host look-ups, the nav counts
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts[name] = len(captured)
        if os.environ.get("SHOW_SQL"):
            print("\n".join(q["sql"][:160] for q in captured.captured_queries), "\n")
    results = {"bare indexed `SELECT` of one item by pk": []} | {name: [] for name in pages}
    for _ in range(args.requests):  # interleaved, so every case sees the same machine load
        results["bare indexed `SELECT` of one item by pk"] += timings(bare, 1)
        for name, (client, path) in pages.items():
            results[name] += timings(lambda c=client, u=path: c.get(u), 1)
    base = statistics.median(results["bare indexed `SELECT` of one item by pk"])
    print(
        f"## {args.items} items waiting for the approver, {args.questions} open questions, "
        f"{args.requests} requests each\n"
    )
    print("| case | p50 | p99 | p50 ÷ bare | SQL queries |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        queries = counts.get(name, 1)
        ratio = statistics.median(values) / base
        p50, p99 = p(values, 0.5), p(values, 0.99)
        print(f"| {name} | {p50:.2f} ms | {p99:.2f} ms | {ratio:.0f}× | {queries} |")


if __name__ == "__main__":
    main()
