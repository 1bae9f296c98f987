"""Builders for editorial content, through editorial.services only and the workflow of the
province's profile in force (inside a province's schema)."""

from __future__ import annotations

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
