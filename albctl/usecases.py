"""What the commands do, below the CLI: read the manifests and build the desired stacks, make a plan
(fresh, for destroy, or a saved one re-checked), apply a plan, write TargetGroupBindings.

The CLI parses arguments, calls one of these, and renders the result. AWS is reached only through
the clients passed in; with a live snapshot instead, planning needs no AWS at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from albctl.elbv2.snapshot import LiveState
from albctl.errors import AlbctlError, AwsError, RefusedError
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
    # ACM's answers for the certificates named in the manifests, read beside the live state
    certificates: dict[str, dict[str, Any] | None] = field(default_factory=dict)


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
    from ``live``, a snapshot) and facts discovered, concurrently (:func:`_discover_and_read`): a live load
    balancer of the same scheme keeps its subnets and a live target group tells a Service's node port.
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
    certificates: dict[str, dict[str, Any] | None] = {}
    if clients is not None:
        facts, live, certificates = _discover_and_read(clients, result, settings, live, facts)
    before = len(result.diagnostics)
    result = pipeline.build(result, settings, facts)
    if not result.errors and on_warnings is not None:
        on_warnings(result.diagnostics[before:])
    result.raise_for_errors()
    return Desired(result, settings, facts, live, certificates)


def explicit_certificates(groups: Sequence[Any]) -> list[str]:
    """The certificate ARNs the groups' annotations and IngressClassParams name (known before any call)."""
    arns: set[str] = set()
    for group in groups:
        for member in group.members:
            spec = member.params.spec if member.params is not None else {}
            for arn in (spec.get("certificateArn") or []) + list(member.ingress.alb.get("certificate-arn") or []):
                if isinstance(arn, str) and arn.startswith("arn:"):
                    arns.add(arn)
    return sorted(arns)


def _discover_and_read(clients: Any, result: Any, settings: Any, live: LiveState | None,
                       base: Any) -> tuple[Any, LiveState, dict[str, dict[str, Any] | None]]:
    """Discovery, the live read and (when some backend may be instance-mode) the cluster's nodes, all at
    once. Discovery does not wait for the live read: a group whose live load balancer keeps its subnets
    (same scheme, as the controller does) needs no subnet discovery, so should discovery fail (say its
    role tags were removed since), it runs again knowing which subnets the live load balancers keep. The
    live read asks for attributes only of the kinds some Ingress or IngressClassParams sets (plan_desired
    completes them should a Service's annotations set some)."""
    from concurrent.futures import ThreadPoolExecutor

    from albctl.aws.facts import discover_facts
    from albctl.aws.live import read_live
    from albctl.model.cluster import live_target_groups

    groups = list(result.groups)
    clients.prepare(("elbv2", "ec2", "resourcegroupstaggingapi"))
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="albctl-read") as pool:
        # the groups' stacks; the cluster's other stacks (orphans) are only listed
        live_f = pool.submit(read_live, clients, settings.cluster_name, [g.id for g in groups], others=True,
                             attributes=attribute_kinds(groups)) if live is None else None
        nodes_f = None
        if live is None and _may_need_nodes(groups, settings):
            from albctl.aws.nodes import discover_nodes

            nodes_f = pool.submit(discover_nodes, clients, settings.cluster_name)
        facts_f = pool.submit(discover_facts, clients, groups, settings, inputs=result.inputs, base=base)
        certs_f = pool.submit(describe_certificates, clients, explicit_certificates(groups))
        for error in [f.exception() for f in (live_f, nodes_f, certs_f) if f is not None]:
            if error is not None:
                raise error
        facts_error = facts_f.exception()
    read = live_f.result() if live_f is not None else live
    assert read is not None
    if nodes_f is not None and read.nodes is None:
        read.nodes = nodes_f.result()
    live_lbs = [(stack_id, lb) for stack_id, stack in read.stacks.items()
                for lb in stack.resources if lb.type == LOAD_BALANCER]
    existing = {stack_id: (str(lb.spec.get("scheme")), tuple(m["subnetID"] for m in lb.spec.get("subnetMapping", [])))
                for stack_id, lb in live_lbs}
    with_live = replace(base, offline=False, live_load_balancers=existing,
                        live_target_groups=live_target_groups(read.stacks))
    if facts_error is None:
        facts = facts_f.result()
    elif existing:  # a live load balancer keeps its subnets: no discovery for its group
        known = {(stack_id, str(lb.spec.get("scheme"))): lb.extra.get("vpcID") for stack_id, lb in live_lbs}
        facts = discover_facts(clients, groups, settings, known_subnets=known, inputs=result.inputs, base=with_live)
    else:
        raise facts_error
    facts = replace(facts, live_load_balancers=existing, live_target_groups=with_live.live_target_groups)
    return facts, read, certs_f.result()

