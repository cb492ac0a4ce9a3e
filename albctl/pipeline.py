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
from albctl.model.stack import Stack
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
    result.diagnostics.extend(dict.fromkeys(warnings))  # once each, also across IngressGroups
    result.stacks = stacks
    return result
