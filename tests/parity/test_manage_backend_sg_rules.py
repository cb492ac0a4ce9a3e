"""Parity with ``Test_defaultModelBuildTask_buildManageSecurityGroupRulesFlag``
(``pkg/ingress/model_builder_test.go``), including the controller flag
``--enable-manage-backend-security-group-rules`` (config key ``enable-manage-backend-security-group-rules``).

The Go test calls ``buildManageSecurityGroupRulesFlag``; the flag only matters when the load balancer's
security groups come from the ``security-groups`` annotation. Here: with the flag true, the shared
backend SG joins the load balancer's security groups and the target group binding opens to it; with
conflicting values in a group, albctl reports the conflict.
"""

from __future__ import annotations

from tests.parity.harness import Env, errors, stacks_json
from tests.parity.inline import docs, ingress, service

ENV = Env(backend_sg="sg-backend", security_groups={"manual": "sg-manual"})
GROUP = {"group.name": "awesome-group", "security-groups": "manual"}


def test_annotation_true_adds_backend_sg() -> None:
    # "with enableManageBackendSGRules and manage-backend-security-group-rules annotation": want true
    text = docs(ingress("ing-1", "ns-1", {"security-groups": "manual", "manage-backend-security-group-rules": "true"}),
                service("svc-1", "ns-1"))
    [stack] = stacks_json(text, ENV)
    resources = stack["resources"]
    assert resources["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"]["securityGroups"] == [
        "sg-manual", "sg-backend"]
    assert "AWS::EC2::SecurityGroup" not in resources
    binding = resources["K8S::ElasticLoadBalancingV2::TargetGroupBinding"]["ns-1/ing-1-svc-1:http"]
    assert binding["spec"]["template"]["spec"]["networking"] == {"ingress": [
        {"from": [{"securityGroup": {"groupID": "sg-backend"}}], "ports": [{"protocol": "TCP", "port": 32768}]}]}


def test_conflicting_values_in_group() -> None:
    # "with multiple ingress group have conflict value": "conflicting manage backend security group rules settings"
    text = docs(ingress("ing-1", "ns-1", {**GROUP, "manage-backend-security-group-rules": "false"}),
                ingress("ing-2", "ns-2", {**GROUP, "manage-backend-security-group-rules": "true"}, service="svc-2"),
                service("svc-1", "ns-1"), service("svc-2", "ns-2"))
    found = errors(text, ENV)
    assert any("conflicting" in e and "manage-backend-security-group-rules" in e for e in found), found


def test_no_annotation_takes_the_controller_flag() -> None:
    # "with no annotation - should take value from cli flag": flag true, no annotation → true
    text = docs(ingress("ing-1", "ns-1", {"security-groups": "manual"}), service("svc-1", "ns-1"))
    env = Env(backend_sg="sg-backend", security_groups={"manual": "sg-manual"}, manage_backend_sg_rules=True)
    [stack] = stacks_json(text, env)
    lb = stack["resources"]["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"]
    assert lb["securityGroups"] == ["sg-manual", "sg-backend"]
    [without] = stacks_json(text, ENV)
    assert without["resources"]["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"][
        "securityGroups"] == ["sg-manual"]