def attribute_kinds(groups: Sequence[Any]) -> set[str]:
    """The kinds whose attributes some member sets (annotations, IngressClassParams): only those are read."""
    kinds: set[str] = set()
    for group in groups:
        for member in group.members:
            alb = member.ingress.alb
            spec = member.params.spec if member.params is not None else {}
            if alb.get("load-balancer-attributes") or spec.get("loadBalancerAttributes"):
                kinds.add(LOAD_BALANCER)
            if alb.get("target-group-attributes") or spec.get("targetGroupAttributes"):
                kinds.add(TARGET_GROUP)
            if any(k.startswith("listener-attributes") for k in alb) or \
                    any(ls.get("listenerAttributes") for ls in spec.get("listeners") or [] if isinstance(ls, dict)):
                kinds.add(LISTENER)
    return kinds


def _may_need_nodes(groups: Sequence[Any], settings: Any) -> bool:
    """Whether some target group may be instance-mode (the default, unless an Ingress or its
    IngressClassParams says ip): then the nodes are read beside the live state."""
    default = getattr(settings, "default_target_type", "instance") or "instance"
    for group in groups:
        for member in group.members:
            spec = member.params.spec if member.params is not None else {}
            chosen = spec.get("targetType") or member.ingress.alb.get("target-type") or default
            if chosen != "ip":
                return True
    return False


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


@dataclass(frozen=True)
class PruneScope:
    """Which stacks of the cluster that the inputs do not define a plan deletes: those whose Ingresses all
    lived in one of ``namespaces``, or every one with ``all``. Empty: none (they are listed, left alone)."""

    namespaces: tuple[str, ...] = ()
    all: bool = False

    def __bool__(self) -> bool:
        return self.all or bool(self.namespaces)


def stack_namespaces(stack_id: str, resources: Sequence[str]) -> set[str]:
    """The namespaces of a live stack's Ingresses: from its target groups' ``ingress.k8s.aws/resource`` ids
    (``ns/ingress-service:port``; ``resources`` as in :attr:`LiveState.other_stacks`), else from the
    stack id of an implicit group (``ns/name``)."""
    ids = [r.split(" ", 1)[1] for r in resources if r.startswith(TARGET_GROUP + " ")]
    found = {i.split("/", 1)[0] for i in ids if "/" in i}
    if not found and "/" in stack_id:
        found = {stack_id.split("/", 1)[0]}
    return found


def orphans_to_prune(live: LiveState, prune: PruneScope) -> list[str]:
    orphans = sorted(live.other_stacks)
    if prune.all:
        return orphans
    wanted = set(prune.namespaces)
    return [sid for sid in orphans if (ns := stack_namespaces(sid, live.other_stacks[sid])) and ns <= wanted]


def require_ingresses(result: Any, prune: PruneScope) -> None:
    """Refuse to plan nothing: with no Ingress taken from the inputs, a plan would say "No changes" and
    look like success. Fine with a prune scope (deleting what the inputs no longer define)."""
    if result.groups or prune:
        return
    inputs = result.inputs
    if not inputs.files:
        why = "no manifest files were found (PATH holds no *.yaml, *.yml or *.json)"
    elif not inputs.ingresses:
        why = f"the {len(inputs.files)} file(s) read hold no Ingress"
    else:
        reasons = sorted({why for _, why in result.skipped_ingresses})
        why = (f"every Ingress was skipped ({len(inputs.ingresses)}): " + "; ".join(reasons)) if reasons else \
            "no Ingress is for albctl"
    raise NoIngressError(f"nothing to plan: {why}",
                         hint="check PATH and --ingress-class; to delete this cluster's load balancers that the "
                              "inputs no longer define, give --prune-namespace NS or --prune-all")


class NoIngressError(AlbctlError):
    """No Ingress was taken from the inputs (and no prune scope was given)."""


