"""discover_facts against the seeded moto account, over HTTP (no stubs)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from albctl import pipeline
from albctl.aws.facts import (
    BACKEND_SG_RESOURCE,
    TAG_KEY_CLUSTER,
    TAG_KEY_RESOURCE,
    backend_security_group_name,
    discover_facts,
    domain_matches_host,
)
from albctl.aws.session import AwsClients
from albctl.aws.subnets import SubnetDiscoveryError
from albctl.errors import AlbctlError
from albctl.model.facts import Facts
from albctl.model.groups import IngressGroup, select
from albctl.model.stack import LISTENER, LOAD_BALANCER, ListenerSpec, LoadBalancerSpec
from albctl.sandbox.seed import self_signed_certificate
from albctl.settings import Settings
from tests.model.helpers import ingress, load, service

from .conftest import CallCounter

SETTINGS = Settings(cluster_name="sandbox")
HTTPS = {"listen-ports": '[{"HTTPS": 443}]'}


@pytest.fixture
def calls(aws: AwsClients) -> Iterator[CallCounter]:
    """Every EC2 and ACM request sent from now on (the seed's are not counted)."""
    counter = CallCounter()
    hooks = [(aws.ec2.meta.events, "before-call.ec2"), (aws.acm.meta.events, "before-call.acm")]
    for events, name in hooks:
        events.register(name, counter)
    try:
        yield counter
    finally:
        for events, name in hooks:
            events.unregister(name, counter)


def rules(host: str) -> str:
    return textwrap.dedent(f"""\
        - host: {host}
          http:
            paths:
              - path: /
                pathType: Prefix
                backend: {{service: {{name: svc, port: {{number: 80}}}}}}""")


def groups(*docs: str, settings: Settings = SETTINGS) -> list[IngressGroup]:
    inputs = load(*docs, service())
    selection = select(inputs, settings)
    problems = inputs.diagnostics + selection.diagnostics
    assert not problems, [str(d) for d in problems]
    return selection.groups


def ops(counter: CallCounter) -> list[str]:
    return sorted(counter.operations)


def security_group(aws: AwsClients, vpc_id: str, name: str, tags: dict[str, str]) -> str:
    return str(aws.ec2.create_security_group(
        GroupName=name, Description="test", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}],
    )["GroupId"])  # fmt: skip


def test_domain_matching_is_the_controllers() -> None:
    assert domain_matches_host("*.example.com", "app.example.com")
    assert not domain_matches_host("*.example.com", "a.b.example.com")
    assert not domain_matches_host("*.example.com", "example.com")
    assert domain_matches_host("example.com", "example.com")
    assert not domain_matches_host("app.example.com", "example.com")


def test_backend_security_group_name_is_the_controllers() -> None:
    # k8s-traffic-<cluster without non-alphanumerics>-<first 10 hex of sha256(cluster)>
    assert backend_security_group_name("sandbox") == "k8s-traffic-sandbox-b7ad567477"
    assert backend_security_group_name("my_cluster.1").startswith("k8s-traffic-mycluster1-")


def test_discovers_subnets_once_per_scheme(aws: AwsClients, seeded: dict[str, Any], calls: CallCounter) -> None:
    docs = [ingress(f"public-{n}", annotations={"scheme": "internet-facing"}) for n in range(3)]
    docs += [ingress(f"private-{n}") for n in range(3)]  # the settings' default scheme: internal
    facts = discover_facts(aws, groups(*docs), SETTINGS)
    assert facts.discovered_subnets == {
        "internet-facing": tuple(seeded["public_subnet_ids"]),
        "internal": tuple(seeded["private_subnet_ids"]),
    }
    assert facts.vpc_id == seeded["vpc_id"] and not facts.offline
    # One DescribeSubnets per scheme, one look-up of the (absent) backend SG, nothing else.
    assert ops(calls) == ["DescribeSecurityGroups", "DescribeSubnets", "DescribeSubnets"]
    assert facts.backend_security_group_id is None


def test_too_few_subnets_propagates(aws: AwsClients, seeded: dict[str, Any]) -> None:
    for subnet in seeded["public_subnet_ids"][1:]:
        aws.ec2.delete_tags(Resources=[subnet], Tags=[{"Key": "kubernetes.io/role/elb"}])
    with pytest.raises(SubnetDiscoveryError, match="only 1 availability zone"):
        discover_facts(aws, groups(ingress(annotations={"scheme": "internet-facing"})), SETTINGS)


