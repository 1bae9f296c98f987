"""The workflow as pure rules, from the shipped profiles alone (no database)."""

import pytest

from editorial import rules
from provinces.loader import resolve_profile

SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("on_portal", [True, False])
def test_forward_through_every_step_publishes_exactly_once(slug, on_portal):
    spec = rules.workflow_for(resolve_profile(slug), on_portal=on_portal)
    current, moves = 0, []
    while True:
        move = rules.next_move(spec.steps, current, "forward")
        moves.append(move.kind)
        if move.next_step is None:
            break
        current = move.next_step
    assert moves.count("publish") + moves.count("publish_then_check") == 1
    assert moves[-1] in ("publish", "complete")


def test_hue_runs_exactly_three_steps_enter_verify_publish():
    # Huế Art. 19: 1 enter → 2 verify by a deputy (may amend) → 3 publish by the head
    spec = rules.workflow_for(resolve_profile("thuathienhue"), on_portal=False)
    assert [(s.action, s.may_amend) for s in spec.steps] == [
        ("submit", False),
        ("review", True),
        ("publish", False),
    ]
    assert spec.delegation_allowed is True


def test_dongnai_portal_checks_after_publication():
    # Đồng Nai Art. 8(2)(đ): the support team checks before AND after posting
    spec = rules.workflow_for(resolve_profile("dongnai"), on_portal=True)
    publish = rules.publish_step_index(spec.steps)
    assert rules.next_move(spec.steps, publish, "forward").kind == "publish_then_check"
    assert rules.next_move(spec.steps, publish + 1, "reject").kind == "unpublish"
    assert rules.next_move(spec.steps, publish + 1, "forward").kind == "complete"


def test_the_first_step_cannot_reject_and_later_steps_return_to_the_author():
    spec = rules.workflow_for(resolve_profile("thainguyen"), on_portal=True)
    with pytest.raises(rules.IllegalMove):
        rules.next_move(spec.steps, 0, "reject")
    assert rules.next_move(spec.steps, 1, "reject").kind == "return"


def test_explain_prints_one_line_per_step_with_role_and_amend():
    lines = rules.explain(rules.workflow_for(resolve_profile("thuathienhue"), on_portal=False))
    assert len(lines) == 3
    assert "deputy_head" in lines[1]
    assert "may amend" in lines[1]
    assert "may not amend" in lines[2]
