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

Only reads are made, in at most four sequential round trips whatever the number of resources:

1. the cluster's load balancers and target groups with their tags, from the Resource Groups Tagging
   API filtered on ``elbv2.k8s.aws/cluster`` (as the controller does with ``EnableRGTAPI``), so the
   cost does not grow with other clusters' or other tools' resources; beside it the cluster's
   security groups (one DescribeSecurityGroups filtered on the same tag). Where the tagging API is
   denied, every load balancer and target group is listed and their tags read instead (the plain
   ELBv2 path, as before);
2. per owned load balancer and target group, by ARN: Describe* (20 a call), listeners, capacity
   reservation and, where asked, attributes;
3. per listener: rules, certificates (HTTPS) and, where asked, attributes; registered targets of
   instance-mode target groups;
4. the tags of listeners and rules (DescribeTags, 20 ARNs a call).

Attributes are compared only on the keys the desired spec sets, so they are read only for the kinds
``attributes`` names; a resource read without them carries ``extra["unread"]`` and
:func:`complete_attributes` reads them later if the desired spec turns out to need them.
Names of load balancers and target groups that are not ours are looked up only for the names a plan
is about to create (:func:`read_names`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from albctl.aws.session import AwsClients, aws_call
from albctl.elbv2 import listener, listener_rule, load_balancer, security_group, target_group
from albctl.elbv2.common import TAGS_PER_CALL, read_attributes, tag_map
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
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG, RESOURCE_TAG, STACK_TAG

__all__ = ["LiveResource", "LiveStack", "LiveState", "complete_attributes", "read_live", "read_live_stacks",
           "read_names"]

# Largest page the ELBv2 Describe* calls accept.
_PAGE_SIZE = 400
# DescribeLoadBalancers takes at most 20 ARNs; target groups are asked for in the same batches.
_ARNS_PER_CALL = 20
# A resource deleted between two calls: treated as not live rather than as a failure.
_GONE = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound"})
# The tagging API is not allowed: fall back to listing every load balancer and target group.
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_RGTAPI_TYPES = ["elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup"]
# Resource types in the order resources are listed in a LiveStack.
_TYPE_ORDER = {t: n for n, t in enumerate((SECURITY_GROUP, LOAD_BALANCER, TARGET_GROUP, LISTENER, LISTENER_RULE))}
ATTRIBUTE_KINDS = frozenset({LOAD_BALANCER, TARGET_GROUP, LISTENER})
# the spec field holding each kind's attributes
_ATTRIBUTES_FIELD = {LOAD_BALANCER: "loadBalancerAttributes", TARGET_GROUP: "targetGroupAttributes",
                     LISTENER: "listenerAttributes"}
UNREAD = "unread"  # extra key: what was not read (["attributes"])

T = TypeVar("T")


def read_live(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, *, max_workers: int = 32,
    targets_of: Callable[[dict[str, Any]], bool] | None = None,
    attributes: Collection[str] | None = None, details: bool = True, all_cluster_lbs: bool = False,
    others: bool = False,
) -> LiveState:
    """Every live resource of ``cluster``'s Ingress stacks (duplicates included), by stack id; the
    cluster's shared backend SG and the load balancers using it; in ``names`` the names of the load
    balancers and target groups read (every one in the account on the fallback path).

    With ``stack_ids``, only those stacks are read, and each of them is in the result (with no
    resources when nothing of it is live). Registered targets are read for instance-mode target
    groups (``targets_of`` overrides which). ``attributes``: the kinds whose attributes are read
    (default: all). ``details=False`` (destroy) skips what only an update compares: capacity
    reservations, listener certificates and attributes, listener and rule tags, targets.
    ``all_cluster_lbs`` describes every load balancer of the cluster, so ``backend_sg_users`` is complete.
    ``others`` (with ``stack_ids``) also lists the cluster's other stacks in ``other_stacks`` (stack id →
    ``"<type> <resource id>"`` of its load balancers and target groups), from the first round's tags only:
    stacks the inputs do not define cost nothing more.
    Raises :class:`AwsError` / ``ConfigError`` on failure.
    """
    wanted = None if stack_ids is None else frozenset(stack_ids)
    # boto3 sessions are not thread-safe: create the clients here, before any thread uses them.
    clients.prepare(("elbv2", "ec2", "resourcegroupstaggingapi"))
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="albctl-live")
    reader = _Reader(clients, pool, cluster, wanted,
                     targets_of or (lambda tg: tg.get("TargetType") == "instance"),
                     ATTRIBUTE_KINDS if attributes is None else frozenset(attributes), details, all_cluster_lbs)
    reader.others = others
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
                     backend_sg_users=reader.backend_sg_users,
                     other_stacks={k: sorted(v) for k, v in sorted(reader.other_stacks.items())})


