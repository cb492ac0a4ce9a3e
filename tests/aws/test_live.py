"""read_live_stacks against a moto server: ownership by tags, the spec shapes, and the calls it makes.

Resources are created with plain boto3 calls, tagged the way aws-load-balancer-controller tags them.
moto notes: tags given to CreateListener/CreateRule are stored and DescribeTags answers for listener
and rule ARNs (mixed with LB/TG ARNs in one call too); DescribeTags on a deleted ARN returns empty tags
instead of an error; a PathPatternConfig with only RegexValues makes CreateRule fail with HTTP 500; a
forward action created with a bare TargetGroupArn comes back without ForwardConfig; DescribeLoadBalancer
Attributes returns only a few keys.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from albctl.aws.live import LiveStack, read_live_stacks
from albctl.aws.session import AwsClients
from albctl.model.stack import LISTENER, LISTENER_RULE, LOAD_BALANCER, SECURITY_GROUP, TARGET_GROUP

CERT2 = "arn:aws:acm:us-east-1:123456789012:certificate/22222222-2222-2222-2222-222222222222"


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _tracking(cluster: str, stack: str, resource: str, **extra: str) -> dict[str, str]:
    return {"elbv2.k8s.aws/cluster": cluster, "ingress.k8s.aws/stack": stack, "ingress.k8s.aws/resource": resource,
            **extra}


class World:
    """Builds resources in moto for the tests."""

    def __init__(self, aws: AwsClients, seeded: dict[str, Any]) -> None:
        self.elbv2 = aws.elbv2
        self.ec2 = aws.ec2
        self.ids = seeded

    def sg(self, name: str, tags: dict[str, str], ports: tuple[int, ...] = (80, 443)) -> str:
        sg_id = str(self.ec2.create_security_group(
            GroupName=name, Description="[k8s] Managed SecurityGroup for LoadBalancer", VpcId=self.ids["vpc_id"],
            TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(tags)}],
        )["GroupId"])
        if ports:
            self.ec2.authorize_security_group_ingress(GroupId=sg_id, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                for p in ports
            ])
        return sg_id

    def lb(self, name: str, tags: dict[str, str] | None, sgs: list[str]) -> str:
        kwargs: dict[str, Any] = {"Tags": _tags(tags)} if tags else {}
        return str(self.elbv2.create_load_balancer(
            Name=name, Subnets=list(reversed(self.ids["public_subnet_ids"][:2])), SecurityGroups=sgs,
            Scheme="internet-facing", Type="application", IpAddressType="ipv4", **kwargs,
        )["LoadBalancers"][0]["LoadBalancerArn"])

    def tg(self, name: str, tags: dict[str, str] | None, port: int = 30080, **kwargs: Any) -> str:
        if tags:
            kwargs["Tags"] = _tags(tags)
        return str(self.elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=port, VpcId=self.ids["vpc_id"], TargetType="instance",
            HealthCheckPort="traffic-port", HealthCheckPath="/healthz", HealthCheckIntervalSeconds=10,
            HealthyThresholdCount=2, Matcher={"HttpCode": "200-299"}, **kwargs,
        )["TargetGroups"][0]["TargetGroupArn"])

    def listener(self, lb: str, port: int, tags: dict[str, str] | None, actions: list[dict[str, Any]],
                 https: bool = False) -> str:
        kwargs: dict[str, Any] = {"Tags": _tags(tags)} if tags else {}
        if https:
            kwargs.update(Certificates=[{"CertificateArn": self.ids["certificate_arn"]}],
                          SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06")
        return str(self.elbv2.create_listener(
            LoadBalancerArn=lb, Port=port, Protocol="HTTPS" if https else "HTTP", DefaultActions=actions, **kwargs,
        )["Listeners"][0]["ListenerArn"])

    def rule(self, listener: str, priority: int, tags: dict[str, str] | None, conditions: list[dict[str, Any]],
             actions: list[dict[str, Any]]) -> str:
        kwargs: dict[str, Any] = {"Tags": _tags(tags)} if tags else {}
        return str(self.elbv2.create_rule(
            ListenerArn=listener, Priority=priority, Conditions=conditions, Actions=actions, **kwargs,
        )["Rules"][0]["RuleArn"])


def forward(*tgs: str) -> list[dict[str, Any]]:
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": t, "Weight": 1} for t in tgs]}}]


NOT_FOUND = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}]


@pytest.fixture
def world(aws: AwsClients, seeded: dict[str, Any]) -> dict[str, Any]:
    """Cluster c1: stack web/app (SG, LB, 2 listeners, 3 rules, 2 TGs) and stack shared (LB, 1 listener
    without tags, 1 rule, 1 TG). Not c1's: a c2 stack with the same id, an untagged ALB and TG, a c1
    LB without a stack tag (a Service's), the c1 backend SG (no stack tag)."""
    w = World(aws, seeded)
    app = "web/app"
    sg = w.sg("k8s-web-app-8bd7d0ef6a", _tracking("c1", app, "ManagedLBSecurityGroup"))
    lb = w.lb("k8s-web-app-0bdda076a0", _tracking("c1", app, "LoadBalancer", team="a"), [sg])
    w.elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb, Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "true"}])
    tg_app = w.tg("k8s-web-app-813844afa0", _tracking("c1", app, "web/app-app:80"))
    tg_api = w.tg("k8s-web-api-1111111111", _tracking("c1", app, "web/app-api:8080"), port=30081)
    w.elbv2.register_targets(TargetGroupArn=tg_app, Targets=[
        {"Id": i, "Port": 30080} for i in reversed(seeded["instance_ids"][:2])])
    redirect = [{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301", "Protocol": "HTTPS", "Port": "443"}}]
    ls80 = w.listener(lb, 80, _tracking("c1", app, "80"), redirect)
    ls443 = w.listener(lb, 443, _tracking("c1", app, "443"), NOT_FOUND, https=True)
    w.elbv2.add_listener_certificates(ListenerArn=ls443, Certificates=[{"CertificateArn": CERT2}])
    host = {"Field": "host-header", "HostHeaderConfig": {"Values": ["app.example.com"]}}
    rules = {
        1: w.rule(ls443, 1, _tracking("c1", app, "443:1"),
                  [host, {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}], forward(tg_api)),
        2: w.rule(ls443, 2, _tracking("c1", app, "443:2"),
                  [host, {"Field": "query-string", "QueryStringConfig": {"Values": [
                      {"Value": "beta"}, {"Key": "v", "Value": "2"}]}},
                   {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["dev"]}}],
                  NOT_FOUND),
        # legacy top-level Values; the resource tag lags behind the priority (re-prioritised by hand)
        10: w.rule(ls443, 10, _tracking("c1", app, "443:3"), [{"Field": "path-pattern", "Values": ["/*"]}],
                   forward(tg_app)),
    }
    # explicit IngressGroup "shared"; its listener and rule have no tags (ListenerRulesTagging off)
    shared_lb = w.lb("k8s-shared-aaaaaaaaaa", _tracking("c1", "shared", "LoadBalancer"), [sg])
    shared_tg = w.tg("k8s-shared-bbbbbbbbbb", _tracking("c1", "shared", "web/x-x:80"))
    shared_ls = w.listener(shared_lb, 8080, None, forward(shared_tg))
    shared_rule = w.rule(shared_ls, 5, None, [host], forward(shared_tg))
    # not ours
    c2_sg = w.sg("k8s-c2", _tracking("c2", app, "ManagedLBSecurityGroup"))
    c2_lb = w.lb("k8s-c2-lb", _tracking("c2", app, "LoadBalancer"), [c2_sg])
    w.listener(c2_lb, 80, _tracking("c2", app, "80"), NOT_FOUND)
    w.tg("k8s-c2-tg", _tracking("c2", app, "web/app-app:80"))
    w.lb("untagged", None, [seeded["node_security_group_id"]])
    w.tg("untagged", None)
    w.lb("k8s-svc-nlb", {"elbv2.k8s.aws/cluster": "c1", "service.k8s.aws/stack": "web/svc"}, [sg])
    w.sg("k8s-traffic-c1-backend", {"elbv2.k8s.aws/cluster": "c1", "elbv2.k8s.aws/resource": "backend-sg"}, ())
    return {"sg": sg, "lb": lb, "tg_app": tg_app, "tg_api": tg_api, "ls80": ls80, "ls443": ls443, "rules": rules,
            "shared_lb": shared_lb, "shared_tg": shared_tg, "shared_ls": shared_ls, "shared_rule": shared_rule,
            **seeded}


def _ids(stack: LiveStack) -> list[tuple[str, str]]:
    return [(r.type, r.id) for r in stack.resources]


def _get(stack: LiveStack, type_: str, id_: str) -> Any:
    res = stack.get(type_, id_)
    assert res is not None, (type_, id_)
    return res


def test_reads_only_the_clusters_ingress_stacks(aws: AwsClients, world: dict[str, Any]) -> None:
    stacks = read_live_stacks(aws, "c1")
    assert list(stacks) == ["shared", "web/app"]
    assert _ids(stacks["web/app"]) == [
        (SECURITY_GROUP, "ManagedLBSecurityGroup"),
        (LOAD_BALANCER, "LoadBalancer"),
        (TARGET_GROUP, "web/app-api:8080"),
        (TARGET_GROUP, "web/app-app:80"),
        (LISTENER, "80"),
        (LISTENER, "443"),
        (LISTENER_RULE, "443:1"),
        (LISTENER_RULE, "443:2"),
        (LISTENER_RULE, "443:10"),
    ]
    assert _ids(stacks["shared"]) == [
        (LOAD_BALANCER, "LoadBalancer"), (TARGET_GROUP, "web/x-x:80"), (LISTENER, "8080"), (LISTENER_RULE, "8080:5"),
    ]
    assert _get(stacks["shared"], LISTENER_RULE, "8080:5").arn == world["shared_rule"]
    assert _get(stacks["shared"], LISTENER, "8080").tags == {}
    c2 = read_live_stacks(aws, "c2")
    assert list(c2) == ["web/app"] and len(c2["web/app"].resources) == 4
    assert read_live_stacks(aws, "nobody") == {}


def test_stack_ids_filter(aws: AwsClients, world: dict[str, Any]) -> None:
    stacks = read_live_stacks(aws, "c1", ["shared", "gone/missing"])
    assert list(stacks) == ["gone/missing", "shared"]
    assert stacks["gone/missing"].resources == []
    assert [r.arn for r in stacks["shared"].resources] == [
        world["shared_lb"], world["shared_tg"], world["shared_ls"], world["shared_rule"]]


def test_load_balancer_and_security_group(aws: AwsClients, world: dict[str, Any]) -> None:
    stack = read_live_stacks(aws, "c1", ["web/app"], max_workers=4)["web/app"]
    lb = _get(stack, LOAD_BALANCER, "LoadBalancer")
    assert lb.arn == world["lb"]
    spec = dict(lb.spec)
    attributes = spec.pop("loadBalancerAttributes")
    assert spec == {
        "name": "k8s-web-app-0bdda076a0",
        "type": "application",
        "scheme": "internet-facing",
        "ipAddressType": "ipv4",
        "subnetMapping": [{"subnetID": s} for s in sorted(world["public_subnet_ids"][:2])],
        "securityGroups": [world["sg"]],
        "tags": {"team": "a"},
    }
    assert attributes == sorted(attributes, key=lambda a: a["key"])
    assert {"key": "deletion_protection.enabled", "value": "true"} in attributes
    assert lb.tags == _tracking("c1", "web/app", "LoadBalancer", team="a")
    assert lb.extra["deletion_protection"] is True
    assert lb.extra["dnsName"].endswith(".elb.amazonaws.com")
    assert lb.extra["state"] in ("provisioning", "active")
    assert lb.extra["vpcID"] == world["vpc_id"]

    sg = _get(stack, SECURITY_GROUP, "ManagedLBSecurityGroup")
    assert sg.arn == world["sg"]
    assert sg.spec == {
        "groupName": "k8s-web-app-8bd7d0ef6a",
        "description": "[k8s] Managed SecurityGroup for LoadBalancer",
        "ingress": [
            {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIP": "0.0.0.0/0"},
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIP": "0.0.0.0/0"},
        ],
    }
    assert sg.extra == {"vpcID": world["vpc_id"]}


def test_security_group_ingress_is_flattened_and_sorted(aws: AwsClients, seeded: dict[str, Any]) -> None:
    w = World(aws, seeded)
    sg = w.sg("k8s-flat", _tracking("c1", "flat", "ManagedLBSecurityGroup"), ())
    aws.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 81, "PrefixListIds": [{"PrefixListId": "pl-12345678"}]},
    ])
    (res,) = read_live_stacks(aws, "c1")["flat"].resources
    assert res.spec["ingress"] == [
        {"ipProtocol": "tcp", "fromPort": 80, "toPort": 81, "prefixListID": "pl-12345678"},
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIP": "0.0.0.0/0"},
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIP": "10.0.0.0/8"},
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIPv6": "::/0"},
    ]


