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
from functools import partial
from typing import Any, TypeVar

from albctl.aws.session import AwsClients, aws_call
from albctl.elbv2 import listener, listener_rule, load_balancer, security_group, target_group
from albctl.elbv2.common import TAGS_PER_CALL, tag_map
from albctl.elbv2.listener import SECURE
from albctl.elbv2.snapshot import LiveResource, LiveStack, LiveState
from albctl.errors import AwsError
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
)
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG, STACK_TAG

__all__ = ["LiveResource", "LiveStack", "LiveState", "read_live", "read_live_stacks"]

# Largest page the ELBv2 Describe* calls accept.
_PAGE_SIZE = 400
# A resource deleted between two calls: treated as not live rather than as a failure.
_GONE = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound"})
# Resource types in the order resources are listed in a LiveStack.
_TYPE_ORDER = {t: n for n, t in enumerate((SECURITY_GROUP, LOAD_BALANCER, TARGET_GROUP, LISTENER, LISTENER_RULE))}

T = TypeVar("T")


def read_live(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, *, max_workers: int = 16,
    targets_of: Callable[[dict[str, Any]], bool] | None = None,
) -> LiveState:
    """Every live resource of ``cluster``'s Ingress stacks (duplicates included), by stack id; every LB
    and TG name in the account; the cluster's shared backend SG and the load balancers using it.

    With ``stack_ids``, only those stacks are read, and each of them is in the result (with no
    resources when nothing of it is live). Registered targets are read for instance-mode target
    groups (``targets_of`` overrides which). Raises :class:`AwsError` / ``ConfigError`` on failure.
    """
    wanted = None if stack_ids is None else frozenset(stack_ids)
    # boto3 sessions are not thread-safe: create the clients here, before any thread uses them.
    elbv2, ec2 = clients.elbv2, clients.ec2
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="albctl-live")
    reader = _Reader(elbv2, ec2, pool, cluster, wanted, targets_of or (lambda tg: tg.get("TargetType") == "instance"))
    try:
        resources = reader.read()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    stacks = {sid: LiveStack(sid, []) for sid in sorted(wanted or ())}
    for stack_id, resource in resources:
        stacks.setdefault(stack_id, LiveStack(stack_id, [])).resources.append(resource)
    for stack in stacks.values():
        stack.resources.sort(key=lambda r: (_TYPE_ORDER.get(r.type, 99), _natural(r.id), r.arn))
    return LiveState(dict(sorted(stacks.items())), reader.names, backend_sg=reader.backend_sg,
                     backend_sg_users=reader.backend_sg_users)


def read_live_stacks(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, *, max_workers: int = 16
) -> dict[str, LiveStack]:
    """The live resources of ``cluster``'s Ingress stacks, by stack id (:func:`read_live` without the rest)."""
    return read_live(clients, cluster, stack_ids, max_workers=max_workers).stacks


class _Reader:
    def __init__(self, elbv2: Any, ec2: Any, pool: ThreadPoolExecutor, cluster: str, wanted: frozenset[str] | None,
                 targets_of: Callable[[dict[str, Any]], bool]):
        self.elbv2 = elbv2
        self.ec2 = ec2
        self.pool = pool
        self.cluster = cluster
        self.wanted = wanted
        self.targets_of = targets_of
        self.names: dict[str, dict[str, str]] = {LOAD_BALANCER: {}, TARGET_GROUP: {}}
        self.backend_sg: LiveResource | None = None
        self.backend_sg_users: list[str] = []

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
        tg_health = {tg["TargetGroupArn"]: submit(self.tg_targets, tg["TargetGroupArn"]) for _, tg in owned_tgs
                     if self.targets_of(tg)}
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
                if ls.get("Protocol") in SECURE:
                    certs_f[arn] = submit(self.listener_certificates, arn)
        rules = {arn: f.result() for arn, f in rules_f.items()}
        certs = {arn: f.result() for arn, f in certs_f.items()}
        sub_arns = [arn for arn, found in rules.items() if found is not None]
        sub_arns += [r["RuleArn"] for found in rules.values() for r in found or () if not r.get("IsDefault")]
        tags.update(self.describe_tags(sub_arns))

        out: list[tuple[str, LiveResource]] = []
        for stack_id, sg in sgs_f.result():
            rid, group_id, spec, sg_tags, extra = security_group.read(sg)
            out.append((stack_id, LiveResource(SECURITY_GROUP, rid, group_id, spec, sg_tags, extra)))
        if self.backend_sg is not None:
            self.backend_sg_users = sorted(lb["LoadBalancerArn"] for lb in lbs
                                           if self.backend_sg.arn in (lb.get("SecurityGroups") or []))
        for stack_id, tg in owned_tgs:
            arn = tg["TargetGroupArn"]
            attrs = tg_attrs[arn].result()
            targets = tg_health[arn].result() if arn in tg_health else []
            if attrs is None or targets is None:
                continue  # deleted meanwhile
            rid, spec, extra = target_group.read(tg, tags[arn], attrs, targets if arn in tg_health else None)
            out.append((stack_id, LiveResource(TARGET_GROUP, rid, arn, spec, tags[arn], extra)))
        for stack_id, lb in owned_lbs:
            lb_arn = lb["LoadBalancerArn"]
            attrs, found = lb_attrs[lb_arn].result(), listeners[lb_arn]
            if attrs is None or found is None:
                continue
            rid, spec, extra = load_balancer.read(lb, tags[lb_arn], attrs, lb_capacity[lb_arn].result())
            out.append((stack_id, LiveResource(LOAD_BALANCER, rid, lb_arn, spec, tags[lb_arn], extra)))
            for ls in found:
                ls_arn = ls["ListenerArn"]
                ls_rules = rules[ls_arn]
                if ls_rules is None or certs.get(ls_arn, ()) is None:
                    continue
                ls_tags = tags.get(ls_arn, {})
                rid, spec, extra = listener.read(ls, ls_tags, certs.get(ls_arn) or [],
                                                 ls_attrs_f[ls_arn].result() or [])
                out.append((stack_id, LiveResource(LISTENER, rid, ls_arn, spec, ls_tags, extra)))
                for rule in ls_rules:
                    if not rule.get("IsDefault"):
                        rule_tags = tags.get(rule["RuleArn"], {})
                        rid, spec, extra = listener_rule.read(rule, ls, rule_tags)
                        out.append((stack_id, LiveResource(LISTENER_RULE, rid, rule["RuleArn"], spec, rule_tags,
                                                           extra)))
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
            tags = tag_map(sg.get("Tags"))
            if tags.get(BACKEND_SG_RESOURCE_TAG) == "backend-sg" and tags.get(CLUSTER_TAG) == self.cluster:
                rid, group_id, spec, _, extra = security_group.read(sg)
                self.backend_sg = LiveResource(SECURITY_GROUP, rid, group_id, spec, tags, extra)
            stack_id = self.owner(tags)
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
        return {d["ResourceArn"]: tag_map(d.get("Tags")) for d in described}

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


# -- helpers --------------------------------------------------------------------------------------


def _natural(text: str) -> tuple[tuple[int, Any], ...]:
    """Sort key putting ``80:2`` before ``80:10``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)