def plan_desired(desired: Desired, clients: Any, region: str, prune: PruneScope = PruneScope()) -> Plan:
    """The plan for freshly built desired stacks (``albctl plan`` / ``albctl apply PATH``): the stacks
    of the cluster that the inputs do not define are listed as orphans, or deleted within ``prune``."""
    from albctl.errors import InputError
    from albctl.model.cluster import collision_diagnostics
    from albctl.model.serialize import stack_data
    from albctl.plan.planner import plan_stacks
    from albctl.plan.secrets import with_secret_tags

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
    if clients is not None:
        _complete_live(clients, live, wanted, vpc_id=desired.facts.vpc_id,
                       extra_sg_names=[backend_sg.name] if backend_sg else [])
    plans = plan_stacks(wanted, live, cluster, vpc_id=desired.facts.vpc_id,
                        backend_sg=backend_sg,
                        ignored_tags=desired.settings.external_managed_tags)
    orphans = sorted(live.other_stacks)
    pruned = orphans_to_prune(live, prune)
    if pruned:
        from albctl.plan.planner import destroy_stacks

        if clients is not None:  # listed only so far: read what deleting them needs
            from albctl.aws.live import read_live

            doomed = read_live(clients, cluster, pruned, details=False, all_cluster_lbs=True)
            live.stacks.update(doomed.stacks)
            live.backend_sg_users = doomed.backend_sg_users
        gone = destroy_stacks(pruned, live, cluster)
        if wanted:  # the shared backend SG stays while the inputs define load balancers (they may use it)
            gone = [p for p in gone if p.id != SHARED_STACK]
        plans += gone
    notes, cert_warnings = certificate_notes(desired.result.groups, desired.facts)
    notes += tuple(f"IngressGroup {s.id}: {t} is in the model but albctl does not manage it yet; it is left as it is"
                   for s in wanted for t in unmanaged_types(s.resources))
    from albctl.plan.routing import shadow_warnings

    cert_warnings += tuple(w for s in wanted for w in shadow_warnings(s.id, s.resources))
    plan = Plan(cluster, region, tuple(plans), tuple(str(w) for w in desired.result.warnings) + cert_warnings,
                desired.facts.vpc_id, notes, tuple(o for o in orphans if o not in pruned))
    if clients is not None and _listener_certificates(wanted):
        known = dict(desired.certificates)  # the manifests' own, read beside the live state
        missing = sorted(_listener_certificates(wanted) - set(known))  # discovered ones
        known.update(describe_certificates(clients, missing) if missing else {})
        plan = replace(plan, warnings=plan.warnings + check_certificates(wanted, known, region))
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


CERT_EXPIRY_WARNING_DAYS = 30


def _listener_certificates(stacks: Sequence[DesiredStack]) -> set[str]:
    return {str(c["certificateARN"]) for s in stacks for ls in (s.resources.get(LISTENER) or {}).values()
            for c in ls["spec"].get("certificates") or [] if isinstance(c.get("certificateARN"), str)}