def test_explicit_subnets_are_resolved_in_one_batch(
    aws: AwsClients, seeded: dict[str, Any], calls: CallCounter
) -> None:
    public = seeded["public_subnet_ids"]
    names = ["albctl-sandbox-public-us-east-1a", "albctl-sandbox-public-us-east-1b"]
    docs = [
        ingress("by-name", annotations={"subnets": ", ".join(names)}),
        ingress("by-id", annotations={"subnets": ", ".join(public[1:])}),
        ingress("mixed", annotations={"subnets": f"{names[0]}, {public[2]}"}),
    ]
    facts = discover_facts(aws, groups(*docs), SETTINGS.with_overrides(enable_backend_security_group=False))
    assert facts.subnet_ids == {names[0]: public[0], names[1]: public[1], public[1]: public[1], public[2]: public[2]}
    assert facts.discovered_subnets == {} and facts.vpc_id == seeded["vpc_id"]
    assert ops(calls) == ["DescribeSubnets", "DescribeSubnets"]  # ids, Name tags


def test_unknown_subnets_and_foreign_vpc(aws: AwsClients, seeded: dict[str, Any]) -> None:
    docs = [ingress(annotations={"subnets": "nope-a, albctl-sandbox-public-us-east-1a, subnet-00000000"})]
    with pytest.raises(AlbctlError, match=r"subnet\(s\) not found \(region us-east-1\): nope-a, subnet-00000000$"):
        discover_facts(aws, groups(*docs), SETTINGS)
    docs = [ingress(annotations={"subnets": ", ".join(seeded["public_subnet_ids"])})]
    with pytest.raises(AlbctlError, match="subnets outside VPC vpc-00000000"):
        discover_facts(aws, groups(*docs), SETTINGS.with_overrides(vpc_id="vpc-00000000"))
    docs = [ingress(annotations={"subnets": "albctl-sandbox-public-us-east-1a"})]
    with pytest.raises(AlbctlError, match="IngressGroup default/web: an ALB needs subnets in at least 2"):
        discover_facts(aws, groups(*docs), SETTINGS)


def test_security_groups_by_name_and_id(aws: AwsClients, seeded: dict[str, Any], calls: CallCounter) -> None:
    web = security_group(aws, seeded["vpc_id"], "web-sg", {"Name": "web-frontend"})
    node = seeded["node_security_group_id"]
    calls.operations.clear()
    docs = [ingress("a", annotations={"security-groups": f"web-frontend, {node}", "group.name": "g"}),
            ingress("b", annotations={"group.name": "g"})]
    facts = discover_facts(aws, groups(*docs), SETTINGS)
    assert facts.security_group_ids == {"web-frontend": web, node: node}
    # Explicit frontend SGs and no manage-backend-security-group-rules: no backend SG look-up.
    assert facts.backend_security_group_id is None
    assert ops(calls) == ["DescribeSecurityGroups", "DescribeSecurityGroups", "DescribeSubnets"]

    # Unknown ones are all named; the node SG is found by its Name tag albctl-sandbox-nodes.
    docs = [ingress(annotations={"security-groups": "ghost, sg-0123456789abcdef0, albctl-sandbox-nodes"})]
    unknown = r"not found in VPC vpc-\w+ \(region us-east-1\): ghost, sg-0123456789abcdef0$"
    with pytest.raises(AlbctlError, match=unknown):
        discover_facts(aws, groups(*docs), SETTINGS)


def test_backend_security_group(aws: AwsClients, seeded: dict[str, Any], calls: CallCounter) -> None:
    docs = [ingress()]
    assert discover_facts(aws, groups(*docs), SETTINGS).backend_security_group_id is None

    name = backend_security_group_name("sandbox")
    # Another cluster's backend SG does not count.
    security_group(aws, seeded["vpc_id"], "k8s-traffic-other-0123456789",
                   {TAG_KEY_CLUSTER: "other", TAG_KEY_RESOURCE: BACKEND_SG_RESOURCE})
    backend = security_group(aws, seeded["vpc_id"], name,
                             {TAG_KEY_CLUSTER: "sandbox", TAG_KEY_RESOURCE: BACKEND_SG_RESOURCE})
    assert discover_facts(aws, groups(*docs), SETTINGS).backend_security_group_id == backend

    # Explicit SGs with manage-backend-security-group-rules still need it.
    docs = [ingress(annotations={"security-groups": "albctl-sandbox-nodes",
                                 "manage-backend-security-group-rules": "true"})]
    assert discover_facts(aws, groups(*docs), SETTINGS).backend_security_group_id == backend

    # Given in the settings: used as is, not looked up.
    calls.operations.clear()
    facts = discover_facts(aws, groups(ingress()), SETTINGS.with_overrides(backend_security_group="sg-given"))
    assert facts.backend_security_group_id == "sg-given"
    assert ops(calls) == ["DescribeSubnets"]