def test_listeners_and_rules(aws: AwsClients, world: dict[str, Any]) -> None:
    stack = read_live_stacks(aws, "c1", ["web/app"])["web/app"]
    ls80, ls443 = _get(stack, LISTENER, "80"), _get(stack, LISTENER, "443")
    assert ls80.arn == world["ls80"]
    # DescribeListenerAttributes: every attribute AWS reports (the plan compares only those it sets)
    for ls in (ls80, ls443):
        assert {"key": "tcp.idle_timeout.seconds", "value": "350"} in ls.spec.pop("listenerAttributes")
    assert ls80.spec == {
        "loadBalancerARN": world["lb"],
        "port": 80,
        "protocol": "HTTP",
        "defaultActions": [{"type": "redirect",
                            "redirectConfig": {"statusCode": "HTTP_301", "port": "443", "protocol": "HTTPS"}}],
    }
    assert ls443.spec == {
        "loadBalancerARN": world["lb"],
        "port": 443,
        "protocol": "HTTPS",
        "defaultActions": [{"type": "fixed-response",
                            "fixedResponseConfig": {"statusCode": "404", "contentType": "text/plain"}}],
        "certificates": [{"certificateARN": world["certificate_arn"]}, {"certificateARN": CERT2}],
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }
    assert ls443.extra == {"defaultCertificateARN": world["certificate_arn"]}
    assert ls443.tags == _tracking("c1", "web/app", "443")

    r1, r2, r10 = (_get(stack, LISTENER_RULE, f"443:{p}") for p in (1, 2, 10))
    assert r1.arn == world["rules"][1]
    assert r1.spec == {
        "listenerARN": world["ls443"],
        "priority": 1,
        "conditions": [{"field": "host-header", "values": ["app.example.com"]},
                       {"field": "path-pattern", "values": ["/api/*"]}],
        "actions": [{"type": "forward", "forwardConfig": {
            "targetGroups": [{"targetGroupARN": world["tg_api"], "weight": 1}],
            "targetGroupStickinessConfig": {"enabled": False}}}],
    }
    assert r1.extra == {}
    assert r2.spec["conditions"] == [
        {"field": "host-header", "values": ["app.example.com"]},
        {"field": "query-string", "queryString": [[None, "beta"], ["v", "2"]]},
        {"field": "http-header", "httpHeaderName": "X-Env", "values": ["dev"]},
    ]
    assert r2.spec["actions"] == [{"type": "fixed-response",
                                   "fixedResponseConfig": {"statusCode": "404", "contentType": "text/plain"}}]
    assert r10.spec["priority"] == 10
    assert r10.spec["conditions"] == [{"field": "path-pattern", "values": ["/*"]}]
    assert r10.extra == {"taggedID": "443:3"}


