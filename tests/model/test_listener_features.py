"""Listener features (mutual-authentication, listener-attributes, SSL policy), rule transforms and
TargetGroupBinding details (node selector, multi-cluster, target control port, networking)."""

import json
import textwrap

from albctl.elbv2 import actions
from albctl.elbv2.kind import Context
from albctl.model.serialize import to_data
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Attribute,
    MutualAuthentication,
    Placeholder,
)
from albctl.settings import DEFAULT_SSL_POLICY, Settings
from tests.model.helpers import errors, ingress, service, stacks

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
STORE_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/ts/1234"
TWO_PORTS = '[{"HTTP": 80}, {"HTTPS": 443}]'


def one(*docs, **kw):
    (stack,) = stacks(*docs, **kw)
    return stack


def listener(stack, port):
    return next(r.spec for r in stack.of_type(LISTENER) if r.id == str(port))


def tgb(stack):
    return stack.of_type(TARGET_GROUP_BINDING)[0].spec


def tg(stack):
    return stack.of_type(TARGET_GROUP)[0].spec


def https(extra=None, name="web", **kw):
    return ingress(name, annotations={"certificate-arn": CERT, "listen-ports": TWO_PORTS, **(extra or {})}, **kw)


def grouped(*annotations):
    return [https({"group.name": "g", **a}, name=f"ing{i}") for i, a in enumerate(annotations)]


# -- transforms -----------------------------------------------------------------------------------

