"""Parity with ``Test_defaultModelBuildTask_buildLoadBalancerSubnets``
(``pkg/ingress/model_build_load_balancer_test.go``).

The Go test runs the real subnet resolver (VPC ``vpc-1``, cluster ``test-cluster``) against a
DescribeSubnets stub over fifteen subnets (``stubDescribeSubnetsAsList``) and checks the subnet ids of
the load balancer's subnet mappings, or the error. Here the same fifteen subnets answer the same filters
(:class:`StubEC2`, the stub's filter semantics plus the ``subnet-id`` filter albctl sends where the Go
resolver passes ``SubnetIds``); albctl's own discovery (:func:`discover_facts`) runs against it, and the
stack is built from what it found. The wire itself is covered against moto in tests/aws.

albctl rejects subnet ids that are not ``subnet-`` and 8 or 17 hex digits, so the Go ids are written as
:func:`aws_id` (``subnet-1`` → ``subnet-20000000``, ``subnet-10`` → ``subnet-21000000``: every digit
plus one, then zeros, which keeps their string order, on which the choice depends) and mapped back to
the Go ids to compare. Name tag values (``subnet-1`` is also a Name) stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from albctl import pipeline
from albctl.aws.facts import discover_facts
from albctl.errors import AlbctlError
from albctl.model.facts import Facts
from albctl.model.stack import LOAD_BALANCER, LoadBalancerSpec
from albctl.settings import Settings
from tests.parity.harness import load
from tests.parity.inline import PARAMS_CLASS, docs, ingress, params, service

SETTINGS = Settings(cluster_name="test-cluster", vpc_id="vpc-1", backend_security_group="sg-backend",
                    default_load_balancer_scheme="internet-facing")

# the Go test's subnet1 … subnet15: id → (zone, VPC, tags); every one has 8 free addresses
GO_SUBNETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "subnet-1": ("az1", "vpc-1", {}),
    "subnet-2": ("az2", "vpc-1", {"Name": "namedsubnet"}),
    "subnet-3": ("az3", "vpc-1", {}),
    "subnet-4": ("az4", "vpc-1", {"Name": "othername"}),
    "subnet-5": ("az5", "vpc-2", {"Name": "namedsubnet"}),
    "subnet-6": ("az6", "vpc-1", {"Name": "subnet-1"}),
    "subnet-7": ("az7", "vpc-1", {"Name": "subnet-1", "class": "test"}),
    "subnet-8": ("az8", "vpc-1", {"alb": "test"}),
    "subnet-9": ("az9", "vpc-1", {"Name": "subnet-12", "alb": "test", "class": "test"}),
    "subnet-10": ("az10", "vpc-1", {"alb": "testing", "class": "test"}),
    "subnet-11": ("az11", "vpc-1", {"tagtest": "1", "tagtest2": "1"}),
    "subnet-12": ("az12", "vpc-1", {"tagtest": "1"}),
    "subnet-13": ("az13", "vpc-1", {"tagtest": "1", "kubernetes.io/cluster/other-cluster": "shared"}),
    "subnet-14": ("az14", "vpc-1", {"tagtest2": "1"}),
    "subnet-15": ("az14", "vpc-1", {"tagtest2": "1", "kubernetes.io/cluster/test-cluster": "shared"}),
}


def aws_id(go_id: str) -> str:
    """A Go test subnet id as a valid one, in the same string order."""
    digits = "".join(format(int(d) + 1, "x") for d in go_id.removeprefix("subnet-"))
    return "subnet-" + digits.ljust(8, "0")


GO_ID = {aws_id(go_id): go_id for go_id in GO_SUBNETS}


def _api(subnet_id: str) -> dict[str, Any]:
    zone, vpc, tags = GO_SUBNETS[subnet_id]
    return {"SubnetId": aws_id(subnet_id), "AvailabilityZone": zone, "VpcId": vpc, "AvailableIpAddressCount": 8,
            "CidrBlock": "10.0.0.0/24", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


class StubEC2:
    """``stubDescribeSubnetsAsList``: every filter must match (vpc-id, tag:<key> values); records calls."""

    def __init__(self) -> None:
        self.calls: list[list[dict[str, Any]]] = []

    def get_paginator(self, operation: str) -> StubEC2:
        assert operation == "describe_subnets", operation
        return self

    def paginate(self, Filters: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:  # noqa: N803 - boto3's name
        self.calls.append(Filters)
        found = []
        for subnet_id, (_, vpc, tags) in GO_SUBNETS.items():
            ok = True
            for f in Filters:
                name, values = f["Name"], f["Values"]
                if name == "vpc-id":
                    ok = ok and vpc in values
                elif name == "subnet-id":
                    ok = ok and aws_id(subnet_id) in values
                elif name.startswith("tag:"):
                    ok = ok and tags.get(name[4:]) in values
                else:
                    raise AssertionError(f"unexpected filter {name!r}")
            if ok:
                found.append(_api(subnet_id))
        yield {"Subnets": found}


class StubClients:
    region = "us-west-2"

    def __init__(self) -> None:
        self.ec2 = StubEC2()


def _inputs(annotations: dict[str, str] | None, selector: dict[str, object] | None) -> str:
    if annotations and "subnets" in annotations:
        annotations = {**annotations, "subnets": ",".join(
            aws_id(s) if s in GO_SUBNETS else s for s in annotations["subnets"].split(","))}
    if selector and "ids" in selector:
        selector = {**selector, "ids": [aws_id(str(i)) if i in GO_SUBNETS else i
                                         for i in selector["ids"]]}  # type: ignore[attr-defined]
    ing = ingress("ing-1", "awesome-ns", annotations, ingress_class=PARAMS_CLASS if selector is not None else "alb")
    parts = [ing, service("svc-1", "awesome-ns")]
    if selector is not None:
        parts.insert(0, params({"subnets": selector} if selector else {}))
    return docs(*parts)


def subnets_of(annotations: dict[str, str] | None, selector: dict[str, object] | None,
               facts: Facts | None = None) -> list[str]:
    """The load balancer's subnet ids after albctl's discovery against the stub (or with ``facts``)."""
    read = pipeline.from_inputs(load(_inputs(annotations, selector)), SETTINGS)
    assert not read.errors, [str(d) for d in read.errors]
    if facts is None:
        facts = discover_facts(StubClients(), read.groups, SETTINGS)  # type: ignore[arg-type]
    built = pipeline.build(read, SETTINGS, facts)
    assert not built.errors, [str(d) for d in built.errors]
    (lb,) = [r.spec for r in built.stacks[0].resources if r.type == LOAD_BALANCER]
    assert isinstance(lb, LoadBalancerSpec)
    return [GO_ID.get(str(m.subnet_id), str(m.subnet_id)) for m in lb.subnet_mapping]


# Go case → (subnets annotation, IngressClassParams spec.subnets (None: no params; {}: params without
# subnets), the subnet ids the Go test wants)
CASES: dict[str, tuple[dict[str, str] | None, dict[str, object] | None, list[str]]] = {
    "subnet annotation": ({"subnets": "subnet-1,namedsubnet"}, {}, ["subnet-1", "subnet-2"]),
    "classparams subnet ids": ({"subnets": "subnet-4,othername"}, {"ids": ["subnet-1", "subnet-2"]},
                               ["subnet-1", "subnet-2"]),
    "classparams subnet tag multiple values": ({"subnets": "subnet-4,othername"},
                                               {"tags": {"Name": ["namedsubnet", "othername"]}},
                                               ["subnet-2", "subnet-4"]),
    "classparams subnet tag multiple matches": ({"subnets": "subnet-4,othername"}, {"tags": {"Name": ["subnet-1"]}},
                                                ["subnet-6", "subnet-7"]),
    "classparams custom tag": (None, {"tags": {"alb": ["test"]}}, ["subnet-8", "subnet-9"]),
    "classparams multiple tags": (None, {"tags": {"alb": ["test", "testing"], "class": ["test"]}},
                                  ["subnet-10", "subnet-9"]),
    "classparams ignore tagged other cluster": (None, {"tags": {"tagtest": ["1"]}}, ["subnet-11", "subnet-12"]),
    "classparams prefer tagged for cluster": (None, {"tags": {"tagtest2": ["1"]}}, ["subnet-11", "subnet-15"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_subnets_match_controller(case: str) -> None:
    annotations, selector, want = CASES[case]
    assert subnets_of(annotations, selector) == want


def test_classparams_missing_id_is_an_error_naming_it() -> None:
    # "classparams missing id": the controller: "failed to list subnets by IDs: couldn't find all subnets,
    # want: [subnet-1234 subnet-1], found: [subnet-1]"
    missing = "subnet-0badbad0"
    with pytest.raises(AlbctlError, match=missing) as caught:
        subnets_of({"subnets": "subnet-4,othername"}, {"ids": [missing, "subnet-1"]})
    assert "not found" in str(caught.value) and aws_id("subnet-1") not in str(caught.value)


def test_params_subnets_do_not_look_up_the_members_annotation() -> None:
    # the annotation of a member whose IngressClassParams has subnets is never resolved (no Name look-up
    # for "othername")
    clients = StubClients()
    read = pipeline.from_inputs(load(_inputs({"subnets": "subnet-4,othername"}, {"ids": ["subnet-1", "subnet-2"]})),
                                SETTINGS)
    discover_facts(clients, read.groups, SETTINGS)  # type: ignore[arg-type]
    assert clients.ec2.calls == [[{"Name": "subnet-id", "Values": [aws_id("subnet-1"), aws_id("subnet-2")]}]]


def test_no_explicit_subnets_keep_the_live_load_balancers_without_discovery() -> None:
    # "no annotation implicit subnet": the controller lists the stack's load balancers before any discovery
    # (the Go test's ListLoadBalancers stub fails, so it stops there); with a live load balancer of the
    # same scheme it keeps that one's subnets and never calls DescribeSubnets
    clients = StubClients()
    read = pipeline.from_inputs(load(_inputs(None, None)), SETTINGS)
    stack_id = read.groups[0].id
    found = discover_facts(clients, read.groups, SETTINGS,  # type: ignore[arg-type]
                           known_subnets={(stack_id, "internet-facing"): "vpc-1"})
    assert clients.ec2.calls == []
    assert found.vpc_id == "vpc-1"
    facts = Facts(offline=False, vpc_id="vpc-1",
                  live_load_balancers={stack_id: ("internet-facing", ("subnet-e", "subnet-f"))})
    assert subnets_of(None, None, facts) == ["subnet-e", "subnet-f"]


def test_params_subnets_and_another_members_annotation_still_conflict() -> None:
    # buildLoadBalancerSubnetMappings: a member without IngressClassParams subnets that sets the annotation,
    # in a group whose other member has IngressClassParams subnets: "conflicting subnet specifications:
    # IngressClassParams versus annotation"
    group = {"group.name": "awesome-group"}
    text = docs(params({"subnets": {"ids": [aws_id("subnet-1"), aws_id("subnet-2")]}}),
                ingress("ing-1", "awesome-ns", group, ingress_class=PARAMS_CLASS),
                ingress("ing-2", "awesome-ns", {**group, "subnets": f"{aws_id('subnet-3')},{aws_id('subnet-4')}"}),
                service("svc-1", "awesome-ns"))
    facts = Facts(offline=False, vpc_id="vpc-1")
    built = pipeline.build(pipeline.from_inputs(load(text), SETTINGS), SETTINGS, facts)
    assert any("conflicting subnet specifications: IngressClassParams versus annotation" in str(d)
               and "ing-2" in str(d) for d in built.errors), [str(d) for d in built.errors]
