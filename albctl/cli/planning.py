"""Making a plan (fresh, or re-checking a saved one) and turning it into executor work.
Shared by `plan`, `apply` and `destroy`."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from albctl.aws.session import AwsClients
from albctl.errors import AlbctlError, RefusedError
from albctl.model.stack import (
    BACKEND_SG_ID,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
    Ref,
    Stack,
)
from albctl.plan.model import Action, Change, Plan, StackPlan
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG

SHARED_STACK = "(cluster)"  # pseudo-stack of resources shared by all stacks: the backend SG
BACKEND_SG_DESCRIPTION = "[k8s] Shared Backend SecurityGroup for LoadBalancer"


def desired_targets(clients: AwsClients, cluster: str, stacks: list[Stack]) -> dict[str, dict[str, list[Any]]]:
    """Per stack, per instance-mode target group: the cluster's nodes on the group's port."""
    from albctl.model.stack import TargetGroupSpec

    instance = [(s.id, r.id, r.spec.port) for s in stacks for r in s.of_type(TARGET_GROUP)
                if isinstance(r.spec, TargetGroupSpec) and r.spec.target_type == "instance"]
    if not instance:
        return {}
    from albctl.aws.nodes import discover_nodes

    nodes = discover_nodes(clients, cluster)
    out: dict[str, dict[str, list[Any]]] = {}
    for stack_id, tg_id, port in instance:
        out.setdefault(stack_id, {})[tg_id] = [{"id": n, "port": port} for n in nodes]
    return out


def _needs_backend_sg(stacks: list[Stack]) -> bool:
    ref = Ref(SECURITY_GROUP, BACKEND_SG_ID, "groupID")
    return any(ref in getattr(r.spec, "security_groups", ()) for s in stacks for r in s.of_type(LOAD_BALANCER))


def backend_sg_change(cluster: str) -> Change:
    from albctl.aws.facts import backend_security_group_name

    name = backend_security_group_name(cluster)
    after = {"groupName": name, "description": BACKEND_SG_DESCRIPTION,
             "tags": {CLUSTER_TAG: cluster, BACKEND_SG_RESOURCE_TAG: "backend-sg"}}
    return Change(SECURITY_GROUP, BACKEND_SG_ID, name, Action.CREATE, None, after)


def make_plan(clients: AwsClients, cluster: str, vpc_id: str | None, specs: list[tuple[str, dict[str, Any]]],
              targets: dict[str, dict[str, list[Any]]], *, backend_sg: bool, warnings: tuple[str, ...] = (),
              state: Any = None) -> Plan:
    """Diff desired stacks (stack-json resources, by stack id) against what is live now (``state``: a
    LiveState already read for these stacks, else it is read here)."""
    from albctl.aws.live import read_live
    from albctl.plan.diff import diff_resources, stack_specs, unmanaged_types

    if state is None:
        state = read_live(clients, cluster, [stack_id for stack_id, _ in specs])
    live = state.stacks
    stacks: list[StackPlan] = []
    if backend_sg:
        stacks.append(StackPlan(SHARED_STACK, {}, (backend_sg_change(cluster),)))
    notes: list[str] = []
    for stack_id, resources in specs:
        notes += [f"IngressGroup {stack_id}: {t} is in the model but albctl does not manage it yet; "
                  "it is left as it is" for t in unmanaged_types(resources)]
        current = live[stack_id].resources if stack_id in live else []
        changes = diff_resources(stack_id, stack_specs(resources), current, cluster, targets.get(stack_id))
        check_names(changes, state.names)
        stacks.append(StackPlan(stack_id, resources, tuple(changes), targets.get(stack_id, {})))
    if any(c.action is Action.CREATE for s in stacks for c in s.changes):
        check_limits(clients, stacks, targets)
    return Plan(cluster, clients.region or "", tuple(stacks), warnings + tuple(notes), vpc_id)


# account limit name → what it counts in one stack (one application load balancer)
LIMITS = {
    "rules-per-application-load-balancer": lambda res, targets: len(res.get(LISTENER_RULE, {})),
    "listeners-per-application-load-balancer": lambda res, targets: len(res.get(LISTENER, {})),
    "target-groups-per-application-load-balancer": lambda res, targets: len(res.get(TARGET_GROUP, {})),
    "certificates-per-application-load-balancer": lambda res, targets: sum(
        len(ls["spec"].get("certificates", [])) for ls in res.get(LISTENER, {}).values()),
    "targets-per-application-load-balancer": lambda res, targets: sum(len(t) for t in targets.values()),
}


def check_limits(clients: AwsClients, stacks: list[StackPlan], targets: dict[str, dict[str, list[Any]]]) -> None:
    """Refuse at plan time what apply would hit: more rules, listeners, target groups, certificates or
    targets on one load balancer than the account's ELB limits allow (one DescribeAccountLimits)."""
    from albctl.aws.session import aws_call

    with aws_call("DescribeAccountLimits"):
        limits = {lim["Name"]: int(lim["Max"]) for lim in clients.elbv2.describe_account_limits()["Limits"]}
    problems = []
    for stack in stacks:
        for name, count in LIMITS.items():
            have = count(stack.resources, targets.get(stack.id, {}))
            if name in limits and have > limits[name]:
                problems.append(f"IngressGroup {stack.id} needs {have} ({name}), the account allows {limits[name]}")
    if problems:
        raise RefusedError("the plan exceeds this account's Elastic Load Balancing limits: " + "; ".join(problems),
                           hint="split the IngressGroup, or ask AWS to raise the quota")