def test_target_groups(aws: AwsClients, world: dict[str, Any]) -> None:
    stack = read_live_stacks(aws, "c1", ["web/app"])["web/app"]
    tg = _get(stack, TARGET_GROUP, "web/app-app:80")
    assert tg.arn == world["tg_app"]
    spec = dict(tg.spec)
    attributes = spec.pop("targetGroupAttributes")
    assert spec == {
        "name": "k8s-web-app-813844afa0",
        "targetType": "instance",
        "port": 30080,
        "protocol": "HTTP",
        "protocolVersion": "HTTP1",
        "ipAddressType": "ipv4",
        "healthCheckConfig": {
            "port": "traffic-port", "protocol": "HTTP", "path": "/healthz", "matcherHttpCode": "200-299",
            "intervalSeconds": 10, "timeoutSeconds": 5, "healthyThresholdCount": 2, "unhealthyThresholdCount": 2,
        },
    }
    assert attributes and attributes == sorted(attributes, key=lambda a: a["key"])
    assert {"key": "deregistration_delay.timeout_seconds", "value": "300"} in attributes
    instances = sorted(world["instance_ids"][:2])
    assert [(t["id"], t["port"]) for t in tg.extra["targets"]] == [(i, 30080) for i in instances]
    assert all(t["health"] for t in tg.extra["targets"])
    assert _get(stack, TARGET_GROUP, "web/app-api:8080").extra["targets"] == []


