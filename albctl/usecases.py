"""What the commands do, below the CLI: read the manifests and build the desired stacks, make a plan
(fresh, for destroy, or a saved one re-checked), apply a plan, write TargetGroupBindings.

The CLI parses arguments, calls one of these, and renders the result. AWS is reached only through
the clients passed in; with a live snapshot instead, planning needs no AWS at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from albctl.elbv2.snapshot import LiveState
from albctl.errors import AlbctlError, RefusedError
from albctl.model.stack import BACKEND_SG_ID, LISTENER, LISTENER_RULE, LOAD_BALANCER, SECURITY_GROUP, TARGET_GROUP
from albctl.plan.model import Plan
from albctl.plan.planner import SHARED_STACK, BackendSG, DesiredStack
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG

BACKEND_SG_DESCRIPTION = "[k8s] Shared Backend SecurityGroup for LoadBalancer"


@dataclass
class Desired:
    """The manifests read and their stacks built (with discovered facts when online)."""

    result: Any  # albctl.pipeline.Result, with stacks built
    settings: Any  # albctl.settings.Settings, with the cluster name in effect
    facts: Any  # albctl.model.facts.Facts used to build the model
    live: LiveState | None = None  # the live state of the groups' stacks, read before building


def read_inputs(paths: Sequence[str], settings: Any, stdin_text: str | None, environ: Mapping[str, str]) -> Any:
    """Load and validate the manifests and form the IngressGroups: a ``pipeline.Result`` (no AWS)."""
    from albctl import pipeline
    from albctl.model.auth import oidc_env

    settings = settings.with_overrides(auth_env=oidc_env(dict(environ)))
    return pipeline.read(paths, settings, stdin_text), settings


def build_desired(result: Any, settings: Any, clients: Any = None, *, live: LiveState | None = None,
                  kube: Any = None, environ: Mapping[str, str] | None = None,
                  on_warnings: Any = None) -> Desired:
    """Build the stacks of ``result``: offline without ``clients``; else the live stacks are read (or taken
    from ``live``, a snapshot) and facts discovered, in that order: a live load balancer of the same scheme
    keeps its subnets (no subnet discovery for its group) and a live target group tells a Service's node port.
    With ``kube``, the Services the Ingresses name are read from the cluster. ``on_warnings`` gets the
    model's own warnings (placeholders, tolerated gaps)."""
    from albctl import pipeline
    from albctl.model.facts import OFFLINE

    result.raise_for_errors()  # bad input: stop before any AWS call
    facts = OFFLINE
    if kube is not None:  # read-only: the Services the Ingresses name, as the cluster has them
        from albctl.kube.services import read_backend_services

        facts = replace(facts, cluster_services=read_backend_services(kube, result.groups,
                                                                      environ=dict(environ or {})))
    if clients is not None:
        from albctl.aws.facts import discover_facts
        from albctl.aws.live import read_live
        from albctl.model.cluster import live_target_groups

        if live is None:
            live = read_live(clients, settings.cluster_name, [g.id for g in result.groups])
        live_lbs = [(stack_id, lb) for stack_id, stack in live.stacks.items()
                    for lb in stack.resources if lb.type == LOAD_BALANCER]
        existing = {stack_id: (str(lb.spec.get("scheme")),
                               tuple(m["subnetID"] for m in lb.spec.get("subnetMapping", [])))
                    for stack_id, lb in live_lbs}
        # a live load balancer of the same scheme keeps its subnets: no discovery for its group
        known = {(stack_id, str(lb.spec.get("scheme"))): lb.extra.get("vpcID") for stack_id, lb in live_lbs}
        base = replace(facts, offline=False, live_load_balancers=existing,
                       live_target_groups=live_target_groups(live.stacks))
        # discovery looks up what building the groups with these facts leaves as placeholders
        facts = discover_facts(clients, result.groups, settings, known_subnets=known, inputs=result.inputs,
                               base=base)
    before = len(result.diagnostics)
    result = pipeline.build(result, settings, facts)
    if not result.errors and on_warnings is not None:
        on_warnings(result.diagnostics[before:])
    result.raise_for_errors()
    return Desired(result, settings, facts, live)


# -- planning ------------------------------------------------------------------------------------


