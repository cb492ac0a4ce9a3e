"""discover_subnets / resolve_subnets against the seeded moto account, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from albctl.aws.session import AwsClients
from albctl.aws.subnets import SubnetDiscoveryError, choose_subnets, discover_subnets, resolve_subnets
from albctl.errors import AlbctlError

from .conftest import CallCounter


def _tags(**tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "subnet", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@pytest.mark.parametrize(
    ("scheme", "kind"), [("internet-facing", "public_subnet_ids"), ("internal", "private_subnet_ids")]
)
def test_discover_picks_one_subnet_per_zone(
    aws: AwsClients, seeded: dict[str, Any], ec2_calls: CallCounter, scheme: str, kind: str
) -> None:
    vpc_id, subnets = discover_subnets(aws, scheme=scheme, cluster="sandbox", vpc_id=None)
    assert ec2_calls.operations == ["DescribeSubnets"]
    assert vpc_id == seeded["vpc_id"]
    choice = choose_subnets(subnets, scheme=scheme, cluster="sandbox")
    assert [s.subnet_id for s in choice.chosen] == seeded[kind]
    assert [s.availability_zone for s in choice.chosen] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert choice.rejected == []


def test_discover_in_a_vpc_explains_the_other_subnets(
    aws: AwsClients, seeded: dict[str, Any], ec2_calls: CallCounter
) -> None:
    vpc_id, subnets = discover_subnets(aws, scheme="internet-facing", cluster="sandbox", vpc_id=seeded["vpc_id"])
    assert ec2_calls.count == 1
    assert vpc_id == seeded["vpc_id"] and len(subnets) == 6
    choice = choose_subnets(subnets, scheme="internet-facing", cluster="sandbox")
    assert [s.subnet_id for s in choice.chosen] == seeded["public_subnet_ids"]
    assert {s.subnet_id: r for s, r in choice.rejected} == {
        i: "no kubernetes.io/role/elb tag (it has kubernetes.io/role/internal-elb, the other scheme's role tag)"
        for i in seeded["private_subnet_ids"]
    }


def test_discover_tie_break_and_other_cluster(aws: AwsClients, seeded: dict[str, Any]) -> None:
    ec2 = aws.ec2
    vpc = seeded["vpc_id"]
    # Same zone as the first public subnet, role-tagged but not for our cluster: loses the tie-break.
    extra = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.200.0/24", AvailabilityZone="us-east-1a",
        TagSpecifications=_tags(**{"kubernetes.io/role/elb": "1"}),
    )["Subnet"]["SubnetId"]  # fmt: skip
    # In a fourth zone but tagged for another cluster.
    foreign = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.201.0/24", AvailabilityZone="us-east-1d",
        TagSpecifications=_tags(**{"kubernetes.io/role/elb": "", "kubernetes.io/cluster/other": "owned"}),
    )["Subnet"]["SubnetId"]  # fmt: skip
    _, subnets = discover_subnets(aws, scheme="internet-facing", cluster="sandbox", vpc_id=None)
    choice = choose_subnets(subnets, scheme="internet-facing", cluster="sandbox")
    assert [s.subnet_id for s in choice.chosen] == seeded["public_subnet_ids"]
    reasons = {s.subnet_id: r for s, r in choice.rejected}
    assert reasons[extra] == (
        f"{seeded['public_subnet_ids'][0]} was chosen in us-east-1a (it is tagged kubernetes.io/cluster/sandbox)"
    )
    assert "tagged for another cluster (kubernetes.io/cluster/other)" in reasons[foreign]


def test_discover_picks_the_vpc_tagged_for_our_cluster(aws: AwsClients, seeded: dict[str, Any]) -> None:
    ec2 = aws.ec2
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    for n, zone in enumerate(["us-east-1a", "us-east-1b"]):
        ec2.create_subnet(
            VpcId=other_vpc, CidrBlock=f"10.1.{n}.0/24", AvailabilityZone=zone,
            TagSpecifications=_tags(**{"kubernetes.io/role/elb": "1", "kubernetes.io/cluster/other": "owned"}),
        )  # fmt: skip
    vpc_id, subnets = discover_subnets(aws, scheme="internet-facing", cluster="sandbox", vpc_id=None)
    assert vpc_id == seeded["vpc_id"]
    assert {s.vpc_id for s in subnets} == {seeded["vpc_id"]}
    with pytest.raises(AlbctlError, match=r"are in 2 VPCs \(.*\) and none of them") as info:
        discover_subnets(aws, scheme="internet-facing", cluster="third", vpc_id=None)
    assert info.value.hint == "pass --vpc-id"


def test_discover_without_tagged_subnets(aws: AwsClients) -> None:
    assert discover_subnets(aws, scheme="internet-facing", cluster="sandbox", vpc_id=None) == (None, [])
    with pytest.raises(SubnetDiscoveryError, match="only 0 availability zones"):
        choose_subnets([], scheme="internet-facing", cluster="sandbox")
    with pytest.raises(AlbctlError, match="no subnets found in VPC vpc-0123 "):
        discover_subnets(aws, scheme="internal", cluster="sandbox", vpc_id="vpc-0123")


def test_resolve_by_id_and_name(aws: AwsClients, seeded: dict[str, Any], ec2_calls: CallCounter) -> None:
    public, private = seeded["public_subnet_ids"], seeded["private_subnet_ids"]
    wanted = [private[2], "albctl-sandbox-public-us-east-1b", public[0]]
    resolved = resolve_subnets(aws, wanted)
    assert [s.subnet_id for s in resolved] == [private[2], public[1], public[0]]
    assert resolved[1].name == "albctl-sandbox-public-us-east-1b"
    assert resolved[1].tags["kubernetes.io/role/elb"] == "1"
    assert ec2_calls.operations == ["DescribeSubnets", "DescribeSubnets"]

    assert [s.subnet_id for s in resolve_subnets(aws, public)] == public
    assert ec2_calls.count == 3  # ids only: one call


def test_resolve_unknown_names_them_all(aws: AwsClients, seeded: dict[str, Any]) -> None:
    with pytest.raises(AlbctlError) as info:
        resolve_subnets(aws, [seeded["public_subnet_ids"][0], "subnet-0deadbeef0000000", "no-such-name"])
    assert "subnet-0deadbeef0000000, no-such-name" in str(info.value)
    with pytest.raises(AlbctlError, match="listed 2 times, 1 subnet"):
        resolve_subnets(aws, ["albctl-sandbox-public-us-east-1a", "albctl-sandbox-public-us-east-1a"])
    with pytest.raises(AlbctlError, match="not found in VPC vpc-0nope"):
        resolve_subnets(aws, ["albctl-sandbox-public-us-east-1a"], vpc_id="vpc-0nope")
