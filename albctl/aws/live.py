"""Read what is live in AWS for the IngressGroups of one cluster, in the desired model's shape.

Ownership follows aws-load-balancer-controller's tracking tags: a load balancer, target group or
security group belongs to a stack when it carries ``elbv2.k8s.aws/cluster=<cluster>`` and
``ingress.k8s.aws/stack=<stack id>``; its id is its ``ingress.k8s.aws/resource`` tag. Listeners and
rules belong to the stack of their load balancer and get the ids the controller gives them and
matches them by: the listener port (``443``) and ``<port>:<priority>`` (``443:1``); the controller
tags them only when its ``ListenerRulesTagging`` feature gate is on, and never matches on those tags.

Each :class:`LiveResource` carries a ``spec`` shaped like :func:`albctl.model.serialize.to_data` of
the desired spec of that type (camelCase keys, ``None``/empty omitted), with ARNs and ids where the
desired spec has ``$ref`` tokens, so a pure diff can compare the two. Values are AWS's, unnormalised
(e.g. a forward action's weight, redirect ``#{host}`` defaults), except where noted on the builders.

Only ``Describe*`` calls are made. Batches are used wherever the API has one (``DescribeTags`` takes
20 ARNs), and the per-resource calls run concurrently on a thread pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from albctl.aws.api_names import CONDITION_CONFIGS
from albctl.aws.session import AwsClients, aws_call
from albctl.errors import AwsError
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    LOAD_BALANCER_ID,
    SECURITY_GROUP,
    TARGET_GROUP,
)
from albctl.tags import CLUSTER_TAG, RESOURCE_TAG, STACK_TAG, TRACKING_TAGS

# ELBv2 DescribeTags accepts at most 20 ARNs (of any resource type) per call.
TAGS_PER_CALL = 20
# Largest page the ELBv2 Describe* calls accept.
_PAGE_SIZE = 400
# A resource deleted between two calls: treated as not live rather than as a failure.
_GONE = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound"})
# Listener protocols with certificates and an SSL policy.
_SECURE = ("HTTPS", "TLS")
# Resource types in the order resources are listed in a LiveStack.
_TYPE_ORDER = {t: n for n, t in enumerate((SECURITY_GROUP, LOAD_BALANCER, TARGET_GROUP, LISTENER, LISTENER_RULE))}

T = TypeVar("T")


@dataclass(frozen=True)
class LiveResource:
    """One resource that exists in AWS and belongs to a stack.

    ``spec`` has the JSON shape of the desired spec of ``type`` (see the module doc); ``tags`` are all
    the resource's tags, tracking tags included (``spec["tags"]`` leaves those and ``aws:*`` out);
    ``extra`` is what the desired spec has no field for:

    - LoadBalancer: ``dnsName``, ``canonicalHostedZoneID``, ``vpcID``, ``state``, ``deletion_protection``
    - Listener: ``defaultCertificateARN`` (HTTPS/TLS)
    - TargetGroup: ``targets`` ``[{id, port, health[, reason]}]`` sorted, ``loadBalancerARNs``, ``vpcID``,
      ``healthCheckEnabled``
    - SecurityGroup: ``vpcID``
    - Listener, ListenerRule: ``taggedID`` when the ``ingress.k8s.aws/resource`` tag disagrees with the id
    """

    type: str
    id: str
    arn: str  # the security group id for a SecurityGroup
    spec: dict[str, Any]
    tags: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveStack:
    id: str
    resources: list[LiveResource]

    def of_type(self, type_: str) -> list[LiveResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, type_: str, id_: str) -> LiveResource | None:
        for r in self.resources:
            if r.type == type_ and r.id == id_:
                return r
        return None


@dataclass
class LiveState:
    """What a live read found: the cluster's stacks, and the name → ARN of every load balancer and target
    group in the account and region, owned or not (names are unique there, so a plan can refuse a name
    something else already holds without another call)."""

    stacks: dict[str, LiveStack]
    names: dict[str, dict[str, str]]  # LOAD_BALANCER / TARGET_GROUP → name → ARN


def read_live(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, *, max_workers: int = 16
) -> LiveState:
    """The live resources of ``cluster``'s Ingress stacks, by stack id, and every LB and TG name.

    With ``stack_ids``, only those stacks are read, and each of them is in the result (with no
    resources when nothing of it is live). Raises :class:`AwsError` / ``ConfigError`` on failure.
    """
    wanted = None if stack_ids is None else frozenset(stack_ids)
    # boto3 sessions are not thread-safe: create the clients here, before any thread uses them.
    elbv2, ec2 = clients.elbv2, clients.ec2
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="albctl-live")
    reader = _Reader(elbv2, ec2, pool, cluster, wanted)
    try:
        resources = reader.read()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    stacks = {sid: LiveStack(sid, []) for sid in sorted(wanted or ())}
    for stack_id, resource in resources:
        stacks.setdefault(stack_id, LiveStack(stack_id, [])).resources.append(resource)
    for stack in stacks.values():
        stack.resources.sort(key=lambda r: (_TYPE_ORDER.get(r.type, 99), _natural(r.id), r.arn))
    return LiveState(dict(sorted(stacks.items())), reader.names)


def read_live_stacks(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, *, max_workers: int = 16
) -> dict[str, LiveStack]:
    """The live resources of ``cluster``'s Ingress stacks, by stack id (:func:`read_live` without the names)."""
    return read_live(clients, cluster, stack_ids, max_workers=max_workers).stacks