def read_live_stacks(
    clients: AwsClients, cluster: str, stack_ids: Iterable[str] | None = None, **kwargs: Any
) -> dict[str, LiveStack]:
    """The live resources of ``cluster``'s Ingress stacks, by stack id (:func:`read_live` without the rest)."""
    return read_live(clients, cluster, stack_ids, **kwargs).stacks


def read_names(clients: AwsClients, live: LiveState, names: Mapping[str, Iterable[str]]) -> None:
    """Add to ``live.names`` which of ``names`` (type → names about to be created) some load balancer or
    target group in the account already holds: one Describe*(Names=[name]) each, concurrently (a name
    that is free answers NotFound); past 20 names of a type, every one of that type is listed instead."""
    jobs: dict[str, list[str]] = {t: sorted(set(ns) - set(live.names.get(t, {}))) for t, ns in names.items()}
    jobs = {t: ns for t, ns in jobs.items() if ns and t in (LOAD_BALANCER, TARGET_GROUP)}
    if not jobs:
        return
    elbv2 = clients.elbv2
    found: dict[str, dict[str, str]] = {t: {} for t in jobs}

    def by_name(type_: str, name: str) -> dict[str, str]:
        if type_ == LOAD_BALANCER:
            with aws_call("DescribeLoadBalancers"):
                items = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]
            return {i["LoadBalancerName"]: i["LoadBalancerArn"] for i in items}
        with aws_call("DescribeTargetGroups"):
            items = elbv2.describe_target_groups(Names=[name])["TargetGroups"]
        return {i["TargetGroupName"]: i["TargetGroupArn"] for i in items}

    def listing(type_: str) -> dict[str, str]:
        if type_ == LOAD_BALANCER:
            return {i["LoadBalancerName"]: i["LoadBalancerArn"]
                    for i in _pages(elbv2, "DescribeLoadBalancers", "LoadBalancers")}
        return {i["TargetGroupName"]: i["TargetGroupArn"]
                for i in _pages(elbv2, "DescribeTargetGroups", "TargetGroups")}

    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="albctl-names") as pool:
        futures: list[tuple[str, Future[dict[str, str] | None]]] = []
        for type_, wanted in jobs.items():
            if len(wanted) > _ARNS_PER_CALL:
                futures.append((type_, pool.submit(listing, type_)))
            else:
                futures += [(type_, pool.submit(_unless_gone, partial(by_name, type_, n))) for n in wanted]
        for type_, future in futures:
            found[type_].update(future.result() or {})
    for type_, holders in found.items():
        live.names.setdefault(type_, {}).update(holders)


