"""Subnet auto-discovery for an ALB, the way aws-load-balancer-controller does it.

Mirrors ``pkg/networking/subnet_resolver.go`` (ResolveViaDiscovery / ResolveViaNameOrIDSlice):

1. candidates carry the scheme's role tag (``kubernetes.io/role/elb`` for internet-facing,
   ``kubernetes.io/role/internal-elb`` for internal) with value ``1`` or empty;
2. subnets tagged only for other clusters (a ``kubernetes.io/cluster...`` tag but not
   ``kubernetes.io/cluster/<ours>``) are dropped, then those with fewer than 8 free IPs;
3. one subnet per availability zone: a subnet carrying our cluster tag wins, then the lowest subnet id;
4. an ALB needs subnets in at least two zones.

:func:`choose_subnets` is pure; :func:`discover_subnets` and :func:`resolve_subnets` call EC2.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from albctl.aws.session import AwsClients, aws_call
from albctl.errors import AlbctlError, ConfigError

ROLE_TAG_INTERNET_FACING = "kubernetes.io/role/elb"
ROLE_TAG_INTERNAL = "kubernetes.io/role/internal-elb"
ROLE_TAGS = {"internet-facing": ROLE_TAG_INTERNET_FACING, "internal": ROLE_TAG_INTERNAL}
ROLE_TAG_VALUES = ("", "1")
# The controller matches this prefix without a trailing slash (isSubnetContainsEligibleClusterTag).
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster"
MIN_FREE_IPS = 8
MIN_ZONES_ALB = 2


def cluster_tag_key(cluster: str) -> str:
    return f"{CLUSTER_TAG_PREFIX}/{cluster}"


def role_tag_key(scheme: str) -> str:
    """The subnet role tag for a load balancer scheme; ConfigError for an unknown scheme."""
    try:
        return ROLE_TAGS[scheme]
    except KeyError:
        raise ConfigError(f"unknown load balancer scheme {scheme!r}: expected internet-facing or internal") from None


@dataclass(frozen=True)
class SubnetInfo:
    subnet_id: str
    vpc_id: str
    availability_zone: str
    cidr: str
    available_ips: int
    tags: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def name(self) -> str | None:
        return self.tags.get("Name")

    @classmethod
    def from_api(cls, subnet: Mapping[str, Any]) -> SubnetInfo:
        """Build from one element of an EC2 ``DescribeSubnets`` response."""
        cidr = subnet.get("CidrBlock") or ""
        if not cidr:
            for assoc in subnet.get("Ipv6CidrBlockAssociationSet") or []:
                if assoc.get("Ipv6CidrBlock"):
                    cidr = assoc["Ipv6CidrBlock"]
                    break
        return cls(
            subnet_id=subnet["SubnetId"],
            vpc_id=subnet.get("VpcId", ""),
            availability_zone=subnet.get("AvailabilityZone", ""),
            cidr=cidr,
            available_ips=int(subnet.get("AvailableIpAddressCount") or 0),
            tags={t["Key"]: t.get("Value", "") for t in subnet.get("Tags") or []},
        )


@dataclass
class SubnetChoice:
    chosen: list[SubnetInfo] = field(default_factory=list)  # one per AZ, sorted by AZ
    rejected: list[tuple[SubnetInfo, str]] = field(default_factory=list)  # sorted by AZ, subnet id


class SubnetDiscoveryError(AlbctlError):
    """Too few availability zones have a usable subnet. Carries the choice so the table can be shown."""

    def __init__(self, message: str, choice: SubnetChoice, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.choice = choice


def _az_key(s: SubnetInfo) -> tuple[str, str]:
    return (s.availability_zone, s.subnet_id)


def _problems(s: SubnetInfo, role_key: str | None, cluster: str, min_free_ips: int) -> list[tuple[str, str]]:
    """Every (kind, reason) ``s`` is ineligible for, in the controller's order: role (unless ``role_key``
    is None: a tag selector chose the subnets), cluster, ips."""
    problems: list[tuple[str, str]] = []
    role = s.tags.get(role_key) if role_key is not None else ""
    if role is None:
        other = ROLE_TAG_INTERNAL if role_key == ROLE_TAG_INTERNET_FACING else ROLE_TAG_INTERNET_FACING
        if other in s.tags:
            problems.append(("role", f"no {role_key} tag (it has {other}, the other scheme's role tag)"))
        else:
            problems.append(("role", f"no {role_key} tag"))
    elif role not in ROLE_TAG_VALUES:
        problems.append(("role", f"{role_key}={role!r}: the value must be 1 or empty"))
    ours = cluster_tag_key(cluster)
    if ours not in s.tags:
        others = sorted(k for k in s.tags if k.startswith(CLUSTER_TAG_PREFIX))
        if others:
            problems.append(("cluster", f"tagged for another cluster ({', '.join(others)}) and not with {ours}"))
    if s.available_ips < min_free_ips:
        problems.append(("ips", f"only {s.available_ips} free IP addresses (at least {min_free_ips} needed)"))
    return problems


def choose_subnets(
    subnets: list[SubnetInfo],
    *,
    scheme: str,
    cluster: str,
    min_zones: int = MIN_ZONES_ALB,
    min_free_ips: int = MIN_FREE_IPS,
) -> SubnetChoice:
    """Pick one subnet per availability zone like the controller; explain every subnet left out.

    Raises :class:`SubnetDiscoveryError` (carrying the choice) when fewer than ``min_zones`` zones qualify.
    """
    role_key = role_tag_key(scheme)
    ours = cluster_tag_key(cluster)
    choice = SubnetChoice()
    eligible_by_az: dict[str, list[SubnetInfo]] = defaultdict(list)
    problems_by_id: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for s in sorted(subnets, key=_az_key):
        if s.subnet_id in seen:
            continue
        seen.add(s.subnet_id)
        problems = _problems(s, role_key, cluster, min_free_ips)
        problems_by_id[s.subnet_id] = problems
        if problems:
            choice.rejected.append((s, "; ".join(text for _, text in problems)))
        else:
            eligible_by_az[s.availability_zone].append(s)

    for az in sorted(eligible_by_az):
        # chooseSubnetsPerAZ: our cluster tag first, then lexical subnet id.
        ranked = sorted(eligible_by_az[az], key=lambda s: (ours not in s.tags, s.subnet_id))
        winner = ranked[0]
        choice.chosen.append(winner)
        for loser in ranked[1:]:
            if ours in winner.tags and ours not in loser.tags:
                why = f"it is tagged {ours}"
            else:
                why = "its subnet id sorts first"
            choice.rejected.append((loser, f"{winner.subnet_id} was chosen in {az} ({why})"))
    choice.rejected.sort(key=lambda r: _az_key(r[0]))

    if len(choice.chosen) < min_zones:
        raise SubnetDiscoveryError(
            _too_few_zones_message(choice, scheme, role_key, min_zones, problems_by_id),
            choice,
            hint="subnets of one ALB must be in different availability zones of one VPC",
        )
    return choice


def choose_selected_subnets(
    subnets: list[SubnetInfo],
    *,
    cluster: str,
    wanted: str,
    min_zones: int = MIN_ZONES_ALB,
    min_free_ips: int = MIN_FREE_IPS,
) -> SubnetChoice:
    """The controller's choice among the subnets an IngressClassParams ``subnets.tags`` selector matched
    (ResolveViaSelector → chooseAndValidateSubnetsPerAZ): subnets tagged only for other clusters and those
    with too few free IPs are left out, then one per zone (our cluster's tag first, then the lowest id);
    the chosen ones sorted by subnet id. ``wanted`` describes the selector for the error.

    Raises :class:`SubnetDiscoveryError` when no subnet or fewer than ``min_zones`` zones qualify.
    """
    ours = cluster_tag_key(cluster)
    choice = SubnetChoice()
    eligible_by_az: dict[str, list[SubnetInfo]] = defaultdict(list)
    other_cluster = few_ips = 0
    unique = {s.subnet_id: s for s in subnets}
    for s in sorted(unique.values(), key=_az_key):
        problems = _problems(s, None, cluster, min_free_ips)
        kinds = [kind for kind, _ in problems]
        other_cluster += "cluster" in kinds
        few_ips += kinds == ["ips"]
        if problems:
            choice.rejected.append((s, "; ".join(text for _, text in problems)))
        else:
            eligible_by_az[s.availability_zone].append(s)
    for az in sorted(eligible_by_az):
        ranked = sorted(eligible_by_az[az], key=lambda s: (ours not in s.tags, s.subnet_id))
        choice.chosen.append(ranked[0])
        for loser in ranked[1:]:
            why = f"it is tagged {ours}" if ours in ranked[0].tags and ours not in loser.tags else \
                "its subnet id sorts first"
            choice.rejected.append((loser, f"{ranked[0].subnet_id} was chosen in {az} ({why})"))
    choice.chosen.sort(key=lambda s: s.subnet_id)  # sortSubnetsByID
    choice.rejected.sort(key=lambda r: _az_key(r[0]))
    hint = "tag subnets in at least two zones, or change IngressClassParams spec.subnets"
    if not choice.chosen:
        raise SubnetDiscoveryError(
            f"unable to resolve at least one subnet matching tags {wanted}. Evaluated {len(unique)} subnets: "
            f"{other_cluster} are tagged for other clusters, and {few_ips} have insufficient available IP addresses",
            choice, hint=hint)
    if len(choice.chosen) < min_zones:
        raise SubnetDiscoveryError(
            f"subnets matching tags {wanted} cover {len(choice.chosen)} availability zone(s) once those tagged for "
            f"other clusters or with fewer than {min_free_ips} free IPs are left out; an application load balancer "
            f"needs at least {min_zones}", choice, hint=hint)
    return choice


def _too_few_zones_message(
    choice: SubnetChoice,
    scheme: str,
    role_key: str,
    min_zones: int,
    problems_by_id: dict[str, list[tuple[str, str]]],
) -> str:
    n = len(choice.chosen)
    zones = "zone" if n == 1 else "zones"
    message = (
        f"only {n} availability {zones} had a usable subnet for an {scheme} ALB "
        f"(at least {min_zones} needed): "
        f"tag at least {min_zones} subnets in different zones with {role_key}=1"
    )
    # Subnets whose only problem is the missing/wrong role tag, one per zone not yet covered.
    covered = {s.availability_zone for s in choice.chosen}
    fixable: dict[str, SubnetInfo] = {}
    for s, _ in choice.rejected:
        kinds = [kind for kind, _ in problems_by_id.get(s.subnet_id, [])]
        zone = s.availability_zone
        if kinds == ["role"] and zone not in covered and zone not in fixable:
            fixable[zone] = s
    if fixable:
        listed = ", ".join(f"{s.subnet_id} ({az})" for az, s in sorted(fixable.items()))
        message += f" (candidates: {listed})"
    return message


def check_explicit_subnets(subnets: list[SubnetInfo], *, min_zones: int = MIN_ZONES_ALB) -> None:
    """Validate explicitly named subnets like the controller's validateSpecifiedSubnets."""
    if not subnets:
        raise AlbctlError("unable to resolve at least one subnet")
    by_az: dict[str, list[str]] = defaultdict(list)
    for s in subnets:
        by_az[s.availability_zone].append(s.subnet_id)
    for az, ids in sorted(by_az.items()):
        if len(ids) > 1:
            raise AlbctlError(f"multiple subnets in the same availability zone {az}: {', '.join(ids)}")
    vpcs = sorted({s.vpc_id for s in subnets})
    if len(vpcs) > 1:
        raise AlbctlError(f"subnets are in different VPCs: {', '.join(vpcs)}")
    if len(subnets) < min_zones:
        raise AlbctlError(
            f"an ALB needs subnets in at least {min_zones} availability zones, got {len(subnets)}",
            hint="name one subnet per zone in alb.ingress.kubernetes.io/subnets",
        )


def _describe_subnets(clients: AwsClients, **kwargs: Any) -> Iterator[dict[str, Any]]:
    paginator = clients.ec2.get_paginator("describe_subnets")
    with aws_call("DescribeSubnets"):
        for page in paginator.paginate(**kwargs):
            yield from page.get("Subnets", [])


def discover_subnets(
    clients: AwsClients, *, scheme: str, cluster: str, vpc_id: str | None
) -> tuple[str | None, list[SubnetInfo]]:
    """List the candidate subnets for auto-discovery with one (paginated) DescribeSubnets call.

    With ``vpc_id``: every subnet of that VPC (the controller filters on vpc-id *and* the role tag;
    fetching the whole VPC gives the same choice and lets the untagged subnets be explained).
    Without: every subnet carrying the scheme's role tag key, and the VPC is inferred from them
    (the only VPC, else the only one with subnets tagged for ``cluster``).
    Returns ``(vpc_id, subnets)``; ``(None, [])`` when nothing carries the role tag.
    """
    role_key = role_tag_key(scheme)
    by_vpc, by_role = {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag-key", "Values": [role_key]}
    filters = [by_vpc if vpc_id else by_role]
    subnets = [SubnetInfo.from_api(s) for s in _describe_subnets(clients, Filters=filters)]
    if vpc_id:
        if not subnets:
            raise AlbctlError(
                f"no subnets found in VPC {vpc_id} (region {clients.region})",
                hint="check --vpc-id and --region",
            )
        return vpc_id, sorted(subnets, key=_az_key)
    vpcs = sorted({s.vpc_id for s in subnets})
    if not vpcs:
        return None, []
    if len(vpcs) > 1:
        ours = cluster_tag_key(cluster)
        mine = sorted({s.vpc_id for s in subnets if ours in s.tags})
        if len(mine) != 1:
            raise AlbctlError(
                f"subnets tagged {role_key} are in {len(vpcs)} VPCs ({', '.join(vpcs)}) and "
                f"{'none' if not mine else 'several'} of them has subnets tagged {ours}",
                hint="pass --vpc-id",
            )
        vpcs = mine
    chosen_vpc = vpcs[0]
    return chosen_vpc, sorted((s for s in subnets if s.vpc_id == chosen_vpc), key=_az_key)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def resolve_subnets(clients: AwsClients, names_or_ids: list[str], *, vpc_id: str | None = None) -> list[SubnetInfo]:
    """Resolve subnet ids (``subnet-...``) and Name tags, in the given order, with at most two calls.

    Like the controller, a Name shared by several subnets resolves to the lowest subnet id first, the
    next one if the Name is listed again. ``vpc_id`` restricts the Name lookup. Unknown ones raise
    AlbctlError naming all of them.
    """
    ids = _unique(x for x in names_or_ids if x.startswith("subnet-"))
    names = _unique(x for x in names_or_ids if not x.startswith("subnet-"))
    by_id: dict[str, SubnetInfo] = {}
    by_name: dict[str, list[SubnetInfo]] = defaultdict(list)
    if ids:
        # A subnet-id *filter* (not SubnetIds=) so unknown ids are simply absent instead of failing the call.
        for raw in _describe_subnets(clients, Filters=[{"Name": "subnet-id", "Values": ids}]):
            info = SubnetInfo.from_api(raw)
            by_id[info.subnet_id] = info
    if names:
        filters = [{"Name": "tag:Name", "Values": names}]
        if vpc_id:
            filters.insert(0, {"Name": "vpc-id", "Values": [vpc_id]})
        found = sorted(
            (SubnetInfo.from_api(raw) for raw in _describe_subnets(clients, Filters=filters)),
            key=lambda s: s.subnet_id,
        )
        for info in found:
            if info.name:
                by_name[info.name].append(info)

    resolved: list[SubnetInfo] = []
    missing: list[str] = []
    used: dict[str, int] = defaultdict(int)
    for item in names_or_ids:
        if item.startswith("subnet-"):
            if item in by_id:
                resolved.append(by_id[item])
            else:
                missing.append(item)
            continue
        candidates = by_name.get(item, [])
        if used[item] < len(candidates):
            resolved.append(candidates[used[item]])
            used[item] += 1
        elif candidates:
            missing.append(f"{item} (listed {used[item] + 1} times, {len(candidates)} subnet(s) have that Name)")
        else:
            missing.append(item)
    if missing:
        where = f" in VPC {vpc_id}" if vpc_id else ""
        raise AlbctlError(
            f"subnet(s) not found{where} (region {clients.region}): {', '.join(_unique(missing))}",
            hint="subnets are given by id (subnet-...) or by their Name tag",
        )
    return resolved


def to_json(choice: SubnetChoice, scheme: str, vpc_id: str | None) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "vpc_id": vpc_id,
        "chosen": [
            {"subnet_id": s.subnet_id, "availability_zone": s.availability_zone, "cidr": s.cidr} for s in choice.chosen
        ],
        "rejected": [{"subnet_id": s.subnet_id, "reason": reason} for s, reason in choice.rejected],
    }