def test_certificates_one_listing_for_all_ingresses(
    aws: AwsClients, seeded: dict[str, Any], calls: CallCounter
) -> None:
    docs = [ingress(f"app-{n}", rules=rules(f"app{n}.example.com"), annotations=HTTPS) for n in range(4)]
    docs.append(ingress("plain", rules=rules("plain.example.org")))  # HTTP only: no certificate needed
    facts = discover_facts(aws, groups(*docs), SETTINGS)
    assert facts.certificates_by_host == {f"app{n}.example.com": (seeded["certificate_arn"],) for n in range(4)}
    # The DomainName *.example.com decides for every host: no DescribeCertificate.
    assert calls.operations.count("ListCertificates") == 1
    assert "DescribeCertificate" not in calls.operations
    assert calls.operations.count("DescribeSubnets") == 1

    # An explicit certificate ARN needs no ACM call.
    calls.operations.clear()
    docs = [ingress(annotations={**HTTPS, "certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/x"})]
    assert discover_facts(aws, groups(*docs), SETTINGS).certificates_by_host == {}
    assert not [op for op in calls.operations if op in ("ListCertificates", "DescribeCertificate")]


def test_hosts_without_certificate(aws: AwsClients, seeded: dict[str, Any], calls: CallCounter) -> None:
    # *.example.com covers one label only: a.b.example.com has no certificate.
    docs = [ingress(rules=rules("a.b.example.com"), annotations=HTTPS)]
    with pytest.raises(AlbctlError, match=r"matches host\(s\): a.b.example.com \(Ingress default/web\)"):
        discover_facts(aws, groups(*docs), SETTINGS)
    # The listing did not decide, so the SANs were read (*.example.com, example.com): still no match.
    assert calls.operations.count("DescribeCertificate") == 1

    docs = [ingress(rules=rules("example.org"), annotations=HTTPS)]
    with pytest.raises(AlbctlError) as info:
        discover_facts(aws, groups(*docs), SETTINGS, max_workers=1)  # one thread: no deadlock either
    assert "example.org" in str(info.value)
    assert info.value.hint == (
        "request or import an ACM certificate for example.org, or set alb.ingress.kubernetes.io/certificate-arn"
    )


def test_certificate_from_sans_and_several_matches(aws: AwsClients, seeded: dict[str, Any]) -> None:
    # A certificate for *.example.com whose SANs also hold example.com (the seed makes it so), and a
    # second one matching app.example.com exactly.
    cert, key = self_signed_certificate("app.example.com")
    other = aws.acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    docs = [ingress(rules=rules("app.example.com"), annotations=HTTPS),
            ingress("apex", rules=rules("example.com"), annotations=HTTPS)]
    facts = discover_facts(aws, groups(*docs), SETTINGS)
    assert facts.certificates_by_host == {
        "app.example.com": tuple(sorted([seeded["certificate_arn"], other])),
        "example.com": (seeded["certificate_arn"],),
    }


