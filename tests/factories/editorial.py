"""Builders for editorial content, through editorial.services only and the workflow of the
province's profile in force (inside a province's schema)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.profiles import current_profile
from editorial import rules
from editorial.models import Item, WorkflowState
from editorial.services import item_create, item_transition


def workflow(*, on_portal: bool = False):
    """The profile's workflow for the portal or for a component site."""
    return rules.workflow_for(current_profile(), on_portal=on_portal)


def item_author(staff, *, on_portal: bool = False):
    """A holder of the role of the workflow's first step (who enters items)."""
    return staff.holding(workflow(on_portal=on_portal).steps[0].role)


def run_to_the_end(item: Item, *, staff, agency=None, comment: bool = False) -> Item:
    """Forward `item` through every remaining step, each by a new holder of that step's role
    (in `agency` for agency-scoped roles; `comment` adds "<step> ok" to each transition)."""
    spec = workflow(on_portal=item.site_id is None)
    while True:
        state = item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).first()
        if state is None:
            return item
        step = spec.steps[state.current_step]
        item = item_transition(
            item=item,
            actor=staff.holding(step.role, agency=agency),
            decision="forward",
            **({"comment": f"{step.code} ok"} if comment else {}),
        )


def published(staff, *, site, **content) -> Item:
    """An item (news unless `kind` says otherwise) entered on `site` (None: the portal) and
    forwarded through every step of the workflow until it is published."""
    entered_by = item_author(staff, on_portal=site is None)
    item = item_create(actor=entered_by, site=site, **{"kind": "news", **content})
    item = item_transition(item=item, actor=entered_by, decision="forward")
    item = run_to_the_end(item, staff=staff)
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    return item


class Desk:
    """A province's newsroom on its first component site (or its portal): publishes items
    through the province's own workflow, each step by a holder of its role."""

    def __init__(self, staff, site):
        self.staff, self.site = staff, site

    def spec(self, site):
        return workflow(on_portal=site is None)

    def author(self, site=None):
        return item_author(self.staff, on_portal=site is None)

    def publisher(self, site=None):
        spec = self.spec(site)
        return self.staff.holding(spec.steps[rules.publish_step_index(spec.steps)].role)

    def publish(self, *, on_portal: bool = False, **content) -> Item:
        return published(self.staff, site=None if on_portal else self.site, **content)


# --- a home page's worth of content (tests/frontend/test_home.py, test_look.py) ---------------


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def schedule_fields(*, leader: str, activity: str) -> dict:
    monday = this_monday()
    return {
        "week_of": monday.isoformat(),
        "entries": [
            {
                "starts_at": f"{(monday + timedelta(days=2)).isoformat()}T14:00:00+07:00",
                "leader": leader,
                "activity": "Tiếp công dân định kỳ",
                "place": "Trụ sở tiếp công dân tỉnh",
            },
            {
                "starts_at": f"{monday.isoformat()}T08:00:00+07:00",
                "leader": leader,
                "activity": activity,
                "place": "Phòng họp số 1",
            },
        ],
    }


def legal_fields(number: str) -> dict:
    return {
        "number": number,
        "document_type": "Quyết định",
        "issuing_body": "Ủy ban nhân dân tỉnh",
        "signer": "Nguyễn Văn A",
        "issued_on": "2026-01-05",
    }


def draft_fields(*, closes_in_days: int) -> dict:
    today = timezone.localdate()
    return {
        "drafting_body": "Sở Tư pháp",
        "opens_on": (today - timedelta(days=30)).isoformat(),
        "closes_on": (today + timedelta(days=closes_in_days)).isoformat(),
    }


def front_page(staff, *, site=None, prefix: str = "") -> dict[str, object]:
    """Content for every block of a home page on `site` (None: the portal)."""
    items = {}
    for number in range(1, 6):
        items[f"news{number}"] = published(
            staff,
            site=site,
            title=f"{prefix}Tin thời sự số {number}",
            summary=f"Tóm tắt tin số {number}.",
        )
    items["featured"] = published(
        staff,
        site=site,
        title=f"{prefix}Khánh thành cầu Bắc Quang",
        summary="Cây cầu nối hai bờ sông Lô, rút ngắn đường đến trung tâm tỉnh.",
        featured=True,
    )
    items["event"] = published(
        staff,
        site=site,
        kind="event",
        title=f"{prefix}Lễ hội văn hoá dân tộc",
        fields={"event_at": "2026-03-01T08:00:00+07:00", "location": "Quảng trường"},
    )
    items["announcement"] = published(
        staff, site=site, kind="announcement", title=f"{prefix}Thông báo tuyển dụng công chức"
    )
    items["statement"] = published(
        staff,
        site=site,
        kind="spokesperson_statement",
        title=f"{prefix}Phát ngôn về giá đất",
        fields={"spokesperson": "Chánh Văn phòng"},
    )
    items["schedule"] = published(
        staff,
        site=site,
        kind="leader_schedule",
        title=f"{prefix}Lịch công tác tuần này",
        fields=schedule_fields(leader="Chủ tịch UBND tỉnh", activity="Họp giao ban đầu tuần"),
    )
    items["document"] = published(
        staff,
        site=site,
        kind="legal_document",
        title=f"{prefix}Quy định về quản lý đất đai",
        fields=legal_fields("12/2026/QĐ-UBND"),
    )
    items["draft"] = published(
        staff,
        site=site,
        kind="draft_document",
        title=f"{prefix}Dự thảo quy định phí đỗ xe",
        fields=draft_fields(closes_in_days=10),
    )
    return items
