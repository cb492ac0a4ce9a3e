"""Load balancer add-ons (WAFv2, WAF Classic, Shield) and capacity settings (capacity reservation, IPAM)."""

import textwrap

from albctl.model.facts import Facts
from albctl.model.serialize import stack_data
from albctl.model.stack import (
    LOAD_BALANCER,
    SHIELD_PROTECTION,
    WAF_REGIONAL_WEB_ACL_ASSOCIATION,
    WAFV2_WEB_ACL_ASSOCIATION,
    Placeholder,
    Ref,
)
from albctl.settings import Settings
from tests.model.helpers import errors, ingress, service, stacks

ACL_ARN = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/acl/3ab78708-85b0-49d3-b4e1-7a9615a6613b"
OTHER_ARN = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/other/3ab78708-85b0-49d3-b4e1-7a9615a6613c"
WAF_ID = "499e8b99-6671-4614-a86d-adb1810b7fbe"
LB_ARN = Ref(LOAD_BALANCER, "LoadBalancer", "loadBalancerARN")


def one(*docs, **kw):
    (stack,) = stacks(*docs, **kw)
    return stack


def grouped(*annotations):
    return [ingress(f"ing{i}", annotations={"group.name": "g", **a}) for i, a in enumerate(annotations)]


def with_params(spec_yaml):
    params = ("apiVersion: elbv2.k8s.aws/v1beta1\nkind: IngressClassParams\nmetadata: {name: params}\nspec:\n"
              + textwrap.indent(textwrap.dedent(spec_yaml), "  "))
    klass = ("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: alb}\nspec:\n"
             "  controller: ingress.k8s.aws/alb\n"
             "  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: params}\n")
    return [params, klass]


def addon(stack, type_):
    found = stack.of_type(type_)
    return found[0].spec if found else None


def lb(stack):
    return stack.of_type(LOAD_BALANCER)[0].spec


def test_no_addons_by_default():
    st = one(ingress(), service())
    assert all(addon(st, t) is None for t in (WAFV2_WEB_ACL_ASSOCIATION, WAF_REGIONAL_WEB_ACL_ASSOCIATION,
                                              SHIELD_PROTECTION))
    assert lb(st).minimum_load_balancer_capacity is None and lb(st).ipv4_ipam_pool is None


def test_wafv2_acl_arn_is_an_association_with_the_load_balancer():
    st = one(ingress(annotations={"wafv2-acl-arn": ACL_ARN}), service())
    (res,) = st.of_type(WAFV2_WEB_ACL_ASSOCIATION)
    assert res.id == "LoadBalancer" and res.spec.web_acl_arn == ACL_ARN and res.spec.resource_arn == LB_ARN
    data = stack_data(st)["resources"][WAFV2_WEB_ACL_ASSOCIATION]["LoadBalancer"]["spec"]
    assert data == {"webACLARN": ACL_ARN, "resourceARN": {"$ref": str(LB_ARN)}}


def test_wafv2_none_disassociates():
    st = one(ingress(annotations={"wafv2-acl-arn": "none"}), service())
    assert addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == ""
    data = stack_data(st)["resources"][WAFV2_WEB_ACL_ASSOCIATION]["LoadBalancer"]["spec"]
    assert data["webACLARN"] == ""  # the controller's field has no omitempty