def describe_certificates(clients: Any, arns: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """ACM DescribeCertificate for each ARN (None: it does not exist)."""
    from albctl.aws.session import aws_call

    out: dict[str, dict[str, Any] | None] = {}
    acm = clients.acm
    for arn in arns:
        try:
            with aws_call("DescribeCertificate"):
                out[arn] = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        except AwsError as exc:
            if exc.code not in ("ResourceNotFoundException", "ValidationException", "InvalidArnException"):
                raise
            out[arn] = None
    return out


def check_certificates(stacks: Sequence[DesiredStack], certs: Mapping[str, Mapping[str, Any] | None], region: str,
                       now: Any = None) -> tuple[str, ...]:
    """Every certificate a listener uses exists and is ISSUED (else the plan fails, naming it: apply would
    stop half-way); warnings for one expired or expiring within 30 days, and for a host of the listener's
    rules that none of its certificates covers."""
    from datetime import datetime, timedelta, timezone

    from albctl.aws.facts import domain_matches_host
    from albctl.plan.routing import listeners

    now = now or datetime.now(timezone.utc)
    problems: list[str] = []
    warnings: list[str] = []
    for stack in stacks:
        for port, spec, rules in listeners(stack.resources):
            arns = [str(c["certificateARN"]) for c in spec.get("certificates") or []
                    if isinstance(c.get("certificateARN"), str)]
            domains: set[str] = set()
            for arn in arns:
                cert = certs.get(arn)
                where = f"IngressGroup {stack.id}, listener {port}: certificate {arn}"
                if cert is None:
                    problems.append(f"{where} does not exist in ACM (region {region})")
                    continue
                if cert.get("Status") != "ISSUED":
                    problems.append(f"{where} is {cert.get('Status')}, not ISSUED")
                not_after = cert.get("NotAfter")
                if isinstance(not_after, datetime):
                    if not_after.tzinfo is None:
                        not_after = not_after.replace(tzinfo=timezone.utc)
                    if not_after <= now:
                        warnings.append(f"{where} expired on {not_after:%Y-%m-%d}")
                    elif not_after - now <= timedelta(days=CERT_EXPIRY_WARNING_DAYS):
                        warnings.append(f"{where} expires on {not_after:%Y-%m-%d}, within "
                                        f"{CERT_EXPIRY_WARNING_DAYS} days")
                domains |= {str(cert.get("DomainName") or "")} | set(cert.get("SubjectAlternativeNames") or [])
            if not any(domains):
                continue
            hosts = sorted({str(v) for r in rules for c in r.spec.get("conditions") or []
                            if c.get("field") == "host-header" for v in c.get("values") or []})
            for host in hosts:
                if not any(d and domain_matches_host(d, host) for d in domains):
                    warnings.append(f"IngressGroup {stack.id}, listener {port}: host {host} is covered by none of "
                                    f"its certificates ({', '.join(sorted(d for d in domains if d))})")
    if problems:
        raise RefusedError("certificate problem(s) that apply would stop on: " + "; ".join(problems),
                           hint="fix alb.ingress.kubernetes.io/certificate-arn, or request or import the certificate "
                                "in ACM in this region")
    return tuple(warnings)


def _complete_live(clients: Any, live: LiveState, wanted: Sequence[DesiredStack], *, limits: bool = True,
                   vpc_id: str | None = None, extra_sg_names: Sequence[str] = ()) -> None:
    """What the live read could not know before the desired stacks were built, at once: attributes a
    Service's annotations set, the names of load balancers, target groups and security groups (in the
    VPC) about to be created (are they taken?) and, when something is certainly created, the account's
    limits."""
    from concurrent.futures import ThreadPoolExecutor

    from albctl.aws.live import complete_attributes, read_names

    specs = {s.id: {t: {i: body.get("spec") or {} for i, body in by_id.items()} for t, by_id in s.resources.items()}
             for s in wanted}
    names = new_names(wanted, live)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="albctl-complete") as pool:
        futures: list[Any] = [pool.submit(complete_attributes, clients, live, specs),
                              pool.submit(read_names, clients, live, names)]
        held = {r.spec.get("groupName") for st in live.stacks.values() for r in st.resources
                if r.type == SECURITY_GROUP}
        sg_names = [n for st in wanted for body in st.resources.get(SECURITY_GROUP, {}).values()
                    if (n := body["spec"]["groupName"]) not in held]  # only names about to be created
        sg_f = None
        if SECURITY_GROUP not in live.names and (sg_names or extra_sg_names):
            sg_f = pool.submit(security_group_names, clients, vpc_id, [*sg_names, *extra_sg_names])
            futures.append(sg_f)
        limits_f = pool.submit(account_limits, clients) if limits and live.limits is None and any(names.values()) \
            else None
        for error in [f.exception() for f in futures + ([limits_f] if limits_f else [])]:
            if error is not None:
                raise error
    if limits_f is not None:
        live.limits = limits_f.result()
    if sg_f is not None:
        live.names[SECURITY_GROUP] = sg_f.result()


def new_names(wanted: Sequence[DesiredStack], live: LiveState) -> dict[str, list[str]]:
    """Names of desired load balancers and target groups that no live resource of the stacks holds."""
    ours = {(r.type, r.spec.get("name")) for s in live.stacks.values() for r in s.resources}
    out: dict[str, list[str]] = {LOAD_BALANCER: [], TARGET_GROUP: []}
    for stack in wanted:
        for type_ in out:
            for body in (stack.resources.get(type_) or {}).values():
                name = (body.get("spec") or {}).get("name")
                if name and (type_, name) not in ours:
                    out[type_].append(str(name))
    return out


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

    # deleting needs no attribute but deletion protection, no listener or rule detail, every LB of the
    # cluster (which of them use the backend SG)
    live = read_live(clients, cluster, stack_ids, targets_of=lambda tg: False, attributes={LOAD_BALANCER},
                     details=False, all_cluster_lbs=True)
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
    _complete_live(clients, live, desired, limits=False)
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
    from albctl.model.stack import ref_target

    def replace(item: Mapping[str, Any]) -> Any | None:
        target = ref_target(dict(item))
        return None if target is None else known.get(target, dict(item))
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