def test_facts_build_the_stack(aws: AwsClients, seeded: dict[str, Any]) -> None:
    annotations = {"scheme": "internet-facing", "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]'}
    inputs = load(ingress(annotations=annotations), service())
    result = pipeline.from_inputs(inputs, SETTINGS)
    facts: Facts = discover_facts(aws, result.groups, SETTINGS)
    result = pipeline.build(result, SETTINGS, facts)
    assert not result.errors, [str(d) for d in result.errors]
    (stack,) = result.stacks
    (lb,) = stack.of_type(LOAD_BALANCER)
    assert isinstance(lb.spec, LoadBalancerSpec)
    assert [m.subnet_id for m in lb.spec.subnet_mapping] == seeded["public_subnet_ids"]
    https = stack.get(LISTENER, "443")
    assert https is not None and isinstance(https.spec, ListenerSpec)
    assert [c.certificate_arn for c in https.spec.certificates] == [seeded["certificate_arn"]]
    # The target group is in the discovered VPC.
    assert facts.vpc() == seeded["vpc_id"]


def test_ingress_class_params_subnet_tag_selector_is_resolved(seeded: dict[str, Any], aws: AwsClients) -> None:
    params = textwrap.dedent("""\
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: IngressClassParams
        metadata: {name: private}
        spec:
          subnets:
            tags:
              kubernetes.io/role/internal-elb: ["1"]
        """)
    klass = textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: alb}
        spec:
          controller: ingress.k8s.aws/alb
          parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: private}
        """)
    docs = (ingress(), service(), params, klass)
    facts = discover_facts(aws, groups(*docs), SETTINGS)
    result = pipeline.build(pipeline.from_inputs(load(*docs), SETTINGS), SETTINGS, facts)
    assert not result.errors, result.errors
    lb = next(r.spec for r in result.stacks[0].resources if r.type == LOAD_BALANCER)
    assert isinstance(lb, LoadBalancerSpec)
    assert {m.subnet_id for m in lb.subnet_mapping} == set(seeded["private_subnet_ids"])
    assert facts.vpc_id == seeded["vpc_id"]


def _subnet(aws: AwsClients, vpc_id: str, cidr: str, zone: str, tags: dict[str, str]) -> str:
    return str(aws.ec2.create_subnet(
        VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone,
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}],
    )["Subnet"]["SubnetId"])  # fmt: skip


def test_subnet_tag_selector_skips_subnets_tagged_for_another_cluster(seeded: dict[str, Any],
                                                                      aws: AwsClients) -> None:
    # the controller's ResolveViaSelector: a subnet tagged only for another cluster is not eligible, one
    # without any cluster tag is, and the chosen ones are sorted by id
    vpc_id = seeded["vpc_id"]
    aws.ec2.create_tags(Resources=seeded["private_subnet_ids"][:1], Tags=[{"Key": "tier", "Value": "app"}])
    _subnet(aws, vpc_id, "10.0.200.0/24", "us-east-1d", {"tier": "app", "kubernetes.io/cluster/other": "shared"})
    untagged = _subnet(aws, vpc_id, "10.0.201.0/24", "us-east-1e", {"tier": "app"})
    params = textwrap.dedent("""\
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: IngressClassParams
        metadata: {name: app}
        spec:
          subnets:
            tags:
              tier: ["app"]
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: alb}
        spec:
          controller: ingress.k8s.aws/alb
          parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: app}
        """)
    facts = discover_facts(aws, groups(ingress(), params), SETTINGS)
    assert facts.tag_selected_subnets == {"tier=app": tuple(sorted([seeded["private_subnet_ids"][0], untagged]))}
    # with the subnet of us-east-1e gone, one zone is left: a clear error naming the selector
    aws.ec2.delete_subnet(SubnetId=untagged)
    with pytest.raises(SubnetDiscoveryError, match="tier=app cover 1 availability zone"):
        discover_facts(aws, groups(ingress(), params), SETTINGS)


def test_live_load_balancer_of_the_same_scheme_needs_no_subnet_discovery(
        aws: AwsClients, seeded: dict[str, Any], calls: CallCounter) -> None:
    docs = [ingress("kept", annotations={"scheme": "internet-facing"}),
            ingress("moved", annotations={"scheme": "internal"})]
    known = {("default/kept", "internet-facing"): seeded["vpc_id"], ("default/moved", "internet-facing"): None}
    facts = discover_facts(aws, groups(*docs), SETTINGS, known_subnets=known)
    # only the group whose scheme changed is discovered; the VPC is the live load balancer's
    assert facts.discovered_subnets == {"internal": tuple(seeded["private_subnet_ids"])}
    assert facts.vpc_id == seeded["vpc_id"]
    assert ops(calls).count("DescribeSubnets") == 1
    calls.operations.clear()
    facts = discover_facts(aws, groups(docs[0]), SETTINGS, known_subnets=known)
    assert facts.discovered_subnets == {} and facts.vpc_id == seeded["vpc_id"]
    assert "DescribeSubnets" not in calls.operations