def test_grpc_target_group_with_numeric_health_check_port(aws: AwsClients, seeded: dict[str, Any]) -> None:
    w = World(aws, seeded)
    w.elbv2.create_target_group(
        Name="k8s-grpc", Protocol="HTTP", ProtocolVersion="GRPC", Port=50051, VpcId=seeded["vpc_id"],
        TargetType="ip", HealthCheckPort="8081", Matcher={"GrpcCode": "0-99"},
        Tags=_tags(_tracking("c1", "grpc", "grpc/g-svc:50051")),
    )
    (tg,) = read_live_stacks(aws, "c1")["grpc"].resources
    assert tg.spec["protocolVersion"] == "GRPC" and tg.spec["targetType"] == "ip"
    hc = tg.spec["healthCheckConfig"]
    assert hc["port"] == 8081 and hc["matcherGrpcCode"] == "0-99" and "matcherHttpCode" not in hc


def test_a_target_group_deleted_while_reading_is_left_out(aws: AwsClients, world: dict[str, Any]) -> None:
    w = World(aws, world)
    doomed = w.tg("k8s-shared-doomed", _tracking("c1", "shared", "web/y-y:80"))
    assert (TARGET_GROUP, "web/y-y:80") in _ids(read_live_stacks(aws, "c1", ["shared"])["shared"])
    elbv2 = aws.elbv2
    deleted: list[str] = []

    def delete_after_tags(model: Any = None, **_: Any) -> None:
        if not deleted:  # right after the tagging API listed it: describing it by ARN will fail
            deleted.append(doomed)
            elbv2.delete_target_group(TargetGroupArn=doomed)

    tagging = aws.resourcegroupstaggingapi
    event = "after-call.resource-groups-tagging-api.GetResources"
    tagging.meta.events.register(event, delete_after_tags)
    try:
        stacks = read_live_stacks(aws, "c1", ["shared"])
    finally:
        tagging.meta.events.unregister(event, delete_after_tags)
    assert deleted
    assert _ids(stacks["shared"]) == [
        (LOAD_BALANCER, "LoadBalancer"), (TARGET_GROUP, "web/x-x:80"), (LISTENER, "8080"), (LISTENER_RULE, "8080:5")]


