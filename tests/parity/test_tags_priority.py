"""Parity with ``Test_defaultModelBuildTask_buildResourceTagsPriority`` (``pkg/ingress/model_builder_test.go``).

The Go test calls one tag builder (load balancer, target group, listener, listener rule, managed SG) for
an Ingress with ``alb.ingress.kubernetes.io/tags``, the controller's ``--default-tags`` and the
``EnableDefaultTagsLowPriority`` feature gate, and checks that every wanted key has the wanted value
(``assert.Contains`` + ``assert.Equal`` per key). Here we build the whole stack and check the ``tags``
of that resource in the stack JSON the same way. The target group's Service has no annotations, as the
Go test's empty ``corev1.Service{}``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.parity.harness import Env, stacks_json
from tests.parity.inline import docs, ingress, service

GATE = "EnableDefaultTagsLowPriority"

# resource kind in the Go test → (resource type, resource id) in the stack
RESOURCES = {
    "loadBalancer": ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancer"),
    "targetGroup": ("AWS::ElasticLoadBalancingV2::TargetGroup", "ns-1/ing-1-svc-1:http"),
    "listener": ("AWS::ElasticLoadBalancingV2::Listener", "80"),
    "listenerRule": ("AWS::ElasticLoadBalancingV2::ListenerRule", "80:1"),
    "managedSG": ("AWS::EC2::SecurityGroup", "ManagedLBSecurityGroup"),
}

# name → (tags annotation, default tags, gate enabled, resource kind, wanted tags)
CASES: dict[str, tuple[str, dict[str, str], bool, str, dict[str, str]]] = {
    "LoadBalancer tags - default tags take priority when feature gate disabled": (
        "k1=v1,k2=v2,k3=v3", {"k1": "v10", "k2": "v20"}, False, "loadBalancer", {"k1": "v10", "k2": "v20", "k3": "v3"}),
    "LoadBalancer tags - annotation tags take priority when feature gate enabled": (
        "k1=v1,k2=v2,k3=v3", {"k1": "v10", "k2": "v20"}, True, "loadBalancer", {"k1": "v1", "k2": "v2", "k3": "v3"}),
    "TargetGroup tags - default tags take priority when feature gate disabled": (
        "k1=v1,k2=v2", {"k1": "v10", "k3": "v30"}, False, "targetGroup", {"k1": "v10", "k2": "v2", "k3": "v30"}),
    "TargetGroup tags - annotation tags take priority when feature gate enabled": (
        "k1=v1,k2=v2", {"k1": "v10", "k3": "v30"}, True, "targetGroup", {"k1": "v1", "k2": "v2", "k3": "v30"}),
    "Listener tags - default tags take priority when feature gate disabled": (
        "k1=v1", {"k1": "v10"}, False, "listener", {"k1": "v10"}),
    "Listener tags - annotation tags take priority when feature gate enabled": (
        "k1=v1", {"k1": "v10"}, True, "listener", {"k1": "v1"}),
    "ListenerRule tags - default tags take priority when feature gate disabled": (
        "k1=v1", {"k1": "v10"}, False, "listenerRule", {"k1": "v10"}),
    "ListenerRule tags - annotation tags take priority when feature gate enabled": (
        "k1=v1", {"k1": "v10"}, True, "listenerRule", {"k1": "v1"}),
    "ManagedSecurityGroup tags - default tags take priority when feature gate disabled": (
        "k1=v1", {"k1": "v10"}, False, "managedSG", {"k1": "v10"}),
    "ManagedSecurityGroup tags - annotation tags take priority when feature gate enabled": (
        "k1=v1", {"k1": "v10"}, True, "managedSG", {"k1": "v1"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tag_priority(name: str) -> None:
    annotation, default_tags, gate, kind, want = CASES[name]
    env = Env(default_tags=default_tags, feature_gates={GATE: gate})
    [stack] = stacks_json(docs(ingress("ing-1", "ns-1", {"tags": annotation}), service("svc-1", "ns-1")), env)
    type_, id_ = RESOURCES[kind]
    tags: dict[str, Any] = stack["resources"][type_][id_]["spec"].get("tags", {})
    for key, value in want.items():
        assert tags.get(key) == value, (key, tags)