class _Reader:
    def __init__(self, elbv2: Any, ec2: Any, pool: ThreadPoolExecutor, cluster: str, wanted: frozenset[str] | None):
        self.elbv2 = elbv2
        self.ec2 = ec2
        self.pool = pool
        self.cluster = cluster
        self.wanted = wanted
        self.names: dict[str, dict[str, str]] = {LOAD_BALANCER: {}, TARGET_GROUP: {}}

    def owner(self, tags: dict[str, str]) -> str | None:
        """The stack id the tags place the resource in, when it is one of ours."""
        if tags.get(CLUSTER_TAG) != self.cluster:
            return None
        stack_id = tags.get(STACK_TAG)
        if stack_id is None or (self.wanted is not None and stack_id not in self.wanted):
            return None
        return stack_id

    def read(self) -> list[tuple[str, LiveResource]]:
        submit = self.pool.submit
        lbs_f = submit(self.describe_load_balancers)
        tgs_f = submit(self.describe_target_groups)
        sgs_f = submit(self.describe_security_groups)
        lbs, tgs = lbs_f.result(), tgs_f.result()
        self.names[LOAD_BALANCER] = {lb["LoadBalancerName"]: lb["LoadBalancerArn"] for lb in lbs}
        self.names[TARGET_GROUP] = {tg["TargetGroupName"]: tg["TargetGroupArn"] for tg in tgs}
        tags = self.describe_tags([lb["LoadBalancerArn"] for lb in lbs] + [tg["TargetGroupArn"] for tg in tgs])

        owned_lbs = [(sid, lb) for lb in lbs if (sid := self.owner(tags.get(lb["LoadBalancerArn"], {})))]
        owned_tgs = [(sid, tg) for tg in tgs if (sid := self.owner(tags.get(tg["TargetGroupArn"], {})))]

        # Per owned LB and TG, all at once; listeners' rules and certificates as their listeners arrive.
        lb_attrs = {lb["LoadBalancerArn"]: submit(self.lb_attributes, lb["LoadBalancerArn"]) for _, lb in owned_lbs}
        tg_attrs = {tg["TargetGroupArn"]: submit(self.tg_attributes, tg["TargetGroupArn"]) for _, tg in owned_tgs}
        tg_health = {tg["TargetGroupArn"]: submit(self.tg_targets, tg["TargetGroupArn"]) for _, tg in owned_tgs}
        lb_capacity = {arn: submit(self.lb_capacity, arn) for arn in lb_attrs}
        listeners_f = {submit(self.describe_listeners, arn): arn for arn in lb_attrs}
        listeners: dict[str, list[dict[str, Any]] | None] = {}
        rules_f: dict[str, Future[list[dict[str, Any]] | None]] = {}
        certs_f: dict[str, Future[list[dict[str, Any]] | None]] = {}
        ls_attrs_f: dict[str, Future[list[dict[str, str]] | None]] = {}
        for fut in as_completed(listeners_f):
            found = listeners[listeners_f[fut]] = fut.result()
            for ls in found or ():
                arn = ls["ListenerArn"]
                rules_f[arn] = submit(self.describe_rules, arn)
                ls_attrs_f[arn] = submit(self.listener_attributes, arn)
                if ls.get("Protocol") in _SECURE:
                    certs_f[arn] = submit(self.listener_certificates, arn)
        rules = {arn: f.result() for arn, f in rules_f.items()}
        certs = {arn: f.result() for arn, f in certs_f.items()}
        sub_arns = [arn for arn, found in rules.items() if found is not None]
        sub_arns += [r["RuleArn"] for found in rules.values() for r in found or () if not r.get("IsDefault")]
        tags.update(self.describe_tags(sub_arns))

        out: list[tuple[str, LiveResource]] = []
        for stack_id, sg in sgs_f.result():
            out.append((stack_id, _security_group(sg)))
        for stack_id, tg in owned_tgs:
            arn = tg["TargetGroupArn"]
            attrs, targets = tg_attrs[arn].result(), tg_health[arn].result()
            if attrs is None or targets is None:
                continue  # deleted meanwhile
            out.append((stack_id, _target_group(tg, tags[arn], attrs, targets)))
        for stack_id, lb in owned_lbs:
            lb_arn = lb["LoadBalancerArn"]
            attrs, found = lb_attrs[lb_arn].result(), listeners[lb_arn]
            if attrs is None or found is None:
                continue
            out.append((stack_id, _load_balancer(lb, tags[lb_arn], attrs, lb_capacity[lb_arn].result())))
            for ls in found:
                ls_arn = ls["ListenerArn"]
                ls_rules = rules[ls_arn]
                if ls_rules is None or certs.get(ls_arn, ()) is None:
                    continue
                out.append((stack_id, _listener(ls, tags.get(ls_arn, {}), certs.get(ls_arn) or [],
                                                ls_attrs_f[ls_arn].result() or [])))
                for rule in ls_rules:
                    if not rule.get("IsDefault"):
                        out.append((stack_id, _rule(rule, ls, tags.get(rule["RuleArn"], {}))))
        return out

    # -- the calls ------------------------------------------------------------------------------

    def _pages(
        self, client: Any, operation: str, key: str, page_size: int | None = _PAGE_SIZE, **kwargs: Any
    ) -> list[dict[str, Any]]:
        """All pages of a paginated Describe call (ELBv2: 400 a page, the most it allows)."""
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        if page_size is not None:
            kwargs["PaginationConfig"] = {"PageSize": page_size}
        items: list[dict[str, Any]] = []
        with aws_call(operation):
            for page in client.get_paginator(method).paginate(**kwargs):
                items.extend(page.get(key) or [])
        return items

    def describe_load_balancers(self) -> list[dict[str, Any]]:
        return self._pages(self.elbv2, "DescribeLoadBalancers", "LoadBalancers")

    def describe_target_groups(self) -> list[dict[str, Any]]:
        return self._pages(self.elbv2, "DescribeTargetGroups", "TargetGroups")

    def describe_security_groups(self) -> list[tuple[str, dict[str, Any]]]:
        """One DescribeSecurityGroups (more only past a page), filtered on the cluster tag."""
        # No MaxResults: EC2 then answers in one page.
        groups = self._pages(
            self.ec2, "DescribeSecurityGroups", "SecurityGroups", page_size=None,
            Filters=[{"Name": f"tag:{CLUSTER_TAG}", "Values": [self.cluster]}],
        )
        owned = []
        for sg in groups:
            stack_id = self.owner(_tag_map(sg.get("Tags")))
            if stack_id is not None:
                owned.append((stack_id, sg))
        return owned

    def describe_tags(self, arns: list[str]) -> dict[str, dict[str, str]]:
        """Tags by ARN, 20 ARNs per call, the calls concurrently. Vanished ARNs are left out."""
        chunks = [arns[i : i + TAGS_PER_CALL] for i in range(0, len(arns), TAGS_PER_CALL)]
        out: dict[str, dict[str, str]] = {}
        for result in [f.result() for f in [self.pool.submit(self._tags_chunk, c) for c in chunks]]:
            out.update(result)
        return out

    def _tags_chunk(self, arns: list[str]) -> dict[str, dict[str, str]]:
        try:
            return self._describe_tags(arns)
        except AwsError as e:
            if e.code not in _GONE or len(arns) == 1:
                raise
        # One of the ARNs was deleted since it was listed: ask again one by one, skipping the gone.
        out: dict[str, dict[str, str]] = {}
        for arn in arns:
            out.update(_unless_gone(partial(self._describe_tags, [arn])) or {})
        return out

    def _describe_tags(self, arns: list[str]) -> dict[str, dict[str, str]]:
        with aws_call("DescribeTags"):
            described = self.elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]
        return {d["ResourceArn"]: _tag_map(d.get("Tags")) for d in described}

    def lb_attributes(self, arn: str) -> list[dict[str, str]] | None:
        def call() -> list[dict[str, str]]:
            with aws_call("DescribeLoadBalancerAttributes"):
                return list(self.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])

        return _unless_gone(call)

    def tg_attributes(self, arn: str) -> list[dict[str, str]] | None:
        def call() -> list[dict[str, str]]:
            with aws_call("DescribeTargetGroupAttributes"):
                return list(self.elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])

        return _unless_gone(call)

    def tg_targets(self, arn: str) -> list[dict[str, Any]] | None:
        def call() -> list[dict[str, Any]]:
            with aws_call("DescribeTargetHealth"):
                return list(self.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"])

        return _unless_gone(call)

    def describe_listeners(self, lb_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(partial(self._pages, self.elbv2, "DescribeListeners", "Listeners", LoadBalancerArn=lb_arn))

    def describe_rules(self, ls_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(partial(self._pages, self.elbv2, "DescribeRules", "Rules", ListenerArn=ls_arn))

    def listener_attributes(self, ls_arn: str) -> list[dict[str, str]] | None:
        def call() -> list[dict[str, str]]:
            with aws_call("DescribeListenerAttributes"):
                return list(self.elbv2.describe_listener_attributes(ListenerArn=ls_arn).get("Attributes") or [])

        return _unless_gone(call)

    def lb_capacity(self, arn: str) -> dict[str, Any] | None:
        """The minimum capacity reserved for a load balancer (``None`` when there is none)."""
        def call() -> dict[str, Any] | None:
            with aws_call("DescribeCapacityReservation"):
                found = self.elbv2.describe_capacity_reservation(LoadBalancerArn=arn)
            return found.get("MinimumLoadBalancerCapacity")

        return _unless_gone(call)

    def listener_certificates(self, ls_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(
            partial(self._pages, self.elbv2, "DescribeListenerCertificates", "Certificates", ListenerArn=ls_arn)
        )


def _unless_gone(call: Callable[[], T]) -> T | None:
    """``call()``, or None when AWS says the resource does not exist (any more)."""
    try:
        return call()
    except AwsError as e:
        if e.code in _GONE:
            return None
        raise


# -- AWS shapes → model shapes ----------------------------------------------------------------------


def _load_balancer(lb: dict[str, Any], tags: dict[str, str], attrs: list[dict[str, str]],
                   capacity: dict[str, Any] | None = None) -> LiveResource:
    subnets = sorted(az["SubnetId"] for az in lb.get("AvailabilityZones") or [] if az.get("SubnetId"))
    spec = {
        "name": lb.get("LoadBalancerName"),
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "ipAddressType": lb.get("IpAddressType"),
        "subnetMapping": [{"subnetID": s} for s in subnets],
        "securityGroups": sorted(lb.get("SecurityGroups") or []),
        "customerOwnedIPv4Pool": lb.get("CustomerOwnedIpv4Pool"),
        "loadBalancerAttributes": _attributes(attrs),
        "minimumLoadBalancerCapacity": {"capacityUnits": capacity["CapacityUnits"]}
        if capacity and capacity.get("CapacityUnits") else None,
        "ipv4IPAMPool": (lb.get("IpamPools") or {}).get("Ipv4IpamPoolId"),
        "tags": _spec_tags(tags),
    }
    attr_map = {a["Key"]: a.get("Value") for a in attrs}
    extra = {
        "dnsName": lb.get("DNSName"),
        "canonicalHostedZoneID": lb.get("CanonicalHostedZoneId"),
        "vpcID": lb.get("VpcId"),
        "state": (lb.get("State") or {}).get("Code"),
        "deletion_protection": attr_map.get("deletion_protection.enabled") == "true",
    }
    rid = tags.get(RESOURCE_TAG) or LOAD_BALANCER_ID
    return LiveResource(LOAD_BALANCER, rid, lb["LoadBalancerArn"], _compact(spec), tags, _compact(extra))


def _listener(ls: dict[str, Any], tags: dict[str, str], more_certs: list[dict[str, Any]],
              attrs: list[dict[str, str]] | None = None) -> LiveResource:
    """Certificates: the default one first (DescribeListeners), then the others sorted by ARN
    (DescribeListenerCertificates, which lists the default one too, flagged ``IsDefault``)."""
    secure = ls.get("Protocol") in _SECURE
    default = [c["CertificateArn"] for c in ls.get("Certificates") or [] if c.get("CertificateArn")][:1]
    flagged = [c["CertificateArn"] for c in more_certs if c.get("IsDefault")]
    if not default and flagged:
        default = flagged[:1]
    others = sorted({c["CertificateArn"] for c in more_certs if not c.get("IsDefault")} - set(default))
    spec = {
        "loadBalancerARN": ls.get("LoadBalancerArn"),
        "port": ls.get("Port"),
        "protocol": ls.get("Protocol"),
        "defaultActions": _actions(ls.get("DefaultActions")),
        "certificates": [{"certificateARN": arn} for arn in default + others],
        "sslPolicy": ls.get("SslPolicy") if secure else None,  # moto reports one on HTTP listeners too
        "mutualAuthentication": {k: v for k, v in _camel_keys(ls.get("MutualAuthentication") or {}).items()
                                 if k != "trustStoreAssociationStatus"} or None,
        "listenerAttributes": _attributes(attrs or []),
        "tags": _spec_tags(tags),
    }
    rid = str(ls.get("Port"))
    extra = {"defaultCertificateARN": default[0] if default else None, **_tagged_id(tags, rid)}
    return LiveResource(LISTENER, rid, ls["ListenerArn"], _compact(spec), tags, _compact(extra))


def _rule(rule: dict[str, Any], ls: dict[str, Any], tags: dict[str, str]) -> LiveResource:
    priority = int(rule["Priority"])
    spec = {
        "listenerARN": ls["ListenerArn"],
        "priority": priority,
        "conditions": [_condition(c) for c in rule.get("Conditions") or []],
        "actions": _actions(rule.get("Actions")),
        "transforms": _camel_keys(rule.get("Transforms") or []),
        "tags": _spec_tags(tags),
    }
    rid = f"{ls.get('Port')}:{priority}"
    return LiveResource(LISTENER_RULE, rid, rule["RuleArn"], _compact(spec), tags, _tagged_id(tags, rid))


def _target_group(
    tg: dict[str, Any], tags: dict[str, str], attrs: list[dict[str, str]], health: list[dict[str, Any]]
) -> LiveResource:
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
        "targetGroupAttributes": _attributes(attrs),
        "tags": _spec_tags(tags),
    }
    targets = []
    for desc in health:
        target, state = desc.get("Target") or {}, desc.get("TargetHealth") or {}
        targets.append(
            _compact({"id": target.get("Id"), "port": target.get("Port"), "health": state.get("State"),
                      "reason": state.get("Reason")})
        )
    targets.sort(key=lambda t: (str(t.get("id")), t.get("port") or 0))
    extra = {
        "targets": targets,
        "loadBalancerARNs": sorted(tg.get("LoadBalancerArns") or []),
        "vpcID": tg.get("VpcId"),
        "healthCheckEnabled": tg.get("HealthCheckEnabled"),
    }
    rid = tags.get(RESOURCE_TAG) or str(tg.get("TargetGroupName"))
    extra = {k: v for k, v in extra.items() if v is not None}  # keep an empty target list
    return LiveResource(TARGET_GROUP, rid, tg["TargetGroupArn"], _compact(spec), tags, extra)


def _security_group(sg: dict[str, Any]) -> LiveResource:
    tags = _tag_map(sg.get("Tags"))
    spec = {
        "groupName": sg.get("GroupName"),
        "description": sg.get("Description"),
        "ingress": _ip_permissions(sg.get("IpPermissions") or []),
        "tags": _spec_tags(tags),
    }
    rid = tags.get(RESOURCE_TAG) or sg["GroupId"]
    return LiveResource(SECURITY_GROUP, rid, sg["GroupId"], _compact(spec), tags, _compact({"vpcID": sg.get("VpcId")}))


def _ip_permissions(perms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per source (CIDR, IPv6 CIDR, prefix list, security group), sorted.

    A security-group source (``groupID``) has no field in the desired model; it is kept so that such
    a rule shows up as a difference.
    """
    out: list[dict[str, Any]] = []
    for perm in perms:
        base = {"ipProtocol": perm.get("IpProtocol"), "fromPort": perm.get("FromPort"), "toPort": perm.get("ToPort")}
        out += [{**base, "cidrIP": r.get("CidrIp")} for r in perm.get("IpRanges") or []]
        out += [{**base, "cidrIPv6": r.get("CidrIpv6")} for r in perm.get("Ipv6Ranges") or []]
        out += [{**base, "prefixListID": r.get("PrefixListId")} for r in perm.get("PrefixListIds") or []]
        out += [{**base, "groupID": r.get("GroupId")} for r in perm.get("UserIdGroupPairs") or []]
    entries = [_compact(e) for e in out]
    return sorted(entries, key=_permission_key)


_SOURCES = ("cidrIP", "cidrIPv6", "prefixListID", "groupID")


def _permission_key(e: dict[str, Any]) -> tuple[Any, ...]:
    kind = next((n for n, k in enumerate(_SOURCES) if k in e), len(_SOURCES))
    source = e.get(_SOURCES[kind], "") if kind < len(_SOURCES) else ""
    return (str(e.get("ipProtocol")), e.get("fromPort", -1), e.get("toPort", -1), kind, str(source))


def _actions(actions: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    ordered = sorted(actions or [], key=lambda a: a.get("Order") or 0)  # stable: no Order keeps AWS's order
    return [_action(a) for a in ordered]


def _action(a: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": a.get("Type")}
    if frc := a.get("FixedResponseConfig"):
        out["fixedResponseConfig"] = {
            "statusCode": frc.get("StatusCode"),
            "contentType": frc.get("ContentType"),
            "messageBody": frc.get("MessageBody"),
        }
    if rc := a.get("RedirectConfig"):
        out["redirectConfig"] = {
            "statusCode": rc.get("StatusCode"),
            "host": rc.get("Host"),
            "path": rc.get("Path"),
            "port": rc.get("Port"),
            "protocol": rc.get("Protocol"),
            "query": rc.get("Query"),
        }
    if fc := a.get("ForwardConfig"):
        sticky = fc.get("TargetGroupStickinessConfig")
        out["forwardConfig"] = {
            "targetGroups": [
                {"targetGroupARN": t.get("TargetGroupArn"), "weight": t.get("Weight")}
                for t in fc.get("TargetGroups") or []
            ],
            "targetGroupStickinessConfig": (
                {"enabled": sticky.get("Enabled"), "durationSeconds": sticky.get("DurationSeconds")} if sticky else None
            ),
        }
    elif a.get("TargetGroupArn"):  # the single-target form (AWS also returns ForwardConfig; emulators may not)
        out["forwardConfig"] = {"targetGroups": [{"targetGroupARN": a["TargetGroupArn"]}]}
    # No field for these in the desired model; kept (AWS's keys, camelCased) so a change is visible.
    for aws_key, key in (
        ("AuthenticateOidcConfig", "authenticateOIDCConfig"),
        ("AuthenticateCognitoConfig", "authenticateCognitoConfig"),
        ("JwtValidationConfig", "jwtValidationConfig"),
    ):
        if a.get(aws_key):
            out[key] = {_MODEL_NAMES.get(k, k): v for k, v in _camel_keys(a[aws_key]).items()}
    return out


# AWS's spellings → the model's (its JSON names follow the controller's Go tags)
_MODEL_NAMES = {"clientId": "clientID", "userPoolArn": "userPoolARN", "userPoolClientId": "userPoolClientID"}



def _condition(c: dict[str, Any]) -> dict[str, Any]:
    """Values from the field's ``*Config``, else the legacy top-level ``Values`` (AWS may return both)."""
    fld = c.get("Field")
    cfg = c.get(CONDITION_CONFIGS.get(str(fld), "")) or {}
    out: dict[str, Any] = {"field": fld}
    if fld == "query-string":
        out["queryString"] = [[kv.get("Key"), kv.get("Value", "")] for kv in cfg.get("Values") or []]
        return _compact(out)
    out["values"] = list(cfg.get("Values") or c.get("Values") or [])
    out["regexValues"] = list(cfg.get("RegexValues") or c.get("RegexValues") or [])
    if fld == "http-header":
        out["httpHeaderName"] = cfg.get("HttpHeaderName")
    return _compact(out)


# -- helpers --------------------------------------------------------------------------------------


def _tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def _spec_tags(tags: dict[str, str]) -> dict[str, str]:
    """The tags a desired spec can name: without the tracking tags and AWS's reserved ``aws:*``."""
    return {k: v for k, v in sorted(tags.items()) if k not in TRACKING_TAGS and not k.startswith("aws:")}


def _tagged_id(tags: dict[str, str], rid: str) -> dict[str, str]:
    tagged = tags.get(RESOURCE_TAG)
    return {"taggedID": tagged} if tagged is not None and tagged != rid else {}


def _attributes(attrs: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"key": a["Key"], "value": a.get("Value", "")} for a in sorted(attrs, key=lambda a: a["Key"])]


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _compact(value: Any) -> Any:
    """Drop None and empty lists/dicts from dicts, recursively (Go's ``omitempty``, like ``to_data``)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _compact(v)
            if v is None or (isinstance(v, list | dict) and not v):
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _natural(text: str) -> tuple[tuple[int, Any], ...]:
    """Sort key putting ``80:2`` before ``80:10``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)