def _counted_read(aws: AwsClients, **kwargs: Any) -> tuple[dict[str, LiveStack], list[str]]:
    calls: list[str] = []

    def count(model: Any = None, **_: Any) -> None:
        calls.append(model.name)

    clients = (aws.elbv2, aws.ec2, aws.resourcegroupstaggingapi)
    for client in clients:
        client.meta.events.register("before-call.*", count)
    try:
        stacks = read_live_stacks(aws, "c1", **kwargs)
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.*", count)
    return stacks, calls


def _load_test_stack(aws: AwsClients, seeded: dict[str, Any], foreign: int) -> str:
    """1 LB, 2 listeners (one HTTPS), 10 rules, 5 TGs of cluster c1, plus ``foreign`` TGs of nobody."""
    w = World(aws, seeded)
    stack = "load/test"
    sg = w.sg("k8s-load-test", _tracking("c1", stack, "ManagedLBSecurityGroup"))
    lb = w.lb("k8s-load-test", _tracking("c1", stack, "LoadBalancer"), [sg])
    tgs = [w.tg(f"k8s-load-tg{n}", _tracking("c1", stack, f"load/test-s{n}:80")) for n in range(5)]
    for n in range(foreign):
        w.tg(f"other-{n}", None)
    listeners = [w.listener(lb, 80, _tracking("c1", stack, "80"), NOT_FOUND),
                 w.listener(lb, 443, _tracking("c1", stack, "443"), NOT_FOUND, https=True)]
    for ls in listeners:
        port = 80 if ls == listeners[0] else 443
        for p in range(1, 6):
            w.rule(ls, p, _tracking("c1", stack, f"{port}:{p}"),
                   [{"Field": "path-pattern", "PathPatternConfig": {"Values": [f"/p{p}"]}}], forward(tgs[p - 1]))
    return stack


