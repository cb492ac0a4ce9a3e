"""Online discovery: look up in AWS exactly what the model of the given IngressGroups needs.

The model is pure and takes a :class:`~albctl.model.facts.Facts`; :func:`discover_facts` fills one.
What is needed is said by the model builder itself, not worked out again here: the groups are built
with facts that know nothing of AWS yet, and every placeholder in those stacks names its
:class:`~albctl.model.stack.Need` (:func:`needs_of`). Discovery makes only those look-ups, batched
(one call per kind of thing, over the union of every group's needs) and concurrent where they do not
depend on each other:

* **subnets by discovery** - for every scheme used by a group without explicit subnets (and without a
  live load balancer of that scheme, whose subnets it keeps):
  one DescribeSubnets (:func:`~albctl.aws.subnets.discover_subnets`) and the controller's choice
  (:func:`~albctl.aws.subnets.choose_subnets`); :class:`~albctl.aws.subnets.SubnetDiscoveryError`
  propagates;
* **explicit subnets** - one :func:`~albctl.aws.subnets.resolve_subnets` (at most two DescribeSubnets)
  over the ids and Name tags of every ``subnets`` annotation and IngressClassParams ``subnets.ids``;
* **the VPC** - ``settings.vpc_id``, else the one VPC of those subnets;
* **frontend security groups** (``security-groups`` annotation) - one DescribeSecurityGroups for the
  ids and one for the Name tags within the VPC, like the controller's security_group_resolver.go;
* **the shared backend security group** - ``settings.backend_security_group`` if set, else the
  controller's one, found like backend_sg_provider.go does: by its tags
  ``elbv2.k8s.aws/cluster=<cluster>`` and ``elbv2.k8s.aws/resource=backend-sg`` in the VPC (its name,
  ``k8s-traffic-<cluster>-<hash>``, is :func:`backend_security_group_name`);
* **certificates** - for HTTPS listeners without a certificate ARN, the Ingress hosts are matched
  against ACM like cert_discovery.go: one paginated ListCertificates (ISSUED, every key type), then
  DescribeCertificate (concurrently) only for certificates the listing does not decide.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

from albctl.aws.session import AwsClients, aws_call
from albctl.aws.subnets import (
    SubnetInfo,
    check_explicit_subnets,
    choose_selected_subnets,
    choose_subnets,
    discover_subnets,
    resolve_subnets,
)
from albctl.errors import AlbctlError
from albctl.manifests.objects import ALB_PREFIX, Inputs
from albctl.model.build import build_group
from albctl.model.facts import Facts, selector_key
from albctl.model.groups import IngressGroup
from albctl.model.stack import (
    LOAD_BALANCER,
    NEED_BACKEND_SECURITY_GROUP,
    NEED_CERTIFICATE,
    NEED_DISCOVERED_SUBNETS,
    NEED_SECURITY_GROUP,
    NEED_SELECTED_SUBNETS,
    NEED_SUBNET,
    LoadBalancerSpec,
    Need,
    Placeholder,
)
from albctl.settings import Settings
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG

T = TypeVar("T")

# pkg/shared_constants/tag_keys.go and backend_sg_provider.go
TAG_KEY_CLUSTER = CLUSTER_TAG
TAG_KEY_RESOURCE = BACKEND_SG_RESOURCE_TAG
BACKEND_SG_RESOURCE = "backend-sg"
# acmTypes.KeyAlgorithm.Values(): used when the client's service model does not list them.
KEY_ALGORITHMS = (
    "RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1",
)  # fmt: skip
CERTIFICATE_HINT = "request or import an ACM certificate for {hosts}, or set " + ALB_PREFIX + "certificate-arn"


def backend_security_group_name(cluster: str) -> str:
    """The name the controller gives the shared backend SG it creates (getBackendSGName)."""
    digest = hashlib.sha256(cluster.encode()).hexdigest()
    sanitized = re.sub(r"[^A-Za-z0-9]", "", cluster)
    return f"k8s-traffic-{sanitized[:232]}-{digest[:10]}"


def domain_matches_host(domain: str, host: str) -> bool:
    """cert_discovery.go domainMatchesHost: exact, or ``*.rest`` matching exactly one more label."""
    if domain.startswith("*."):
        ds, hs = domain.split("."), host.split(".")
        return len(ds) == len(hs) and ds[1:] == hs[1:]
    return domain == host


# -- what the groups need (pure) ------------------------------------------------------------------


@dataclass
class Needs:
    """The AWS look-ups a set of IngressGroups needs; every list keeps first-seen order, no duplicates."""

    schemes: list[str] = field(default_factory=list)  # schemes of groups whose subnets are discovered
    kept: dict[str, str] = field(default_factory=dict)  # group id → VPC of the live LB whose subnets it keeps
    subnets: list[str] = field(default_factory=list)  # explicit subnet ids / Name tags, all groups
    subnets_by_group: dict[str, list[str]] = field(default_factory=dict)
    subnet_selectors: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # selector_key → tags
    security_groups: list[str] = field(default_factory=list)
    backend_security_group: bool = False
    hosts: dict[str, list[str]] = field(default_factory=dict)  # host → Ingresses (ns/name) needing a cert


def _add(items: list[str], values: Iterable[str]) -> None:
    for v in values:
        if v not in items:
            items.append(v)


def _placeholders(value: Any) -> Iterator[Placeholder]:
    """Every Placeholder in a built value (dataclasses, tuples, lists, dicts), in order."""
    if isinstance(value, Placeholder):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _placeholders(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _placeholders(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _placeholders(item)


def needs_of(groups: list[IngressGroup], settings: Settings,
             known_subnets: Mapping[tuple[str, str], str | None] | None = None, *,
             inputs: Inputs | None = None, base: Facts | None = None) -> Needs:
    """What discovery must look up for ``groups``, as the model builder says it: each group is built with
    facts that know nothing of AWS yet (``base`` with :attr:`Facts.collecting`), and the :class:`Need` of
    every placeholder in the stacks is what the build would use. A group's problems do not stop it (the
    real build reports them); ``inputs`` gives the Services and Secrets (without them backends fail,
    which only the real build minds).

    ``known_subnets``: (stack id, scheme) → VPC of each live load balancer (which ``base`` should carry
    in ``live_load_balancers``); a group keeping a live load balancer's subnets needs no discovery, and
    its VPC is that load balancer's."""
    needs = Needs()
    known = known_subnets or {}
    collecting = replace(base or Facts(), offline=False, collecting=True)
    if known and not collecting.live_load_balancers:  # the live subnets themselves do not matter here
        collecting = replace(collecting, live_load_balancers={s: (scheme, ("subnet-live",)) for s, scheme in known})
    for group in groups:
        stack = build_group(group, inputs or Inputs(), settings, collecting).stack
        for resource in stack.resources:
            spec = resource.spec
            kept = isinstance(spec, LoadBalancerSpec) and (group.id, spec.scheme) in known
            if resource.type == LOAD_BALANCER and isinstance(spec, LoadBalancerSpec) and kept:
                needs.kept[group.id] = known[(group.id, spec.scheme)] or ""
            for placeholder in _placeholders(resource.spec):
                _add_need(needs, group.id, placeholder.need)
    return needs


