"""What a live read found, as plain data that round-trips through JSON: the planner's only view of AWS.

A snapshot can be saved (``albctl plan --save-live FILE``) and planned against later
(``--live-snapshot FILE``): for tests, and to attach to a bug report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

SNAPSHOT_VERSION = "1"


@dataclass(frozen=True)
class LiveResource:
    """One resource that exists in AWS and carries a stack's tracking tags.

    ``spec`` has the JSON shape of the desired spec of ``type`` (camelCase, empty values left out), with
    ARNs and ids where the desired spec has references; ``tags`` are all its tags, tracking tags
    included (``spec["tags"]`` leaves those out); ``extra`` is what the desired spec has no field for
    (a load balancer's DNS name and deletion protection, a target group's registered targets, ...).
    """

    type: str
    id: str
    arn: str  # the group id for a security group
    spec: dict[str, Any]
    tags: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """The spec with every tag and, for target groups, the registered targets: what the planner compares."""
        out = {**self.spec, "tags": dict(self.tags)}
        if "targets" in self.extra:
            out["targets"] = [{"id": t.get("id"), "port": t.get("port")} for t in self.extra["targets"]]
        return out


@dataclass
class LiveStack:
    id: str
    resources: list[LiveResource] = field(default_factory=list)

    def of_type(self, type_: str) -> list[LiveResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, type_: str, id_: str) -> LiveResource | None:
        return next((r for r in self.resources if r.type == type_ and r.id == id_), None)


@dataclass
class LiveState:
    """The cluster's stacks (every resource carrying their tags, duplicates included), the name → ARN
    of every load balancer and target group in the account and region (names are unique there), and
    what else the plan checks: the account's ELB limits, the cluster's nodes, the shared backend SG."""

    stacks: dict[str, LiveStack]
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # type → name → ARN
    limits: dict[str, int] | None = None
    nodes: list[str] | None = None  # running instance ids of the cluster (instance targets)
    backend_sg: LiveResource | None = None
    backend_sg_users: list[str] = field(default_factory=list)  # load balancers using it
    # the cluster's stacks that were not read, only listed: stack id → "<type> <resource id>" of each
    # load balancer and target group (their namespaces tell a prune scope which to take)
    other_stacks: dict[str, list[str]] = field(default_factory=dict)

    def stack(self, stack_id: str) -> LiveStack:
        return self.stacks.get(stack_id) or LiveStack(stack_id)

    def to_json(self) -> str:
        data = {"snapshot_version": SNAPSHOT_VERSION, **asdict(self)}
        return json.dumps(data, indent=1, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LiveState:
        def resource(r: Mapping[str, Any]) -> LiveResource:
            return LiveResource(str(r["type"]), str(r["id"]), str(r["arn"]), dict(r["spec"]), dict(r["tags"]),
                                dict(r.get("extra") or {}))

        stacks = {sid: LiveStack(sid, [resource(r) for r in s["resources"]])
                  for sid, s in (data.get("stacks") or {}).items()}
        backend = data.get("backend_sg")
        return cls(stacks, {k: dict(v) for k, v in (data.get("names") or {}).items()}, data.get("limits"),
                   data.get("nodes"), resource(backend) if backend else None, list(data.get("backend_sg_users") or []),
                   {k: list(v) for k, v in (data.get("other_stacks") or {}).items()})

    @classmethod
    def from_json(cls, text: str) -> LiveState:
        return cls.from_data(json.loads(text))
