"""Builders for the royalty ledger (inside a province's schema): published items dated on a
given day, their approver, share rows, and assignments through royalties.services only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.profiles import current_profile
from editorial import rules
from editorial.models import Item
from provinces.calendar import TZ
from provinces.loader import today_in_vietnam
from royalties.services import assign
from tests.factories.editorial import published


def publish_step_role(*, on_portal: bool) -> str:
    spec = rules.workflow_for(current_profile(), on_portal=on_portal)
    return spec.steps[rules.publish_step_index(spec.steps)].role


def approver_of(staff, item: Item):
    """A new holder of the role acting at the publish step of the item's workflow."""
    return staff.holding(publish_step_role(on_portal=item.site_id is None), agency=item.agency)


def signer(staff):
    """A new holder of the role acting at the publish step of the portal's workflow: who signs
    a month off for the budget owner (ADR 0029)."""
    return staff.holding(publish_step_role(on_portal=True))


def published_on(staff, *, site, day: date, at: time = time(10, 0), **content) -> Item:
    """An item published through the workflow, then dated as first published on `day` at `at`
    (Vietnam's time): the day whose base amount applies."""
    item = published(staff, site=site, **content)
    when = datetime.combine(day, at, tzinfo=TZ)
    Item.objects.filter(pk=item.pk).update(first_published_at=when, published_at=when)
    item.refresh_from_db()
    return item


def last_month() -> date:
    return (today_in_vietnam().replace(day=1) - timedelta(days=1)).replace(day=1)


def share(name: str = "Nguyễn Văn An", percent="100", contribution: str = "author", person=None):
    return {
        "person": person,
        "person_name": name,
        "contribution": contribution,
        "percent": percent,
    }


def assigned(item: Item, *, by, category: str = "tin", coefficient="5", shares=None):
    return assign(
        item=item,
        category_code=category,
        coefficient=coefficient,
        shares=[share()] if shares is None else shares,
        actor=by,
    )
