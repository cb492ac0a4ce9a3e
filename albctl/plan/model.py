"""A plan as plain data: per resource what changes and why (:class:`Change`), and the ordered
operations apply runs, each with the exact AWS calls it makes (:class:`Operation`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from albctl.elbv2.call import Call, ResourceKey

SHARED_STACK = "(cluster)"  # pseudo-stack of what all stacks share: the cluster's backend security group


class ChangeAction(str, Enum):
    """What happens to one resource."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"  # create the new one, repoint, then delete the old one
    MOVE = "move"  # a listener rule whose priority changes and nothing else
    DELETE = "delete"
    NOOP = "no-op"


class Step(str, Enum):
    """What one operation does (one line of apply's progress)."""

    CREATE = "create"
    MODIFY = "modify"
    MOVE = "move"  # SetRulePriorities on one listener
    DELETE = "delete"


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "healthCheckConfig.path", "tags.team", "ingress[+]"
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    type: str  # controller resource type, e.g. AWS::ElasticLoadBalancingV2::TargetGroup
    id: str  # the controller's resource id, e.g. "80:1", "ns/ing-svc:80"
    name: str  # a human name: the AWS name, or the id where AWS has none
    action: ChangeAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    diff: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()  # why a replace: what AWS cannot change in place
    arn: str | None = None  # the live resource, for update / replace / move / delete
    protected: bool = False  # a live load balancer with deletion_protection.enabled=true
    note: str = ""  # e.g. "deleted with its load balancer", "left over by an interrupted replacement"


@dataclass(frozen=True)
class Operation:
    """One step of apply: ``calls`` run in order; a create records the id its call returns."""

    step: Step
    stack: str
    type: str
    id: str
    name: str  # the AWS name (or id) it really acts on: a replacement's delete names the old one
    calls: tuple[Call, ...]
    arn: str | None = None  # the live resource it acts on (modify, delete)
    detail: str = ""  # "replaces …", "priority 2 → 1, 3 → 2", "left over by an interrupted replacement"
    protected: bool = False  # deletes a load balancer with deletion protection on

    @property
    def key(self) -> ResourceKey:
        return (self.stack, self.type, self.id)


@dataclass(frozen=True)
class StackPlan:
    id: str
    resources: dict[str, Any]  # the desired stack in stack-json form
    changes: tuple[Change, ...]
    operations: tuple[Operation, ...] = ()
    targets: dict[str, Any] = field(default_factory=dict)  # instance-mode target group id → targets


@dataclass(frozen=True)
class Plan:
    cluster: str
    region: str
    stacks: tuple[StackPlan, ...]
    warnings: tuple[str, ...] = ()
    vpc_id: str | None = None
    notes: tuple[str, ...] = ()  # e.g. which certificate was chosen for a host, and why
    orphans: tuple[str, ...] = ()  # stacks of this cluster in AWS that the inputs do not define

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.stacks for c in s.changes if c.action is not ChangeAction.NOOP]

    @property
    def operations(self) -> list[Operation]:
        return [op for s in self.stacks for op in s.operations]

    @property
    def summary(self) -> dict[str, int]:
        counts = {a.value: 0 for a in ChangeAction if a is not ChangeAction.NOOP}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or bool(self.operations)
