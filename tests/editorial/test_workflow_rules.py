"""The workflow as pure rules, from the shipped profiles alone (no database)."""

import pytest
from pydantic import ValidationError

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


# --- delegation, step by step (ADR 0006) -----------------------------------------------------


def _with_steps(slug: str, on_portal: bool, **changes_by_step: dict):
    """The shipped profile with some steps changed (`publish={"delegation_allowed": False}`),
    for a variation no shipped profile has; nothing on disk changes."""
    profile = resolve_profile(slug)
    key = rules.PORTAL if on_portal else rules.COMPONENT_SITE
    workflow = profile.governance.workflows[key]
    steps = [step.model_copy(update=changes_by_step.get(step.code, {})) for step in workflow.steps]
    workflows = profile.governance.workflows.model_copy(
        update={key: workflow.model_copy(update={"steps": steps})}
    )
    governance = profile.governance.model_copy(update={"workflows": workflows})
    return profile.model_copy(update={"governance": governance})


def test_a_step_without_its_own_flag_takes_the_workflows():
    # Thái Nguyên says nothing of delegates at any step: the workflow's false everywhere
    spec = rules.workflow_for(resolve_profile("thainguyen"), on_portal=True)
    assert spec.delegation_allowed is False
    assert [step.delegation_allowed for step in spec.steps] == [False, False, False]


def test_hue_steps_two_and_three_name_the_delegate_step_one_keeps_the_default():
    # Huế Art. 19(b) and bước 3: "hoặc cán bộ được uỷ quyền"; step 1 says nothing
    profile = resolve_profile("thuathienhue")
    for on_portal in (True, False):
        key = rules.PORTAL if on_portal else rules.COMPONENT_SITE
        shipped = profile.governance.workflows[key].steps
        assert [step.delegation_allowed for step in shipped] == [None, True, True]
        spec = rules.workflow_for(profile, on_portal=on_portal)
        assert [step.delegation_allowed for step in spec.steps] == [True, True, True]


def test_the_deputy_may_act_for_the_editor_in_chief_at_the_last_step_only():
    # a regulation allowing a delegate at the last step only, on a workflow that refuses one
    profile = _with_steps("thainguyen", True, publish={"delegation_allowed": True})
    spec = rules.workflow_for(profile, on_portal=True)
    assert spec.delegation_allowed is False
    assert [step.delegation_allowed for step in spec.steps] == [False, False, True]


def test_a_step_may_refuse_a_delegate_where_the_workflow_allows_one():
    profile = _with_steps("thuathienhue", False, enter={"delegation_allowed": False})
    spec = rules.workflow_for(profile, on_portal=False)
    assert [step.delegation_allowed for step in spec.steps] == [False, True, True]


def test_a_run_keeps_the_steps_delegation_and_an_old_run_the_workflows():
    spec = rules.workflow_for(
        _with_steps("thainguyen", True, publish={"delegation_allowed": True}), on_portal=True
    )
    snapshot = spec.snapshot()
    assert [step["delegation_allowed"] for step in snapshot] == [False, False, True]
    assert rules.steps_from_snapshot(snapshot, delegation_allowed=False) == spec.steps
    # a run copied before steps carried the flag: the workflow's flag it copied applies
    old = [{k: v for k, v in step.items() if k != "delegation_allowed"} for step in snapshot]
    assert {
        s.delegation_allowed for s in rules.steps_from_snapshot(old, delegation_allowed=True)
    } == {True}


def test_a_step_flag_is_a_boolean_or_absent():
    profile = resolve_profile("thainguyen")
    step = profile.governance.workflows.portal.steps[-1]
    data = {**step.model_dump(), "delegation_allowed": True}
    assert type(step).model_validate(data).delegation_allowed is True
    with pytest.raises(ValidationError):
        type(step).model_validate({**data, "delegation_allowed": "yes"})


def test_explain_says_per_step_whether_a_delegate_may_act():
    profile = _with_steps("thainguyen", True, publish={"delegation_allowed": True})
    lines = rules.explain(rules.workflow_for(profile, on_portal=True))
    assert [line.split(" — ")[-2].rsplit(", ", 1)[-1] for line in lines] == [
        "delegation not allowed",
        "delegation not allowed",
        "delegation allowed",
    ]
