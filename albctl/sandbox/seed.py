"""Seed an (emulated) AWS account so it looks like a small EKS cluster's account.

Idempotent: everything is looked up first (by tag, CIDR, name) and only created when missing.
Usable against any endpoint (moto server in tests, the sandbox), never meant for a real account.
"""

from __future__ import annotations

import datetime
from typing import Any

from albctl.aws.session import AwsClients, aws_call

CLUSTER = "sandbox"
REGION = "us-east-1"
VPC_CIDR = "10.0.0.0/16"
VPC_NAME = "albctl-sandbox"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
PUBLIC_CIDRS = ("10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20")
PRIVATE_CIDRS = ("10.0.64.0/20", "10.0.80.0/20", "10.0.96.0/20")
CERT_DOMAIN = "*.example.com"
NODE_SG_NAME = "albctl-sandbox-nodes"
# An AMI id from moto's built-in catalogue (moto does not validate AMIs unless asked to).
NODE_AMI = "ami-12c6146b"
NODE_INSTANCE_TYPE = "t3.medium"

CLUSTER_TAG = f"kubernetes.io/cluster/{CLUSTER}"


def _tags(**extra: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in extra.items()]


def _spec(resource: str, tags: dict[str, str]) -> list[dict[str, Any]]:
    return [{"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _name_filter(name: str) -> dict[str, Any]:
    return {"Name": "tag:Name", "Values": [name]}


def seed(clients: AwsClients) -> dict[str, Any]:
    """Create (or find) the sandbox VPC, subnets, gateway, nodes and certificate; return their ids."""
    ec2 = clients.ec2
    vpc_id = _vpc(ec2)
    igw_id = _internet_gateway(ec2, vpc_id)
    public = _subnets(ec2, vpc_id, PUBLIC_CIDRS, "public", {"kubernetes.io/role/elb": "1"})
    private = _subnets(ec2, vpc_id, PRIVATE_CIDRS, "private", {"kubernetes.io/role/internal-elb": "1"})
    public_rt = _route_table(ec2, vpc_id, f"{VPC_NAME}-public", public, igw_id)
    private_rt = _route_table(ec2, vpc_id, f"{VPC_NAME}-private", private, None)
    sg_id = _node_security_group(ec2, vpc_id)
    instances = _nodes(ec2, private, sg_id)
    cert_arn = _certificate(clients)
    return {
        "cluster": CLUSTER,
        "region": clients.region,
        "vpc_id": vpc_id,
        "internet_gateway_id": igw_id,
        "public_subnet_ids": public,
        "private_subnet_ids": private,
        "route_table_ids": {"public": public_rt, "private": private_rt},
        "node_security_group_id": sg_id,
        "instance_ids": instances,
        "certificate_arn": cert_arn,
    }


def _vpc(ec2: Any) -> str:
    with aws_call("DescribeVpcs"):
        vpcs = ec2.describe_vpcs(Filters=[_name_filter(VPC_NAME), {"Name": "cidr", "Values": [VPC_CIDR]}])["Vpcs"]
    if vpcs:
        return str(sorted(v["VpcId"] for v in vpcs)[0])
    with aws_call("CreateVpc"):
        vpc = ec2.create_vpc(
            CidrBlock=VPC_CIDR, TagSpecifications=_spec("vpc", {"Name": VPC_NAME, CLUSTER_TAG: "shared"})
        )["Vpc"]
        vpc_id = str(vpc["VpcId"])
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


def _internet_gateway(ec2: Any, vpc_id: str) -> str:
    with aws_call("DescribeInternetGateways"):
        igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
            "InternetGateways"
        ]
    if igws:
        return str(igws[0]["InternetGatewayId"])
    with aws_call("CreateInternetGateway"):
        igw_id = str(
            ec2.create_internet_gateway(TagSpecifications=_spec("internet-gateway", {"Name": VPC_NAME}))[
                "InternetGateway"
            ]["InternetGatewayId"]
        )
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return igw_id


def _subnets(ec2: Any, vpc_id: str, cidrs: tuple[str, ...], kind: str, role: dict[str, str]) -> list[str]:
    with aws_call("DescribeSubnets"):
        existing = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_cidr = {s["CidrBlock"]: s["SubnetId"] for s in existing}
    ids: list[str] = []
    for zone, cidr in zip(ZONES, cidrs, strict=True):
        if cidr in by_cidr:
            ids.append(str(by_cidr[cidr]))
            continue
        tags = {"Name": f"{VPC_NAME}-{kind}-{zone}", CLUSTER_TAG: "shared", **role}
        with aws_call("CreateSubnet"):
            subnet = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=_spec("subnet", tags)
            )["Subnet"]
            if kind == "public":
                ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
        ids.append(str(subnet["SubnetId"]))
    return ids


