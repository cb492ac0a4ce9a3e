"""``AWS::ElasticLoadBalancingV2::LoadBalancer``: subnets and security groups are sets; attributes are
compared on the keys the model sets; capacity reservation and IPAM pools have their own calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albctl.elbv2.call import Call, ResourceKey, created
from albctl.elbv2.common import compact, partial_attributes, read_attributes, spec_tags, tag_list, write_attributes
from albctl.elbv2.kind import Context, Kind, changed
from albctl.elbv2.tagging import elbv2_tag_calls
from albctl.model.stack import LOAD_BALANCER, LOAD_BALANCER_ID
from albctl.tags import RESOURCE_TAG

PROTECTION = "deletion_protection.enabled"


def read(lb: Mapping[str, Any], tags: dict[str, str], attrs: list[dict[str, str]],
         capacity: Mapping[str, Any] | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """DescribeLoadBalancers item, its tags, attributes and capacity reservation → (id, spec, extra)."""
    subnets = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones") or [] if az.get("SubnetId"))
    spec = {
        "name": lb.get("LoadBalancerName"),
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "ipAddressType": lb.get("IpAddressType"),
        "subnetMapping": [{"subnetID": s} for s in subnets],
        "securityGroups": sorted(lb.get("SecurityGroups") or []),
        "customerOwnedIPv4Pool": lb.get("CustomerOwnedIpv4Pool"),
        "loadBalancerAttributes": read_attributes(attrs),
        "minimumLoadBalancerCapacity": {"capacityUnits": capacity["CapacityUnits"]}
        if capacity and capacity.get("CapacityUnits") else None,
        "ipv4IPAMPool": (lb.get("IpamPools") or {}).get("Ipv4IpamPoolId"),
        "tags": spec_tags(tags),
    }
    attr_map = {a["Key"]: a.get("Value") for a in attrs}
    extra = {"dnsName": lb.get("DNSName"), "canonicalHostedZoneID": lb.get("CanonicalHostedZoneId"),
             "vpcID": lb.get("VpcId"), "state": (lb.get("State") or {}).get("Code"),
             "deletion_protection": attr_map.get(PROTECTION) == "true"}
    return tags.get(RESOURCE_TAG) or LOAD_BALANCER_ID, compact(spec), compact(extra)


def _capacity_params(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    cap = spec.get("minimumLoadBalancerCapacity")
    if cap is None:
        return None
    if int(cap.get("capacityUnits", 0)) == 0:
        return {"ResetCapacityReservation": True}
    return {"MinimumLoadBalancerCapacity": {"CapacityUnits": int(cap["capacityUnits"])}}


class LoadBalancerKind(Kind):
    type = LOAD_BALANCER
    short = "load balancer"
    name_field = "name"
    replace_reasons = {"name": "a load balancer cannot be renamed",
                       "scheme": "a load balancer's scheme is fixed",
                       "type": "a load balancer's type is fixed"}

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["subnetMapping"] = sorted(out.get("subnetMapping") or [], key=lambda s: str(s.get("subnetID")))
        out["securityGroups"] = sorted(out.get("securityGroups") or [], key=str)
        out["loadBalancerAttributes"] = partial_attributes(out.get("loadBalancerAttributes"),
                                                           wanted.get("loadBalancerAttributes"))
        return super().comparable(out, wanted)

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        params: dict[str, Any] = {"Name": spec["name"], "Type": spec["type"], "Scheme": spec["scheme"],
                                  "IpAddressType": spec["ipAddressType"],
                                  "Subnets": [m["subnetID"] for m in spec.get("subnetMapping") or []],
                                  "SecurityGroups": list(spec.get("securityGroups") or []),
                                  "Tags": tag_list(spec.get("tags") or {})}
        if spec.get("customerOwnedIPv4Pool"):
            params["CustomerOwnedIpv4Pool"] = spec["customerOwnedIPv4Pool"]
        if spec.get("ipv4IPAMPool"):
            params["IpamPools"] = {"Ipv4IpamPoolId": spec["ipv4IPAMPool"]}
        me = created(key)
        calls = [Call("elbv2", "CreateLoadBalancer", params, output="LoadBalancers.0.LoadBalancerArn"),
                 Call("elbv2", "DescribeLoadBalancers", {"LoadBalancerArns": [me]}, waiter="load_balancer_available")]
        capacity = _capacity_params(spec)
        if capacity is not None:
            calls.append(Call("elbv2", "ModifyCapacityReservation", {"LoadBalancerArn": me, **capacity}))
        if spec.get("loadBalancerAttributes"):
            calls.append(Call("elbv2", "ModifyLoadBalancerAttributes", {
                "LoadBalancerArn": me, "Attributes": write_attributes(spec["loadBalancerAttributes"])}))
        return calls

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        diff = changed(before, after)
        calls = []
        if "securityGroups" in diff:
            calls.append(Call("elbv2", "SetSecurityGroups",
                              {"LoadBalancerArn": arn, "SecurityGroups": list(after.get("securityGroups") or [])}))
        if "subnetMapping" in diff:
            calls.append(Call("elbv2", "SetSubnets", {
                "LoadBalancerArn": arn, "Subnets": [m["subnetID"] for m in after.get("subnetMapping") or []]}))
        if "ipAddressType" in diff:
            calls.append(Call("elbv2", "SetIpAddressType",
                              {"LoadBalancerArn": arn, "IpAddressType": after["ipAddressType"]}))
        if "loadBalancerAttributes" in diff and after.get("loadBalancerAttributes"):
            calls.append(Call("elbv2", "ModifyLoadBalancerAttributes", {
                "LoadBalancerArn": arn, "Attributes": write_attributes(after["loadBalancerAttributes"])}))
        if "ipv4IPAMPool" in diff:
            pools = ({"IpamPools": {"Ipv4IpamPoolId": after["ipv4IPAMPool"]}} if after.get("ipv4IPAMPool")
                     else {"RemoveIpamPools": ["ipv4"]})
            calls.append(Call("elbv2", "ModifyIpPools", {"LoadBalancerArn": arn, **pools}))
        if "minimumLoadBalancerCapacity" in diff:
            capacity = _capacity_params(after) or {"ResetCapacityReservation": True}
            calls.append(Call("elbv2", "ModifyCapacityReservation", {"LoadBalancerArn": arn, **capacity}))
        return calls + elbv2_tag_calls(arn, before.get("tags") or {}, after.get("tags") or {})

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        """Deleting a load balancer deletes its listeners and rules with it. A protected one has its
        protection switched off first (apply refuses that without --allow-destroy-protected)."""
        calls = []
        if extra.get("deletion_protection"):
            calls.append(Call("elbv2", "ModifyLoadBalancerAttributes", {
                "LoadBalancerArn": arn, "Attributes": [{"Key": PROTECTION, "Value": "false"}]}))
        calls.append(Call("elbv2", "DeleteLoadBalancer", {"LoadBalancerArn": arn}, tolerate=("LoadBalancerNotFound",)))
        return calls

    duplicate_codes = ("DuplicateLoadBalancerName",)

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        return Call("elbv2", "DescribeLoadBalancers", {"Names": [params["Name"]]})

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        return [(str(lb["LoadBalancerArn"]), None) for lb in response.get("LoadBalancers") or []]


KIND = LoadBalancerKind()
