"""The offline half of every command: read manifests, take our Ingresses, build their stacks.

Problems are collected, not raised one at a time, so a user sees all of them in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from albctl.errors import Diagnostic, InputError
from albctl.manifests.loader import load
from albctl.manifests.objects import Ingress, Inputs
from albctl.model.build import build_group
from albctl.model.cluster import collision_diagnostics
from albctl.model.facts import OFFLINE, Facts
from albctl.model.groups import IngressGroup, select
from albctl.model.stack import LISTENER_RULE, Stack
from albctl.settings import Settings


@dataclass
class Result:
    inputs: Inputs
    groups: list[IngressGroup] = field(default_factory=list)
    stacks: list[Stack] = field(default_factory=list)
    skipped_ingresses: list[tuple[Ingress, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_for_errors(self) -> None:
        if self.errors:
            raise InputError(self.diagnostics)


def read(paths: Iterable[str], settings: Settings, stdin_text: str | None = None) -> Result:
    """Load and validate the manifests and form the IngressGroups (no model yet)."""
    return from_inputs(load(paths, stdin_text), settings)


def from_inputs(inputs: Inputs, settings: Settings) -> Result:
    """Form the IngressGroups of already loaded inputs."""
    selection = select(inputs, settings)
    # an Ingress for another controller is skipped, not validated: its schema problems are not ours
    result = Result(inputs=inputs, diagnostics=[d for d in inputs.diagnostics if d not in selection.not_ours])
    result.groups = selection.groups
    result.skipped_ingresses = selection.skipped
    result.diagnostics.extend(selection.diagnostics)
    return result


# ELB's default quota "rules per application load balancer" (default rules not counted); plan checks the
# account's real quota (DescribeAccountLimits), this warns offline
DEFAULT_RULES_PER_LOAD_BALANCER = 100


def rule_limit_diagnostics(stacks: list[Stack]) -> list[Diagnostic]:
    """A warning per stack with more rules than ELB's default quota allows on one load balancer."""
    out = []
    for stack in stacks:
        count = len(stack.of_type(LISTENER_RULE))
        if count > DEFAULT_RULES_PER_LOAD_BALANCER:
            out.append(Diagnostic(
                f"{count} listener rules on one load balancer; Elastic Load Balancing allows "
                f"{DEFAULT_RULES_PER_LOAD_BALANCER} by default, so apply will fail unless the account's quota "
                "was raised (plan checks the real quota)", obj=f"IngressGroup {stack.id}", severity="warning"))
    return out


def build(result: Result, settings: Settings, facts: Facts = OFFLINE) -> Result:
    """Build the stack of every group read; a group that cannot be built adds its problem."""
    if result.errors:
        return result
    stacks = []
    warnings: list[Diagnostic] = []
    for group in result.groups:
        built = build_group(group, result.inputs, settings, facts)
        if built.problems:  # every problem of the group, not only the first
            result.diagnostics.extend(built.problems)
        else:
            stacks.append(built.stack)
            warnings.extend(built.warnings)
    if facts.offline:  # in a plan these are errors: see albctl.model.cluster.collision_diagnostics
        warnings.extend(collision_diagnostics(stacks, "warning"))
    warnings.extend(rule_limit_diagnostics(stacks))
    result.diagnostics.extend(dict.fromkeys(warnings))  # once each, also across IngressGroups
    result.stacks = stacks
    return result