def instance_targets(stacks: Iterable[Any], nodes: Sequence[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per stack, per instance-mode target group: the cluster's nodes on the group's port."""
    from albctl.model.stack import TargetGroupSpec

    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for stack in stacks:
        for res in stack.of_type(TARGET_GROUP):
            if isinstance(res.spec, TargetGroupSpec) and res.spec.target_type == "instance":
                out.setdefault(stack.id, {})[res.id] = [{"id": n, "port": res.spec.port} for n in sorted(nodes)]
    return out


def _needs_instance_targets(stacks: Iterable[Any]) -> bool:
    from albctl.model.stack import TargetGroupSpec

    return any(isinstance(r.spec, TargetGroupSpec) and r.spec.target_type == "instance"
               for s in stacks for r in s.of_type(TARGET_GROUP))


def backend_sg_to_create(stacks: Iterable[Any], live: LiveState, cluster: str) -> BackendSG | None:
    """The shared backend SG, when a desired load balancer uses it and it does not exist yet."""
    from albctl.aws.facts import backend_security_group_name
    from albctl.model.stack import Ref

    ref = Ref(SECURITY_GROUP, BACKEND_SG_ID, "groupID")
    if live.backend_sg is not None:
        return None
    if not any(ref in getattr(r.spec, "security_groups", ()) for s in stacks for r in s.of_type(LOAD_BALANCER)):
        return None
    return BackendSG(backend_security_group_name(cluster), BACKEND_SG_DESCRIPTION,
                     {CLUSTER_TAG: cluster, BACKEND_SG_RESOURCE_TAG: "backend-sg"})


def plan_desired(desired: Desired, clients: Any, region: str) -> Plan:
    """The plan for freshly built desired stacks (``albctl plan`` / ``albctl apply PATH``)."""
    from albctl.model.serialize import stack_data
    from albctl.plan.planner import plan_stacks
    from albctl.plan.secrets import with_secret_tags

    from albctl.errors import InputError
    from albctl.model.cluster import collision_diagnostics

    assert desired.live is not None
    live = desired.live
    stacks = desired.result.stacks
    collisions = collision_diagnostics(stacks, "error")
    if collisions:  # two backends would share one target group: the plan would merge them
        raise InputError(collisions)
    cluster = desired.settings.cluster_name
    if live.nodes is None and _needs_instance_targets(stacks) and clients is not None:
        from albctl.aws.nodes import discover_nodes

        live.nodes = list(discover_nodes(clients, cluster))
    targets = instance_targets(stacks, live.nodes or [])
    secrets = secrets_of(desired)
    wanted = [DesiredStack(s.id, with_secret_tags(stack_data(s)["resources"], secrets, cluster, s.id),
                           targets.get(s.id, {})) for s in stacks]
    backend_sg = backend_sg_to_create(stacks, live, cluster)
    if clients is not None and SECURITY_GROUP not in live.names:
        wanted_names = [body["spec"]["groupName"] for s in wanted
                        for body in s.resources.get(SECURITY_GROUP, {}).values()]
        live.names[SECURITY_GROUP] = security_group_names(clients, desired.facts.vpc_id,
                                                          wanted_names + ([backend_sg.name] if backend_sg else []))
    plans = plan_stacks(wanted, live, cluster, vpc_id=desired.facts.vpc_id,
                        backend_sg=backend_sg,
                        ignored_tags=desired.settings.external_managed_tags)
    notes, cert_warnings = certificate_notes(desired.result.groups, desired.facts)
    notes += tuple(f"IngressGroup {s.id}: {t} is in the model but albctl does not manage it yet; it is left as it is"
                   for s in wanted for t in unmanaged_types(s.resources))
    plan = Plan(cluster, region, tuple(plans), tuple(str(w) for w in desired.result.warnings) + cert_warnings,
                desired.facts.vpc_id, notes)
    if any(op.step.value == "create" for op in plan.operations):
        if live.limits is None and clients is not None:
            live.limits = account_limits(clients)
        check_limits(plan, live.limits or {})
    return plan


def security_group_names(clients: Any, vpc_id: str | None, names: Sequence[str]) -> dict[str, str]:
    """Name → id of the security groups in the VPC that have these names (one DescribeSecurityGroups)."""
    from albctl.aws.session import aws_call

    if not names:
        return {}
    filters = [{"Name": "group-name", "Values": sorted(set(names))}]
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    with aws_call("DescribeSecurityGroups"):
        groups = clients.ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    return {g["GroupName"]: g["GroupId"] for g in groups}


def unmanaged_types(resources: Mapping[str, Any]) -> list[str]:
    """Resource types of a desired stack that plan/apply leave alone (the in-cluster controller's
    TargetGroupBindings aside): WAF and Shield associations, for now."""
    from albctl.elbv2 import KINDS
    from albctl.model.stack import TARGET_GROUP_BINDING

    return sorted(t for t in resources if t not in KINDS and t != TARGET_GROUP_BINDING)


def account_limits(clients: Any) -> dict[str, int]:
    from albctl.aws.session import aws_call

    with aws_call("DescribeAccountLimits"):
        return {lim["Name"]: int(lim["Max"]) for lim in clients.elbv2.describe_account_limits()["Limits"]}


# account limit name → what it counts in one stack (one application load balancer)
LIMITS = {
    "rules-per-application-load-balancer": lambda s: len(s.resources.get(LISTENER_RULE, {})),
    "listeners-per-application-load-balancer": lambda s: len(s.resources.get(LISTENER, {})),
    "target-groups-per-application-load-balancer": lambda s: len(s.resources.get(TARGET_GROUP, {})),
    "certificates-per-application-load-balancer": lambda s: sum(
        len(ls["spec"].get("certificates", [])) for ls in s.resources.get(LISTENER, {}).values()),
    "targets-per-application-load-balancer": lambda s: sum(len(t) for t in s.targets.values()),
}


def check_limits(plan: Plan, limits: Mapping[str, int]) -> None:
    """Refuse at plan time what apply would hit: more rules, listeners, target groups, certificates or
    targets on one load balancer than the account's ELB limits allow."""
    problems = []
    for stack in plan.stacks:
        for name, count in LIMITS.items():
            have = count(stack)
            if name in limits and have > limits[name]:
                problems.append(f"IngressGroup {stack.id} needs {have} ({name}), the account allows {limits[name]}")
    if problems:
        raise RefusedError("the plan exceeds this account's Elastic Load Balancing limits: " + "; ".join(problems),
                           hint="split the IngressGroup, or ask AWS to raise the quota")


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


def plan_destroy(clients: Any, cluster: str, stack_ids: Sequence[str], region: str) -> Plan:
    """Delete every live resource of these stacks (and the shared backend SG once unused)."""
    from albctl.aws.live import read_live
    from albctl.plan.planner import destroy_stacks

    live = read_live(clients, cluster, stack_ids, targets_of=lambda tg: False)
    return Plan(cluster, region, tuple(destroy_stacks(stack_ids, live, cluster)))


def recheck_saved(clients: Any, data: Mapping[str, Any]) -> Plan:
    """A saved plan (already read and checked by :func:`albctl.plan.document.read_plan_file`), after
    checking that planning its desired stacks against the live state now gives the same operations."""
    from albctl.aws.live import read_live
    from albctl.plan.document import operations_data, plan_from_data
    from albctl.plan.planner import destroy_stacks, plan_stacks

    saved = plan_from_data(data)
    desired = [DesiredStack(s.id, s.resources, s.targets) for s in saved.stacks if s.id != SHARED_STACK]
    live = read_live(clients, saved.cluster, [s.id for s in desired])
    if any(s.targets for s in saved.stacks):
        from albctl.aws.nodes import discover_nodes

        live.nodes = list(discover_nodes(clients, saved.cluster))
        nodes_now = sorted(live.nodes)
        for s in desired:
            for targets in s.targets.values():
                if sorted(t["id"] for t in targets) != nodes_now:
                    raise RefusedError("the cluster's nodes changed since this plan was made",
                                       hint="run `albctl plan --out FILE` again and review the new plan")
    if all(not s.resources for s in desired):
        now = destroy_stacks([s.id for s in desired], live, saved.cluster)
    else:
        backend = next((s for s in saved.stacks if s.id == SHARED_STACK and s.changes
                        and s.changes[0].action.value == "create"), None)
        sg = None
        if backend is not None and backend.changes[0].after:
            after = backend.changes[0].after
            sg = BackendSG(after["groupName"], after["description"], after.get("tags") or {})
        now = plan_stacks(desired, live, saved.cluster, vpc_id=saved.vpc_id, backend_sg=sg)
    fresh = Plan(saved.cluster, saved.region, tuple(now), vpc_id=saved.vpc_id)
    if operations_data(fresh) != operations_data(saved):
        raise RefusedError("the live state no longer matches what this plan was made against",
                           hint="run `albctl plan --out FILE` again and review the new plan")
    return saved


# -- applying ------------------------------------------------------------------------------------


def apply_plan(clients: Any, plan: Plan, *, secrets: Mapping[str, str], allow_destroy_protected: bool,
               progress: Any) -> None:
    """Run the plan's operations, verbatim and in order."""
    from albctl.apply.executor import Executor

    Executor(clients, secrets, allow_destroy_protected, progress).run(plan.operations)


def outputs(clients: Any, plan: Plan) -> list[dict[str, str]]:
    """Each applied stack's load balancer: name, DNS name and hosted zone (one DescribeLoadBalancers)."""
    from albctl.aws.session import aws_call

    names = [s.resources.get(LOAD_BALANCER, {}).get("LoadBalancer", {}).get("spec", {}).get("name")
             for s in plan.stacks]
    names = [n for n in names if n]
    if not names:
        return []
    with aws_call("DescribeLoadBalancers"):
        found = clients.elbv2.describe_load_balancers(Names=names)["LoadBalancers"]
    return [{"name": lb["LoadBalancerName"], "dns_name": lb.get("DNSName", ""),
             "hosted_zone": lb.get("CanonicalHostedZoneId", "")} for lb in found]


def secrets_of(desired: Desired | None) -> dict[str, str]:
    """OIDC client id → secret, from the desired stacks (a saved plan holds none)."""
    if desired is None:
        return {}
    from albctl.model.auth import client_secrets

    out: dict[str, str] = {}
    for stack in desired.result.stacks:
        out.update(client_secrets(stack))
    return out


def binding_manifests(clients: Any, plan: Plan) -> list[tuple[str, dict[str, Any]]]:
    """TargetGroupBinding manifests (file name, document) for the plan's ip-mode target groups, so the
    in-cluster controller registers pods: read back from AWS after apply."""
    from albctl.aws.live import read_live
    from albctl.model.stack import TARGET_GROUP_BINDING

    live = read_live(clients, plan.cluster, [s.id for s in plan.stacks if s.id != SHARED_STACK],
                     targets_of=lambda tg: False)
    backend = live.backend_sg
    out = []
    for stack in plan.stacks:
        resources = live.stack(stack.id).resources
        known = {(r.type, r.id): r.arn for r in resources}
        if backend is not None:
            known[(SECURITY_GROUP, BACKEND_SG_ID)] = backend.arn
        arns = {r.id: r.arn for r in resources if r.type == TARGET_GROUP}
        for tg_id, body in (stack.resources.get(TARGET_GROUP_BINDING) or {}).items():
            spec = _resolve_refs(body["spec"], known)
            if spec["targetType"] != "ip" or tg_id not in arns:
                continue
            doc: dict[str, Any] = {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
                                   "metadata": {"name": spec["name"], "namespace": spec["namespace"]},
                                   "spec": {"targetGroupARN": arns[tg_id], "targetType": "ip",
                                            "serviceRef": {"name": spec["serviceName"], "port": spec["servicePort"]},
                                            "ipAddressType": spec["ipAddressType"], "vpcID": spec["vpcID"]}}
            for key in ("networking", "nodeSelector", "multiClusterTargetGroup"):
                if spec.get(key):
                    doc["spec"][key] = spec[key]
            out.append((f"{spec['namespace']}-{spec['name']}.yaml", doc))
    return out


def _resolve_refs(value: Any, known: Mapping[tuple[str, str], str]) -> Any:
    from albctl.elbv2.call import substitute

    def replace(item: Mapping[str, Any]) -> Any | None:
        ref = item.get("$ref") if len(item) == 1 else None
        if not isinstance(ref, str):
            return None
        _, _, rest = ref.partition("#/resources/")
        type_, _, tail = rest.partition("/")
        return known.get((type_, tail.rsplit("/status/", 1)[0]), dict(item))
    return substitute(value, replace)


def binding_file_names(plan: Plan) -> list[str]:
    """The file names ``--emit-tgb`` will write for the plan's ip-mode TargetGroupBindings."""
    from albctl.model.stack import TARGET_GROUP_BINDING

    names = []
    for stack in plan.stacks:
        for body in (stack.resources.get(TARGET_GROUP_BINDING) or {}).values():
            spec = body.get("spec") or {}
            if spec.get("targetType") == "ip":
                names.append(f"{spec.get('namespace')}-{spec.get('name')}.yaml")
    return names


def _plain_file_name(name: str) -> bool:
    return bool(name) and not any(c in name for c in "/\\\0") and not name.startswith(".") and name.isprintable()


def check_binding_files(directory: Path, plan: Plan) -> None:
    """Before anything is applied: the directory is usable, every name is a plain file name, and no
    file (or link) of that name is there already."""
    if directory.exists() and not directory.is_dir():
        raise AlbctlError(f"--emit-tgb {directory}: not a directory")
    for name in binding_file_names(plan):
        if not _plain_file_name(name):
            raise AlbctlError(f"refusing to write TargetGroupBinding file {name!r}: not a plain file name")
        path = directory / name
        if path.exists() or path.is_symlink():
            raise AlbctlError(f"--emit-tgb: {path} exists already; albctl never overwrites a file",
                              hint="remove it, or give another directory")


def write_bindings(directory: Path, manifests: Sequence[tuple[str, dict[str, Any]]]) -> list[Path]:
    """Write each manifest as a new file in ``directory``: created exclusively, never through a link."""
    import os

    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in manifests:
        if not _plain_file_name(name):
            raise AlbctlError(f"refusing to write TargetGroupBinding file {name!r}: not a plain file name")
        path = directory / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:
            raise AlbctlError(f"--emit-tgb: {path} exists already; albctl never overwrites a file") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(yaml.safe_dump(doc, sort_keys=False))
        written.append(path)
    return written


def stack_ids_of(plan: Plan) -> list[str]:
    return [s.id for s in plan.stacks if s.id != SHARED_STACK]