def _route_table(ec2: Any, vpc_id: str, name: str, subnet_ids: list[str], igw_id: str | None) -> str:
    with aws_call("DescribeRouteTables"):
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, _name_filter(name)])[
            "RouteTables"
        ]
    if tables:
        table = tables[0]
    else:
        with aws_call("CreateRouteTable"):
            table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_spec("route-table", {"Name": name}))[
                "RouteTable"
            ]
    rt_id = str(table["RouteTableId"])
    if igw_id and not any(r.get("GatewayId") == igw_id for r in table.get("Routes", [])):
        with aws_call("CreateRoute"):
            ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    associated = {a.get("SubnetId") for a in table.get("Associations", [])}
    for subnet_id in subnet_ids:
        if subnet_id not in associated:
            with aws_call("AssociateRouteTable"):
                ec2.associate_route_table(RouteTableId=rt_id, SubnetId=subnet_id)
    return rt_id


def _node_security_group(ec2: Any, vpc_id: str) -> str:
    with aws_call("DescribeSecurityGroups"):
        groups = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [NODE_SG_NAME]}]
        )["SecurityGroups"]
    if groups:
        return str(groups[0]["GroupId"])
    tags = {"Name": NODE_SG_NAME, CLUSTER_TAG: "owned", "eks:cluster-name": CLUSTER}
    with aws_call("CreateSecurityGroup"):
        sg_id = str(
            ec2.create_security_group(
                GroupName=NODE_SG_NAME,
                Description=f"EKS nodes of cluster {CLUSTER} (albctl sandbox)",
                VpcId=vpc_id,
                TagSpecifications=_spec("security-group", tags),
            )["GroupId"]
        )
        ec2.authorize_security_group_ingress(
            GroupId=sg_id,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg_id}]}],
        )
    return sg_id


def _nodes(ec2: Any, subnet_ids: list[str], sg_id: str) -> list[str]:
    with aws_call("DescribeInstances"):
        pages = ec2.get_paginator("describe_instances").paginate(
            Filters=[
                {"Name": f"tag:{CLUSTER_TAG}", "Values": ["owned"]},
                {"Name": "instance-state-name", "Values": ["pending", "running"]},
            ]
        )
        running = {
            i["SubnetId"]: i["InstanceId"]
            for page in pages
            for r in page["Reservations"]
            for i in r["Instances"]
            if i.get("SubnetId")
        }
    ids: list[str] = []
    for n, subnet_id in enumerate(subnet_ids):
        if subnet_id in running:
            ids.append(str(running[subnet_id]))
            continue
        tags = {
            "Name": f"{CLUSTER}-node-{n + 1}",
            CLUSTER_TAG: "owned",
            "eks:cluster-name": CLUSTER,
            "eks:nodegroup-name": f"{CLUSTER}-default",
        }
        with aws_call("RunInstances"):
            instance = ec2.run_instances(
                ImageId=NODE_AMI,
                InstanceType=NODE_INSTANCE_TYPE,
                MinCount=1,
                MaxCount=1,
                SubnetId=subnet_id,
                SecurityGroupIds=[sg_id],
                TagSpecifications=_spec("instance", tags),
            )["Instances"][0]
        ids.append(str(instance["InstanceId"]))
    return ids


def _certificate(clients: AwsClients) -> str:
    acm = clients.acm
    with aws_call("ListCertificates"):
        for page in acm.get_paginator("list_certificates").paginate(CertificateStatuses=["ISSUED"]):
            for summary in page.get("CertificateSummaryList", []):
                if summary.get("DomainName") == CERT_DOMAIN:
                    return str(summary["CertificateArn"])
    cert_pem, key_pem = self_signed_certificate(CERT_DOMAIN)
    # moto's RequestCertificate stays PENDING_VALIDATION; imported certificates are ISSUED.
    with aws_call("ImportCertificate"):
        arn = acm.import_certificate(
            Certificate=cert_pem, PrivateKey=key_pem, Tags=[{"Key": "Name", "Value": VPC_NAME}]
        )["CertificateArn"]
    return str(arn)


def self_signed_certificate(domain: str, *, days: int = 365) -> tuple[bytes, bytes]:
    """A self-signed RSA certificate (PEM) and its key for ``domain`` (and the bare parent of a wildcard)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    sans: list[x509.GeneralName] = [x509.DNSName(domain)]
    if domain.startswith("*."):
        sans.append(x509.DNSName(domain[2:]))
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem
