"""A recording fake of the ELBv2 and EC2 clients, for plan and apply tests without AWS.

It keeps resources in AWS's own shapes, records every call (service, operation, params), and gives the
state back as a :class:`LiveState` through the same per-kind ``read`` functions the live reader uses,
so a test can plan, apply through the real executor, and plan again.
"""

from __future__ import annotations

import copy
import itertools
import threading
from typing import Any

from albctl.elbv2 import listener, listener_rule, load_balancer, security_group, target_group
from albctl.elbv2.common import tag_map
from albctl.elbv2.snapshot import LiveResource, LiveStack, LiveState
from albctl.model.stack import LISTENER, LISTENER_RULE, LOAD_BALANCER, SECURITY_GROUP, TARGET_GROUP
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG, STACK_TAG


def _client_error(code: str) -> Exception:
    import botocore.exceptions

    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, "Fake")


_NOT_FOUND = (("RuleArn", "RuleNotFound"), ("ListenerArn", "ListenerNotFound"),
              ("TargetGroupArn", "TargetGroupNotFound"), ("LoadBalancerArn", "LoadBalancerNotFound"),
              ("GroupId", "InvalidGroup.NotFound"), ("ResourceArns", "LoadBalancerNotFound"),
              ("Resources", "InvalidGroup.NotFound"), ("RulePriorities", "RuleNotFound"))


class _Service:
    def __init__(self, aws: FakeAws, name: str) -> None:
        self._aws, self._name = aws, name

    def __getattr__(self, method: str) -> Any:
        handler = getattr(self._aws, f"{self._name}_{method}", None)
        if handler is None:
            raise AttributeError(method)

        def call(**params: Any) -> Any:
            operation = "".join(p.title() for p in method.split("_"))
            with self._aws.lock:  # the executor calls from several threads
                self._aws.calls.append((self._name, operation, copy.deepcopy(params)))
                n = len(self._aws.calls)
                fail = self._aws.fail.pop(n, None)
                if fail:
                    raise _client_error(fail)
                if self._aws.interrupt.get(n) is False:  # Ctrl-C before the request went out
                    del self._aws.interrupt[n]
                    raise KeyboardInterrupt
                try:
                    if self._aws.replay.pop(n, False):  # the work is done, the answer lost, the request sent again
                        handler(**copy.deepcopy(params))
                    answer = handler(**params)
                    if self._aws.interrupt.pop(n, None):  # Ctrl-C after AWS did the work
                        raise KeyboardInterrupt
                    return answer
                except KeyError:  # an ARN or id that is not (any more) there, answered as AWS does
                    missing = next(code for key, code in _NOT_FOUND if key in params)
                    raise _client_error(missing) from None

        return call

    def get_waiter(self, name: str) -> Any:
        aws = self._aws

        class Waiter:
            def wait(self, **params: Any) -> None:
                with aws.lock:
                    aws.calls.append((self_name, "DescribeLoadBalancers", dict(params)))
                    n = len(aws.calls)
                    failed = aws.fail.pop(n, None)
                    interrupted = aws.interrupt.pop(n, None) is not None  # Ctrl-C while waiting
                if interrupted:
                    raise KeyboardInterrupt
                if failed:
                    import botocore.exceptions

                    raise botocore.exceptions.WaiterError("LoadBalancerAvailable", "InternalFailure", {})

        self_name = self._name
        return Waiter()


class FakeAws:
    """``fake.elbv2`` and ``fake.ec2`` behave like the boto3 clients for the calls albctl makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.lock = threading.RLock()
        self.fail: dict[int, str] = {}  # call number (1-based) → error code to answer it with
        self.interrupt: dict[int, bool] = {}  # call number → Ctrl-C before (False) or after (True) it
        self.replay: dict[int, bool] = {}  # call number → done twice, as a retry after a lost answer is
        self.elbv2 = _Service(self, "elbv2")
        self.ec2 = _Service(self, "ec2")
        self._ids = itertools.count(1)
        self.lbs: dict[str, dict[str, Any]] = {}
        self.tgs: dict[str, dict[str, Any]] = {}
        self.listeners: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.sgs: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.attrs: dict[str, dict[str, str]] = {}
        self.targets: dict[str, list[dict[str, Any]]] = {}
        self.certs: dict[str, list[str]] = {}
        self.created: dict[str, dict[str, Any]] = {}  # ARN → the create request that made it

    def operations(self) -> list[str]:
        return [op for _, op, _ in self.calls]

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:aws:elasticloadbalancing:us-east-1:123456789012:{kind}/{name}/{next(self._ids):016x}"

    # -- ELBv2 -----------------------------------------------------------------------------------

    def elbv2_create_load_balancer(self, **p: Any) -> Any:
        same = [a for a, lb in self.lbs.items() if lb["LoadBalancerName"] == p["Name"]]
        if same and self.created.get(same[0]) == p:  # AWS: the same create again returns the existing one
            return {"LoadBalancers": [dict(self.lbs[same[0]])]}
        if same:
            raise _client_error("DuplicateLoadBalancerName")
        arn = self._arn("loadbalancer/app", p["Name"])
        self.lbs[arn] = {"LoadBalancerArn": arn, "LoadBalancerName": p["Name"], "Type": p.get("Type", "application"),
                         "Scheme": p.get("Scheme", "internet-facing"), "IpAddressType": p.get("IpAddressType", "ipv4"),
                         "AvailabilityZones": [{"SubnetId": s} for s in p.get("Subnets", [])],
                         "SecurityGroups": list(p.get("SecurityGroups", [])), "DNSName": f"{p['Name']}.elb.example",
                         "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "State": {"Code": "active"}, "VpcId": "vpc-1"}
        self.tags[arn] = tag_map(p.get("Tags"))
        self.created[arn] = copy.deepcopy(p)
        self.attrs[arn] = {"deletion_protection.enabled": "false", "idle_timeout.timeout_seconds": "60"}
        return {"LoadBalancers": [dict(self.lbs[arn])]}

    def elbv2_create_target_group(self, **p: Any) -> Any:
        same = [a for a, tg in self.tgs.items() if tg["TargetGroupName"] == p["Name"]]
        if same and self.created.get(same[0]) == p:
            return {"TargetGroups": [dict(self.tgs[same[0]])]}
        if same:
            raise _client_error("DuplicateTargetGroupName")
        arn = self._arn("targetgroup", p["Name"])
        tg = {k: v for k, v in p.items() if k not in ("Name", "Tags")}
        tg.update({"TargetGroupArn": arn, "TargetGroupName": p["Name"], "HealthCheckEnabled": True})
        tg.setdefault("ProtocolVersion", "HTTP1")
        self.tgs[arn] = tg
        self.created[arn] = copy.deepcopy(p)
        self.tags[arn] = tag_map(p.get("Tags"))
        self.attrs[arn] = {"deregistration_delay.timeout_seconds": "300"}
        self.targets[arn] = []
        return {"TargetGroups": [dict(tg)]}

    def elbv2_create_listener(self, **p: Any) -> Any:
        if p["LoadBalancerArn"] not in self.lbs:
            raise _client_error("LoadBalancerNotFound")
        same = [a for a, ls in self.listeners.items()
                if ls["LoadBalancerArn"] == p["LoadBalancerArn"] and ls["Port"] == p["Port"]]
        if same and self.created.get(same[0]) == p:
            return {"Listeners": [dict(self.listeners[same[0]])]}
        if same:
            raise _client_error("DuplicateListener")
        arn = self._arn("listener/app", str(p["Port"]))
        self.created[arn] = copy.deepcopy(p)
        self.listeners[arn] = {k: v for k, v in p.items() if k != "Tags"} | {"ListenerArn": arn}
        self.tags[arn] = tag_map(p.get("Tags"))
        self.certs[arn] = []
        self.attrs[arn] = {}
        return {"Listeners": [dict(self.listeners[arn])]}

    def elbv2_create_rule(self, **p: Any) -> Any:
        if p["ListenerArn"] not in self.listeners:
            raise _client_error("ListenerNotFound")
        taken = {r["Priority"] for r in self.rules.values() if r["ListenerArn"] == p["ListenerArn"]}
        if str(p["Priority"]) in taken:
            raise _client_error("PriorityInUse")
        arn = self._arn("listener-rule/app", str(p["Priority"]))
        self.rules[arn] = {k: v for k, v in p.items() if k != "Tags"} | {"RuleArn": arn, "Priority": str(p["Priority"])}
        self.tags[arn] = tag_map(p.get("Tags"))
        return {"Rules": [dict(self.rules[arn])]}

    def elbv2_modify_rule(self, **p: Any) -> Any:
        rule = self.rules[p["RuleArn"]]
        rule.update({k: v for k, v in p.items() if k in ("Conditions", "Actions", "Transforms")})
        if p.get("ResetTransforms"):
            rule.pop("Transforms", None)
        return {}

    def elbv2_set_rule_priorities(self, **p: Any) -> Any:
        for pair in p["RulePriorities"]:
            self.rules[pair["RuleArn"]]["Priority"] = str(pair["Priority"])
        seen = [(r["ListenerArn"], r["Priority"]) for r in self.rules.values()]
        if len(seen) != len(set(seen)):
            raise _client_error("PriorityInUse")
        return {}

    def elbv2_modify_listener(self, **p: Any) -> Any:
        self.listeners[p["ListenerArn"]].update({k: v for k, v in p.items() if k != "ListenerArn"})
        return {}

    def elbv2_add_listener_certificates(self, **p: Any) -> Any:
        self.certs[p["ListenerArn"]] += [c["CertificateArn"] for c in p["Certificates"]]
        return {}

    def elbv2_remove_listener_certificates(self, **p: Any) -> Any:
        gone = {c["CertificateArn"] for c in p["Certificates"]}
        self.certs[p["ListenerArn"]] = [c for c in self.certs[p["ListenerArn"]] if c not in gone]
        return {}

    def elbv2_modify_target_group(self, **p: Any) -> Any:
        self.tgs[p["TargetGroupArn"]].update({k: v for k, v in p.items() if k != "TargetGroupArn"})
        return {}

    def _attributes(self, arn: str, attributes: list[dict[str, str]]) -> Any:
        self.attrs[arn].update({a["Key"]: a["Value"] for a in attributes})
        return {}

    def elbv2_modify_target_group_attributes(self, **p: Any) -> Any:
        return self._attributes(p["TargetGroupArn"], p["Attributes"])

    def elbv2_modify_load_balancer_attributes(self, **p: Any) -> Any:
        return self._attributes(p["LoadBalancerArn"], p["Attributes"])

    def elbv2_modify_listener_attributes(self, **p: Any) -> Any:
        return self._attributes(p["ListenerArn"], p["Attributes"])

    def elbv2_register_targets(self, **p: Any) -> Any:
        have = self.targets[p["TargetGroupArn"]]
        have += [t for t in p["Targets"] if t not in have]
        return {}

    def elbv2_deregister_targets(self, **p: Any) -> Any:
        self.targets[p["TargetGroupArn"]] = [t for t in self.targets[p["TargetGroupArn"]] if t not in p["Targets"]]
        return {}

    def elbv2_set_security_groups(self, **p: Any) -> Any:
        self.lbs[p["LoadBalancerArn"]]["SecurityGroups"] = list(p["SecurityGroups"])
        return {}

    def elbv2_set_subnets(self, **p: Any) -> Any:
        self.lbs[p["LoadBalancerArn"]]["AvailabilityZones"] = [{"SubnetId": s} for s in p["Subnets"]]
        return {}

    def elbv2_add_tags(self, **p: Any) -> Any:
        for arn in p["ResourceArns"]:
            self.tags[arn].update(tag_map(p["Tags"]))
        return {}

    def elbv2_remove_tags(self, **p: Any) -> Any:
        for arn in p["ResourceArns"]:
            for key in p["TagKeys"]:
                self.tags[arn].pop(key, None)
        return {}

    def elbv2_delete_rule(self, **p: Any) -> Any:
        if self.rules.pop(p["RuleArn"], None) is None:
            raise _client_error("RuleNotFound")
        return {}

    def elbv2_delete_listener(self, **p: Any) -> Any:
        if self.listeners.pop(p["ListenerArn"], None) is None:
            raise _client_error("ListenerNotFound")
        self.rules = {a: r for a, r in self.rules.items() if r["ListenerArn"] != p["ListenerArn"]}
        return {}

    def elbv2_delete_load_balancer(self, **p: Any) -> Any:
        arn = p["LoadBalancerArn"]
        if arn not in self.lbs:
            raise _client_error("LoadBalancerNotFound")
        if self.attrs[arn].get("deletion_protection.enabled") == "true":
            raise _client_error("OperationNotPermitted")
        del self.lbs[arn]
        for ls_arn in [a for a, ls in self.listeners.items() if ls["LoadBalancerArn"] == arn]:
            self.elbv2_delete_listener(ListenerArn=ls_arn)
        return {}

    def elbv2_delete_target_group(self, **p: Any) -> Any:
        arn = p["TargetGroupArn"]
        used = [r for r in self.rules.values() for a in r.get("Actions", [])
                for t in (a.get("ForwardConfig") or {}).get("TargetGroups", []) if t["TargetGroupArn"] == arn]
        if used:
            raise _client_error("ResourceInUse")
        if self.tgs.pop(arn, None) is None:
            raise _client_error("TargetGroupNotFound")
        return {}

    # -- EC2 -------------------------------------------------------------------------------------

    def ec2_create_security_group(self, **p: Any) -> Any:
        if any(sg["GroupName"] == p["GroupName"] for sg in self.sgs.values()):
            raise _client_error("InvalidGroup.Duplicate")
        group_id = f"sg-{next(self._ids):017x}"
        tags = [t for spec in p.get("TagSpecifications", []) for t in spec["Tags"]]
        self.sgs[group_id] = {"GroupId": group_id, "GroupName": p["GroupName"], "Description": p["Description"],
                              "VpcId": p.get("VpcId"), "IpPermissions": [], "Tags": tags}
        return {"GroupId": group_id}

    def ec2_authorize_security_group_ingress(self, **p: Any) -> Any:
        have = self.sgs[p["GroupId"]]["IpPermissions"]
        if any(x in have for x in p["IpPermissions"]):
            raise _client_error("InvalidPermission.Duplicate")
        have += copy.deepcopy(p["IpPermissions"])
        return {}

    def ec2_revoke_security_group_ingress(self, **p: Any) -> Any:
        sg = self.sgs[p["GroupId"]]
        if any(x not in sg["IpPermissions"] for x in p["IpPermissions"]):
            raise _client_error("InvalidPermission.NotFound")
        sg["IpPermissions"] = [x for x in sg["IpPermissions"] if x not in p["IpPermissions"]]
        return {}

    def ec2_describe_security_groups(self, **p: Any) -> Any:
        names = {v for f in p.get("Filters", []) if f["Name"] == "group-name" for v in f["Values"]}
        return {"SecurityGroups": [copy.deepcopy(sg) for sg in self.sgs.values()
                                   if not names or sg["GroupName"] in names]}

    def elbv2_describe_target_groups(self, **p: Any) -> Any:
        return {"TargetGroups": [dict(tg) for tg in self.tgs.values() if tg["TargetGroupName"] in p.get("Names", [])]}

    def elbv2_describe_load_balancers(self, **p: Any) -> Any:
        return {"LoadBalancers": [dict(lb) for lb in self.lbs.values() if lb["LoadBalancerName"] in p.get("Names", [])]}

    def elbv2_describe_listeners(self, **p: Any) -> Any:
        return {"Listeners": [dict(ls) for ls in self.listeners.values()
                              if ls["LoadBalancerArn"] == p["LoadBalancerArn"]]}

    def elbv2_describe_rules(self, **p: Any) -> Any:
        return {"Rules": [dict(r) for r in self.rules.values() if r["ListenerArn"] == p["ListenerArn"]]}

    def elbv2_describe_tags(self, **p: Any) -> Any:
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": [{"Key": k, "Value": v}
                                                                for k, v in self.tags.get(a, {}).items()]}
                                    for a in p["ResourceArns"]]}

    def ec2_create_tags(self, **p: Any) -> Any:
        for group_id in p["Resources"]:
            tags = tag_map(self.sgs[group_id]["Tags"]) | tag_map(p["Tags"])
            self.sgs[group_id]["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        return {}

    def ec2_delete_tags(self, **p: Any) -> Any:
        gone = {t["Key"] for t in p["Tags"]}
        for group_id in p["Resources"]:
            self.sgs[group_id]["Tags"] = [t for t in self.sgs[group_id]["Tags"] if t["Key"] not in gone]
        return {}

    def ec2_delete_security_group(self, **p: Any) -> Any:
        if any(p["GroupId"] in lb["SecurityGroups"] for lb in self.lbs.values()):
            raise _client_error("DependencyViolation")
        if self.sgs.pop(p["GroupId"], None) is None:
            raise _client_error("InvalidGroup.NotFound")
        return {}

    # -- the state as a snapshot -----------------------------------------------------------------

    def snapshot(self, cluster: str, nodes: list[str] | None = None) -> LiveState:
        """What albctl's live reader would find: resources carrying ``cluster``'s stack tags."""
        state = LiveState({}, {LOAD_BALANCER: {lb["LoadBalancerName"]: a for a, lb in self.lbs.items()},
                               TARGET_GROUP: {tg["TargetGroupName"]: a for a, tg in self.tgs.items()}},
                          limits={}, nodes=nodes)

        def stack(tags: dict[str, str]) -> LiveStack | None:
            if tags.get(CLUSTER_TAG) != cluster or STACK_TAG not in tags:
                return None
            return state.stacks.setdefault(tags[STACK_TAG], LiveStack(tags[STACK_TAG]))

        for group_id, sg in self.sgs.items():
            tags = tag_map(sg["Tags"])
            rid, gid, spec, all_tags, extra = security_group.read(sg)
            if tags.get(BACKEND_SG_RESOURCE_TAG) == "backend-sg":
                state.backend_sg = LiveResource(SECURITY_GROUP, rid, gid, spec, all_tags, extra)
                state.backend_sg_users = [a for a, lb in self.lbs.items() if group_id in lb["SecurityGroups"]]
            elif (s := stack(tags)) is not None:
                s.resources.append(LiveResource(SECURITY_GROUP, rid, gid, spec, all_tags, extra))
        for arn, tg in self.tgs.items():
            if (s := stack(self.tags[arn])) is not None:
                health = [{"Target": t, "TargetHealth": {"State": "healthy"}} for t in self.targets[arn]]
                attrs = [{"Key": k, "Value": v} for k, v in self.attrs[arn].items()]
                rid, spec, extra = target_group.read(tg, self.tags[arn], attrs,
                                                     health if tg["TargetType"] == "instance" else None)
                s.resources.append(LiveResource(TARGET_GROUP, rid, arn, spec, dict(self.tags[arn]), extra))
        for arn, lb in self.lbs.items():
            s = stack(self.tags[arn])
            if s is None:
                continue
            attrs = [{"Key": k, "Value": v} for k, v in self.attrs[arn].items()]
            rid, spec, extra = load_balancer.read(lb, self.tags[arn], attrs, None)
            s.resources.append(LiveResource(LOAD_BALANCER, rid, arn, spec, dict(self.tags[arn]), extra))
            for ls_arn, ls in self.listeners.items():
                if ls["LoadBalancerArn"] != arn:
                    continue
                certs = [{"CertificateArn": c, "IsDefault": False} for c in self.certs[ls_arn]]
                attrs = [{"Key": k, "Value": v} for k, v in self.attrs[ls_arn].items()]
                rid, spec, extra = listener.read(ls, self.tags[ls_arn], certs, attrs)
                s.resources.append(LiveResource(LISTENER, rid, ls_arn, spec, dict(self.tags[ls_arn]), extra))
                for rule_arn, rule in self.rules.items():
                    if rule["ListenerArn"] == ls_arn:
                        rid, spec, extra = listener_rule.read(rule, ls, self.tags[rule_arn])
                        s.resources.append(LiveResource(LISTENER_RULE, rid, rule_arn, spec,
                                                        dict(self.tags[rule_arn]), extra))
        return state
