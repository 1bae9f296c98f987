"""Editorial paths: publishing through the workflow engine, an article page cold and cached,
and the staff dashboard's panels for a province of 100 agencies and 100,000 items.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/10 python ops/bench/editorial.py \\
        [--publish 200] [--rounds 15] [--items 100000] [--agencies 100]

Works on a scratch database `portal_bench_editorial` that it drops and re-creates, with Thái
Nguyên's profile onboarded in it; give REDIS_URL a database of its own (the run deletes the
test settings' cache keys there). Each figure has a baseline measured in the same run: a bare
UPDATE for publishing, `Item.objects.count()` for the dashboard. Prints Markdown tables (medians,
min–max) and the ratios, for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta

from _django import scratch_province
from _timing import interleaved, timed

DATABASE = "portal_bench_editorial"


def ms_range(values: list[float]) -> str:
    """The median of `values` (seconds) in milliseconds, then their min–max."""
    low, high = min(values) * 1000, max(values) * 1000
    return f"{statistics.median(values) * 1000:.2f} ms ({low:.2f}–{high:.2f})"


def ratio(values: list[float], baseline: list[float]) -> str:
    return f"{statistics.median(values) / statistics.median(baseline):.1f}×"


class Staff:
    """Users holding one role each, in the active province schema."""

    def __init__(self):
        self.n = 0

    def holding(self, code: str, agency=None):
        from accounts.models import User
        from organization.models import Role, RoleAssignment

        self.n += 1
        role = Role.objects.get(code=code)
        user = User.objects.create(username=f"{code}_{self.n}", full_name=f"Cán bộ {self.n}")
        scoped = agency if role.scope == Role.Scope.AGENCY else None
        RoleAssignment.objects.create(user=user, role=role, agency=scoped)
        return user


def bench_publishing(site, staff: Staff, n: int) -> tuple[dict, list]:
    """Publishing step of `item_transition` vs a bare UPDATE and vs `item_update`, interleaved."""
    from editorial.models import Item
    from editorial.services import item_create, item_transition, item_update

    updater = staff.holding("updater", site.agency)
    approver = staff.holding("approver", site.agency)
    publish, bare, update = [], [], []
    items = []
    for i in range(n):
        item = item_create(
            actor=updater,
            kind="news",
            title=f"Tin số {i}",
            body="<p>" + "Nội dung tin bài. " * 200 + "</p>",
            site=site,
            fields={"event_at": "2026-11-24T09:00:00+07:00"},
        )
        # the working copy is edited by the first step's role, before the item is submitted
        update.append(
            timed(lambda it=item, t=f"Tin số {i}!": item_update(item=it, actor=updater, title=t))
        )
        bare.append(timed(lambda pk=item.pk: Item.objects.filter(pk=pk).update(featured=True)))
        item = item_transition(item=item, actor=updater, decision="forward")
        publish.append(
            timed(lambda it=item: item_transition(item=it, actor=approver, decision="forward"))
        )
        items.append(item)
    return {"publish": publish, "bare": bare, "update": update}, items


def bench_article(site, item, rounds: int) -> dict | None:
    """GET /bai-viet/<slug>/ on the component site: cold (cache version bumped before each
    request) and cached (repeated). None when the page does not exist (404)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from editorial.services import PUBLIC_VERSION_KEY

    schema = connection.schema_name
    client = Client(HTTP_HOST=site.dev_host)
    path = f"/bai-viet/{item.slug}/"
    first = client.get(path)
    if first.status_code == 404:
        return None
    if first.status_code != 200:
        raise SystemExit(f"GET {path} on {site.dev_host}: {first.status_code}")

    def bump() -> None:
        with schema_context(schema):
            try:
                cache.incr(PUBLIC_VERSION_KEY)
            except ValueError:
                cache.set(PUBLIC_VERSION_KEY, 2, None)

    cold, warm = [], []
    for _ in range(rounds):
        bump()
        cold.append(timed(lambda: client.get(path)))
        client.get(path)
        warm.append(timed(lambda: client.get(path)))
    return {"cold": cold, "cached": warm}


