"""The sandbox seed: a small EKS-like account, created idempotently."""

from __future__ import annotations

from typing import Any

from albctl.aws.session import AwsClients
from albctl.sandbox.seed import seed


def _counts(aws: AwsClients, vpc_id: str) -> dict[str, int]:
    ec2, by_vpc = aws.ec2, [{"Name": "vpc-id", "Values": [vpc_id]}]
    instances = [
        i
        for r in ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["running"]}])[
            "Reservations"
        ]
        for i in r["Instances"]
    ]
    return {
        "vpcs": len(ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["albctl-sandbox"]}])["Vpcs"]),
        "subnets": len(ec2.describe_subnets(Filters=by_vpc)["Subnets"]),
        "igws": len(
            ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
                "InternetGateways"
            ]
        ),
        "route_tables": len(ec2.describe_route_tables(Filters=by_vpc)["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"]),
        "instances": len(instances),
        "certificates": len(aws.acm.list_certificates()["CertificateSummaryList"]),
    }


def test_seed_is_idempotent(aws: AwsClients, seeded: dict[str, Any]) -> None:
    before = _counts(aws, seeded["vpc_id"])
    assert before == {
        "vpcs": 1,
        "subnets": 6,
        "igws": 1,
        "route_tables": 3,  # main + public + private
        "security_groups": 2,  # default + nodes
        "instances": 3,
        "certificates": 1,
    }
    again = seed(aws)
    assert again == seeded
    assert _counts(aws, seeded["vpc_id"]) == before


def test_seeded_account_looks_like_eks(aws: AwsClients, seeded: dict[str, Any]) -> None:
    ec2 = aws.ec2
    assert ec2.describe_vpcs(VpcIds=[seeded["vpc_id"]])["Vpcs"][0]["CidrBlock"] == "10.0.0.0/16"
    subnets = {
        s["SubnetId"]: s
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [seeded["vpc_id"]]}])["Subnets"]
    }
    public = [subnets[i] for i in seeded["public_subnet_ids"]]
    assert [s["CidrBlock"] for s in public] == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert [s["AvailabilityZone"] for s in public] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    for s in public:
        tags = {t["Key"]: t["Value"] for t in s["Tags"]}
        assert tags["kubernetes.io/role/elb"] == "1" and tags["kubernetes.io/cluster/sandbox"] == "shared"
    for i in seeded["private_subnet_ids"]:
        tags = {t["Key"]: t["Value"] for t in subnets[i]["Tags"]}
        assert tags["kubernetes.io/role/internal-elb"] == "1" and "kubernetes.io/cluster/sandbox" in tags

    reservations = ec2.describe_instances(InstanceIds=seeded["instance_ids"])["Reservations"]
    nodes = [i for r in reservations for i in r["Instances"]]
    assert sorted(n["SubnetId"] for n in nodes) == sorted(seeded["private_subnet_ids"])
    for node in nodes:
        tags = {t["Key"]: t["Value"] for t in node["Tags"]}
        assert tags["kubernetes.io/cluster/sandbox"] == "owned" and tags["eks:cluster-name"] == "sandbox"
        assert node["State"]["Name"] == "running"
        assert [g["GroupId"] for g in node["SecurityGroups"]] == [seeded["node_security_group_id"]]
    sg = ec2.describe_security_groups(GroupIds=[seeded["node_security_group_id"]])["SecurityGroups"][0]
    assert {t["Key"]: t["Value"] for t in sg["Tags"]}["eks:cluster-name"] == "sandbox"

    routes = ec2.describe_route_tables(RouteTableIds=[seeded["route_table_ids"]["public"]])["RouteTables"][0]
    assert any(r.get("GatewayId") == seeded["internet_gateway_id"] for r in routes["Routes"])


def test_certificate_is_issued(aws: AwsClients, seeded: dict[str, Any]) -> None:
    cert = aws.acm.describe_certificate(CertificateArn=seeded["certificate_arn"])["Certificate"]
    assert cert["Status"] == "ISSUED"
    assert cert["DomainName"] == "*.example.com"
    assert "example.com" in cert["SubjectAlternativeNames"]
