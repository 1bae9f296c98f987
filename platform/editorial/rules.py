"""The workflow as pure rules, read from the profile: which steps, who acts, what comes next.
No database and no province name here; tested without Django's test database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

PORTAL = "portal"
COMPONENT_SITE = "component_site"

Decision = Literal["forward", "reject"]
MoveKind = Literal["advance", "publish", "publish_then_check", "complete", "return", "unpublish"]


class IllegalMove(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StepSpec:
    code: str
    name: str
    role: str
    action: str  # submit, review, approve, publish, post_check
    may_amend: bool
    source: str
    # May a holder's delegate act at this step: the step's own value in the profile, else
    # the workflow's (Huế Art. 19(b), bước 3 "hoặc cán bộ được uỷ quyền"; ADR 0006).
    delegation_allowed: bool


@dataclass(frozen=True)
class WorkflowSpec:
    key: str
    steps: tuple[StepSpec, ...]
    delegation_allowed: bool  # the workflow's default, for steps that do not set their own
    post_publication_check: bool
    source: str

    def snapshot(self) -> list[dict]:
        return [asdict(step) for step in self.steps]


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    next_step: int | None  # the index the run moves to; None when the run ends
    transition: str  # the audit action recorded


def workflow_for(profile: Any, *, on_portal: bool) -> WorkflowSpec:
    """The workflow that runs an item of the portal or of a component site."""
    key = PORTAL if on_portal else COMPONENT_SITE
    workflow = getattr(profile.governance.workflows, key)
    return WorkflowSpec(
        key=key,
        steps=tuple(
            StepSpec(
                code=step.code,
                name=step.name,
                role=step.role,
                action=step.action,
                may_amend=step.may_amend,
                source=step.source,
                delegation_allowed=(
                    workflow.delegation_allowed
                    if step.delegation_allowed is None
                    else step.delegation_allowed
                ),
            )
            for step in workflow.steps
        ),
        delegation_allowed=workflow.delegation_allowed,
        post_publication_check=workflow.post_publication_check,
        source=workflow.source,
    )


def steps_from_snapshot(snapshot: list[dict], *, delegation_allowed: bool) -> tuple[StepSpec, ...]:
    """The steps a run copied when it started. A run started before steps carried their own
    delegation (migration 0003 fills them in) takes the workflow's flag it copied."""
    return tuple(
        StepSpec(**{"delegation_allowed": delegation_allowed, **step}) for step in snapshot
    )


_TRANSITION_OF_ACTION = {
    "submit": "submit",
    "review": "approve",
    "approve": "approve",
    "publish": "publish",
    "post_check": "post_check",
}


def next_move(steps: tuple[StepSpec, ...], current: int, decision: Decision) -> Move:
    """What a decision at step `current` does. Pure: the same steps and decision always give
    the same move (Saleor's determine_order_status, Wagtail's task states)."""
    if not 0 <= current < len(steps):
        raise IllegalMove("no_such_step", f"step {current} is not in this workflow")
    step = steps[current]
    last = current == len(steps) - 1
    if decision == "reject":
        if current == 0:
            raise IllegalMove("cannot_reject_own_step", "the first step cannot send an item back")
        if step.action == "post_check":
            return Move("unpublish", None, "reject")
        return Move("return", None, "reject")
    if decision != "forward":
        raise IllegalMove("unknown_decision", f"unknown decision '{decision}'")
    transition = _TRANSITION_OF_ACTION[step.action]
    if step.action == "publish":
        if last:
            return Move("publish", None, transition)
        return Move("publish_then_check", current + 1, transition)
    if last:
        return Move("complete", None, transition)
    return Move("advance", current + 1, transition)


def publish_step_index(steps: tuple[StepSpec, ...]) -> int:
    return next(i for i, step in enumerate(steps) if step.action == "publish")


def explain(spec: WorkflowSpec) -> list[str]:
    """One line per step, as the engine runs it (`manage.py workflow explain`)."""
    lines = []
    for index, step in enumerate(spec.steps, start=1):
        amend = "may amend" if step.may_amend else "may not amend"
        delegation = "delegation allowed" if step.delegation_allowed else "delegation not allowed"
        lines.append(
            f"{index}. {step.name} [{step.code}] — role: {step.role} — {step.action}, {amend},"
            f" {delegation} — {step.source}"
        )
    return lines
