"""Execute a plan against AWS: creates and updates in dependency order, new before old, deletions
last and in reverse. Every resource is tagged in its Create call, so an interrupted apply never
leaves an untagged orphan, and running apply again re-reads the live state by tags and converges.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from albctl.apply import convert
from albctl.aws.session import AwsClients, aws_call
from albctl.errors import AlbctlError, AwsError, RefusedError
from albctl.model.stack import LISTENER, LISTENER_RULE, LOAD_BALANCER, SECURITY_GROUP, TARGET_GROUP
from albctl.plan.diff import resolve_refs
from albctl.plan.model import Action, Change

Progress = Callable[[Change, str], None]  # (change, "start" | "done")


@dataclass
class StackWork:
    """What one stack needs applied: its desired specs (with refs) and its changes, in plan order."""

    id: str
    specs: Mapping[tuple[str, str], dict[str, Any]]
    changes: list[Change]
    live_rules: Mapping[str, list[Any]] = field(default_factory=dict)  # listener id → live rule resources


@dataclass
class Executor:
    clients: AwsClients
    vpc_id: str | None
    progress: Progress = lambda change, status: None
    allow_destroy_protected: bool = False
    secrets: Mapping[str, str] = field(default_factory=dict)  # OIDC client id → client secret
    arns: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- entry points ---------------------------------------------------------------------------

    def apply(self, work: StackWork) -> None:
        """Apply one stack's changes."""
        for change in work.changes:
            if change.arn and change.action in (Action.UPDATE, Action.NOOP):
                self.arns[(change.type, change.id)] = change.arn
        self._check_protection(work.changes)
        forward = [c for c in work.changes if c.action in (Action.CREATE, Action.UPDATE, Action.REPLACE)]
        replaced_old: list[Change] = []
        for change in forward:
            if change.type == LISTENER_RULE:
                continue  # rules are synchronised per listener below, the way the controller does it
            self.progress(change, "start")
            if change.action is Action.UPDATE:
                assert change.arn is not None and change.after is not None
                self._update(change.type, change.arn, change.before or {}, resolve_refs(change.after, self.arns))
            else:
                spec = {**work.specs[(change.type, change.id)],
                        **{k: v for k, v in (change.after or {}).items() if k in ("tags", "targets")}}
                self.arns[(change.type, change.id)] = self._create(change.type, resolve_refs(spec, self.arns))
                if change.action is Action.REPLACE:
                    replaced_old.append(change)
            self.progress(change, "done")
        self._sync_rules(work)
        deletes = [c for c in work.changes if c.action is Action.DELETE and c.type != LISTENER_RULE]
        for change in deletes + [_as_delete(c) for c in reversed(replaced_old)]:
            self.progress(change, "start")
            assert change.arn is not None
            self._delete(change.type, change.arn)
            self.progress(change, "done")

    def destroy(self, changes: list[Change]) -> None:
        """Delete resources (changes of action delete), in the order given."""
        self._check_protection(changes)
        for change in changes:
            self.progress(change, "start")
            assert change.arn is not None
            self._delete(change.type, change.arn)
            self.progress(change, "done")

    # -- safety ---------------------------------------------------------------------------------

    def _check_protection(self, changes: list[Change]) -> None:
        for change in changes:
            if change.type != LOAD_BALANCER or change.action not in (Action.DELETE, Action.REPLACE):
                continue
            if change.protected and not self.allow_destroy_protected:
                raise RefusedError(
                    f"load balancer {change.name} has deletion_protection.enabled=true and would be "
                    f"{'replaced' if change.action is Action.REPLACE else 'deleted'}; refusing",
                    hint="pass --allow-destroy-protected to switch protection off and go ahead")

    # -- create ---------------------------------------------------------------------------------

    def _create(self, type_: str, spec: dict[str, Any]) -> str:
        tags = convert.tag_list(spec.get("tags", {}))
        if type_ == SECURITY_GROUP:
            with aws_call("CreateSecurityGroup"):
                group_id: str = self.clients.ec2.create_security_group(
                    GroupName=spec["groupName"], Description=spec["description"], VpcId=self.vpc_id,
                    TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])["GroupId"]
            if spec.get("ingress"):
                with aws_call("AuthorizeSecurityGroupIngress"):
                    self.clients.ec2.authorize_security_group_ingress(
                        GroupId=group_id, IpPermissions=[convert.ip_permission(p) for p in spec["ingress"]])
            return group_id
        elbv2 = self.clients.elbv2
        if type_ == TARGET_GROUP:
            params = {"Name": spec["name"], "Protocol": spec["protocol"], "Port": spec["port"],
                      "VpcId": self.vpc_id, "TargetType": spec["targetType"], "Tags": tags,
                      "IpAddressType": spec.get("ipAddressType", "ipv4"),
                      **convert.health_check(spec["healthCheckConfig"])}
            if spec.get("protocolVersion"):
                params["ProtocolVersion"] = spec["protocolVersion"]
            with aws_call("CreateTargetGroup"):
                arn: str = elbv2.create_target_group(**params)["TargetGroups"][0]["TargetGroupArn"]
            if spec.get("targetGroupAttributes"):
                with aws_call("ModifyTargetGroupAttributes"):
                    elbv2.modify_target_group_attributes(
                        TargetGroupArn=arn, Attributes=convert.attributes(spec["targetGroupAttributes"]))
            if spec.get("targets"):
                with aws_call("RegisterTargets"):
                    elbv2.register_targets(TargetGroupArn=arn, Targets=convert.targets(spec["targets"]))
            return arn
        if type_ == LOAD_BALANCER:
            params = {"Name": spec["name"], "Type": spec["type"], "Scheme": spec["scheme"],
                      "IpAddressType": spec["ipAddressType"], "Tags": tags,
                      "Subnets": [m["subnetID"] for m in spec.get("subnetMapping", [])],
                      "SecurityGroups": list(spec.get("securityGroups", []))}
            if spec.get("customerOwnedIPv4Pool"):
                params["CustomerOwnedIpv4Pool"] = spec["customerOwnedIPv4Pool"]
            params.update(convert.ipam_pools(spec))
            with aws_call("CreateLoadBalancer", hints={"DuplicateLoadBalancerName": _NAME_TAKEN}):
                arn = elbv2.create_load_balancer(**params)["LoadBalancers"][0]["LoadBalancerArn"]
            self._wait_active(arn)
            capacity = convert.capacity_reservation(spec)
            if capacity is not None:
                with aws_call("ModifyCapacityReservation"):
                    elbv2.modify_capacity_reservation(LoadBalancerArn=arn, **capacity)
            if spec.get("loadBalancerAttributes"):
                with aws_call("ModifyLoadBalancerAttributes"):
                    elbv2.modify_load_balancer_attributes(
                        LoadBalancerArn=arn, Attributes=convert.attributes(spec["loadBalancerAttributes"]))
            return arn
        if type_ == LISTENER:
            certs = [c["certificateARN"] for c in spec.get("certificates", [])]
            params = {"LoadBalancerArn": spec["loadBalancerARN"], "Port": spec["port"], "Protocol": spec["protocol"],
                      "DefaultActions": convert.actions(spec["defaultActions"], self.secrets), "Tags": tags}
            if spec.get("mutualAuthentication"):
                params["MutualAuthentication"] = convert.mutual_authentication(spec["mutualAuthentication"])
            if certs:
                params["Certificates"] = [{"CertificateArn": certs[0]}]
            if spec.get("sslPolicy"):
                params["SslPolicy"] = spec["sslPolicy"]
            with aws_call("CreateListener"):
                arn = elbv2.create_listener(**params)["Listeners"][0]["ListenerArn"]
            if certs[1:]:
                with aws_call("AddListenerCertificates"):
                    elbv2.add_listener_certificates(ListenerArn=arn,
                                                    Certificates=[{"CertificateArn": c} for c in certs[1:]])
            if spec.get("listenerAttributes"):
                with aws_call("ModifyListenerAttributes"):
                    elbv2.modify_listener_attributes(ListenerArn=arn,
                                                     Attributes=convert.attributes(spec["listenerAttributes"]))
            return arn
        if type_ == LISTENER_RULE:
            with aws_call("CreateRule"):
                arn = elbv2.create_rule(ListenerArn=spec["listenerARN"], Priority=spec["priority"],
                                        Conditions=convert.conditions(spec["conditions"]),
                                        Actions=convert.actions(spec["actions"], self.secrets), Tags=tags,
                                        **convert.rule_transforms(spec, modify=False))["Rules"][0]["RuleArn"]
            return arn
        raise AssertionError(type_)  # pragma: no cover

    def _wait_active(self, arn: str) -> None:
        """Wait (polling every 5 s, at most 10 minutes) until a new load balancer is active."""
        import botocore.exceptions

        try:
            with aws_call("DescribeLoadBalancers"):
                self.clients.elbv2.get_waiter("load_balancer_available").wait(
                    LoadBalancerArns=[arn], WaiterConfig={"Delay": 5, "MaxAttempts": 120})
        except botocore.exceptions.WaiterError as exc:
            raise AlbctlError(f"load balancer {arn} did not become active: {exc}",
                              hint="look at it in the AWS console; apply again once it is active") from None

    # -- update ---------------------------------------------------------------------------------

    def _update(self, type_: str, arn: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        self._update_tags(type_, arn, before.get("tags", {}), after.get("tags", {}))
        elbv2 = self.clients.elbv2
        changed = {k for k in set(before) | set(after) if k != "tags" and before.get(k) != after.get(k)}
        if type_ == SECURITY_GROUP and "ingress" in changed:
            old = [convert.ip_permission(p) for p in before.get("ingress", []) if p not in after.get("ingress", [])]
            new = [convert.ip_permission(p) for p in after.get("ingress", []) if p not in before.get("ingress", [])]
            if new:
                with aws_call("AuthorizeSecurityGroupIngress"):
                    self.clients.ec2.authorize_security_group_ingress(GroupId=arn, IpPermissions=new)
            if old:
                with aws_call("RevokeSecurityGroupIngress"):
                    self.clients.ec2.revoke_security_group_ingress(GroupId=arn, IpPermissions=old)
        elif type_ == TARGET_GROUP:
            if "healthCheckConfig" in changed:
                with aws_call("ModifyTargetGroup"):
                    elbv2.modify_target_group(TargetGroupArn=arn, **convert.health_check(after["healthCheckConfig"]))
            if "targetGroupAttributes" in changed:
                with aws_call("ModifyTargetGroupAttributes"):
                    elbv2.modify_target_group_attributes(
                        TargetGroupArn=arn, Attributes=convert.attributes(after.get("targetGroupAttributes", [])))
            if "targets" in changed:
                add = [t for t in after.get("targets", []) if t not in before.get("targets", [])]
                remove = [t for t in before.get("targets", []) if t not in after.get("targets", [])]
                if add:
                    with aws_call("RegisterTargets"):
                        elbv2.register_targets(TargetGroupArn=arn, Targets=convert.targets(add))
                if remove:
                    with aws_call("DeregisterTargets"):
                        elbv2.deregister_targets(TargetGroupArn=arn, Targets=convert.targets(remove))
        elif type_ == LOAD_BALANCER:
            if "securityGroups" in changed:
                with aws_call("SetSecurityGroups"):
                    elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=list(after["securityGroups"]))
            if "subnetMapping" in changed:
                with aws_call("SetSubnets"):
                    elbv2.set_subnets(LoadBalancerArn=arn, Subnets=[m["subnetID"] for m in after["subnetMapping"]])
            if "ipAddressType" in changed:
                with aws_call("SetIpAddressType"):
                    elbv2.set_ip_address_type(LoadBalancerArn=arn, IpAddressType=after["ipAddressType"])
            if "loadBalancerAttributes" in changed:
                with aws_call("ModifyLoadBalancerAttributes"):
                    elbv2.modify_load_balancer_attributes(
                        LoadBalancerArn=arn, Attributes=convert.attributes(after.get("loadBalancerAttributes", [])))
            if "ipv4IPAMPool" in changed:
                with aws_call("ModifyIpPools"):
                    if after.get("ipv4IPAMPool"):
                        elbv2.modify_ip_pools(LoadBalancerArn=arn, **convert.ipam_pools(after))
                    else:
                        elbv2.modify_ip_pools(LoadBalancerArn=arn, RemoveIpamPools=["ipv4"])
            if "minimumLoadBalancerCapacity" in changed:
                capacity = convert.capacity_reservation(after) or {"ResetCapacityReservation": True}
                with aws_call("ModifyCapacityReservation"):
                    elbv2.modify_capacity_reservation(LoadBalancerArn=arn, **capacity)
        elif type_ == LISTENER:
            certs = [c["certificateARN"] for c in after.get("certificates", [])]
            old_certs = [c["certificateARN"] for c in before.get("certificates", [])]
            if changed & {"port", "protocol", "sslPolicy", "defaultActions", "mutualAuthentication"} or \
                    certs[:1] != old_certs[:1]:
                params: dict[str, Any] = {"ListenerArn": arn, "Port": after["port"], "Protocol": after["protocol"],
                                          "DefaultActions": convert.actions(after["defaultActions"], self.secrets)}
                if after.get("mutualAuthentication"):
                    params["MutualAuthentication"] = convert.mutual_authentication(after["mutualAuthentication"])
                if certs:
                    params["Certificates"] = [{"CertificateArn": certs[0]}]
                if after.get("sslPolicy"):
                    params["SslPolicy"] = after["sslPolicy"]
                with aws_call("ModifyListener"):
                    elbv2.modify_listener(**params)
            add = [c for c in certs[1:] if c not in old_certs[1:]]
            remove = [c for c in old_certs[1:] if c not in certs[1:]]
            if add:
                with aws_call("AddListenerCertificates"):
                    elbv2.add_listener_certificates(ListenerArn=arn, Certificates=[{"CertificateArn": c} for c in add])
            if remove:
                with aws_call("RemoveListenerCertificates"):
                    elbv2.remove_listener_certificates(ListenerArn=arn,
                                                       Certificates=[{"CertificateArn": c} for c in remove])
            if "listenerAttributes" in changed and after.get("listenerAttributes"):
                with aws_call("ModifyListenerAttributes"):
                    elbv2.modify_listener_attributes(ListenerArn=arn,
                                                     Attributes=convert.attributes(after["listenerAttributes"]))
        elif type_ == LISTENER_RULE and changed & {"conditions", "actions", "transforms"}:
            with aws_call("ModifyRule"):
                elbv2.modify_rule(RuleArn=arn, Conditions=convert.conditions(after["conditions"]),
                                  Actions=convert.actions(after["actions"], self.secrets),
                                  **convert.rule_transforms(after, modify=True))

    def _update_tags(self, type_: str, arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
        add = {k: v for k, v in new.items() if old.get(k) != v}
        remove = [k for k in old if k not in new and not k.startswith("aws:")]
        if type_ == SECURITY_GROUP:
            if add:
                with aws_call("CreateTags"):
                    self.clients.ec2.create_tags(Resources=[arn], Tags=convert.tag_list(add))
            if remove:
                with aws_call("DeleteTags"):
                    self.clients.ec2.delete_tags(Resources=[arn], Tags=[{"Key": k} for k in remove])
            return
        if add:
            with aws_call("AddTags"):
                self.clients.elbv2.add_tags(ResourceArns=[arn], Tags=convert.tag_list(add))
        if remove:
            with aws_call("RemoveTags"):
                self.clients.elbv2.remove_tags(ResourceArns=[arn], TagKeys=remove)

    # -- rules ----------------------------------------------------------------------------------

    def _sync_rules(self, work: StackWork) -> None:
        """Per listener: match live and desired rules by content first, reorder the matched with one
        SetRulePriorities, modify in place what only changed its conditions or actions, create the
        new, and delete the unmatched last (no request sees a 404 in between)."""
        rule_changes = [c for c in work.changes if c.type == LISTENER_RULE]
        listeners = sorted({c.id.split(":")[0] for c in rule_changes}, key=lambda p: int(p) if p.isdigit() else 0)
        for port in listeners:
            listener_arn = self.arns.get((LISTENER, port))
            desired = [(c, resolve_refs(work.specs[(c.type, c.id)], self.arns)) for c in rule_changes
                       if c.id.split(":")[0] == port and c.action is not Action.DELETE]
            live = [c for c in rule_changes if c.id.split(":")[0] == port and c.action is not Action.CREATE
                    and c.arn is not None and _same_listener(c, listener_arn)]
            if listener_arn is None:
                continue  # the listener is being deleted: its rules go with it
            self._sync_listener_rules(listener_arn, desired, live)

    def _sync_listener_rules(self, listener_arn: str, desired: list[tuple[Change, dict[str, Any]]],
                             live: list[Change]) -> None:
        elbv2 = self.clients.elbv2
        unmatched_live = list(live)
        moves: list[tuple[str, int]] = []
        pending: list[tuple[Change, dict[str, Any]]] = []
        for change, spec in desired:
            content = _content(spec)
            match = next((lv for lv in unmatched_live if _content(lv.before or {}) == content), None)
            if match is None:
                pending.append((change, spec))
                continue
            unmatched_live.remove(match)
            assert match.arn is not None
            if (match.before or {}).get("priority") != spec["priority"]:
                moves.append((match.arn, spec["priority"]))
            tags = (change.after or {}).get("tags", spec.get("tags", {}))
            if (match.before or {}).get("tags") != tags:
                self._update_tags(LISTENER_RULE, match.arn, (match.before or {}).get("tags", {}), tags)
        # same priority, different content: modify in place
        creates: list[tuple[Change, dict[str, Any]]] = []
        for change, spec in pending:
            same_slot = next((lv for lv in unmatched_live if (lv.before or {}).get("priority") == spec["priority"]
                              and not any(m[1] == spec["priority"] for m in moves)), None)
            if same_slot is None:
                creates.append((change, spec))
                continue
            unmatched_live.remove(same_slot)
            assert same_slot.arn is not None
            self.progress(change, "start")
            self._update(LISTENER_RULE, same_slot.arn, same_slot.before or {},
                         {**spec, "tags": (change.after or {}).get("tags", {})})
            self.progress(change, "done")
        taken = {p for _, p in moves} | {spec["priority"] for _, spec in creates}
        parked = [(lv.arn, 50000 - i) for i, lv in enumerate(unmatched_live)
                  if (lv.before or {}).get("priority") in taken and lv.arn]
        if moves or parked:
            with aws_call("SetRulePriorities"):
                elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": a, "Priority": p} for a, p in parked + moves])
        for change, spec in creates:
            self.progress(change, "start")
            self._create(LISTENER_RULE, {**spec, "listenerARN": listener_arn,
                                         "tags": (change.after or {}).get("tags", {})})
            self.progress(change, "done")
        for lv in unmatched_live:
            self.progress(_as_delete(lv), "start")
            assert lv.arn is not None
            self._delete(LISTENER_RULE, lv.arn)
            self.progress(_as_delete(lv), "done")

    # -- delete ---------------------------------------------------------------------------------

    def _delete(self, type_: str, arn: str) -> None:
        elbv2 = self.clients.elbv2
        try:
            if type_ == SECURITY_GROUP:
                self._delete_security_group(arn)
            elif type_ == TARGET_GROUP:
                with aws_call("DeleteTargetGroup"):
                    elbv2.delete_target_group(TargetGroupArn=arn)
            elif type_ == LOAD_BALANCER:
                if self.allow_destroy_protected:
                    with aws_call("ModifyLoadBalancerAttributes"):
                        elbv2.modify_load_balancer_attributes(
                            LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
                with aws_call("DeleteLoadBalancer"):
                    elbv2.delete_load_balancer(LoadBalancerArn=arn)
            elif type_ == LISTENER:
                with aws_call("DeleteListener"):
                    elbv2.delete_listener(ListenerArn=arn)
            elif type_ == LISTENER_RULE:
                with aws_call("DeleteRule"):
                    elbv2.delete_rule(RuleArn=arn)
        except AwsError as exc:
            if exc.code.endswith("NotFound"):
                return  # already gone: deleting is done
            raise

    def _delete_security_group(self, group_id: str, attempts: int = 12) -> None:
        # a load balancer's network interfaces release its security groups a little after it is gone
        for attempt in range(attempts):
            try:
                with aws_call("DeleteSecurityGroup"):
                    self.clients.ec2.delete_security_group(GroupId=group_id)
                return
            except AwsError as exc:
                if exc.code == "InvalidGroup.NotFound":
                    return
                if exc.code != "DependencyViolation" or attempt == attempts - 1:
                    raise
                time.sleep(min(2 ** attempt, 10))


_NAME_TAKEN = ("a load balancer with this name exists but is not tagged for this cluster and stack: albctl "
               "will not take it over (set alb.ingress.kubernetes.io/load-balancer-name, or tag it)")


def _content(spec: Mapping[str, Any]) -> tuple[str, str]:
    from albctl.plan.diff import comparable_rule_content

    return comparable_rule_content(spec)


def _same_listener(change: Change, listener_arn: str | None) -> bool:
    before = change.before or {}
    return listener_arn is None or before.get("listenerARN") in (None, listener_arn)


def _as_delete(change: Change) -> Change:
    return Change(change.type, change.id, change.name, Action.DELETE, change.before, None, arn=change.arn)