def test_wafv2_name_beats_arn_and_is_resolved_in_aws():
    st = one(ingress(annotations={"wafv2-acl-name": "my-acl", "wafv2-acl-arn": ACL_ARN}), service())
    assert addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == Placeholder("ARN of WAFv2 web ACL 'my-acl'")
    known = one(ingress(annotations={"wafv2-acl-name": "my-acl"}), service(),
                facts=Facts(web_acl_arns={"my-acl": ACL_ARN}))
    assert addon(known, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == ACL_ARN
    off = one(ingress(annotations={"wafv2-acl-name": "none"}), service())
    assert addon(off, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == ""


def test_wafv2_conflicts_name_both_ingresses():
    (message,) = errors(*grouped({"wafv2-acl-arn": ACL_ARN}, {"wafv2-acl-arn": OTHER_ARN}), service())
    assert "conflicting WAFv2 web ACL ARNs" in message and "default/ing0" in message and "default/ing1" in message
    (message,) = errors(*grouped({"wafv2-acl-name": "a"}, {"wafv2-acl-name": "b"}), service())
    assert "conflicting WAFv2 web ACL names" in message and "'a'" in message and "'b'" in message


def test_wafv2_agreeing_members_and_one_silent_member():
    st = one(*grouped({"wafv2-acl-arn": ACL_ARN}, {}, {"wafv2-acl-arn": ACL_ARN}), service())
    assert addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == ACL_ARN


def test_wafv2_ingress_class_params_win_over_annotations():
    st = one(ingress(annotations={"wafv2-acl-arn": OTHER_ARN}), service(), *with_params(f"wafv2AclArn: {ACL_ARN}\n"))
    assert addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == ACL_ARN
    st = one(ingress(annotations={"wafv2-acl-arn": ACL_ARN}), service(), *with_params("wafv2AclName: pinned\n"))
    assert addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn == Placeholder("ARN of WAFv2 web ACL 'pinned'")


def test_waf_classic_id_legacy_key_and_none():
    st = one(ingress(annotations={"waf-acl-id": WAF_ID}), service())
    (res,) = st.of_type(WAF_REGIONAL_WEB_ACL_ASSOCIATION)
    assert (res.id, res.spec.web_acl_id, res.spec.resource_arn) == ("LoadBalancer", WAF_ID, LB_ARN)
    assert stack_data(st)["resources"][WAF_REGIONAL_WEB_ACL_ASSOCIATION]["LoadBalancer"]["spec"]["webACLID"] == WAF_ID
    legacy = one(ingress(annotations={"web-acl-id": WAF_ID}), service())
    assert addon(legacy, WAF_REGIONAL_WEB_ACL_ASSOCIATION).web_acl_id == WAF_ID
    off = one(ingress(annotations={"waf-acl-id": "none"}), service())
    assert addon(off, WAF_REGIONAL_WEB_ACL_ASSOCIATION).web_acl_id == ""
    other = "599e8b99-6671-4614-a86d-adb1810b7fbe"
    (message,) = errors(*grouped({"waf-acl-id": WAF_ID}, {"waf-acl-id": other}), service())
    assert "conflicting WAF Classic web ACL IDs" in message


def test_shield_protection_on_off_and_conflict():
    st = one(ingress(annotations={"shield-advanced-protection": "true"}), service())
    (res,) = st.of_type(SHIELD_PROTECTION)
    assert (res.id, res.spec.enabled, res.spec.resource_arn) == ("LoadBalancer", True, LB_ARN)
    off = one(ingress(annotations={"shield-advanced-protection": "false"}), service())
    assert addon(off, SHIELD_PROTECTION).enabled is False
    assert stack_data(off)["resources"][SHIELD_PROTECTION]["LoadBalancer"]["spec"]["enabled"] is False
    (message,) = errors(*grouped({"shield-advanced-protection": "true"}, {"shield-advanced-protection": "false"}),
                        service())
    assert "conflicting shield-advanced-protection" in message


def test_addon_resources_come_after_the_rest():
    ann = {"wafv2-acl-arn": ACL_ARN, "waf-acl-id": WAF_ID, "shield-advanced-protection": "true"}
    st = one(ingress(annotations=ann), service())
    assert [r.type for r in st.resources][-3:] == [WAFV2_WEB_ACL_ASSOCIATION, WAF_REGIONAL_WEB_ACL_ASSOCIATION,
                                                   SHIELD_PROTECTION]


def test_minimum_capacity_annotation_and_reset():
    st = one(ingress(annotations={"minimum-load-balancer-capacity": "CapacityUnits=1000"}), service())
    assert lb(st).minimum_load_balancer_capacity.capacity_units == 1000
    spec = stack_data(st)["resources"][LOAD_BALANCER]["LoadBalancer"]["spec"]
    assert spec["minimumLoadBalancerCapacity"] == {"capacityUnits": 1000}
    reset = one(ingress(annotations={"minimum-load-balancer-capacity": "CapacityUnits=0"}), service())
    assert stack_data(reset)["resources"][LOAD_BALANCER]["LoadBalancer"]["spec"]["minimumLoadBalancerCapacity"] == {
        "capacityUnits": 0}


def test_minimum_capacity_group_conflict_class_params_and_gate():
    (message,) = errors(*grouped({"minimum-load-balancer-capacity": "CapacityUnits=100"},
                                 {"minimum-load-balancer-capacity": "CapacityUnits=200"}), service())
    assert "conflicting capacity reservation CapacityUnits" in message and "default/ing1" in message
    st = one(ingress(annotations={"minimum-load-balancer-capacity": "CapacityUnits=100"}), service(),
             *with_params("minimumLoadBalancerCapacity: {capacityUnits: 300}\n"))
    assert lb(st).minimum_load_balancer_capacity.capacity_units == 300
    off = one(ingress(annotations={"minimum-load-balancer-capacity": "CapacityUnits=100"}), service(),
              settings=Settings(cluster_name="c", feature_gates={"LBCapacityReservation": False}))
    assert lb(off).minimum_load_balancer_capacity is None


def test_ipam_pool_annotation_class_params_and_conflict():
    st = one(ingress(annotations={"ipam-ipv4-pool-id": "ipam-pool-0f995c17c00375b48"}), service())
    assert lb(st).ipv4_ipam_pool == "ipam-pool-0f995c17c00375b48"
    assert stack_data(st)["resources"][LOAD_BALANCER]["LoadBalancer"]["spec"]["ipv4IPAMPool"] == \
        "ipam-pool-0f995c17c00375b48"
    st = one(ingress(annotations={"ipam-ipv4-pool-id": "ipam-pool-aaaa"}), service(),
             *with_params("ipamConfiguration: {ipv4IPAMPoolId: ipam-pool-bbbb}\n"))
    assert lb(st).ipv4_ipam_pool == "ipam-pool-bbbb"
    (message,) = errors(*grouped({"ipam-ipv4-pool-id": "ipam-pool-aaaa"}, {"ipam-ipv4-pool-id": "ipam-pool-bbbb"}),
                        service())
    assert "conflicting IPv4 IPAM pools" in message and "default/ing0" in message
