"""Reads of the royalty ledger shared by the staff pages, the exports and the API (ADR 0029):
months, a month's lines and totals (always the sum of its lines), what each person is owed,
and the approver's queue of published items with no royalty yet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from core.profiles import current_profile
from editorial import rules
from editorial.models import Item
from organization.selectors import CapacityIndex
from provinces.loader import today_in_vietnam
from royalties.models import Assignment, LedgerLine, LedgerMonth

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
QUEUE_LIMIT = 200


def parse_month(text: str) -> date | None:
    """A "YYYY-MM" of a sane year as the month's first day; None for anything else."""
    match = MONTH_PATTERN.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def royalties_on() -> bool:
    """Whether the province's profile in force pays royalties (Huế: no)."""
    return bool(current_profile().royalties.enabled)


def rate_table():
    """The rate table in force today (None where royalties are off)."""
    section = current_profile().royalties
    return section.rates if section.enabled else None


def rate_table_on(day: date):
    section = current_profile(day).royalties
    return section.rates if section.enabled else None


def month_list(*, former: bool = False) -> QuerySet[LedgerMonth]:
    """Every month of the province's own ledger, newest first, with the sum and count of its
    lines; `former`: the ledgers a province merged into this one kept (ADR 0032)."""
    months = LedgerMonth.objects.select_related("signed_off_by")
    months = months.exclude(former_province="") if former else months.filter(former_province="")
    return months.annotate(line_total=Sum("lines__amount"), line_count=Count("lines")).order_by(
        "-month", "former_province"
    )


def month_get(month: date) -> LedgerMonth | None:
    return month_list().filter(month=month).first()


def current_month() -> date:
    return today_in_vietnam().replace(day=1)


def month_lines(ledger: LedgerMonth) -> QuerySet[LedgerLine]:
    return (
        LedgerLine.objects.filter(ledger=ledger)
        .select_related("item__published_revision", "item__current_revision", "corrects__ledger")
        .order_by("pk")
    )


@dataclass
class Total:
    label: str
    amount: int = 0
    lines: int = 0


@dataclass
class Statement:
    """What one person is owed in a month: the lines of their shares, with the items."""

    person_id: int | None
    person_name: str
    lines: list[LedgerLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass
class MonthTotals:
    total: int
    by_person: list[Total]
    by_category: list[Total]
    by_kind: list[Total]


def month_totals(lines: list[LedgerLine]) -> MonthTotals:
    """The month's total and its parts, all sums of the same lines."""
    people: dict[str, Total] = {}
    categories: dict[str, Total] = {}
    kinds: dict[str, Total] = {}
    for line in lines:
        for table, key, label in (
            (people, line.person_name, line.person_name),
            (categories, line.category_name, line.category_name),
            (kinds, line.kind, str(line.get_kind_display())),
        ):
            row = table.setdefault(key, Total(label))
            row.amount += line.amount
            row.lines += 1
    return MonthTotals(
        total=sum(line.amount for line in lines),
        by_person=sorted(people.values(), key=lambda row: row.label),
        by_category=sorted(categories.values(), key=lambda row: row.label),
        by_kind=list(kinds.values()),
    )


def statements(lines: list[LedgerLine]) -> list[Statement]:
    """One statement per person named on the month's lines, by name."""
    by_name: dict[str, Statement] = {}
    for line in lines:
        by_name.setdefault(line.person_name, Statement(line.person_id, line.person_name))
        by_name[line.person_name].lines.append(line)
    return sorted(by_name.values(), key=lambda statement: statement.person_name)


def statement_of(lines: list[LedgerLine], name: str) -> Statement | None:
    return next((s for s in statements(lines) if s.person_name == name), None)


def item_title(item: Item) -> str:
    revision = item.published_revision or item.current_revision
    return revision.title if revision is not None else item.slug


def current_assignment(item: Item) -> Assignment | None:
    return (
        Assignment.objects.filter(item=item, replaced_by__isnull=True)
        .prefetch_related("shares")
        .first()
    )


def assignment_history(item: Item) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(item=item)
        .select_related("assigned_by", "assigned_on_behalf_of")
        .prefetch_related("shares")
        .order_by("-pk")
    )


def item_for_royalty(pk: int) -> Item | None:
    return (
        Item.objects.filter(pk=pk)
        .select_related("published_revision", "current_revision", "site", "agency", "author")
        .first()
    )


def unassigned_items(*, user=None) -> list[Item]:
    """Published items with no royalty yet, newest first (at most QUEUE_LIMIT); with `user`,
    only those this user may assign (the publish step's role of their workflow, or a
    delegate): the approver's queue."""
    items = list(
        Item.objects.filter(status=Item.Status.PUBLISHED, first_published_at__isnull=False)
        .exclude(Exists(Assignment.objects.filter(item=OuterRef("pk"))))
        .select_related("published_revision", "site", "agency")
        .order_by("-first_published_at", "-pk")[: QUEUE_LIMIT * 2 if user else QUEUE_LIMIT]
    )
    if user is None:
        return items
    profile = current_profile()
    capacity = CapacityIndex(user=user, at=timezone.now())
    steps = {}
    for on_portal in (True, False):
        spec = rules.workflow_for(profile, on_portal=on_portal)
        steps[on_portal] = spec.steps[rules.publish_step_index(spec.steps)]
    allowed = []
    for item in items:
        step = steps[item.site_id is None]
        ok, _delegator = capacity.allows(
            role_code=step.role,
            agency_id=item.agency_id,
            delegation_allowed=step.delegation_allowed,
        )
        if ok:
            allowed.append(item)
    return allowed[:QUEUE_LIMIT]
