"""A user's queue: only the items waiting for a step they may act on, in bounded queries."""

from core.profiles import current_profile
from editorial import rules
from editorial.selectors import item_queue
from editorial.services import item_create, item_transition
from tests.factories.organization import delegated


def test_queue_holds_the_users_steps_only_and_costs_bounded_queries(
    province_schema, django_assert_max_num_queries
):
    site, staff = province_schema("thuathienhue")
    spec = rules.workflow_for(current_profile(), on_portal=False)
    author, deputy, head = (staff.holding(s.role) for s in spec.steps)
    for n in range(6):
        item = item_create(actor=author, kind="news", title=f"Tin {n}", site=site)
        item_transition(item=item, actor=author, decision="forward")
    colleague = staff.holding("board_member")
    delegated(delegator=deputy, delegate=colleague, role_code="deputy_head", agency=site.agency)

    with django_assert_max_num_queries(6):
        waiting = item_queue(user=deputy)
    assert len(waiting) == 6
    assert item_queue(user=head) == []  # nothing at the head's step yet
    assert len(item_queue(user=colleague)) == 6  # as the deputy's delegate