def _add_need(needs: Needs, group_id: str, need: Need | None) -> None:
    if need is None:
        return
    if need.kind == NEED_DISCOVERED_SUBNETS:
        _add(needs.schemes, [need.key])
    elif need.kind == NEED_SUBNET:
        _add(needs.subnets, [need.key])
        needs.subnets_by_group.setdefault(group_id, []).append(need.key)
    elif need.kind == NEED_SELECTED_SUBNETS:
        needs.subnet_selectors[need.key] = {k: list(v) for k, v in need.tags}
    elif need.kind == NEED_SECURITY_GROUP:
        _add(needs.security_groups, [need.key])
    elif need.kind == NEED_BACKEND_SECURITY_GROUP:
        needs.backend_security_group = True
    elif need.kind == NEED_CERTIFICATE:
        _add(needs.hosts.setdefault(need.key, []), [need.who])


# -- look-ups ---------------------------------------------------------------------------------------


def _subnets_by_tags(clients: AwsClients, tags: dict[str, list[str]], vpc_id: str | None,
                     cluster: str) -> list[SubnetInfo]:
    """An IngressClassParams ``subnets.tags`` selector: one DescribeSubnets with a filter per tag key,
    then the controller's choice (:func:`~albctl.aws.subnets.choose_selected_subnets`)."""
    filters = [{"Name": f"tag:{k}", "Values": v} for k, v in sorted(tags.items())]
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    with aws_call("DescribeSubnets"):
        found = [SubnetInfo.from_api(s) for page in clients.ec2.get_paginator("describe_subnets").paginate(
            Filters=filters) for s in page["Subnets"]]
    return choose_selected_subnets(found, cluster=cluster, wanted=selector_key(tags)).chosen


