"""The demo paperwork of a province (issue 14): last month's reports drafted from the demo
records, and, where the profile pays royalties, the royalty of a few published demo items
given by the approver who may give it, so the reports, costs and ledger pages have something
to show. Idempotent: drafting the same month again returns the same reports, and royalties
are given only while the province has none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from provinces.loader import today_in_vietnam
from reports.services import draft_for_month
from royalties.models import Assignment
from royalties.selectors import royalties_on, unassigned_items
from royalties.services import assign, may_assign

DEMO_ROYALTIES = 3  # demo items given a royalty
DEMO_PREFIX = "demo_"


@dataclass(frozen=True)
class Paperwork:
    reports: int
    royalties: int


def paperwork_ensure(*, today: date | None = None) -> Paperwork:
    today = today or today_in_vietnam()
    last_month = today.replace(day=1) - timedelta(days=1)
    reports = draft_for_month(year=last_month.year, month=last_month.month, actor=None)
    return Paperwork(reports=len(reports), royalties=_royalties())


def _royalties() -> int:
    if not royalties_on() or Assignment.objects.exists():
        return 0  # none to give, or given by an earlier run
    demo_staff = list(User.objects.filter(username__startswith=DEMO_PREFIX).order_by("username"))
    given = 0
    for item in unassigned_items()[: DEMO_ROYALTIES * 4]:
        if given == DEMO_ROYALTIES:
            break
        approver = next((user for user in demo_staff if may_assign(item=item, user=user)), None)
        if approver is None:
            continue
        author = item.author
        assign(
            item=item,
            category_code="tin",
            coefficient="5",
            shares=[
                {
                    "person": author,
                    "person_name": author.full_name or author.get_username(),
                    "contribution": "author",
                    "percent": "100",
                }
            ],
            actor=approver,
        )
        given += 1
    return given