def check_names(changes: list[Change], names: dict[str, dict[str, str]]) -> None:
    """Refuse, at plan time, to create a load balancer or target group whose name something that
    is not this resource already holds (apply would fail there, or worse, adopt it)."""
    mine = {c.arn for c in changes if c.arn}
    for change in changes:
        if change.action not in (Action.CREATE, Action.REPLACE) or change.type not in (LOAD_BALANCER, TARGET_GROUP):
            continue
        holder = names.get(change.type, {}).get(change.name)
        if holder is not None and holder not in mine:
            kind = "load balancer" if change.type == LOAD_BALANCER else "target group"
            raise RefusedError(
                f"{kind} name {change.name} is already taken by {holder}, which is not part of this stack "
                "(albctl never modifies what it does not own)",
                hint="delete or rename the other one, or set alb.ingress.kubernetes.io/load-balancer-name")


def fresh_plan(env: Any, desired: Any) -> Plan:
    """The plan for freshly built desired stacks (``albctl plan`` / ``albctl apply PATH``)."""
    from albctl.model.serialize import stack_data

    result, settings, target = desired.result, desired.settings, desired.target
    stacks: list[Stack] = result.stacks
    targets = desired_targets(target.clients, settings.cluster_name, stacks)
    specs = [(s.id, stack_data(s)["resources"]) for s in stacks]
    notes, cert_warnings = certificate_notes(result.groups, desired.facts)
    plan = make_plan(target.clients, settings.cluster_name, desired.facts.vpc_id, specs, targets,
                     backend_sg=_needs_backend_sg(stacks),
                     warnings=tuple(str(w) for w in result.warnings) + cert_warnings, state=desired.live)
    return replace(plan, notes=notes)


def certificate_notes(groups: list[Any], facts: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For each HTTPS Ingress: which certificate it gets, and why; a warning where several match a host."""
    notes: list[str] = []
    warnings: list[str] = []
    for group in groups:
        for member in group.members:
            ing = member.ingress
            explicit = (member.params.spec.get("certificateArn") if member.params else None) or \
                ing.alb.get("certificate-arn")
            if explicit:
                notes.append(f"Ingress {ing.meta.key}: certificate(s) {', '.join(explicit)} "
                             "(explicit, alb.ingress.kubernetes.io/certificate-arn)")
    for host, arns in sorted(facts.certificates_by_host.items()):
        for arn in arns:
            names = facts.certificate_domains.get(arn, ())
            how = next((n for n in names if n == host), None) or next((n for n in names if n.startswith("*.")), "")
            kind = "exact name" if how == host else f"wildcard {how}" if how else "name"
            notes.append(f"host {host}: certificate {arn} (discovered in ACM, {kind} match)")
        if len(arns) > 1:
            warnings.append(f"{len(arns)} ACM certificates match host {host}; all are attached (as the controller "
                            "does): set alb.ingress.kubernetes.io/certificate-arn to choose one")
    return tuple(notes), tuple(warnings)


def load_saved_plan(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data: dict[str, Any] = json.load(fh)
    except OSError as exc:
        raise AlbctlError(f"cannot read plan file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise AlbctlError(f"plan file {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format_version") != "1":
        raise AlbctlError(f"plan file {path} is not an albctl plan (format_version 1)")
    return data


def recheck_saved_plan(clients: AwsClients, data: dict[str, Any]) -> Plan:
    """Re-diff a saved plan's desired stacks against the live state now; refuse if the result differs."""
    from albctl.views.plan import plan_data

    specs = [(s["id"], s["resources"]) for s in data["stacks"] if s["id"] != SHARED_STACK]
    targets = {s["id"]: s.get("targets") or {} for s in data["stacks"]}
    backend_sg = any(s["id"] == SHARED_STACK for s in data["stacks"])
    plan = make_plan(clients, data["cluster"], data.get("vpc_id"), specs, targets, backend_sg=backend_sg)
    now = json.loads(json.dumps(plan_data(plan)["stacks"], default=str))
    if _changes(now) != _changes(data["stacks"]):
        raise RefusedError("the live state no longer matches what this plan was made against",
                           hint="run `albctl plan --out FILE` again and review the new plan")
    return plan


def _changes(stacks: list[dict[str, Any]]) -> list[Any]:
    return [(s["id"], [(c["type"], c["id"], c["action"], c["diff"], c.get("arn")) for c in s["changes"]])
            for s in stacks]


def find_backend_sg(clients: AwsClients, cluster: str) -> dict[str, Any] | None:
    """The cluster's shared backend security group (DescribeSecurityGroups by its tags), if exactly one."""
    from albctl.aws.session import aws_call

    filters = [{"Name": f"tag:{CLUSTER_TAG}", "Values": [cluster]},
               {"Name": f"tag:{BACKEND_SG_RESOURCE_TAG}", "Values": ["backend-sg"]}]
    with aws_call("DescribeSecurityGroups"):
        groups = clients.ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    return groups[0] if len(groups) == 1 else None


def unused_backend_sg(clients: AwsClients, cluster: str, deleting: set[str]) -> Change | None:
    """The cluster's shared backend SG, as a delete, when no load balancer but those being deleted
    uses it (the controller removes it when its last Ingress goes)."""
    from albctl.aws.session import aws_call

    group = find_backend_sg(clients, cluster)
    if group is None:
        return None
    with aws_call("DescribeLoadBalancers"):
        for page in clients.elbv2.get_paginator("describe_load_balancers").paginate():
            for lb in page["LoadBalancers"]:
                if lb["LoadBalancerArn"] not in deleting and group["GroupId"] in lb.get("SecurityGroups", []):
                    return None
    tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
    before = {"groupName": group["GroupName"], "description": group.get("Description", ""), "tags": tags}
    return Change(SECURITY_GROUP, BACKEND_SG_ID, group["GroupName"], Action.DELETE, before, None,
                  arn=group["GroupId"])
