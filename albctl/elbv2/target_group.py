"""``AWS::ElasticLoadBalancingV2::TargetGroup``. Instance-mode target groups also carry ``targets`` (the
cluster's nodes on the node port), which albctl registers itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albctl.elbv2.call import Call, ResourceKey, created
from albctl.elbv2.common import compact, partial_attributes, read_attributes, spec_tags, tag_list, write_attributes
from albctl.elbv2.kind import Context, Kind, changed
from albctl.elbv2.tagging import elbv2_tag_calls
from albctl.model.stack import TARGET_GROUP
from albctl.tags import RESOURCE_TAG


def read(tg: Mapping[str, Any], tags: dict[str, str], attrs: list[dict[str, str]],
         health: list[dict[str, Any]] | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """DescribeTargetGroups item, its tags, attributes and (when read) DescribeTargetHealth →
    (resource id, spec, extra)."""
    matcher = tg.get("Matcher") or {}
    hc_port = tg.get("HealthCheckPort")
    spec = {
        "name": tg.get("TargetGroupName"),
        "targetType": tg.get("TargetType"),
        "port": tg.get("Port"),
        "protocol": tg.get("Protocol"),
        "protocolVersion": tg.get("ProtocolVersion"),
        "ipAddressType": tg.get("IpAddressType"),
        "healthCheckConfig": {
            "port": int(hc_port) if isinstance(hc_port, str) and hc_port.isdigit() else hc_port,
            "protocol": tg.get("HealthCheckProtocol"),
            "path": tg.get("HealthCheckPath"),
            "matcherHttpCode": matcher.get("HttpCode"),
            "matcherGrpcCode": matcher.get("GrpcCode"),
            "intervalSeconds": tg.get("HealthCheckIntervalSeconds"),
            "timeoutSeconds": tg.get("HealthCheckTimeoutSeconds"),
            "healthyThresholdCount": tg.get("HealthyThresholdCount"),
            "unhealthyThresholdCount": tg.get("UnhealthyThresholdCount"),
        },
        "targetGroupAttributes": read_attributes(attrs),
        "tags": spec_tags(tags),
    }
    extra: dict[str, Any] = compact({"loadBalancerARNs": sorted(tg.get("LoadBalancerArns") or []),
                                     "vpcID": tg.get("VpcId"), "healthCheckEnabled": tg.get("HealthCheckEnabled")})
    if health is not None:
        targets = []
        for desc in health:
            target, state = desc.get("Target") or {}, desc.get("TargetHealth") or {}
            targets.append(compact({"id": target.get("Id"), "port": target.get("Port"), "health": state.get("State"),
                                    "reason": state.get("Reason")}))
        extra["targets"] = sorted(targets, key=lambda t: (str(t.get("id")), t.get("port") or 0))
    rid = tags.get(RESOURCE_TAG) or str(tg.get("TargetGroupName"))
    return rid, compact(spec), extra


def _targets(items: Any) -> list[dict[str, Any]]:
    return sorted(({"id": t["id"], "port": t["port"]} for t in items or []), key=lambda t: (str(t["id"]), t["port"]))


def write_health_check(hc: Mapping[str, Any]) -> dict[str, Any]:
    matcher = {"HttpCode": hc["matcherHttpCode"]} if hc.get("matcherHttpCode") else {"GrpcCode": hc["matcherGrpcCode"]}
    return {
        "HealthCheckProtocol": hc["protocol"],
        "HealthCheckPort": str(hc["port"]),
        "HealthCheckPath": hc["path"],
        "HealthCheckIntervalSeconds": hc["intervalSeconds"],
        "HealthCheckTimeoutSeconds": hc["timeoutSeconds"],
        "HealthyThresholdCount": hc["healthyThresholdCount"],
        "UnhealthyThresholdCount": hc["unhealthyThresholdCount"],
        "Matcher": matcher,
    }


def write_targets(items: Any) -> list[dict[str, Any]]:
    return [{"Id": t["id"], "Port": t["port"]} for t in items]


class TargetGroupKind(Kind):
    type = TARGET_GROUP
    short = "target group"
    name_field = "name"
    replace_reasons = {
        "name": "a target group cannot be renamed",
        "targetType": "a target group's target type is fixed",
        "port": "a target group's port is fixed",
        "protocol": "a target group's protocol is fixed",
        "protocolVersion": "a target group's protocol version is fixed",
        "ipAddressType": "a target group's IP address type is fixed",
    }

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["targetGroupAttributes"] = partial_attributes(out.get("targetGroupAttributes"),
                                                          wanted.get("targetGroupAttributes"))
        if "targets" in wanted:  # compared only where albctl registers the targets itself (instance mode)
            out["targets"] = _targets(out.get("targets"))
        else:
            out.pop("targets", None)
        return super().comparable(out, wanted)

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        params: dict[str, Any] = {"Name": spec["name"], "Protocol": spec["protocol"], "Port": spec["port"],
                                  "VpcId": ctx.vpc_id, "TargetType": spec["targetType"],
                                  "IpAddressType": spec.get("ipAddressType", "ipv4"),
                                  **write_health_check(spec["healthCheckConfig"]),
                                  "Tags": tag_list(spec.get("tags") or {})}
        if spec.get("protocolVersion"):
            params["ProtocolVersion"] = spec["protocolVersion"]
        calls = [Call("elbv2", "CreateTargetGroup", params, output="TargetGroups.0.TargetGroupArn")]
        if spec.get("targetGroupAttributes"):
            calls.append(Call("elbv2", "ModifyTargetGroupAttributes", {
                "TargetGroupArn": created(key), "Attributes": write_attributes(spec["targetGroupAttributes"])}))
        if spec.get("targets"):
            calls.append(Call("elbv2", "RegisterTargets", {"TargetGroupArn": created(key),
                                                           "Targets": write_targets(_targets(spec["targets"]))}))
        return calls

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        diff = changed(before, after)
        calls = []
        if "healthCheckConfig" in diff:
            calls.append(Call("elbv2", "ModifyTargetGroup",
                              {"TargetGroupArn": arn, **write_health_check(after["healthCheckConfig"])}))
        if "targetGroupAttributes" in diff and after.get("targetGroupAttributes"):
            calls.append(Call("elbv2", "ModifyTargetGroupAttributes", {
                "TargetGroupArn": arn, "Attributes": write_attributes(after["targetGroupAttributes"])}))
        if "targets" in diff:
            old, new = before.get("targets") or [], after.get("targets") or []
            add, remove = [t for t in new if t not in old], [t for t in old if t not in new]
            if add:  # register the new before deregistering the old
                calls.append(Call("elbv2", "RegisterTargets", {"TargetGroupArn": arn, "Targets": write_targets(add)}))
            if remove:
                calls.append(Call("elbv2", "DeregisterTargets",
                                  {"TargetGroupArn": arn, "Targets": write_targets(remove)}))
        return calls + elbv2_tag_calls(arn, before.get("tags") or {}, after.get("tags") or {})

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        return [Call("elbv2", "DeleteTargetGroup", {"TargetGroupArn": arn}, tolerate=("TargetGroupNotFound",))]

    duplicate_codes = ("DuplicateTargetGroupName",)

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        return Call("elbv2", "DescribeTargetGroups", {"Names": [params["Name"]]})

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        return [(str(tg["TargetGroupArn"]), None) for tg in response.get("TargetGroups") or []]


KIND = TargetGroupKind()
