"""``AWS::EC2::SecurityGroup``: the stack's managed frontend security group (and the cluster's shared
backend one). Read from DescribeSecurityGroups; ingress rules are a set, one entry per source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albctl.elbv2.call import Call, ResourceKey, created
from albctl.elbv2.common import compact, spec_tags, tag_list, tag_map
from albctl.elbv2.kind import Context, Kind, changed
from albctl.elbv2.tagging import ec2_tag_calls
from albctl.model.stack import SECURITY_GROUP
from albctl.tags import RESOURCE_TAG

_SOURCES = (("cidrIP", "IpRanges", "CidrIp"), ("cidrIPv6", "Ipv6Ranges", "CidrIpv6"),
            ("prefixListID", "PrefixListIds", "PrefixListId"), ("groupID", "UserIdGroupPairs", "GroupId"))


def read(sg: Mapping[str, Any]) -> tuple[str, str, dict[str, Any], dict[str, str], dict[str, Any]]:
    """A DescribeSecurityGroups item → (resource id, group id, spec, all tags, extra)."""
    tags = tag_map(sg.get("Tags"))
    spec = {"groupName": sg.get("GroupName"), "description": sg.get("Description"),
            "ingress": read_permissions(sg.get("IpPermissions") or []), "tags": spec_tags(tags)}
    rid = tags.get(RESOURCE_TAG) or str(sg["GroupId"])
    return rid, str(sg["GroupId"]), compact(spec), tags, compact({"vpcID": sg.get("VpcId")})


def read_permissions(perms: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per source (CIDR, IPv6 CIDR, prefix list, security group), sorted. A security-group
    source has no field in the desired model; it is kept so that such a rule shows as a difference."""
    out: list[dict[str, Any]] = []
    for perm in perms:
        base = {"ipProtocol": perm.get("IpProtocol"), "fromPort": perm.get("FromPort"), "toPort": perm.get("ToPort")}
        for key, aws_list, aws_key in _SOURCES:
            out += [compact({**base, key: r.get(aws_key)}) for r in perm.get(aws_list) or []]
    return sorted(out, key=permission_key)


def permission_key(e: Mapping[str, Any]) -> tuple[Any, ...]:
    kind = next((n for n, (k, _, _) in enumerate(_SOURCES) if k in e), len(_SOURCES))
    source = e.get(_SOURCES[kind][0], "") if kind < len(_SOURCES) else ""
    return (str(e.get("ipProtocol")), e.get("fromPort", -1), e.get("toPort", -1), kind, str(source))


def write_permission(perm: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"IpProtocol": perm["ipProtocol"]}
    for key in ("fromPort", "toPort"):
        if perm.get(key) is not None:
            out[key[:1].upper() + key[1:]] = perm[key]
    for key, aws_list, aws_key in _SOURCES:
        if perm.get(key):
            out[aws_list] = [{aws_key: perm[key]}]
    return out


class SecurityGroupKind(Kind):
    type = SECURITY_GROUP
    short = "security group"
    name_field = "groupName"
    replace_reasons = {"groupName": "a security group cannot be renamed",
                       "description": "a security group's description cannot be changed"}

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["ingress"] = sorted((compact(dict(p)) for p in out.get("ingress") or []), key=permission_key)
        return super().comparable(out, wanted)

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        calls = [Call("ec2", "CreateSecurityGroup",
                      {"GroupName": spec["groupName"], "Description": spec["description"], "VpcId": ctx.vpc_id,
                       "TagSpecifications": [{"ResourceType": "security-group",
                                              "Tags": tag_list(spec.get("tags") or {})}]},
                      output="GroupId")]
        if spec.get("ingress"):
            permissions = [write_permission(p) for p in spec["ingress"]]
            calls.append(Call("ec2", "AuthorizeSecurityGroupIngress",
                              {"GroupId": created(key), "IpPermissions": permissions},
                              tolerate=("InvalidPermission.Duplicate",)))
        return calls

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        calls = ec2_tag_calls(arn, before.get("tags") or {}, after.get("tags") or {})
        if "ingress" in changed(before, after):
            old, new = before.get("ingress") or [], after.get("ingress") or []
            grant = [write_permission(p) for p in new if p not in old]
            revoke = [write_permission(p) for p in old if p not in new]
            if grant:  # open the new before closing the old
                calls.append(Call("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": arn, "IpPermissions": grant},
                                  tolerate=("InvalidPermission.Duplicate",)))
            if revoke:
                calls.append(Call("ec2", "RevokeSecurityGroupIngress", {"GroupId": arn, "IpPermissions": revoke},
                                  tolerate=("InvalidPermission.NotFound",)))
        return calls

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        # a deleted load balancer's network interfaces release its security groups a little later
        return [Call("ec2", "DeleteSecurityGroup", {"GroupId": arn}, tolerate=("InvalidGroup.NotFound",),
                     retry=("DependencyViolation",))]

    duplicate_codes = ("InvalidGroup.Duplicate",)

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        filters = [{"Name": "group-name", "Values": [params["GroupName"]]}]
        if params.get("VpcId"):
            filters.append({"Name": "vpc-id", "Values": [params["VpcId"]]})
        return Call("ec2", "DescribeSecurityGroups", {"Filters": filters})

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        return [(str(sg["GroupId"]), tag_map(sg.get("Tags"))) for sg in response.get("SecurityGroups") or []]


KIND = SecurityGroupKind()