@pytest.mark.parametrize("foreign", [0, 30])
def test_call_counts(aws: AwsClients, seeded: dict[str, Any], foreign: int) -> None:
    """The cluster's resources come from the tagging API: foreign target groups cost nothing."""
    stack = _load_test_stack(aws, seeded, foreign)
    stacks, calls = _counted_read(aws)
    assert Counter(r.type for r in stacks[stack].resources) == {
        SECURITY_GROUP: 1, LOAD_BALANCER: 1, LISTENER: 2, LISTENER_RULE: 10, TARGET_GROUP: 5}
    assert Counter(calls) == {
        "GetResources": 1,  # the cluster's LBs and TGs with their tags
        "DescribeSecurityGroups": 1,
        "DescribeLoadBalancers": 1,  # by ARN
        "DescribeTargetGroups": 1,  # by ARN, 20 a call
        "DescribeListeners": 1,
        "DescribeCapacityReservation": 1,  # one per load balancer
        "DescribeRules": 2,
        "DescribeListenerCertificates": 1,
        "DescribeLoadBalancerAttributes": 1,  # attributes: every kind by default
        "DescribeTargetGroupAttributes": 5,
        "DescribeListenerAttributes": 2,
        "DescribeTargetHealth": 5,  # instance mode: the registered targets are compared
        "DescribeTags": 1,  # 2 listeners + 10 rules
    }
    assert all(op.startswith(("Describe", "Get")) for op in calls)


def test_only_the_attributes_asked_for_are_read(aws: AwsClients, seeded: dict[str, Any]) -> None:
    stack = _load_test_stack(aws, seeded, 0)
    stacks, calls = _counted_read(aws, attributes=())
    assert not any(op.endswith("Attributes") for op in calls), calls
    assert len(calls) == 15 and Counter(calls)["DescribeTargetHealth"] == 5
    assert all(r.extra.get("unread") == ["attributes"] for r in stacks[stack].resources
               if r.type in (LOAD_BALANCER, TARGET_GROUP, LISTENER))


def test_without_the_tagging_api_every_lb_and_tg_is_listed(aws: AwsClients, seeded: dict[str, Any]) -> None:
    """GetResources denied (as where the IAM policy lacks tag:GetResources): the plain ELBv2 path."""
    import botocore.exceptions

    stack = _load_test_stack(aws, seeded, 25)

    def deny(**_: Any) -> None:
        raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}},
                                              "GetResources")

    tagging = aws.resourcegroupstaggingapi
    tagging.meta.events.register("before-call.resource-groups-tagging-api.GetResources", deny)
    try:
        stacks, calls = _counted_read(aws, attributes=())
    finally:
        tagging.meta.events.unregister("before-call.resource-groups-tagging-api.GetResources", deny)
    assert stacks == read_live_stacks(aws, "c1", attributes=())
    assert Counter(r.type for r in stacks[stack].resources)[TARGET_GROUP] == 5
    assert Counter(calls)["DescribeTags"] == 2 + 1  # 31 LB/TG ARNs, then 2 listeners + 10 rules
