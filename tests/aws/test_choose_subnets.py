"""choose_subnets: the controller's per-zone subnet choice, as a pure function."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albctl.aws.subnets import (
    SubnetChoice,
    SubnetDiscoveryError,
    SubnetInfo,
    check_explicit_subnets,
    choose_subnets,
    to_json,
)
from albctl.errors import AlbctlError, ConfigError

PUBLIC = {"kubernetes.io/role/elb": "1"}
PRIVATE = {"kubernetes.io/role/internal-elb": "1"}
OURS = {"kubernetes.io/cluster/demo": "shared"}
OTHER = {"kubernetes.io/cluster/other": "owned"}


def sn(subnet_id: str, az: str, tags: dict[str, str] | None = None, ips: int = 250, vpc: str = "vpc-1") -> SubnetInfo:
    return SubnetInfo(subnet_id, vpc, az, f"10.0.{len(subnet_id)}.0/24", ips, dict(tags or {}))


@dataclass
class Case:
    name: str
    subnets: list[SubnetInfo]
    chosen: list[str]
    rejected: dict[str, str] = field(default_factory=dict)  # subnet id -> substring of the reason
    scheme: str = "internet-facing"


CASES = [
    Case(
        "one per zone, sorted by zone",
        [
            sn("subnet-c", "us-east-1c", PUBLIC),
            sn("subnet-a", "us-east-1a", PUBLIC),
            sn("subnet-b", "us-east-1b", PUBLIC),
        ],
        ["subnet-a", "subnet-b", "subnet-c"],
    ),
    Case(
        "empty role tag value counts",
        [sn("subnet-a", "us-east-1a", {"kubernetes.io/role/elb": ""}), sn("subnet-b", "us-east-1b", PUBLIC)],
        ["subnet-a", "subnet-b"],
    ),
    Case(
        "missing and wrong role tags",
        [
            sn("subnet-a", "us-east-1a", PUBLIC),
            sn("subnet-b", "us-east-1b", PUBLIC),
            sn("subnet-c", "us-east-1c", {}),
            sn("subnet-d", "us-east-1d", {"kubernetes.io/role/elb": "0"}),
            sn("subnet-e", "us-east-1e", PRIVATE),
        ],
        ["subnet-a", "subnet-b"],
        {
            "subnet-c": "no kubernetes.io/role/elb tag",
            "subnet-d": "kubernetes.io/role/elb='0': the value must be 1 or empty",
            "subnet-e": "it has kubernetes.io/role/internal-elb",
        },
    ),
    Case(
        "internal scheme uses the internal-elb role tag",
        [
            sn("subnet-a", "us-east-1a", PRIVATE),
            sn("subnet-b", "us-east-1b", PRIVATE),
            sn("subnet-c", "us-east-1c", PUBLIC),
        ],
        ["subnet-a", "subnet-b"],
        {"subnet-c": "no kubernetes.io/role/internal-elb tag"},
        scheme="internal",
    ),
    Case(
        "subnets tagged only for another cluster are rejected",
        [
            sn("subnet-a", "us-east-1a", {**PUBLIC, **OTHER}),
            sn("subnet-b", "us-east-1b", {**PUBLIC, **OTHER, **OURS}),  # shared by both clusters: fine
            sn("subnet-c", "us-east-1c", PUBLIC),  # no cluster tag at all: fine
            sn("subnet-d", "us-east-1d", PUBLIC),
        ],
        ["subnet-b", "subnet-c", "subnet-d"],
        {"subnet-a": "tagged for another cluster (kubernetes.io/cluster/other)"},
    ),
    Case(
        "too few free IPs",
        [
            sn("subnet-a", "us-east-1a", PUBLIC, ips=7),
            sn("subnet-b", "us-east-1b", PUBLIC, ips=8),
            sn("subnet-c", "us-east-1c", PUBLIC, ips=0),
            sn("subnet-d", "us-east-1d", PUBLIC),
        ],
        ["subnet-b", "subnet-d"],
        {"subnet-a": "only 7 free IP addresses (at least 8 needed)", "subnet-c": "only 0 free"},
    ),
    Case(
        "tie-break: our cluster tag beats a lower subnet id",
        [
            sn("subnet-1", "us-east-1a", PUBLIC),
            sn("subnet-2", "us-east-1a", {**PUBLIC, **OURS}),
            sn("subnet-3", "us-east-1b", PUBLIC),
        ],
        ["subnet-2", "subnet-3"],
        {"subnet-1": "subnet-2 was chosen in us-east-1a (it is tagged kubernetes.io/cluster/demo)"},
    ),
    Case(
        "tie-break: lexical subnet id when both (or neither) carry our tag",
        [
            sn("subnet-0b", "us-east-1a", {**PUBLIC, **OURS}),
            sn("subnet-0a", "us-east-1a", {**PUBLIC, **OURS}),
            sn("subnet-9", "us-east-1b", PUBLIC),
            sn("subnet-10", "us-east-1b", PUBLIC),
        ],
        ["subnet-0a", "subnet-10"],
        {
            "subnet-0b": "subnet-0a was chosen in us-east-1a (its subnet id sorts first)",
            "subnet-9": "subnet-10 was chosen in us-east-1b",
        },
    ),
    Case(
        "ineligible subnets never win the tie-break",
        [
            sn("subnet-1", "us-east-1a", {**PUBLIC, **OTHER}),
            sn("subnet-2", "us-east-1a", PUBLIC, ips=3),
            sn("subnet-3", "us-east-1a", PUBLIC),
            sn("subnet-4", "us-east-1b", PUBLIC),
        ],
        ["subnet-3", "subnet-4"],
        {"subnet-1": "another cluster", "subnet-2": "only 3 free"},
    ),
    Case(
        "several problems are all reported",
        [
            sn("subnet-1", "us-east-1a", OTHER, ips=1),
            sn("subnet-2", "us-east-1b", PUBLIC),
            sn("subnet-3", "us-east-1c", PUBLIC),
        ],
        ["subnet-2", "subnet-3"],
        {"subnet-1": "no kubernetes.io/role/elb tag; tagged for another cluster"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_choose_subnets(case: Case) -> None:
    choice = choose_subnets(case.subnets, scheme=case.scheme, cluster="demo")
    assert [s.subnet_id for s in choice.chosen] == case.chosen
    reasons = {s.subnet_id: reason for s, reason in choice.rejected}
    assert set(reasons) == set(case.rejected)
    for subnet_id, expected in case.rejected.items():
        assert expected in reasons[subnet_id]


def test_prefix_match_like_the_controller() -> None:
    # The controller matches the "kubernetes.io/cluster" prefix without a slash.
    subnets = [
        sn("subnet-a", "us-east-1a", {**PUBLIC, "kubernetes.io/cluster-x": "1"}),
        sn("subnet-b", "us-east-1b", PUBLIC),
        sn("subnet-c", "us-east-1c", PUBLIC),
    ]
    choice = choose_subnets(subnets, scheme="internet-facing", cluster="demo")
    assert [s.subnet_id for s, _ in choice.rejected] == ["subnet-a"]


def test_too_few_zones_raises_with_choice_and_advice() -> None:
    subnets = [
        sn("subnet-a", "us-east-1a", PUBLIC),
        sn("subnet-b", "us-east-1a", {}),  # same zone as the chosen one: no use
        sn("subnet-c", "us-east-1b", {}),
        sn("subnet-d", "us-east-1c", OTHER),  # would need more than the role tag
    ]
    with pytest.raises(SubnetDiscoveryError) as info:
        choose_subnets(subnets, scheme="internet-facing", cluster="demo")
    err = info.value
    assert isinstance(err, AlbctlError)
    message = str(err)
    assert "only 1 availability zone had a usable subnet for an internet-facing ALB" in message
    assert "tag at least 2 subnets in different zones with kubernetes.io/role/elb=1" in message
    assert "candidates: subnet-c (us-east-1b)" in message
    assert "subnet-b" not in message and "subnet-d" not in message
    assert [s.subnet_id for s in err.choice.chosen] == ["subnet-a"]
    assert {s.subnet_id for s, _ in err.choice.rejected} == {"subnet-b", "subnet-c", "subnet-d"}


def test_no_subnets_at_all_internal() -> None:
    with pytest.raises(SubnetDiscoveryError) as info:
        choose_subnets([], scheme="internal", cluster="demo")
    assert "only 0 availability zones" in str(info.value)
    assert "kubernetes.io/role/internal-elb=1" in str(info.value)
    assert info.value.choice == SubnetChoice()


def test_min_zones_and_min_free_ips_are_settings() -> None:
    subnets = [sn("subnet-a", "us-east-1a", PUBLIC, ips=20)]
    assert choose_subnets(subnets, scheme="internet-facing", cluster="demo", min_zones=1).chosen == subnets
    with pytest.raises(SubnetDiscoveryError):
        choose_subnets(subnets, scheme="internet-facing", cluster="demo", min_zones=1, min_free_ips=21)


def test_unknown_scheme() -> None:
    with pytest.raises(ConfigError, match="unknown load balancer scheme 'public'"):
        choose_subnets([], scheme="public", cluster="demo")


def test_to_json_shape() -> None:
    subnets = [sn("subnet-a", "us-east-1a", PUBLIC), sn("subnet-b", "us-east-1b", PUBLIC), sn("subnet-c", "us-east-1b")]
    choice = choose_subnets(subnets, scheme="internet-facing", cluster="demo")
    assert to_json(choice, "internet-facing", "vpc-1") == {
        "scheme": "internet-facing",
        "vpc_id": "vpc-1",
        "chosen": [
            {"subnet_id": "subnet-a", "availability_zone": "us-east-1a", "cidr": subnets[0].cidr},
            {"subnet_id": "subnet-b", "availability_zone": "us-east-1b", "cidr": subnets[1].cidr},
        ],
        "rejected": [{"subnet_id": "subnet-c", "reason": "no kubernetes.io/role/elb tag"}],
    }


def test_check_explicit_subnets() -> None:
    a, b = sn("subnet-a", "us-east-1a"), sn("subnet-b", "us-east-1b")
    check_explicit_subnets([a, b])
    with pytest.raises(AlbctlError, match="same availability zone us-east-1a: subnet-a, subnet-x"):
        check_explicit_subnets([a, sn("subnet-x", "us-east-1a"), b])
    with pytest.raises(AlbctlError, match="at least 2 availability zones"):
        check_explicit_subnets([a])
    with pytest.raises(AlbctlError, match="different VPCs"):
        check_explicit_subnets([a, sn("subnet-y", "us-east-1b", vpc="vpc-2")])


TAG_CHOICES = st.sampled_from(
    [{}, PUBLIC, PRIVATE, {"kubernetes.io/role/elb": ""}, {"kubernetes.io/role/elb": "0"}, OURS, OTHER]
)


@st.composite
def subnet_lists(draw: st.DrawFn) -> list[SubnetInfo]:
    n = draw(st.integers(0, 8))
    ids = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n, unique=True))
    out = []
    for i in ids:
        tags: dict[str, str] = {}
        for t in draw(st.lists(TAG_CHOICES, max_size=3)):
            tags.update(t)
        out.append(sn(f"subnet-{i:02d}", draw(st.sampled_from(["za", "zb", "zc"])), tags, draw(st.integers(0, 12))))
    return out


@given(subnet_lists(), st.sampled_from(["internet-facing", "internal"]))
def test_every_subnet_is_chosen_or_rejected_once(subnets: list[SubnetInfo], scheme: str) -> None:
    try:
        choice = choose_subnets(subnets, scheme=scheme, cluster="demo", min_zones=0)
    except SubnetDiscoveryError:  # pragma: no cover - min_zones=0 never raises
        raise
    seen = [s.subnet_id for s in choice.chosen] + [s.subnet_id for s, _ in choice.rejected]
    assert sorted(seen) == sorted(s.subnet_id for s in subnets)
    zones = [s.availability_zone for s in choice.chosen]
    assert zones == sorted(set(zones))
    assert all(reason for _, reason in choice.rejected)
    role = "kubernetes.io/role/elb" if scheme == "internet-facing" else "kubernetes.io/role/internal-elb"
    for s in choice.chosen:
        assert s.tags.get(role) in ("", "1") and s.available_ips >= 8
