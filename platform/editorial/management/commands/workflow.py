"""`manage.py workflow explain --profile SLUG_OR_PATH [--site portal|component_site|both]`:
the steps of a province's editorial workflow exactly as the engine runs them.

One line per step (editorial.rules.explain, the engine's own reading of the profile), with
the role's name from the profile next to its code: who may act (and whether a holder's
delegate may, step by step), whether they may amend the content, and the article. With
`--site both`, each workflow is headed by its key, whether delegation is allowed by default
(for the steps that do not say) and its article."""

from __future__ import annotations

from dataclasses import replace

from django.core.management.base import BaseCommand, CommandParser

from editorial import rules
from provinces.loader import describe_baseline, today_in_vietnam
from provinces.management.commands._profile import profile_on

SITES = {"portal": (True,), "component_site": (False,), "both": (True, False)}


def _with_role_names(spec: rules.WorkflowSpec, profile) -> rules.WorkflowSpec:
    """The spec with each step's role shown as `code (name; scope)`, and "or a delegate" where
    the step lets a holder delegate (its own `delegation_allowed`, else the workflow's)."""
    steps = []
    for step in spec.steps:
        delegate = "; or a delegate of a holder" if step.delegation_allowed else ""
        role = profile.governance.role(step.role)
        shown = f"{step.role} ({role.name}; scope {role.scope}{delegate})" if role else step.role
        steps.append(replace(step, role=shown))
    return replace(spec, steps=tuple(steps))


class Command(BaseCommand):
    help = "Explain a province's editorial workflow, one line per step, as the engine runs it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        explain = actions.add_parser("explain", help="one line per step of the workflow")
        explain.add_argument(
            "--profile",
            required=True,
            help="profile slug (e.g. thuathienhue), path to a profile .toml file or version:ID",
        )
        explain.add_argument(
            "--site",
            choices=sorted(SITES),
            default="both",
            help="the provincial portal's workflow, a component site's, or both (default)",
        )

    def handle(self, *args, **options) -> None:
        # A slug, a file or a stored version (`version:ID`, ADR 0031), as in force today.
        profile = profile_on(options["profile"], today_in_vietnam())
        sites = SITES[options["site"]]
        for index, on_portal in enumerate(sites):
            spec = rules.workflow_for(profile, on_portal=on_portal)
            if len(sites) > 1:
                if index:
                    self.stdout.write("")
                delegation = "allowed" if spec.delegation_allowed else "not allowed"
                self.stdout.write(f"{spec.key}: delegation {delegation} — {spec.source}")
            for line in rules.explain(_with_role_names(spec, profile)):
                self.stdout.write(line)
        if len(sites) > 1:
            # The profile as in force today: the province version and the national baseline.
            self.stdout.write("")
            self.stdout.write(
                f"profile: {profile.province.instrument}, in force from {profile.effective_from}"
            )
            self.stdout.write(describe_baseline(profile))
