"""``AWS::ElasticLoadBalancingV2::ListenerRule``, identified as the controller does: ``<port>:<priority>``.

Rules are matched to live ones by content first, then by priority (see :mod:`albctl.plan.rules`); a
rule whose content is live at another priority is moved with SetRulePriorities, not rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albctl.elbv2.actions import (
    comparable_actions,
    comparable_conditions,
    read_actions,
    read_conditions,
    read_transforms,
    write_actions,
    write_conditions,
    write_transforms,
)
from albctl.elbv2.call import Call, ResourceKey
from albctl.elbv2.common import compact, spec_tags, tag_list
from albctl.elbv2.kind import Context, Kind, changed
from albctl.elbv2.tagging import elbv2_tag_calls
from albctl.model.stack import LISTENER_RULE
from albctl.tags import RESOURCE_TAG

CONTENT = ("conditions", "actions", "transforms")
SECRET_TAG = "albctl.io/oidc-client-secret-hmac"  # see albctl.plan.secrets: a changed one needs ModifyRule
PARK_FROM = 50000  # AWS's highest rule priority: rules about to be deleted are parked from here down


def rule_id(port: Any, priority: Any) -> str:
    return f"{port}:{priority}"


def read(rule: Mapping[str, Any], listener: Mapping[str, Any],
         tags: dict[str, str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A DescribeRules item of a listener, and its tags → (id, spec, extra)."""
    priority = int(rule["Priority"])
    spec = {"listenerARN": listener["ListenerArn"], "priority": priority,
            "conditions": read_conditions(rule.get("Conditions")), "actions": read_actions(rule.get("Actions")),
            "transforms": read_transforms(rule.get("Transforms")), "tags": spec_tags(tags)}
    rid = rule_id(listener.get("Port"), priority)
    extra = {"taggedID": tags[RESOURCE_TAG]} if tags.get(RESOURCE_TAG) not in (None, rid) else {}
    return rid, compact(spec), extra


def content(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a rule does, without where it sits: conditions, actions and transforms (comparable form)."""
    return {k: data[k] for k in CONTENT if data.get(k)}


class ListenerRuleKind(Kind):
    type = LISTENER_RULE
    short = "rule"
    replace_reasons = {"listenerARN": "a rule cannot move to another listener"}

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["conditions"] = comparable_conditions(out.get("conditions"))
        out["actions"] = comparable_actions(out.get("actions"))
        return super().comparable(out, wanted)

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        params = {"ListenerArn": spec["listenerARN"], "Priority": spec["priority"],
                  "Conditions": write_conditions(spec.get("conditions") or []),
                  "Actions": write_actions(spec.get("actions") or []),
                  **write_transforms(spec.get("transforms") or [], modify=False),
                  "Tags": tag_list(spec.get("tags") or {})}
        return [Call("elbv2", "CreateRule", params, output="Rules.0.RuleArn")]

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        calls = []
        old_secret = (before.get("tags") or {}).get(SECRET_TAG)
        new_secret = (after.get("tags") or {}).get(SECRET_TAG)
        if changed(before, after) & set(CONTENT) or (new_secret and new_secret != old_secret):
            calls.append(Call("elbv2", "ModifyRule", {
                "RuleArn": arn, "Conditions": write_conditions(after.get("conditions") or []),
                "Actions": write_actions(after.get("actions") or []),
                **write_transforms(after.get("transforms") or [], modify=True)}))
        return calls + elbv2_tag_calls(arn, before.get("tags") or {}, after.get("tags") or {})

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        return [Call("elbv2", "DeleteRule", {"RuleArn": arn}, tolerate=("RuleNotFound",))]

    duplicate_codes = ("PriorityInUse",)

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        return Call("elbv2", "DescribeRules", {"ListenerArn": params["ListenerArn"]})

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        return [(str(r["RuleArn"]), None) for r in response.get("Rules") or []
                if str(r.get("Priority")) == str(params["Priority"])]

    def move(self, priorities: Iterable[tuple[str, int]]) -> list[Call]:
        """One SetRulePriorities for every ``(rule ARN, new priority)``: AWS applies them together."""
        pairs = [{"RuleArn": arn, "Priority": priority} for arn, priority in priorities]
        return [Call("elbv2", "SetRulePriorities", {"RulePriorities": pairs})] if pairs else []


KIND = ListenerRuleKind()