def _discover_scheme(clients: AwsClients, scheme: str, settings: Settings) -> tuple[str | None, tuple[str, ...]]:
    vpc_id, candidates = discover_subnets(
        clients, scheme=scheme, cluster=settings.cluster_name, vpc_id=settings.vpc_id or None
    )
    choice = choose_subnets(candidates, scheme=scheme, cluster=settings.cluster_name)
    return vpc_id, tuple(s.subnet_id for s in choice.chosen)


def _describe_security_groups(clients: AwsClients, filters: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    paginator = clients.ec2.get_paginator("describe_security_groups")
    with aws_call("DescribeSecurityGroups"):
        for page in paginator.paginate(Filters=filters):
            yield from page.get("SecurityGroups", [])


def _security_groups_by_id(clients: AwsClients, ids: list[str]) -> dict[str, str]:
    """sg id → its VPC, for the ids that exist (a group-id *filter*, so unknown ids are just absent)."""
    found = _describe_security_groups(clients, [{"Name": "group-id", "Values": ids}])
    return {str(sg["GroupId"]): str(sg.get("VpcId", "")) for sg in found}


def _security_groups_by_name(clients: AwsClients, names: list[str], vpc_id: str | None) -> dict[str, list[str]]:
    """Name tag → ids of the security groups carrying it (in ``vpc_id`` when known), sorted."""
    filters: list[dict[str, Any]] = [{"Name": "tag:Name", "Values": names}]
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    by_name: dict[str, list[str]] = defaultdict(list)
    for sg in _describe_security_groups(clients, filters):
        for tag in sg.get("Tags") or []:
            if tag.get("Key") == "Name" and tag.get("Value") in names:
                by_name[str(tag["Value"])].append(str(sg["GroupId"]))
    return {name: sorted(ids) for name, ids in by_name.items()}


def _backend_security_group(clients: AwsClients, cluster: str, vpc_id: str | None) -> str | None:
    """The controller's shared backend SG (getBackendSGFromEC2: by tags in the VPC), or None."""
    filters: list[dict[str, Any]] = [
        {"Name": f"tag:{TAG_KEY_CLUSTER}", "Values": [cluster]},
        {"Name": f"tag:{TAG_KEY_RESOURCE}", "Values": [BACKEND_SG_RESOURCE]},
    ]
    if vpc_id:
        filters.insert(0, {"Name": "vpc-id", "Values": [vpc_id]})
    found = sorted(_describe_security_groups(clients, filters), key=lambda sg: str(sg["GroupId"]))
    vpcs = sorted({str(sg.get("VpcId", "")) for sg in found})
    if len(vpcs) > 1:
        raise AlbctlError(
            f"the shared backend security group of cluster {cluster} exists in several VPCs ({', '.join(vpcs)})",
            hint="pass --vpc-id",
        )
    return str(found[0]["GroupId"]) if found else None


def _key_types(clients: AwsClients) -> list[str]:
    try:
        enum = clients.acm.meta.service_model.shape_for("KeyAlgorithm").enum
    except Exception:  # an older or unusual service model: fall back to the controller's list
        enum = None
    return list(enum or KEY_ALGORITHMS)


def _list_certificates(clients: AwsClients) -> list[dict[str, Any]]:
    paginator = clients.acm.get_paginator("list_certificates")
    summaries: list[dict[str, Any]] = []
    with aws_call("ListCertificates"):
        pages = paginator.paginate(CertificateStatuses=["ISSUED"], Includes={"keyTypes": _key_types(clients)})
        for page in pages:
            summaries.extend(page.get("CertificateSummaryList", []))
    return summaries


def _certificate_sans(clients: AwsClients, arn: str) -> set[str]:
    with aws_call("DescribeCertificate"):
        cert = clients.acm.describe_certificate(CertificateArn=arn)["Certificate"]
    # Like the controller, the domains of a described certificate are its SANs (ACM includes the CN).
    return {str(d) for d in cert.get("SubjectAlternativeNames") or []}


def _matches(domains: Iterable[str], host: str) -> bool:
    return any(domain_matches_host(d, host) for d in domains)


def _undecided_certificates(summaries: list[dict[str, Any]], hosts: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """The domains the listing shows per certificate, and the certificates whose SANs must be read.

    The listing decides when it shows every SAN, or when it already matches every host asked for.
    """
    domains_by_arn: dict[str, set[str]] = {}
    undecided: list[str] = []
    for summary in summaries:
        arn = str(summary["CertificateArn"])
        known = {str(summary["DomainName"])} if summary.get("DomainName") else set()
        known |= {str(d) for d in summary.get("SubjectAlternativeNameSummaries") or []}
        domains_by_arn[arn] = known
        listed_all = summary.get("HasAdditionalSubjectAlternativeNames") is False
        complete = listed_all and "SubjectAlternativeNameSummaries" in summary
        if not complete and not all(_matches(known, h) for h in hosts):
            undecided.append(arn)
    return domains_by_arn, undecided


def _match_certificates(domains_by_arn: dict[str, set[str]], hosts: list[str]) -> dict[str, tuple[str, ...]]:
    """host → ARNs of every certificate matching it (sorted); hosts without one are left out."""
    out: dict[str, tuple[str, ...]] = {}
    for host in hosts:
        arns = sorted(arn for arn, domains in domains_by_arn.items() if _matches(domains, host))
        if arns:
            out[host] = tuple(arns)
    return out


# -- putting it together ----------------------------------------------------------------------------


def _wait(futures: Iterable[Future[Any] | None]) -> None:
    """Wait for every future; then raise the first failure (in the order given)."""
    pending = [f for f in futures if f is not None]
    errors = [f.exception() for f in pending]  # waits for each
    for error in errors:
        if error is not None:
            raise error


def _one_vpc(settings: Settings, vpcs: dict[str, set[str]]) -> str | None:
    """The VPC: ``settings.vpc_id``, else the one VPC of the subnets (``vpcs``: VPC → what is in it)."""
    vpcs = {v: what for v, what in vpcs.items() if v}
    given = settings.vpc_id or None
    if given is not None:
        foreign = {v: what for v, what in vpcs.items() if v != given}
        if foreign:
            listed = "; ".join(f"{', '.join(sorted(what))} in {v}" for v, what in sorted(foreign.items()))
            raise AlbctlError(f"subnets outside VPC {given}: {listed}", hint="check --vpc-id and the subnets")
        return given
    if len(vpcs) > 1:
        listed = "; ".join(f"{v}: {', '.join(sorted(what))}" for v, what in sorted(vpcs.items()))
        raise AlbctlError(
            f"the subnets are in {len(vpcs)} VPCs ({listed}); the controller manages load balancers in one VPC",
            hint="pass --vpc-id",
        )
    return next(iter(vpcs), None)


def _check_group_subnets(needs: Needs, resolved: dict[str, SubnetInfo]) -> None:
    """validateSpecifiedSubnets per group: one subnet per zone, one VPC, at least two zones."""
    for group_id, written in needs.subnets_by_group.items():
        subnets = list({resolved[w].subnet_id: resolved[w] for w in written}.values())
        try:
            check_explicit_subnets(subnets)
        except AlbctlError as exc:
            raise AlbctlError(f"IngressGroup {group_id}: {exc}", hint=exc.hint) from exc


def _security_group_ids(
    clients: AwsClients, written: list[str], vpc_id: str | None, by_id: dict[str, str], by_name: dict[str, list[str]]
) -> dict[str, str]:
    """Written id or Name tag → id; AlbctlError naming every one that is unknown, elsewhere or ambiguous."""
    out: dict[str, str] = {}
    missing: list[str] = []
    several: list[str] = []
    elsewhere: list[str] = []
    for item in written:
        if item.startswith("sg-"):
            if item not in by_id:
                missing.append(item)
            elif vpc_id and by_id[item] and by_id[item] != vpc_id:
                elsewhere.append(f"{item} (in {by_id[item]})")
            else:
                out[item] = item
        elif item not in by_name:
            missing.append(item)
        elif len(by_name[item]) > 1:
            several.append(f"{item} ({', '.join(by_name[item])})")
        else:
            out[item] = by_name[item][0]
    where = f" in VPC {vpc_id}" if vpc_id else ""
    if missing:
        raise AlbctlError(
            f"security group(s) not found{where} (region {clients.region}): {', '.join(missing)}",
            hint="security groups are given by id (sg-...) or by their Name tag",
        )
    if elsewhere:
        raise AlbctlError(f"security group(s) not in VPC {vpc_id}: {', '.join(elsewhere)}")
    if several:
        raise AlbctlError(
            f"several security groups{where} carry the same Name tag: {'; '.join(several)}",
            hint=f"the controller would attach all of them; list their ids in {ALB_PREFIX}security-groups",
        )
    return out


def discover_facts(
    clients: AwsClients, groups: list[IngressGroup], settings: Settings, *, max_workers: int = 8,
    known_subnets: Mapping[tuple[str, str], str | None] | None = None, inputs: Inputs | None = None,
    base: Facts | None = None,
) -> Facts:
    """Look up in AWS what the model of ``groups`` needs and return it as ``Facts(offline=False)``.

    Only the look-ups some group needs are made (see :func:`needs_of`): at most one subnet discovery
    (one DescribeSubnets) per scheme, one :func:`resolve_subnets` over every explicit subnet, two
    DescribeSecurityGroups for frontend security groups (ids, Name tags), one for the backend SG, one
    paginated ListCertificates plus a DescribeCertificate for each certificate the listing leaves
    undecided. Independent calls run concurrently (``max_workers`` threads); the security-group
    look-ups by Name and for the backend SG wait for the VPC when it is not in ``settings``.

    What is looked up is what building the groups with ``base`` (the live load balancers and target
    groups, the cluster's Services) and ``inputs`` leaves as placeholders (:func:`needs_of`); the facts
    returned are ``base`` with what was found.

    ``known_subnets`` maps (stack id, scheme) to the VPC of each live load balancer: a group without
    explicit subnets whose live load balancer has the same scheme keeps its subnets, as the controller
    does, so no discovery runs for it (and its role tags may have been removed since).

    The shared backend security group is ``settings.backend_security_group`` when set; otherwise the
    controller's own is looked up by its tags in the VPC. If it does not exist yet (the controller
    creates it with the first load balancer that needs it) ``backend_security_group_id`` stays None
    and the model shows a placeholder; creating it is left to the apply step.

    Raises :class:`~albctl.aws.subnets.SubnetDiscoveryError` when a scheme has too few usable subnets,
    :class:`AlbctlError` for unknown subnets or security groups (naming them all), subnets in several
    VPCs, or hosts that no ISSUED ACM certificate matches; AWS failures become
    :class:`~albctl.errors.AwsError` naming the operation.
    """
    needs = needs_of(groups, settings, known_subnets, inputs=inputs, base=base)
    # Create the clients up front: AwsClients caches them lazily, which is not thread-safe.
    if needs.schemes or needs.subnets or needs.subnet_selectors or needs.security_groups or \
            needs.backend_security_group:
        _ = clients.ec2
    if needs.hosts:
        _ = clients.acm

    given_vpc = settings.vpc_id or None
    hosts = list(needs.hosts)
    sg_ids = [s for s in needs.security_groups if s.startswith("sg-")]
    sg_names = [s for s in needs.security_groups if not s.startswith("sg-")]
    cluster = settings.cluster_name
    look_up_backend = needs.backend_security_group and not settings.backend_security_group and bool(cluster)

    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="albctl-facts") as pool:

        def submit(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
            return pool.submit(fn, clients, *args, **kwargs)

        # Phase 1: everything that does not depend on another answer (the VPC-bound ones if it is given).
        schemes = {s: submit(_discover_scheme, s, settings) for s in needs.schemes}
        explicit = submit(resolve_subnets, needs.subnets, vpc_id=given_vpc) if needs.subnets else None
        selected = {key: submit(_subnets_by_tags, tags, given_vpc, cluster)
                    for key, tags in needs.subnet_selectors.items()}
        by_id = submit(_security_groups_by_id, sg_ids) if sg_ids else None
        listing = submit(_list_certificates) if hosts else None
        by_name = backend = None
        if given_vpc:
            by_name = submit(_security_groups_by_name, sg_names, given_vpc) if sg_names else None
            backend = submit(_backend_security_group, cluster, given_vpc) if look_up_backend else None
        _wait([*schemes.values(), *selected.values(), explicit, by_id, listing])

        # Phase 2: the SANs of undecided certificates, and the look-ups within the now known VPC.
        domains_by_arn: dict[str, set[str]] = {}
        sans: dict[str, Future[set[str]]] = {}
        if listing is not None:
            domains_by_arn, undecided = _undecided_certificates(listing.result(), hosts)
            sans = {arn: submit(_certificate_sans, arn) for arn in undecided}
        vpcs: dict[str, set[str]] = defaultdict(set)
        for scheme, discovery in schemes.items():
            vpcs[discovery.result()[0] or ""].add(f"discovered {scheme} subnets")
        for group_id, kept_vpc in needs.kept.items():
            vpcs[kept_vpc].add(f"subnets of the live load balancer of {group_id}")
        for key, found in selected.items():
            for info in found.result():
                vpcs[info.vpc_id].add(f"subnets matching {key}")
        subnet_ids: dict[str, str] = {}
        if explicit is not None:
            resolved = dict(zip(needs.subnets, explicit.result(), strict=True))
            for written, info in resolved.items():
                subnet_ids[written] = info.subnet_id
                vpcs[info.vpc_id].add(written)
            _check_group_subnets(needs, resolved)
        vpc_id = _one_vpc(settings, vpcs)  # raising here still waits for the calls under way (pool exit)
        if not given_vpc:
            by_name = submit(_security_groups_by_name, sg_names, vpc_id) if sg_names else None
            backend = submit(_backend_security_group, cluster, vpc_id) if look_up_backend else None
        _wait([*sans.values(), by_name, backend])

    security_group_ids: dict[str, str] = {}
    if needs.security_groups:
        security_group_ids = _security_group_ids(
            clients,
            needs.security_groups,
            vpc_id,
            by_id.result() if by_id is not None else {},
            by_name.result() if by_name is not None else {},
        )
    backend_id = settings.backend_security_group or None
    if backend is not None:
        backend_id = backend.result()

    for arn, future in sans.items():
        domains_by_arn[arn] = future.result()
    certificates_by_host = _match_certificates(domains_by_arn, hosts)
    missing_hosts = [h for h in hosts if h not in certificates_by_host]
    if missing_hosts:
        who = "; ".join(f"{h} (Ingress {', '.join(needs.hosts[h])})" for h in missing_hosts)
        raise AlbctlError(
            f"no ISSUED ACM certificate in region {clients.region} matches host(s): {who}",
            hint=CERTIFICATE_HINT.format(hosts=", ".join(missing_hosts)),
        )

    return replace(
        base or Facts(),
        vpc_id=vpc_id,
        discovered_subnets={s: f.result()[1] for s, f in schemes.items()},
        subnet_ids=subnet_ids,
        security_group_ids=security_group_ids,
        backend_security_group_id=backend_id,
        certificates_by_host=certificates_by_host,
        tag_selected_subnets={k: tuple(s.subnet_id for s in f.result()) for k, f in selected.items()},
        certificate_domains={arn: tuple(sorted(domains_by_arn[arn]))
                             for arns in certificates_by_host.values() for arn in arns},
        offline=False,
        collecting=False,
    )