def complete_attributes(clients: AwsClients, live: LiveState, wanted: Mapping[str, Mapping[str, Mapping[str, Any]]],
                        max_workers: int = 16) -> None:
    """Read the attributes of live resources read without them whose desired spec sets some.

    ``wanted``: stack id → resource type → resource id → desired spec (stack-json's ``spec``)."""
    todo: list[tuple[str, int, LiveResource]] = []
    for stack_id, by_type in wanted.items():
        stack = live.stacks.get(stack_id)
        if stack is None:
            continue
        for n, res in enumerate(stack.resources):
            if "attributes" not in (res.extra.get(UNREAD) or ()):
                continue
            spec = (by_type.get(res.type) or {}).get(res.id)
            if spec and spec.get(_ATTRIBUTES_FIELD[res.type]):
                todo.append((stack_id, n, res))
    if not todo:
        return
    elbv2 = clients.elbv2
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="albctl-attrs") as pool:
        futures = [pool.submit(_attributes, elbv2, res.type, res.arn) for _, _, res in todo]
        for (stack_id, n, res), future in zip(todo, futures, strict=True):
            attrs = future.result() or []
            extra = {k: v for k, v in res.extra.items() if k != UNREAD}
            spec = {**res.spec, _ATTRIBUTES_FIELD[res.type]: read_attributes(attrs)}
            if res.type == LOAD_BALANCER:
                extra["deletion_protection"] = any(a["Key"] == load_balancer.PROTECTION and a.get("Value") == "true"
                                                   for a in attrs)
            live.stacks[stack_id].resources[n] = replace(res, spec=spec, extra=extra)