def fill(*, agencies: int, items: int, author, seed: int = 7) -> list:
    """`agencies` agencies (half departments, half district PPCs) and `items` items spread
    over the last year: 70 % published (4 % of all items late), 3 % overdue, 1 % due soon, 16 %
    waiting with a later deadline (all 20 % in a workflow run), 5 % drafts, 5 % taken down."""
    from django.db import connection
    from django.utils import timezone

    from core.profiles import current_profile
    from editorial import rules
    from editorial.models import Item, Revision, WorkflowState
    from organization.models import Agency

    rng = random.Random(seed)
    now = timezone.now()
    made = Agency.objects.bulk_create(
        Agency(
            name=f"Cơ quan thử {i:03d}",
            kind="department" if i % 2 else "district",
            source="bench",
        )
        for i in range(agencies)
    )
    kinds = ["news"] * 7 + ["announcement", "legal_document", "event"]
    rows = []
    for i in range(items):
        r = i % 100
        item = Item(
            kind=rng.choice(kinds),
            agency=made[i % agencies],
            slug=f"bench-{i}",
            author=author,
            sla_content_type="news",
            sla_rule="within 8 working hours of the event",
            sla_source="QĐ 40/2012 Art. 10(2)",
        )
        if r < 70:
            first = now - timedelta(seconds=rng.randint(60, 365 * 86400))
            item.status = Item.Status.PUBLISHED
            item.first_published_at = item.published_at = first
            item.featured = rng.random() < 0.1
            item.sla_due_at = first - timedelta(hours=6) if r < 4 else first + timedelta(days=1)
        elif r < 90:
            item.status = Item.Status.IN_WORKFLOW
            if r < 73:
                item.sla_due_at = now - timedelta(minutes=rng.randint(1, 30 * 1440))
            elif r < 74:
                item.sla_due_at = now + timedelta(minutes=rng.randint(1, 20 * 60))
            else:
                item.sla_due_at = now + timedelta(days=rng.randint(3, 60))
        elif r < 95:
            item.status = Item.Status.DRAFT
            item.sla_due_at = None
            item.sla_rule = item.sla_source = item.sla_content_type = ""
        else:
            first = now - timedelta(days=rng.randint(1, 365))
            item.status = rng.choice([Item.Status.UNPUBLISHED, Item.Status.WITHDRAWN])
            item.first_published_at = item.published_at = first
            item.sla_due_at = first + timedelta(days=1)
        rows.append(item)
    Item.objects.bulk_create(rows, batch_size=5000)
    item_table, revision_table = Item._meta.db_table, Revision._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {revision_table} (item_id, number, title, summary, body, fields, "  # noqa: S608
            "source_name, source_url, author_id, created_at) "
            "SELECT id, 1, 'Tin bài thử số ' || id, '', '<p>Nội dung</p>', '{}', '', '', "
            f"author_id, now() FROM {item_table} WHERE slug LIKE %s",
            ["bench-%"],
        )
        cursor.execute(
            f"UPDATE {item_table} i SET current_revision_id = r.id, "  # noqa: S608
            "published_revision_id = CASE WHEN i.first_published_at IS NULL THEN NULL "
            f"ELSE r.id END FROM {revision_table} r WHERE r.item_id = i.id AND i.slug LIKE %s",
            ["bench-%"],
        )
    steps = rules.workflow_for(current_profile(), on_portal=False).snapshot()
    waiting = Item.objects.filter(status=Item.Status.IN_WORKFLOW, slug__startswith="bench-")
    WorkflowState.objects.bulk_create(
        (
            WorkflowState(
                item_id=pk,
                workflow="component_site",
                profile_effective_from=current_profile().effective_from,
                steps=steps,
                current_step=1,
            )
            for pk in waiting.values_list("pk", flat=True).iterator()
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


def bench_dashboard(*, portal_user, agency_user, rounds: int) -> dict:
    from django.utils import timezone

    from core.profiles import current_profile
    from editorial.dashboard import (
        WHOLE_PROVINCE,
        agency_quotas,
        dashboard_panels,
        items_due_soon,
        items_overdue,
        items_published_late,
        month_bounds,
        panel,
    )
    from editorial.models import Item
    from provinces.calendar import TZ, calendar_for

    profile = current_profile()
    calendar = calendar_for(profile)
    now = timezone.now()
    start, end = month_bounds(now.astimezone(TZ).date())
    cases = {
        "baseline: `Item.objects.count()`": lambda: Item.objects.count(),
        "overdue panel": lambda: panel(items_overdue(scope=WHOLE_PROVINCE, now=now)),
        "due soon panel": lambda: panel(
            items_due_soon(scope=WHOLE_PROVINCE, now=now, calendar=calendar)
        ),
        "published late this month": lambda: panel(
            items_published_late(scope=WHOLE_PROVINCE, since=start)
        ),
        "quotas, every agency": lambda: agency_quotas(
            scope=WHOLE_PROVINCE, profile=profile, start=start, end=end
        ),
        "whole dashboard, portal-scope user (5 queries)": lambda: dashboard_panels(
            user=portal_user, now=now
        ),
        "whole dashboard, one agency's user (5 queries)": lambda: dashboard_panels(
            user=agency_user, now=now
        ),
    }
    results = interleaved(cases, rounds)  # warmed first: plans, the profile, connections
    sizes = {
        "overdue": panel(items_overdue(scope=WHOLE_PROVINCE, now=now)).total,
        "due soon": panel(items_due_soon(scope=WHOLE_PROVINCE, now=now, calendar=calendar)).total,
        "late this month": panel(items_published_late(scope=WHOLE_PROVINCE, since=start)).total,
        "agencies below quota": sum(
            row.below
            for row in agency_quotas(scope=WHOLE_PROVINCE, profile=profile, start=start, end=end)
        ),
    }
    return {"times": results, "sizes": sizes}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--publish", type=int, default=200, help="items published (median over)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the page and panels")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=100)
    args = parser.parse_args()

    began = time.perf_counter()
    province = scratch_province(DATABASE)
    from django_tenants.utils import schema_context

    from organization.models import ComponentSite

    staff = Staff()

    with schema_context(province.schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        publishing, items = bench_publishing(site, staff, args.publish)
        article = bench_article(site, items[-1], args.rounds)
        filled = time.perf_counter()
        agencies = fill(agencies=args.agencies, items=args.items, author=items[0].author)
        filled = time.perf_counter() - filled
        dashboard = bench_dashboard(
            portal_user=staff.holding("editor_in_chief"),
            agency_user=staff.holding("approver", agencies[0]),
            rounds=args.rounds,
        )

    print(f"## publishing ({args.publish} items, medians (min–max))\n")
    print("| operation | time | ratio to bare UPDATE |")
    print("|---|---|---|")
    print(f"| bare `Item.objects.filter(pk=…).update(…)` | {ms_range(publishing['bare'])} | 1.0× |")
    print(
        f"| `item_update` (new revision, audit row) | {ms_range(publishing['update'])} | "
        f"{ratio(publishing['update'], publishing['bare'])} |"
    )
    print(
        f"| `item_transition` publishing step | {ms_range(publishing['publish'])} | "
        f"{ratio(publishing['publish'], publishing['bare'])} |"
    )
    print(
        f"| ratio publish / `item_update` | | "
        f"{ratio(publishing['publish'], publishing['update'])} |"
    )
    print()
    if article is None:
        print("article page: GET /bai-viet/<slug>/ answers 404 (the page does not exist yet):")
        print("skipped.\n")
    else:
        print(f"## article page ({args.rounds} rounds)\n")
        print("| GET /bai-viet/<slug>/ | time | ratio |")
        print("|---|---|---|")
        print(f"| cached | {ms_range(article['cached'])} | 1.0× |")
        print(
            f"| cold (cache version bumped) | {ms_range(article['cold'])} | "
            f"{ratio(article['cold'], article['cached'])} |"
        )
        print()
    sizes = ", ".join(f"{name} {value}" for name, value in dashboard["sizes"].items())
    print(
        f"## dashboard: {args.agencies} agencies, {args.items} items "
        f"(filled in {filled:.0f} s; {sizes}; {args.rounds} rounds)\n"
    )
    print("| read | time | ratio to count |")
    print("|---|---|---|")
    times = dashboard["times"]
    baseline = next(iter(times.values()))
    for name, values in times.items():
        print(f"| {name} | {ms_range(values)} | {ratio(values, baseline)} |")
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