URL_REWRITE = [{"type": "url-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "^/api/(.+)$", "replace": "/$1"}]}}]
HOST_REWRITE = [{"type": "host-header-rewrite",
                 "hostHeaderRewriteConfig": {"rewrites": [{"regex": "^(.+)\\.example\\.com$",
                                                           "replace": "$1.example.org"}]}}]


def test_transforms_on_the_rules_of_that_backend():
    st = one(ingress(annotations={"transforms.svc": json.dumps(URL_REWRITE + HOST_REWRITE)}), service())
    (rule,) = st.of_type(LISTENER_RULE)
    assert [t.type for t in rule.spec.transforms] == ["url-rewrite", "host-header-rewrite"]
    assert to_data(rule.spec)["transforms"] == URL_REWRITE + HOST_REWRITE
    assert rule.spec.transforms[0].url_rewrite_config.rewrites[0].replace == "/$1"


def test_transforms_of_another_backend_do_not_apply():
    st = one(ingress(annotations={"transforms.other": json.dumps(URL_REWRITE)}), service())
    assert st.of_type(LISTENER_RULE)[0].spec.transforms == ()
    assert "transforms" not in to_data(st.of_type(LISTENER_RULE)[0].spec)


def test_convert_transforms_for_create_and_modify():
    spec = {"transforms": URL_REWRITE}
    assert actions.write_transforms(spec["transforms"], modify=False) == {"Transforms": [
        {"Type": "url-rewrite", "UrlRewriteConfig": {"Rewrites": [{"Regex": "^/api/(.+)$", "Replace": "/$1"}]}}]}
    host = actions.write_transforms(HOST_REWRITE, modify=False)["Transforms"][0]
    assert host["HostHeaderRewriteConfig"]["Rewrites"][0]["Replace"] == "$1.example.org"
    assert actions.write_transforms([], modify=False) == {}
    assert actions.write_transforms([], modify=True) == {"ResetTransforms": True}


# -- listener attributes --------------------------------------------------------------------------


def test_listener_attributes_apply_to_their_listener_only():
    st = one(https({"listener-attributes.HTTPS-443": "routing.http.response.server.enabled=false"}), service())
    assert listener(st, 443).listener_attributes == (Attribute("routing.http.response.server.enabled", "false"),)
    assert listener(st, 80).listener_attributes == ()
    assert to_data(listener(st, 443))["listenerAttributes"] == [
        {"key": "routing.http.response.server.enabled", "value": "false"}]


def test_listener_attributes_merge_across_the_group_and_conflicts_name_both():
    st = one(*grouped({"listener-attributes.HTTP-80": "a=1"}, {"listener-attributes.HTTP-80": "b=2"}), service())
    assert listener(st, 80).listener_attributes == (Attribute("a", "1"), Attribute("b", "2"))
    (message,) = errors(*grouped({"listener-attributes.HTTP-80": "a=1"}, {"listener-attributes.HTTP-80": "a=2"}),
                        service())
    assert "conflicting listener attributes a" in message
    assert "default/ing0" in message and "default/ing1" in message and "'1'" in message and "'2'" in message


def test_ingress_class_params_listener_attributes_win_and_settle_conflicts():
    params = textwrap.dedent("""\
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: IngressClassParams
        metadata: {name: params}
        spec:
          listeners:
            - protocol: HTTP
              port: 80
              listenerAttributes: [{key: a, value: from-class}]
        """)
    klass = ("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: alb}\nspec:\n"
             "  controller: ingress.k8s.aws/alb\n"
             "  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: params}\n")
    docs = grouped({"listener-attributes.HTTP-80": "a=1,c=3"}, {"listener-attributes.HTTP-80": "a=2"})
    st = one(*docs, service(), params, klass)
    assert listener(st, 80).listener_attributes == (Attribute("a", "from-class"), Attribute("c", "3"))
    assert listener(st, 443).listener_attributes == ()


# -- mutual authentication and SSL policy ---------------------------------------------------------


def test_mutual_authentication_per_https_port():
    mtls = [{"port": 443, "mode": "verify", "trustStore": STORE_ARN}, {"port": 8443, "mode": "passthrough"},
            {"port": 80, "mode": "passthrough"}]
    ports = '[{"HTTP": 80}, {"HTTPS": 443}, {"HTTPS": 8443}, {"HTTPS": 9443}]'
    st = one(https({"listen-ports": ports, "mutual-authentication": json.dumps(mtls)}), service())
    assert listener(st, 443).mutual_authentication == MutualAuthentication("verify", STORE_ARN, False, None)
    assert listener(st, 8443).mutual_authentication == MutualAuthentication("passthrough", "", None, None)
    assert listener(st, 9443).mutual_authentication is None
    assert listener(st, 80).mutual_authentication is None  # HTTP listeners have no mTLS
    assert to_data(listener(st, 443))["mutualAuthentication"] == {
        "mode": "verify", "trustStoreArn": STORE_ARN, "ignoreClientCertificateExpiry": False}
    assert to_data(listener(st, 8443))["mutualAuthentication"] == {"mode": "passthrough", "trustStoreArn": ""}


def test_trust_store_by_name_is_a_placeholder_and_options_are_kept():
    mtls = [{"port": 443, "mode": "verify", "trustStore": "my-store", "ignoreClientCertificateExpiry": True,
             "advertiseTrustStoreCaNames": "on"}]
    st = one(https({"mutual-authentication": json.dumps(mtls)}), service())
    assert listener(st, 443).mutual_authentication == MutualAuthentication(
        "verify", Placeholder("ARN of trust store 'my-store'"), True, "on")


def test_mutual_authentication_conflict_in_a_group_names_both():
    a = [{"port": 443, "mode": "verify", "trustStore": STORE_ARN}]
    b = [{"port": 443, "mode": "off"}]
    (message,) = errors(*grouped({"mutual-authentication": json.dumps(a)},
                                 {"mutual-authentication": json.dumps(b)}), service())
    assert "conflicting mutual-authentication on port 443" in message
    assert "default/ing0" in message and "default/ing1" in message and "mode=off" in message
    st = one(*grouped({"mutual-authentication": json.dumps(a)}, {}), service())
    assert listener(st, 443).mutual_authentication.mode == "verify"


def test_convert_mutual_authentication():
    from albctl.elbv2.listener import KIND

    def params(mtls: dict) -> dict:
        spec = {"loadBalancerARN": "arn:lb", "port": 443, "protocol": "HTTPS", "defaultActions": [],
                "mutualAuthentication": mtls}
        return KIND.create(("s", "l", "443"), spec, Context())[0].params["MutualAuthentication"]

    assert params({"mode": "verify", "trustStoreArn": STORE_ARN, "ignoreClientCertificateExpiry": False}) == {
        "Mode": "verify", "TrustStoreArn": STORE_ARN, "IgnoreClientCertificateExpiry": False}
    assert params({"mode": "off", "trustStoreArn": ""}) == {"Mode": "off"}


def test_default_ssl_policy_on_https_listeners_only():
    st = one(https(), service())
    assert listener(st, 443).ssl_policy == DEFAULT_SSL_POLICY and listener(st, 80).ssl_policy is None
    custom = one(https(), service(), settings=Settings(cluster_name="c", default_ssl_policy="ELBSecurityPolicy-TLS13"))
    assert listener(custom, 443).ssl_policy == "ELBSecurityPolicy-TLS13"
    explicit = one(https({"ssl-policy": "ELBSecurityPolicy-FS-1-2-2019-08"}), service(),
                   settings=Settings(cluster_name="c", default_ssl_policy="ELBSecurityPolicy-TLS13"))
    assert listener(explicit, 443).ssl_policy == "ELBSecurityPolicy-FS-1-2-2019-08"


# -- TargetGroupBinding ---------------------------------------------------------------------------


def test_networking_opens_the_traffic_port_from_the_backend_sg():
    st = one(ingress(), service())
    spec = tgb(st)
    (rule,) = spec.networking.ingress
    assert rule.from_[0].security_group.group_id == Placeholder("cluster's shared backend security group")
    assert [(p.protocol, p.port) for p in rule.ports] == [("TCP", 30080)]
    assert to_data(spec.networking) == {"ingress": [{
        "from": [{"securityGroup": {"groupID": "<cluster's shared backend security group>"}}],
        "ports": [{"port": 30080, "protocol": "TCP"}]}]}


def test_networking_adds_health_check_and_control_ports():
    ann = {"target-type": "ip", "healthcheck-port": "9000", "target-control-port.svc.80": "3000"}
    st = one(ingress(annotations=ann), service())
    ports = [r.ports[0].port for r in tgb(st).networking.ingress]
    assert ports == [8080, 9000, 3000]


def test_disable_restricted_sg_rules_opens_every_port_once():
    st = one(ingress(annotations={"healthcheck-port": "9000"}), service(),
             settings=Settings(cluster_name="c", disable_restricted_sg_rules=True))
    (rule,) = tgb(st).networking.ingress
    assert [(p.protocol, p.port) for p in rule.ports] == [("TCP", None)]
    assert to_data(rule)["ports"] == [{"protocol": "TCP"}]


def test_no_networking_without_a_backend_sg():
    st = one(ingress(annotations={"security-groups": "sg-0123456789abcdef0"}), service())
    assert tgb(st).networking is None
    managed = one(ingress(annotations={"security-groups": "sg-0123456789abcdef0",
                                       "manage-backend-security-group-rules": "true"}), service())
    assert managed.of_type(TARGET_GROUP_BINDING)[0].spec.networking is not None


def test_without_backend_sg_feature_the_managed_sg_is_the_source():
    st = one(ingress(), service(), settings=Settings(cluster_name="c", enable_backend_security_group=False))
    assert str(tgb(st).networking.ingress[0].from_[0].security_group.group_id) == \
        "#/resources/AWS::EC2::SecurityGroup/ManagedLBSecurityGroup/status/groupID"


def test_target_node_labels_for_instance_targets_service_wins():
    st = one(ingress(annotations={"target-node-labels": "pool=web"}), service(annotations={"target-node-labels":
                                                                                          "pool=svc, zone=a"}))
    assert dict(tgb(st).node_selector.match_labels) == {"pool": "svc", "zone": "a"}
    assert to_data(tgb(st))["nodeSelector"] == {"matchLabels": {"pool": "svc", "zone": "a"}}
    ip = one(ingress(annotations={"target-node-labels": "pool=web", "target-type": "ip"}), service())
    assert tgb(ip).node_selector is None


def test_multi_cluster_target_group_from_ingress_or_service():
    assert tgb(one(ingress(), service())).multi_cluster_target_group is None
    assert "multiClusterTargetGroup" not in to_data(tgb(one(ingress(), service())))
    on = one(ingress(annotations={"multi-cluster-target-group": "true"}), service())
    assert tgb(on).multi_cluster_target_group is True
    assert to_data(tgb(on))["multiClusterTargetGroup"] is True
    svc_on = one(ingress(annotations={"multi-cluster-target-group": "false"}),
                 service(annotations={"multi-cluster-target-group": "true"}))
    assert tgb(svc_on).multi_cluster_target_group is True


def test_target_control_port_changes_the_target_group_name():
    plain = one(ingress(annotations={"target-type": "ip"}), service())
    st = one(ingress(annotations={"target-type": "ip", "target-control-port.svc.80": "3000"}), service())
    assert tg(st).target_control_port == 3000 and to_data(tg(st))["targetControlPort"] == 3000
    assert tg(st).name != tg(plain).name and tgb(st).name == tg(st).name
    other_port = one(ingress(annotations={"target-type": "ip", "target-control-port.svc.81": "3000"}), service())
    assert tg(other_port).target_control_port is None


def test_target_control_port_with_instance_targets_is_an_error():
    (message,) = errors(ingress(annotations={"target-control-port.svc.80": "3000"}), service())
    assert "not supported for instance target type" in message and "target-control-port.svc.80" in message