def _attributes(elbv2: Any, type_: str, arn: str) -> list[dict[str, str]] | None:
    def call() -> list[dict[str, str]]:
        if type_ == LOAD_BALANCER:
            with aws_call("DescribeLoadBalancerAttributes"):
                return list(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
        if type_ == TARGET_GROUP:
            with aws_call("DescribeTargetGroupAttributes"):
                return list(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
        with aws_call("DescribeListenerAttributes"):
            return list(elbv2.describe_listener_attributes(ListenerArn=arn).get("Attributes") or [])

    return _unless_gone(call)


def _pages(client: Any, operation: str, key: str, page_size: int | None = _PAGE_SIZE,
           **kwargs: Any) -> list[dict[str, Any]]:
    """All pages of a paginated Describe call (ELBv2: 400 a page, the most it allows)."""
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
    if page_size is not None:
        kwargs["PaginationConfig"] = {"PageSize": page_size}
    items: list[dict[str, Any]] = []
    with aws_call(operation):
        for page in client.get_paginator(method).paginate(**kwargs):
            items.extend(page.get(key) or [])
    return items


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _is_elbv2_lb(arn: str) -> bool:
    """An ALB/NLB/GWLB ARN (``…:loadbalancer/app/…``), not a Classic Load Balancer's."""
    return arn.partition(":loadbalancer/")[2].split("/", 1)[0] in ("app", "net", "gwy")


class _Reader:
    def __init__(self, clients: AwsClients, pool: ThreadPoolExecutor, cluster: str, wanted: frozenset[str] | None,
                 targets_of: Callable[[dict[str, Any]], bool], attributes: frozenset[str], details: bool,
                 all_cluster_lbs: bool):
        self.clients = clients
        self.elbv2 = clients.elbv2
        self.ec2 = clients.ec2
        self.pool = pool
        self.cluster = cluster
        self.wanted = wanted
        self.targets_of = targets_of
        self.attributes = attributes
        self.details = details
        self.all_cluster_lbs = all_cluster_lbs
        self.names: dict[str, dict[str, str]] = {LOAD_BALANCER: {}, TARGET_GROUP: {}}
        self.backend_sg: LiveResource | None = None
        self.backend_sg_users: list[str] = []
        self.others = False  # also list the cluster's other stacks (round 1 only)
        self.other_stacks: dict[str, list[str]] = {}

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
        # round 1: the cluster's security groups, and its load balancers and target groups with their tags
        sgs_f = submit(self.describe_security_groups)
        tagged = self.tagged_resources()
        lbs: dict[str, dict[str, Any]] = {}
        tgs: dict[str, dict[str, Any]] = {}
        lbs_f: list[Future[list[dict[str, Any]]]] = []
        tgs_f: list[Future[list[dict[str, Any]]]] = []
        if tagged is None:  # no tagging API: list everything, then every tag
            lb_list_f = submit(_pages, self.elbv2, "DescribeLoadBalancers", "LoadBalancers")
            tg_list = _pages(self.elbv2, "DescribeTargetGroups", "TargetGroups")
            lb_list = lb_list_f.result()
            tags = self.describe_tags([lb["LoadBalancerArn"] for lb in lb_list]
                                      + [tg["TargetGroupArn"] for tg in tg_list])
            lbs = {lb["LoadBalancerArn"]: lb for lb in lb_list}
            tgs = {tg["TargetGroupArn"]: tg for tg in tg_list}
            described_lbs = list(lbs)
        else:
            tags = tagged
            described_lbs = [arn for arn, t in tags.items() if _is_elbv2_lb(arn)
                             and (self.all_cluster_lbs or self.owner(t) is not None)]
        if self.others:  # the cluster's other stacks: only that they exist, and their resource ids
            for arn, t in tags.items():
                sid = t.get(STACK_TAG)
                if t.get(CLUSTER_TAG) == self.cluster and sid and self.wanted is not None and sid not in self.wanted:
                    kind = LOAD_BALANCER if _is_elbv2_lb(arn) else TARGET_GROUP if ":targetgroup/" in arn else None
                    if kind is not None:
                        self.other_stacks.setdefault(sid, []).append(f"{kind} {t.get(RESOURCE_TAG, '')}")
        owned_lbs = [(sid, arn) for arn, t in tags.items() if _is_elbv2_lb(arn) and (sid := self.owner(t))]
        owned_tgs = [(sid, arn) for arn, t in tags.items() if ":targetgroup/" in arn and (sid := self.owner(t))]

        # round 2: per owned load balancer and target group, by ARN
        if tagged is not None:
            lbs_f = [submit(self.describe_lbs, c) for c in _chunks(described_lbs, _ARNS_PER_CALL)]
            tgs_f = [submit(self.describe_tgs, c) for c in _chunks([a for _, a in owned_tgs], _ARNS_PER_CALL)]
        lb_attrs = {arn: submit(_attributes, self.elbv2, LOAD_BALANCER, arn) for _, arn in owned_lbs
                    if LOAD_BALANCER in self.attributes}
        tg_attrs = {arn: submit(_attributes, self.elbv2, TARGET_GROUP, arn) for _, arn in owned_tgs
                    if TARGET_GROUP in self.attributes}
        lb_capacity = {arn: submit(self.lb_capacity, arn) for _, arn in owned_lbs if self.details}
        listeners_f = {submit(self.describe_listeners, arn): arn for _, arn in owned_lbs}
        for f in tgs_f:
            tgs.update((tg["TargetGroupArn"], tg) for tg in f.result())
        # round 3: registered targets (instance mode); per listener its rules, certificates, attributes
        tg_health = {arn: submit(self.tg_targets, arn) for _, arn in owned_tgs
                     if self.details and arn in tgs and self.targets_of(tgs[arn])}
        listeners: dict[str, list[dict[str, Any]] | None] = {}
        rules_f: dict[str, Future[list[dict[str, Any]] | None]] = {}
        certs_f: dict[str, Future[list[dict[str, Any]] | None]] = {}
        ls_attrs_f: dict[str, Future[list[dict[str, str]] | None]] = {}
        for fut in as_completed(listeners_f):
            found = listeners[listeners_f[fut]] = fut.result()
            for ls in found or ():
                arn = ls["ListenerArn"]
                rules_f[arn] = submit(self.describe_rules, arn)
                if LISTENER in self.attributes:
                    ls_attrs_f[arn] = submit(_attributes, self.elbv2, LISTENER, arn)
                if self.details and ls.get("Protocol") in SECURE:
                    certs_f[arn] = submit(self.listener_certificates, arn)
        for f in lbs_f:
            lbs.update((lb["LoadBalancerArn"], lb) for lb in f.result())
        rules = {arn: f.result() for arn, f in rules_f.items()}
        certs = {arn: f.result() for arn, f in certs_f.items()}
        # round 4: the tags of listeners and rules
        if self.details:
            sub_arns = [arn for arn, found in rules.items() if found is not None]
            sub_arns += [r["RuleArn"] for found in rules.values() for r in found or () if not r.get("IsDefault")]
            tags.update(self.describe_tags(sub_arns))

        self.names[LOAD_BALANCER] = {lb["LoadBalancerName"]: arn for arn, lb in lbs.items()}
        self.names[TARGET_GROUP] = {tg["TargetGroupName"]: arn for arn, tg in tgs.items()}
        out: list[tuple[str, LiveResource]] = []
        for stack_id, sg in sgs_f.result():
            rid, group_id, spec, sg_tags, extra = security_group.read(sg)
            out.append((stack_id, LiveResource(SECURITY_GROUP, rid, group_id, spec, sg_tags, extra)))
        if self.backend_sg is not None:
            self.backend_sg_users = sorted(arn for arn, lb in lbs.items()
                                           if self.backend_sg.arn in (lb.get("SecurityGroups") or []))
        for stack_id, arn in owned_tgs:
            tg = tgs.get(arn)
            attrs = tg_attrs[arn].result() if arn in tg_attrs else []
            targets = tg_health[arn].result() if arn in tg_health else []
            if tg is None or attrs is None or targets is None:
                continue  # deleted meanwhile
            rid, spec, extra = target_group.read(tg, tags[arn], attrs, targets if arn in tg_health else None)
            if arn not in tg_attrs:
                extra[UNREAD] = ["attributes"]
            out.append((stack_id, LiveResource(TARGET_GROUP, rid, arn, spec, tags[arn], extra)))
        for stack_id, lb_arn in owned_lbs:
            lb = lbs.get(lb_arn)
            attrs = lb_attrs[lb_arn].result() if lb_arn in lb_attrs else []
            found = listeners[lb_arn]
            capacity = lb_capacity[lb_arn].result() if lb_arn in lb_capacity else None
            if lb is None or attrs is None or found is None:
                continue
            rid, spec, extra = load_balancer.read(lb, tags[lb_arn], attrs, capacity)
            if lb_arn not in lb_attrs:
                extra[UNREAD] = ["attributes"]
            out.append((stack_id, LiveResource(LOAD_BALANCER, rid, lb_arn, spec, tags[lb_arn], extra)))
            for ls in found:
                ls_arn = ls["ListenerArn"]
                ls_rules = rules[ls_arn]
                ls_attrs = ls_attrs_f[ls_arn].result() if ls_arn in ls_attrs_f else []
                if ls_rules is None or certs.get(ls_arn, ()) is None or ls_attrs is None:
                    continue
                ls_tags = tags.get(ls_arn, {})
                rid, spec, extra = listener.read(ls, ls_tags, certs.get(ls_arn) or [], ls_attrs)
                if ls_arn not in ls_attrs_f:
                    extra[UNREAD] = ["attributes"]
                out.append((stack_id, LiveResource(LISTENER, rid, ls_arn, spec, ls_tags, extra)))
                for rule in ls_rules:
                    if not rule.get("IsDefault"):
                        rule_tags = tags.get(rule["RuleArn"], {})
                        rid, spec, extra = listener_rule.read(rule, ls, rule_tags)
                        out.append((stack_id, LiveResource(LISTENER_RULE, rid, rule["RuleArn"], spec, rule_tags,
                                                           extra)))
        return out

    # -- the calls ------------------------------------------------------------------------------

    def tagged_resources(self) -> dict[str, dict[str, str]] | None:
        """ARN → tags of the cluster's load balancers and target groups (Resource Groups Tagging API,
        filtered on the cluster tag and, for at most 20 stacks, the stack tag); None when denied."""
        filters = [{"Key": CLUSTER_TAG, "Values": [self.cluster]}]
        if self.wanted is not None and 0 < len(self.wanted) <= 20 and not self.all_cluster_lbs and not self.others:
            filters.append({"Key": STACK_TAG, "Values": sorted(self.wanted)})
        out: dict[str, dict[str, str]] = {}
        try:
            with aws_call("GetResources"):
                paginator = self.clients.resourcegroupstaggingapi.get_paginator("get_resources")
                # pages are cut by tag count: 500 (the most) keeps ~125 resources of 4 tags in one page
                for page in paginator.paginate(TagFilters=filters, ResourceTypeFilters=_RGTAPI_TYPES,
                                               TagsPerPage=500):
                    for item in page.get("ResourceTagMappingList") or []:
                        out[item["ResourceARN"]] = tag_map(item.get("Tags"))
        except AwsError as e:
            if e.code in _DENIED:
                return None
            raise
        return out

    def describe_lbs(self, arns: list[str]) -> list[dict[str, Any]]:
        """DescribeLoadBalancers by ARN; one the tagging API still lists after its deletion is left out."""
        def call(chunk: list[str]) -> list[dict[str, Any]]:
            return _pages(self.elbv2, "DescribeLoadBalancers", "LoadBalancers", page_size=None,
                          LoadBalancerArns=chunk)
        return self._by_arn(call, arns)

    def describe_tgs(self, arns: list[str]) -> list[dict[str, Any]]:
        def call(chunk: list[str]) -> list[dict[str, Any]]:
            return _pages(self.elbv2, "DescribeTargetGroups", "TargetGroups", page_size=None, TargetGroupArns=chunk)
        return self._by_arn(call, arns)

    @staticmethod
    def _by_arn(call: Callable[[list[str]], list[dict[str, Any]]], arns: list[str]) -> list[dict[str, Any]]:
        try:
            return call(arns)
        except AwsError as e:
            if e.code not in _GONE:
                raise
            if len(arns) == 1:
                return []
        out: list[dict[str, Any]] = []
        for arn in arns:  # one of them is gone: ask one by one
            out += _unless_gone(partial(call, [arn])) or []
        return out

    def describe_security_groups(self) -> list[tuple[str, dict[str, Any]]]:
        """One DescribeSecurityGroups (more only past a page), filtered on the cluster tag."""
        # No MaxResults: EC2 then answers in one page.
        groups = _pages(
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
        out: dict[str, dict[str, str]] = {}
        futures = [self.pool.submit(self._tags_chunk, c) for c in _chunks(arns, TAGS_PER_CALL)]
        for result in [f.result() for f in futures]:
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

    def tg_targets(self, arn: str) -> list[dict[str, Any]] | None:
        def call() -> list[dict[str, Any]]:
            with aws_call("DescribeTargetHealth"):
                return list(self.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"])

        return _unless_gone(call)

    def describe_listeners(self, lb_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(partial(_pages, self.elbv2, "DescribeListeners", "Listeners", LoadBalancerArn=lb_arn))

    def describe_rules(self, ls_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(partial(_pages, self.elbv2, "DescribeRules", "Rules", ListenerArn=ls_arn))

    def lb_capacity(self, arn: str) -> dict[str, Any] | None:
        """The minimum capacity reserved for a load balancer (``None`` when there is none)."""
        def call() -> dict[str, Any] | None:
            with aws_call("DescribeCapacityReservation"):
                found = self.elbv2.describe_capacity_reservation(LoadBalancerArn=arn)
            return found.get("MinimumLoadBalancerCapacity")

        return _unless_gone(call)

    def listener_certificates(self, ls_arn: str) -> list[dict[str, Any]] | None:
        return _unless_gone(
            partial(_pages, self.elbv2, "DescribeListenerCertificates", "Certificates", ListenerArn=ls_arn)
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
