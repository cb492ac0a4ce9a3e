"""The pure plan diff: create / update / replace / delete, field paths, and order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albctl.model.facts import Facts
from albctl.model.stack import LISTENER, LISTENER_RULE, LOAD_BALANCER, SECURITY_GROUP, TARGET_GROUP
from albctl.plan.diff import diff_stack, unresolved_refs
from albctl.plan.model import Action
from albctl.tags import tracking_tags
from tests.model.helpers import ingress, service, stacks

FACTS = Facts(offline=False, discovered_subnets={"internal": ("subnet-a", "subnet-b")},
              backend_security_group_id="sg-backend", vpc_id="vpc-1")


@dataclass
class Live:
    type: str
    id: str
    arn: str
    spec: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def desired(**ann: str):
    (stack,) = stacks(ingress(annotations=ann), service(), facts=FACTS)
    return stack


def as_live(stack, cluster: str = "test-cluster") -> list[Live]:
    """What AWS would hold after a perfect apply of ``stack``."""
    arns = {(r.type, r.id): f"arn:{r.type}:{r.id}" for r in stack.resources}
    out = []
    for change in diff_stack(stack, [], cluster):
        spec = dict(change.after)
        tags = spec.pop("tags")
        out.append(Live(change.type, change.id, arns[(change.type, change.id)], spec, tags))
    # resolve refs the way the live reader reports them: as ARNs
    by_ref = {f"#/resources/{t}/{i}/status/": a for (t, i), a in arns.items()}

    def fix(v: Any) -> Any:
        if isinstance(v, dict) and "$ref" in v:
            return next(a for prefix, a in by_ref.items() if v["$ref"].startswith(prefix))
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    return [Live(r.type, r.id, r.arn, fix(r.spec), r.tags) for r in out]


def test_nothing_live_means_create_everything_in_dependency_order():
    changes = diff_stack(desired(), [], "test-cluster")
    assert [c.action for c in changes] == [Action.CREATE] * 5
    assert [c.type for c in changes] == [SECURITY_GROUP, TARGET_GROUP, LOAD_BALANCER, LISTENER, LISTENER_RULE]
    lb = changes[2]
    assert lb.after["tags"] == tracking_tags("test-cluster", "default/web", "LoadBalancer")
    assert lb.name.startswith("k8s-default-web-")
    assert unresolved_refs(lb)  # the managed SG id is known only after apply


def test_applied_stack_is_a_noop():
    stack = desired()
    changes = diff_stack(stack, as_live(stack), "test-cluster")
    assert {c.action for c in changes} == {Action.NOOP}


def test_changed_health_check_is_an_update_with_field_paths():
    live = as_live(desired())
    changes = diff_stack(desired(**{"healthcheck-path": "/healthz"}), live, "test-cluster")
    (update,) = [c for c in changes if c.action is not Action.NOOP]
    assert update.action is Action.UPDATE and update.type == TARGET_GROUP
    assert [(f.path, f.old, f.new) for f in update.diff] == [("healthCheckConfig.path", "/", "/healthz")]


def test_changed_target_type_replaces_the_target_group_and_says_why():
    live = as_live(desired())
    changes = diff_stack(desired(**{"target-type": "ip"}), live, "test-cluster")
    replaced = [c for c in changes if c.action is Action.REPLACE]
    assert [c.type for c in replaced] == [TARGET_GROUP]
    assert set(replaced[0].reasons) >= {"targetType", "port"}


def test_changed_scheme_replaces_the_load_balancer():
    live = as_live(desired())
    changes = diff_stack(desired(scheme="internet-facing"), live, "test-cluster")
    lb = next(c for c in changes if c.type == LOAD_BALANCER)
    assert lb.action is Action.REPLACE and "scheme" in lb.reasons


def test_live_resource_not_desired_is_deleted_last_and_tags_diffed():
    stack = desired()
    live = as_live(stack)
    live.append(Live(LISTENER_RULE, "80:2", "arn:rule2", {"priority": 2}, {}))
    live.append(Live(TARGET_GROUP, "default/web-old:80", "arn:tg-old", {"name": "k8s-old"}, {}))
    live[0].tags["extra"] = "x"
    changes = [c for c in diff_stack(stack, live, "test-cluster") if c.action is not Action.NOOP]
    assert [(c.action, c.type) for c in changes] == [
        (Action.UPDATE, SECURITY_GROUP), (Action.DELETE, LISTENER_RULE), (Action.DELETE, TARGET_GROUP)]
    assert [(f.path, f.old, f.new) for f in changes[0].diff] == [("tags.extra", "x", None)]
    assert changes[2].name == "k8s-old" and changes[2].arn == "arn:tg-old"


def test_attributes_compare_only_the_keys_albctl_sets():
    stack = desired(**{"load-balancer-attributes": "idle_timeout.timeout_seconds=120"})
    live = as_live(stack)
    lb = next(r for r in live if r.type == LOAD_BALANCER)
    lb.spec["loadBalancerAttributes"] = [{"key": "deletion_protection.enabled", "value": "false"},
                                         {"key": "idle_timeout.timeout_seconds", "value": "60"}]
    changes = [c for c in diff_stack(stack, live, "test-cluster") if c.action is not Action.NOOP]
    (change,) = changes
    assert [(f.path, f.old, f.new) for f in change.diff] == [
        ("loadBalancerAttributes[0].value", "60", "120")]


def test_rules_pointing_at_a_replaced_target_group_are_updated_to_the_new_one():
    live = as_live(desired())
    changes = [c for c in diff_stack(desired(**{"target-type": "ip"}), live, "test-cluster")
               if c.action is not Action.NOOP]
    assert [(c.type, c.action) for c in changes] == [(TARGET_GROUP, Action.REPLACE), (LISTENER_RULE, Action.UPDATE)]
    (field,) = changes[1].diff
    assert field.path.endswith("targetGroupARN") and field.new["$ref"].endswith("/status/targetGroupARN")


def test_instance_targets_are_compared_when_given():
    stack = desired()
    live = as_live(stack)
    tg = next(r for r in live if r.type == TARGET_GROUP)
    tg.extra = {"targets": [{"id": "i-1", "port": 30080, "health": "healthy"}]}
    want = {"default/web-svc:80": [{"id": "i-1", "port": 30080}, {"id": "i-2", "port": 30080}]}
    (change,) = [c for c in diff_stack(stack, live, "test-cluster", want) if c.action is not Action.NOOP]
    assert change.action is Action.UPDATE
    assert [(f.path, f.new) for f in change.diff] == [("targets[1]", {"id": "i-2", "port": 30080})]


def test_resource_types_albctl_does_not_manage_are_left_out_and_named():
    from albctl.plan.diff import stack_specs, unmanaged_types

    stack_json = {"AWS::ElasticLoadBalancingV2::LoadBalancer": {"LoadBalancer": {"spec": {"name": "x"}}},
                  "AWS::WAFv2::WebACLAssociation": {"LoadBalancer": {"spec": {"webACLARN": "arn"}}},
                  "K8S::ElasticLoadBalancingV2::TargetGroupBinding": {"ns/i-s:80": {"spec": {}}}}
    assert list(stack_specs(stack_json)) == [(LOAD_BALANCER, "LoadBalancer")]
    assert unmanaged_types(stack_json) == ["AWS::WAFv2::WebACLAssociation"]
