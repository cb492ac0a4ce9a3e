"""A plan as plain data: what would change, per resource, and why. Views render it; apply executes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # create the new one, repoint, then delete the old one
    DELETE = "delete"
    NOOP = "no-op"


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "healthCheckConfig.path", "tags.team"
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    type: str  # controller resource type, e.g. AWS::ElasticLoadBalancingV2::TargetGroup
    id: str  # the controller's resource id, e.g. "80:1", "ns/ing-svc:80"
    name: str  # a human name: the AWS name, or the id where AWS has none
    action: Action
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    diff: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()  # why a replace: the fields AWS cannot change in place
    arn: str | None = None  # the live resource, for update / replace / delete
    protected: bool = False  # a live load balancer with deletion_protection.enabled=true


@dataclass(frozen=True)
class StackPlan:
    id: str
    resources: dict[str, Any]  # the desired stack in stack-json form
    changes: tuple[Change, ...]
    targets: dict[str, Any] = field(default_factory=dict)  # instance-mode target group id → targets


@dataclass(frozen=True)
class Plan:
    cluster: str
    region: str
    stacks: tuple[StackPlan, ...]
    warnings: tuple[str, ...] = field(default=())
    vpc_id: str | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. which certificate was chosen for a host, and why

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.stacks for c in s.changes if c.action is not Action.NOOP]

    @property
    def summary(self) -> dict[str, int]:
        counts = {a.value: 0 for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)
