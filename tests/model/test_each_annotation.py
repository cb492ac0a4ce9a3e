"""One parity check per ``alb.ingress.kubernetes.io/*`` annotation (and wildcard family) of
``schemas/annotations.json``, against what aws-load-balancer-controller's model builders
(``pkg/ingress/model_build_*.go``) do with it:

* ``VALUES``: the value is parsed and lands in the right model field;
* ``DEFAULTS``: the controller's default applies when the annotation is absent;
* ``SERVICE_WINS``: for annotations read from Ingress and Service, the Service's value beats the
  Ingress's (the controller's ``MergeStringMap(svc.Annotations, ing.Annotations)``);
* ``CONFLICTS``: for ``exclusive`` annotations, two Ingresses of one group with different values are
  an error naming both Ingresses and both values;
* ``MERGES``: for ``merge`` annotations, the values of a group's Ingresses combine.

``test_every_annotation_is_covered`` keeps the tables complete as the registry grows.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from albctl.manifests.annotations import _registry
from albctl.manifests.loader import load_text
from albctl.manifests.objects import Inputs
from albctl.model.facts import OFFLINE, Facts
from albctl.model.serialize import stack_data
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    SHIELD_PROTECTION,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    WAF_REGIONAL_WEB_ACL_ASSOCIATION,
    WAFV2_WEB_ACL_ASSOCIATION,
    Action,
    Attribute,
    Certificate,
    FixedResponseConfig,
    MinimumLoadBalancerCapacity,
    MutualAuthentication,
    Placeholder,
    RedirectConfig,
    Ref,
    RewriteConfig,
    RewriteConfigObject,
    RuleCondition,
    Stack,
    SubnetMapping,
    Transform,
)
from albctl.settings import Settings
from tests.model.helpers import SETTINGS, build, ingress, service

# -- fixtures --------------------------------------------------------------------------------------

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
CERT2 = "arn:aws:acm:us-east-1:123456789012:certificate/def"
CERT3 = "arn:aws:acm:us-east-1:123456789012:certificate/ghi"
ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/3ab78708-85b0-49d3-b4e1-7a9615a6613b"
ACL_ARN2 = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/other/3ab78708-85b0-49d3-b4e1-7a9615a6613c"
WAF_ID = "499e8b99-6671-4614-a86d-adb1810b7fbe"
WAF_ID2 = "499e8b99-6671-4614-a86d-adb1810b7fbf"
STORE_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/ts/1234"
HTTPS = {"listen-ports": '[{"HTTPS": 443}]', "certificate-arn": CERT}
BOTH = {"listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', "certificate-arn": CERT}
COGNITO = {"userPoolARN": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
           "userPoolClientID": "client-1", "userPoolDomain": "auth.example.com"}
COGNITO2 = {**COGNITO, "userPoolClientID": "client-2"}
OIDC = {"issuer": "https://idp.example.com", "authorizationEndpoint": "https://idp.example.com/auth",
        "tokenEndpoint": "https://idp.example.com/token", "userInfoEndpoint": "https://idp.example.com/userinfo",
        "secretName": "oidc"}
OIDC2 = {**OIDC, "issuer": "https://other.example.com"}
SECRET = ("apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: default}\n"
          "stringData: {clientID: my-client, clientSecret: s3cr3t}\n")
JWT = {"jwksEndpoint": "https://idp.example.com/jwks", "issuer": "https://idp.example.com"}
URL_REWRITE = [{"type": "url-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "^/api/(.+)$", "replace": "/$1"}]}}]
REGEX_RULES = textwrap.dedent("""\
    - host: app.example.com
      http:
        paths:
          - path: /api/.*
            pathType: ImplementationSpecific
            backend: {service: {name: svc, port: {number: 80}}}""")
ACTION_RULES = textwrap.dedent("""\
    - host: app.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: maintenance, port: {name: use-annotation}}}""")
MAINTENANCE = {"type": "fixed-response",
               "fixedResponseConfig": {"statusCode": "503", "contentType": "text/plain", "messageBody": "down"}}
MANAGED_SG = Ref(SECURITY_GROUP, "ManagedLBSecurityGroup", "groupID")
BACKEND_SG = Placeholder("cluster's shared backend security group")
DISCOVERED_CERT = Placeholder("ACM certificate discovered for app.example.com")
CERT_GATE = Settings(cluster_name="test-cluster", feature_gates={"EnableCertificateManagement": True})


def lb_name(group_id: str, payload: str, scheme: str = "internal") -> str:
    """The controller's buildLoadBalancerName for a group without an explicit name."""
    digest = hashlib.sha256(f"test-cluster{group_id}{scheme}".encode()).hexdigest()
    return f"k8s-{payload}-{digest[:10]}"


# -- stack accessors -------------------------------------------------------------------------------

def lb(st: Stack) -> Any:
    return st.of_type(LOAD_BALANCER)[0].spec


def listener(st: Stack, port: int) -> Any:
    return next(r.spec for r in st.of_type(LISTENER) if r.id == str(port))


def rule(st: Stack, rid: str = "80:1") -> Any:
    return next(r.spec for r in st.of_type(LISTENER_RULE) if r.id == rid)


def tg(st: Stack) -> Any:
    return st.of_type(TARGET_GROUP)[0].spec


def hc(st: Stack) -> Any:
    return tg(st).health_check_config


def tgb(st: Stack) -> Any:
    return st.of_type(TARGET_GROUP_BINDING)[0].spec


def tgb_ports(st: Stack) -> list[int | str | None]:
    return [p.port for r in tgb(st).networking.ingress for p in r.ports]


def sg_rules(st: Stack) -> list[tuple[int, str | None, str | None, str | None]]:
    (sg,) = st.of_type(SECURITY_GROUP)
    return [(p.from_port, p.cidr_ip, p.cidr_ipv6, p.prefix_list_id) for p in sg.spec.ingress]


def addon(st: Stack, type_: str) -> Any:
    found = st.of_type(type_)
    return found[0].spec if found else None


def ports(st: Stack) -> list[tuple[int, str]]:
    return [(r.spec.port, r.spec.protocol) for r in st.of_type(LISTENER)]


def first_action(st: Stack, rid: str = "443:1") -> Action:
    return rule(st, rid).actions[0]


def cognito(st: Stack) -> Any:
    return first_action(st).authenticate_cognito_config


def oidc(st: Stack) -> Any:
    return first_action(st).authenticate_oidc_config


# -- the table machinery ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Fails:
    """The expected outcome is an error whose message has all these parts."""

    parts: tuple[str, ...]


IGNORED = object()
"""The expected outcome: the stack is exactly the one built without the annotation."""


@dataclass(frozen=True)
class Case:
    get: Callable[[Stack], Any] | None = None
    expect: Any = None
    ingress: Mapping[str, str] = field(default_factory=dict)
    service: Mapping[str, str] = field(default_factory=dict)
    group: tuple[Mapping[str, str], ...] = ()  # more Ingresses (b, c, ...) of group "g" with the first (a)
    rules: str | None = None
    extra: tuple[str, ...] = ()
    settings: Settings = SETTINGS
    facts: Facts = OFFLINE


def _docs(case: Case, ingress_annotations: Mapping[str, str]) -> list[str]:
    if case.group:
        ings = [ingress("a", annotations={"group.name": "g", **ingress_annotations}, rules=case.rules)]
        ings += [ingress(chr(ord("b") + i), annotations={"group.name": "g", **a}, rules=case.rules)
                 for i, a in enumerate(case.group)]
    else:
        ings = [ingress(annotations=dict(ingress_annotations), rules=case.rules)]
    return [*ings, service(annotations=dict(case.service)), *case.extra]


def _stack(case: Case, ingress_annotations: Mapping[str, str]) -> Stack:
    result = build(*_docs(case, ingress_annotations), settings=case.settings, facts=case.facts)
    assert not result.errors, [str(d) for d in result.errors]
    (st,) = result.stacks
    return st


def check(annotation: str, case: Case) -> None:
    if isinstance(case.expect, Fails):
        result = build(*_docs(case, case.ingress), settings=case.settings, facts=case.facts)
        messages = [str(d) for d in result.errors]
        assert any(all(part in m for part in case.expect.parts) for m in messages), messages
        return
    st = _stack(case, case.ingress)
    if case.expect is IGNORED:
        without = {k: v for k, v in case.ingress.items() if k != annotation}
        assert stack_data(st) == stack_data(_stack(case, without))
        return
    assert case.get is not None
    assert case.get(st) == case.expect


def params(table: list[tuple[str, str, Any]]) -> list[Any]:
    return [pytest.param(name, case, id=f"{name}:{variant}" if variant else name) for name, variant, case in table]


# -- (a) the value lands in the right model field --------------------------------------------------

VALUES: list[tuple[str, str, Case]] = [
    ("load-balancer-name", "", Case(lambda st: lb(st).name, "my-alb", {"load-balancer-name": "my-alb"})),
    ("group.name", "", Case(lambda st: (st.id, lb(st).name), ("shared", lb_name("shared", "shared")),
                            {"group.name": "shared"})),
    ("group.order", "", Case(lambda st: st.members, ("default/b", "default/c", "default/a"),
                             {"group.order": "10"}, group=({"group.order": "-5"}, {"group.order": "5"}))),
    ("tags", "", Case(lambda st: (lb(st).tags, listener(st, 80).tags, rule(st).tags, tg(st).tags,
                                  st.of_type(SECURITY_GROUP)[0].spec.tags),
                      ({"Team": "web", "Env": "prod"},) * 5, {"tags": "Team=web, Env=prod"})),
    ("ip-address-type", "", Case(lambda st: (lb(st).ip_address_type, sg_rules(st)),
                                 ("dualstack", [(80, "0.0.0.0/0", None, None), (80, None, "::/0", None)]),
                                 {"ip-address-type": "dualstack"})),
    ("ip-address-type", "without-public-ipv4",
     Case(lambda st: lb(st).ip_address_type, "dualstack-without-public-ipv4",
          {"ip-address-type": "dualstack-without-public-ipv4"})),
    ("scheme", "", Case(lambda st: (lb(st).scheme, lb(st).name), ("internet-facing", lb_name(
        "default/web", "default-web", "internet-facing")), {"scheme": "internet-facing"})),
    ("subnets", "", Case(lambda st: lb(st).subnet_mapping,
                         (SubnetMapping("subnet-0123abcd"),
                          SubnetMapping(Placeholder("subnet with Name tag 'public-b'"))),
                         {"subnets": "subnet-0123abcd, public-b"})),
    ("security-groups", "", Case(lambda st: (lb(st).security_groups, st.of_type(SECURITY_GROUP), tgb(st).networking),
                                 (("sg-0123abcd", Placeholder("security group with Name tag 'web'")), [], None),
                                 {"security-groups": "sg-0123abcd,web"})),
    ("manage-backend-security-group-rules", "",
     Case(lambda st: (lb(st).security_groups, tgb_ports(st)), (("sg-0123abcd", BACKEND_SG), [30080]),
          {"security-groups": "sg-0123abcd", "manage-backend-security-group-rules": "true"})),
    ("manage-backend-security-group-rules", "false-beats-flag",
     Case(lambda st: lb(st).security_groups, ("sg-0123abcd",),
          {"security-groups": "sg-0123abcd", "manage-backend-security-group-rules": "false"},
          settings=Settings(cluster_name="test-cluster", enable_manage_backend_security_group_rules=True))),
    ("customer-owned-ipv4-pool", "", Case(lambda st: lb(st).customer_owned_ipv4_pool, "ipv4pool-coip-0123abcd",
                                          {"customer-owned-ipv4-pool": "ipv4pool-coip-0123abcd"})),
    ("load-balancer-attributes", "",
     Case(lambda st: lb(st).load_balancer_attributes,
          (Attribute("idle_timeout.timeout_seconds", "600"), Attribute("routing.http2.enabled", "false")),
          {"load-balancer-attributes": "routing.http2.enabled=false,idle_timeout.timeout_seconds=600"})),
    ("wafv2-acl-arn", "", Case(lambda st: (addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn,
                                           addon(st, WAFV2_WEB_ACL_ASSOCIATION).resource_arn),
                               (ACL_ARN, Ref(LOAD_BALANCER, "LoadBalancer", "loadBalancerARN")),
                               {"wafv2-acl-arn": ACL_ARN})),
    ("wafv2-acl-arn", "none", Case(lambda st: addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn, "",
                                   {"wafv2-acl-arn": "none"})),
    ("wafv2-acl-name", "", Case(lambda st: addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn, ACL_ARN,
                                {"wafv2-acl-name": "my-acl"}, facts=Facts(web_acl_arns={"my-acl": ACL_ARN}))),
    ("wafv2-acl-name", "offline", Case(lambda st: addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn,
                                       Placeholder("ARN of WAFv2 web ACL 'my-acl'"), {"wafv2-acl-name": "my-acl"})),
    ("wafv2-acl-name", "beats-arn", Case(lambda st: addon(st, WAFV2_WEB_ACL_ASSOCIATION).web_acl_arn, "",
                                         {"wafv2-acl-name": "none", "wafv2-acl-arn": ACL_ARN})),
    ("waf-acl-id", "", Case(lambda st: addon(st, WAF_REGIONAL_WEB_ACL_ASSOCIATION).web_acl_id, WAF_ID,
                            {"waf-acl-id": WAF_ID})),
    ("waf-acl-id", "beats-web-acl-id", Case(lambda st: addon(st, WAF_REGIONAL_WEB_ACL_ASSOCIATION).web_acl_id, "",
                                            {"waf-acl-id": "none", "web-acl-id": WAF_ID})),
    ("web-acl-id", "", Case(lambda st: addon(st, WAF_REGIONAL_WEB_ACL_ASSOCIATION).web_acl_id, WAF_ID,
                            {"web-acl-id": WAF_ID})),
    ("shield-advanced-protection", "", Case(lambda st: addon(st, SHIELD_PROTECTION).enabled, True,
                                            {"shield-advanced-protection": "true"})),
    ("shield-advanced-protection", "false", Case(lambda st: addon(st, SHIELD_PROTECTION).enabled, False,
                                                 {"shield-advanced-protection": "false"})),
    ("listen-ports", "", Case(lambda st: (ports(st), [r.id for r in st.of_type(LISTENER_RULE)]),
                              ([(8080, "HTTP"), (8443, "HTTPS")], ["8080:1", "8443:1"]),
                              {"listen-ports": '[{"HTTP": 8080}, {"HTTPS": 8443}]', "certificate-arn": CERT})),
    ("ssl-redirect", "",
     Case(lambda st: (listener(st, 80).default_actions, [r.id for r in st.of_type(LISTENER_RULE)]),
          ((Action("redirect", redirect_config=RedirectConfig("HTTP_301", port="443", protocol="HTTPS")),), ["443:1"]),
          {**BOTH, "ssl-redirect": "443"})),
    ("inbound-cidrs", "", Case(sg_rules, [(80, "10.0.0.0/8", None, None), (80, None, "2001:db8::/32", None)],
                               {"inbound-cidrs": "2001:db8::/32, 10.0.0.0/8", "ip-address-type": "dualstack"})),
    ("inbound-cidrs", "ipv6-dropped-on-ipv4", Case(sg_rules, [(80, "10.0.0.0/8", None, None)],
                                                   {"inbound-cidrs": "10.0.0.0/8,2001:db8::/32"})),
    ("security-group-prefix-lists", "", Case(sg_rules, [(80, None, None, "pl-0123abcd"), (80, None, None, "pl-4567")],
                                             {"security-group-prefix-lists": "pl-4567,pl-0123abcd"})),
    ("security-group-prefix-lists", "with-cidrs",
     Case(sg_rules, [(80, "10.0.0.0/8", None, None), (80, None, None, "pl-0123abcd")],
          {"security-group-prefix-lists": "pl-0123abcd", "inbound-cidrs": "10.0.0.0/8"})),
    ("certificate-arn", "", Case(lambda st: (ports(st), listener(st, 443).certificates),
                                 ([(443, "HTTPS")], (Certificate(CERT), Certificate(CERT2))),
                                 {"certificate-arn": f"{CERT}, {CERT2}"})),
    ("ssl-policy", "", Case(lambda st: (listener(st, 80).ssl_policy, listener(st, 443).ssl_policy),
                            (None, "ELBSecurityPolicy-TLS13-1-2-2021-06"),
                            {**BOTH, "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})),
    # the controller creates ACM certificates only with the EnableCertificateManagement gate on (off by default)
    ("create-acm-cert", "gate-off", Case(expect=IGNORED, ingress={"create-acm-cert": "true"})),
    ("create-acm-cert", "gate-off-https", Case(expect=IGNORED, ingress={"create-acm-cert": "true",
                                                                        "listen-ports": '[{"HTTPS": 443}]'})),
    ("create-acm-cert", "gate-on", Case(expect=Fails(("create-acm-cert is not supported by albctl yet",
                                                      "certificate-arn")),
                                        ingress={"create-acm-cert": "true"}, settings=CERT_GATE)),
    # ... and never for an Ingress that has certificate-arn (buildACMCertificates returns nil)
    ("create-acm-cert", "gate-on-with-certificate-arn",
     Case(expect=IGNORED, ingress={"create-acm-cert": "true", **HTTPS}, settings=CERT_GATE)),
    ("acm-pca-arn", "", Case(expect=IGNORED, ingress={
        "acm-pca-arn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/abc"})),
    ("target-type", "", Case(lambda st: (tg(st).target_type, tg(st).port, tgb(st).target_type, tgb(st).target_port),
                             ("ip", 8080, "ip", 8080), {"target-type": "ip"})),
    ("backend-protocol", "", Case(lambda st: (tg(st).protocol, hc(st).protocol), ("HTTPS", "HTTPS"),
                                  {"backend-protocol": "HTTPS"})),
    ("backend-protocol-version", "",
     Case(lambda st: (tg(st).protocol_version, hc(st).path, hc(st).matcher_grpc_code, hc(st).matcher_http_code),
          ("GRPC", "/AWS.ALB/healthcheck", "12", None), {"backend-protocol-version": "GRPC"})),
    ("backend-protocol-version", "HTTP2", Case(lambda st: (tg(st).protocol_version, hc(st).path), ("HTTP2", "/"),
                                               {"backend-protocol-version": "HTTP2"})),
    ("target-group-attributes", "",
     Case(lambda st: tg(st).target_group_attributes,
          (Attribute("deregistration_delay.timeout_seconds", "30"), Attribute("stickiness.enabled", "true")),
          {"target-group-attributes": "stickiness.enabled=true,deregistration_delay.timeout_seconds=30"})),
    ("healthcheck-port", "", Case(lambda st: (hc(st).port, tgb_ports(st)), (8081, [30080, 8081]),
                                  {"healthcheck-port": "8081"})),
    ("healthcheck-port", "named-instance", Case(lambda st: hc(st).port, 30080, {"healthcheck-port": "http"})),
    ("healthcheck-port", "named-ip", Case(lambda st: (hc(st).port, tgb_ports(st)), (8080, [8080, 8080]),
                                          {"healthcheck-port": "http", "target-type": "ip"})),
    ("healthcheck-protocol", "", Case(lambda st: (hc(st).protocol, tg(st).protocol), ("HTTPS", "HTTP"),
                                      {"healthcheck-protocol": "HTTPS"})),
    ("healthcheck-path", "", Case(lambda st: hc(st).path, "/healthz", {"healthcheck-path": "/healthz"})),
    ("healthcheck-path", "GRPC", Case(lambda st: hc(st).path, "/grpc.health.v1.Health/Check",
                                      {"healthcheck-path": "/grpc.health.v1.Health/Check",
                                       "backend-protocol-version": "GRPC"})),
    ("healthcheck-interval-seconds", "", Case(lambda st: hc(st).interval_seconds, 30,
                                              {"healthcheck-interval-seconds": "30"})),
    ("healthcheck-timeout-seconds", "", Case(lambda st: hc(st).timeout_seconds, 10,
                                             {"healthcheck-timeout-seconds": "10"})),
    ("healthy-threshold-count", "", Case(lambda st: hc(st).healthy_threshold_count, 5,
                                         {"healthy-threshold-count": "5"})),
    ("unhealthy-threshold-count", "", Case(lambda st: hc(st).unhealthy_threshold_count, 7,
                                           {"unhealthy-threshold-count": "7"})),
    ("success-codes", "", Case(lambda st: (hc(st).matcher_http_code, hc(st).matcher_grpc_code), ("200-299", None),
                               {"success-codes": "200-299"})),
    ("success-codes", "GRPC", Case(lambda st: (hc(st).matcher_http_code, hc(st).matcher_grpc_code), (None, "0-99"),
                                   {"success-codes": "0-99", "backend-protocol-version": "GRPC"})),
    ("auth-type", "cognito", Case(lambda st: ([a.type for a in rule(st, "443:1").actions],
                                              [a.type for a in rule(st, "80:1").actions]),
                                  (["authenticate-cognito", "forward"], ["forward"]),
                                  {**BOTH, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)})),
    ("auth-type", "oidc", Case(lambda st: [a.type for a in rule(st, "443:1").actions],
                               ["authenticate-oidc", "forward"],
                               {**HTTPS, "auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}, extra=(SECRET,))),
    ("auth-idp-cognito", "", Case(lambda st: (cognito(st).user_pool_arn, cognito(st).user_pool_client_id,
                                              cognito(st).user_pool_domain),
                                  (COGNITO["userPoolARN"], "client-1", "auth.example.com"),
                                  {**HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(
                                      {**COGNITO, "authenticationRequestExtraParams": {"display": "page"}})})),
    ("auth-idp-oidc", "", Case(lambda st: (oidc(st).issuer, oidc(st).authorization_endpoint, oidc(st).token_endpoint,
                                           oidc(st).user_info_endpoint, oidc(st).client_id, oidc(st).client_secret),
                               (OIDC["issuer"], OIDC["authorizationEndpoint"], OIDC["tokenEndpoint"],
                                OIDC["userInfoEndpoint"], "my-client", "s3cr3t"),
                               {**HTTPS, "auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}, extra=(SECRET,))),
    ("auth-on-unauthenticated-request", "", Case(lambda st: cognito(st).on_unauthenticated_request, "deny", {
        **HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO),
        "auth-on-unauthenticated-request": "deny"})),
    ("auth-scope", "", Case(lambda st: oidc(st).scope, "openid email", {
        **HTTPS, "auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC), "auth-scope": "openid email"},
        extra=(SECRET,))),
    ("auth-session-cookie", "", Case(lambda st: cognito(st).session_cookie_name, "my-cookie", {
        **HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO), "auth-session-cookie": "my-cookie"})),
    ("auth-session-timeout", "", Case(lambda st: cognito(st).session_timeout, 3600, {
        **HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO), "auth-session-timeout": "3600"})),
    ("jwt-validation", "", Case(lambda st: ([a.type for a in rule(st, "443:1").actions],
                                            first_action(st).jwt_validation_config.jwks_endpoint,
                                            first_action(st).jwt_validation_config.issuer,
                                            [a.type for a in rule(st, "80:1").actions]),
                                (["jwt-validation", "forward"], JWT["jwksEndpoint"], JWT["issuer"], ["forward"]),
                                {**BOTH, "jwt-validation": json.dumps(JWT)})),
    ("use-regex-path-match", "", Case(lambda st: rule(st).conditions,
                                      (RuleCondition("host-header", ("app.example.com",)),
                                       RuleCondition("path-pattern", regex_values=("api/.*",))),
                                      {"use-regex-path-match": "true"}, rules=REGEX_RULES)),
    ("use-regex-path-match", "prefix-paths-unaffected",
     Case(lambda st: rule(st).conditions[1], RuleCondition("path-pattern", ("/*",)),
          {"use-regex-path-match": "true"})),
    ("target-node-labels", "", Case(lambda st: dict(tgb(st).node_selector.match_labels),
                                    {"role": "web", "zone": "a"}, {"target-node-labels": "role=web,zone=a"})),
    ("target-node-labels", "ip-targets", Case(lambda st: tgb(st).node_selector, None,
                                              {"target-node-labels": "role=web", "target-type": "ip"})),
    ("mutual-authentication", "", Case(
        lambda st: (listener(st, 443).mutual_authentication, listener(st, 8443).mutual_authentication),
        (MutualAuthentication("verify", STORE_ARN, False, None), MutualAuthentication("passthrough", "", None, None)),
        {"listen-ports": '[{"HTTPS": 443}, {"HTTPS": 8443}]', "certificate-arn": CERT, "mutual-authentication":
         json.dumps([{"port": 443, "mode": "verify", "trustStore": STORE_ARN},
                     {"port": 8443, "mode": "passthrough"}])})),
    ("multi-cluster-target-group", "", Case(lambda st: tgb(st).multi_cluster_target_group, True,
                                            {"multi-cluster-target-group": "true"})),
    ("multi-cluster-target-group", "false", Case(lambda st: tgb(st).multi_cluster_target_group, None,
                                                 {"multi-cluster-target-group": "false"})),
    ("minimum-load-balancer-capacity", "", Case(lambda st: lb(st).minimum_load_balancer_capacity,
                                                MinimumLoadBalancerCapacity(100),
                                                {"minimum-load-balancer-capacity": "CapacityUnits=100"})),
    ("minimum-load-balancer-capacity", "gate-off", Case(
        lambda st: lb(st).minimum_load_balancer_capacity, None, {"minimum-load-balancer-capacity": "CapacityUnits=100"},
        settings=Settings(cluster_name="test-cluster", feature_gates={"LBCapacityReservation": False}))),
    ("ipam-ipv4-pool-id", "", Case(lambda st: lb(st).ipv4_ipam_pool, "ipam-pool-0123abcd",
                                   {"ipam-ipv4-pool-id": "ipam-pool-0123abcd"})),
    ("actions.", "", Case(lambda st: rule(st).actions, (Action("fixed-response", fixed_response_config=(
        FixedResponseConfig("503", "text/plain", "down"))),), {"actions.maintenance": json.dumps(MAINTENANCE)},
        rules=ACTION_RULES)),
    ("conditions.", "", Case(lambda st: rule(st).conditions, (
        RuleCondition("http-header", ("on",), http_header_name="X-Canary"),
        RuleCondition("host-header", ("app.example.com", "www.example.com")),
        RuleCondition("path-pattern", ("/*",))), {"conditions.svc": json.dumps([
            {"field": "http-header", "httpHeaderConfig": {"httpHeaderName": "X-Canary", "values": ["on"]}},
            {"field": "host-header", "hostHeaderConfig": {"values": ["www.example.com"]}}])})),
    ("transforms.", "", Case(lambda st: rule(st).transforms, (Transform("url-rewrite", url_rewrite_config=(
        RewriteConfigObject((RewriteConfig("^/api/(.+)$", "/$1"),)))),), {"transforms.svc": json.dumps(URL_REWRITE)})),
    ("listener-attributes.", "", Case(
        lambda st: (listener(st, 80).listener_attributes, listener(st, 443).listener_attributes),
        ((Attribute("routing.http.response.server.enabled", "false"),), ()),
        {**BOTH, "listener-attributes.HTTP-80": "routing.http.response.server.enabled=false"})),
    ("target-control-port.", "", Case(lambda st: (tg(st).target_control_port, tgb_ports(st)), (3000, [8080, 3000]),
                                      {"target-type": "ip", "target-control-port.svc.80": "3000"})),
    ("target-control-port.", "instance-targets", Case(expect=Fails((
        "target-control-port.svc.80", "not supported for instance target type")),
        ingress={"target-control-port.svc.80": "3000"})),
]


# -- (b) the default applies when the annotation is absent -----------------------------------------

DEFAULTS: list[tuple[str, str, Case]] = [
    ("load-balancer-name", "", Case(lambda st: lb(st).name, lb_name("default/web", "default-web"))),
    ("group.name", "", Case(lambda st: (st.id, st.members), ("default/web", ("default/web",)))),
    ("group.order", "", Case(lambda st: st.members, ("default/a", "default/b", "default/c"),
                             {"group.order": "-1"}, group=({}, {"group.order": "1"}))),
    ("tags", "", Case(lambda st: (dict(lb(st).tags), dict(tg(st).tags), dict(rule(st).tags)), ({}, {}, {}))),
    ("tags", "default-tags", Case(lambda st: (dict(lb(st).tags), dict(tg(st).tags)), ({"Owner": "ops"},) * 2,
                                  settings=Settings(cluster_name="test-cluster", default_tags={"Owner": "ops"}))),
    ("ip-address-type", "", Case(lambda st: lb(st).ip_address_type, "ipv4")),
    ("scheme", "", Case(lambda st: lb(st).scheme, "internal")),
    ("scheme", "controller-flag", Case(lambda st: lb(st).scheme, "internet-facing", settings=Settings(
        cluster_name="test-cluster", default_load_balancer_scheme="internet-facing"))),
    ("subnets", "", Case(lambda st: lb(st).subnet_mapping,
                         (SubnetMapping(Placeholder("subnets discovered by tag kubernetes.io/role/internal-elb")),))),
    ("subnets", "discovered", Case(lambda st: lb(st).subnet_mapping, (SubnetMapping("subnet-0123abcd"),),
                                   facts=Facts(discovered_subnets={"internal": ("subnet-0123abcd",)}))),
    ("security-groups", "", Case(lambda st: (lb(st).security_groups, tgb_ports(st)),
                                 ((MANAGED_SG, BACKEND_SG), [30080]))),
    ("security-groups", "no-backend-sg", Case(
        lambda st: (lb(st).security_groups, tgb(st).networking.ingress[0].from_[0].security_group.group_id),
        ((MANAGED_SG,), MANAGED_SG),
        settings=Settings(cluster_name="test-cluster", enable_backend_security_group=False))),
    ("manage-backend-security-group-rules", "", Case(lambda st: (lb(st).security_groups, tgb(st).networking),
                                                     (("sg-0123abcd",), None), {"security-groups": "sg-0123abcd"})),
    ("manage-backend-security-group-rules", "controller-flag", Case(
        lambda st: lb(st).security_groups, ("sg-0123abcd", BACKEND_SG), {"security-groups": "sg-0123abcd"},
        settings=Settings(cluster_name="test-cluster", enable_manage_backend_security_group_rules=True))),
    ("customer-owned-ipv4-pool", "", Case(lambda st: lb(st).customer_owned_ipv4_pool, None)),
    ("load-balancer-attributes", "", Case(lambda st: lb(st).load_balancer_attributes, ())),
    ("wafv2-acl-arn", "", Case(lambda st: st.of_type(WAFV2_WEB_ACL_ASSOCIATION), [])),
    ("wafv2-acl-name", "", Case(lambda st: st.of_type(WAFV2_WEB_ACL_ASSOCIATION), [])),
    ("waf-acl-id", "", Case(lambda st: st.of_type(WAF_REGIONAL_WEB_ACL_ASSOCIATION), [])),
    ("web-acl-id", "", Case(lambda st: st.of_type(WAF_REGIONAL_WEB_ACL_ASSOCIATION), [])),
    ("shield-advanced-protection", "", Case(lambda st: st.of_type(SHIELD_PROTECTION), [])),
    ("listen-ports", "", Case(ports, [(80, "HTTP")])),
    ("listen-ports", "with-certificate-arn", Case(ports, [(443, "HTTPS")], {"certificate-arn": CERT})),
    ("ssl-redirect", "", Case(lambda st: (listener(st, 80).default_actions[0].type, [r.id for r in st.of_type(
        LISTENER_RULE)]), ("fixed-response", ["80:1", "443:1"]), BOTH)),
    ("inbound-cidrs", "", Case(sg_rules, [(80, "0.0.0.0/0", None, None)])),
    ("inbound-cidrs", "dualstack", Case(sg_rules, [(80, "0.0.0.0/0", None, None), (80, None, "::/0", None)],
                                        {"ip-address-type": "dualstack"})),
    ("security-group-prefix-lists", "", Case(lambda st: [r for r in sg_rules(st) if r[3]], [])),
    ("certificate-arn", "", Case(lambda st: listener(st, 443).certificates, (Certificate(DISCOVERED_CERT),),
                                 {"listen-ports": '[{"HTTPS": 443}]'})),
    ("certificate-arn", "discovered-online", Case(
        lambda st: listener(st, 443).certificates, (Certificate(CERT2),), {"listen-ports": '[{"HTTPS": 443}]'},
        facts=Facts(offline=False, certificates_by_host={"app.example.com": (CERT2,)}))),
    ("ssl-policy", "", Case(lambda st: (listener(st, 80).ssl_policy, listener(st, 443).ssl_policy),
                            (None, "ELBSecurityPolicy-2016-08"), BOTH)),
    ("ssl-policy", "controller-flag", Case(
        lambda st: listener(st, 443).ssl_policy, "ELBSecurityPolicy-TLS13-1-2-2021-06", HTTPS,
        settings=Settings(cluster_name="test-cluster", default_ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"))),
    ("create-acm-cert", "", Case(lambda st: listener(st, 443).certificates, (Certificate(DISCOVERED_CERT),),
                                 {"listen-ports": '[{"HTTPS": 443}]'}, settings=CERT_GATE)),
    ("acm-pca-arn", "", Case(lambda st: sorted({r.type for r in st.resources}), sorted(
        {LOAD_BALANCER, SECURITY_GROUP, LISTENER, LISTENER_RULE, TARGET_GROUP, TARGET_GROUP_BINDING}))),
    ("target-type", "", Case(lambda st: (tg(st).target_type, tg(st).port, tgb(st).target_port),
                             ("instance", 30080, 30080))),
    ("target-type", "controller-flag", Case(lambda st: tg(st).target_type, "ip",
                                            settings=Settings(cluster_name="test-cluster", default_target_type="ip"))),
    ("backend-protocol", "", Case(lambda st: tg(st).protocol, "HTTP")),
    ("backend-protocol-version", "", Case(lambda st: tg(st).protocol_version, "HTTP1")),
    ("target-group-attributes", "", Case(lambda st: tg(st).target_group_attributes, ())),
    ("healthcheck-port", "", Case(lambda st: (hc(st).port, tgb_ports(st)), ("traffic-port", [30080]))),
    ("healthcheck-protocol", "", Case(lambda st: hc(st).protocol, "HTTP")),
    ("healthcheck-protocol", "follows-backend-protocol", Case(lambda st: hc(st).protocol, "HTTPS",
                                                              {"backend-protocol": "HTTPS"})),
    ("healthcheck-path", "", Case(lambda st: hc(st).path, "/")),
    ("healthcheck-path", "GRPC", Case(lambda st: hc(st).path, "/AWS.ALB/healthcheck",
                                      {"backend-protocol-version": "GRPC"})),
    ("healthcheck-interval-seconds", "", Case(lambda st: hc(st).interval_seconds, 15)),
    ("healthcheck-timeout-seconds", "", Case(lambda st: hc(st).timeout_seconds, 5)),
    ("healthy-threshold-count", "", Case(lambda st: hc(st).healthy_threshold_count, 2)),
    ("unhealthy-threshold-count", "", Case(lambda st: hc(st).unhealthy_threshold_count, 2)),
    ("success-codes", "", Case(lambda st: (hc(st).matcher_http_code, hc(st).matcher_grpc_code), ("200", None))),
    ("success-codes", "GRPC", Case(lambda st: (hc(st).matcher_http_code, hc(st).matcher_grpc_code), (None, "12"),
                                   {"backend-protocol-version": "GRPC"})),
    ("auth-type", "", Case(lambda st: [a.type for a in rule(st, "443:1").actions], ["forward"],
                           {**HTTPS, "auth-idp-cognito": json.dumps(COGNITO)})),
    ("auth-idp-cognito", "", Case(expect=Fails(("auth-idp-cognito is not set",)),
                                  ingress={**HTTPS, "auth-type": "cognito"})),
    ("auth-idp-oidc", "", Case(expect=Fails(("auth-idp-oidc is not set",)), ingress={**HTTPS, "auth-type": "oidc"})),
    ("auth-on-unauthenticated-request", "", Case(lambda st: cognito(st).on_unauthenticated_request, "authenticate", {
        **HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)})),
    ("auth-scope", "", Case(lambda st: cognito(st).scope, "openid", {
        **HTTPS, "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)})),
    ("auth-session-cookie", "", Case(lambda st: oidc(st).session_cookie_name, "AWSELBAuthSessionCookie", {
        **HTTPS, "auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}, extra=(SECRET,))),
    ("auth-session-timeout", "", Case(lambda st: oidc(st).session_timeout, 604800, {
        **HTTPS, "auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}, extra=(SECRET,))),
    ("jwt-validation", "", Case(lambda st: [a.type for a in rule(st, "443:1").actions], ["forward"], HTTPS)),
    ("use-regex-path-match", "", Case(lambda st: rule(st).conditions[1], RuleCondition("path-pattern", ("/api/.*",)),
                                      rules=REGEX_RULES)),
    ("target-node-labels", "", Case(lambda st: tgb(st).node_selector, None)),
    ("mutual-authentication", "", Case(lambda st: listener(st, 443).mutual_authentication, None, HTTPS)),
    ("multi-cluster-target-group", "", Case(lambda st: tgb(st).multi_cluster_target_group, None)),
    ("minimum-load-balancer-capacity", "", Case(lambda st: lb(st).minimum_load_balancer_capacity, None)),
    ("ipam-ipv4-pool-id", "", Case(lambda st: lb(st).ipv4_ipam_pool, None)),
    # without the annotation: the controller's tolerate-non-existent-backend-action (default true) 503 rule
    ("actions.", "", Case(lambda st: rule(st).actions, (Action("fixed-response", fixed_response_config=(
        FixedResponseConfig("503", "text/plain", "Backend action does not exist"))),), rules=ACTION_RULES)),
    ("conditions.", "", Case(lambda st: rule(st).conditions, (RuleCondition("host-header", ("app.example.com",)),
                                                              RuleCondition("path-pattern", ("/*",))))),
    ("transforms.", "", Case(lambda st: rule(st).transforms, ())),
    ("listener-attributes.", "", Case(lambda st: listener(st, 80).listener_attributes, ())),
    ("target-control-port.", "", Case(lambda st: (tg(st).target_control_port, tgb_ports(st)), (None, [8080]),
                                      {"target-type": "ip"})),
]


# -- (c) the Service's value beats the Ingress's ---------------------------------------------------

def _svc_auth(kind: str, **extra: str) -> dict[str, str]:
    idp = {"cognito": ("auth-idp-cognito", COGNITO), "oidc": ("auth-idp-oidc", OIDC)}[kind]
    return {**HTTPS, "auth-type": kind, idp[0]: json.dumps(idp[1]), **extra}


SERVICE_WINS: list[tuple[str, str, Case]] = [
    # the controller reads target-control-port.<svc>.<port> from the Service's and Ingress's annotations merged
    ("target-control-port.", "", Case(lambda st: tg(st).target_control_port, 4000,
                                      {"target-type": "ip", "target-control-port.svc.80": "3000"},
                                      {"target-control-port.svc.80": "4000"})),
    # target groups get Service tags over Ingress tags; the load balancer and listeners only the Ingress's
    ("tags", "", Case(lambda st: (dict(tg(st).tags), dict(lb(st).tags), dict(rule(st).tags)),
                      ({"Team": "svc", "Env": "prod", "Tier": "db"}, {"Team": "ing", "Env": "prod"},
                       {"Team": "ing", "Env": "prod"}),
                      {"tags": "Team=ing,Env=prod"}, {"tags": "Team=svc,Tier=db"})),
    ("target-type", "", Case(lambda st: (tg(st).target_type, tg(st).port), ("ip", 8080),
                             {"target-type": "instance"}, {"target-type": "ip"})),
    ("backend-protocol", "", Case(lambda st: tg(st).protocol, "HTTPS", {"backend-protocol": "HTTP"},
                                  {"backend-protocol": "HTTPS"})),
    ("backend-protocol-version", "", Case(lambda st: tg(st).protocol_version, "HTTP2",
                                          {"backend-protocol-version": "GRPC"}, {"backend-protocol-version": "HTTP2"})),
    # the whole annotation is taken from the Service: its attributes replace the Ingress's, key by key or not
    ("target-group-attributes", "", Case(lambda st: tg(st).target_group_attributes,
                                         (Attribute("stickiness.enabled", "false"),),
                                         {"target-group-attributes":
                                          "stickiness.enabled=true,slow_start.duration_seconds=30"},
                                         {"target-group-attributes": "stickiness.enabled=false"})),
    ("healthcheck-port", "", Case(lambda st: hc(st).port, 9090, {"healthcheck-port": "8081"},
                                  {"healthcheck-port": "9090"})),
    ("healthcheck-protocol", "", Case(lambda st: hc(st).protocol, "HTTP", {"healthcheck-protocol": "HTTPS"},
                                      {"healthcheck-protocol": "HTTP"})),
    ("healthcheck-path", "", Case(lambda st: hc(st).path, "/svc", {"healthcheck-path": "/ing"},
                                  {"healthcheck-path": "/svc"})),
    ("healthcheck-interval-seconds", "", Case(lambda st: hc(st).interval_seconds, 20,
                                              {"healthcheck-interval-seconds": "10"},
                                              {"healthcheck-interval-seconds": "20"})),
    ("healthcheck-timeout-seconds", "", Case(lambda st: hc(st).timeout_seconds, 8,
                                             {"healthcheck-timeout-seconds": "4"},
                                             {"healthcheck-timeout-seconds": "8"})),
    ("healthy-threshold-count", "", Case(lambda st: hc(st).healthy_threshold_count, 6,
                                         {"healthy-threshold-count": "3"}, {"healthy-threshold-count": "6"})),
    ("unhealthy-threshold-count", "", Case(lambda st: hc(st).unhealthy_threshold_count, 9,
                                           {"unhealthy-threshold-count": "3"}, {"unhealthy-threshold-count": "9"})),
    ("success-codes", "", Case(lambda st: hc(st).matcher_http_code, "200,302", {"success-codes": "200"},
                               {"success-codes": "200,302"})),
    ("auth-type", "", Case(lambda st: [a.type for a in rule(st, "443:1").actions], ["authenticate-cognito", "forward"],
                           {**HTTPS, "auth-type": "none", "auth-idp-cognito": json.dumps(COGNITO)},
                           {"auth-type": "cognito"})),
    ("auth-type", "service-none", Case(lambda st: [a.type for a in rule(st, "443:1").actions], ["forward"],
                                       _svc_auth("cognito"), {"auth-type": "none"})),
    ("auth-idp-cognito", "", Case(lambda st: cognito(st).user_pool_client_id, "client-2", _svc_auth("cognito"),
                                  {"auth-idp-cognito": json.dumps(COGNITO2)})),
    ("auth-idp-oidc", "", Case(lambda st: oidc(st).issuer, OIDC2["issuer"], _svc_auth("oidc"),
                               {"auth-idp-oidc": json.dumps(OIDC2)}, extra=(SECRET,))),
    ("auth-on-unauthenticated-request", "", Case(lambda st: cognito(st).on_unauthenticated_request, "allow",
                                                 _svc_auth("cognito", **{"auth-on-unauthenticated-request": "deny"}),
                                                 {"auth-on-unauthenticated-request": "allow"})),
    ("auth-scope", "", Case(lambda st: cognito(st).scope, "openid profile", _svc_auth("cognito", **{
        "auth-scope": "openid email"}), {"auth-scope": "openid profile"})),
    ("auth-session-cookie", "", Case(lambda st: cognito(st).session_cookie_name, "svc-cookie", _svc_auth(
        "cognito", **{"auth-session-cookie": "ing-cookie"}), {"auth-session-cookie": "svc-cookie"})),
    ("auth-session-timeout", "", Case(lambda st: cognito(st).session_timeout, 60, _svc_auth(
        "cognito", **{"auth-session-timeout": "120"}), {"auth-session-timeout": "60"})),
    ("target-node-labels", "", Case(lambda st: dict(tgb(st).node_selector.match_labels), {"pool": "svc"},
                                    {"target-node-labels": "pool=ing,zone=a"}, {"target-node-labels": "pool=svc"})),
    # the controller's exception: true on the Ingress wins; otherwise the Service's value applies
    ("multi-cluster-target-group", "", Case(lambda st: tgb(st).multi_cluster_target_group, True,
                                            {"multi-cluster-target-group": "false"},
                                            {"multi-cluster-target-group": "true"})),
    ("multi-cluster-target-group", "ingress-true-wins", Case(lambda st: tgb(st).multi_cluster_target_group, True,
                                                             {"multi-cluster-target-group": "true"},
                                                             {"multi-cluster-target-group": "false"})),
]


# -- (d) exclusive: two Ingresses of one group disagree ---------------------------------------------

@dataclass(frozen=True)
class Conflict:
    a: Mapping[str, str]
    b: Mapping[str, str]
    shown: tuple[str, str]  # how the message shows a's and b's values
    base: Mapping[str, str] = field(default_factory=dict)  # annotations both Ingresses have


CONFLICTS: dict[str, Conflict] = {
    "load-balancer-name": Conflict({"load-balancer-name": "alb-a"}, {"load-balancer-name": "alb-b"},
                                   ("'alb-a'", "'alb-b'")),
    "ip-address-type": Conflict({"ip-address-type": "ipv4"}, {"ip-address-type": "dualstack"},
                                ("'ipv4'", "'dualstack'")),
    "scheme": Conflict({"scheme": "internal"}, {"scheme": "internet-facing"}, ("'internal'", "'internet-facing'")),
    "subnets": Conflict({"subnets": "subnet-0123abcd,subnet-4567abcd"}, {"subnets": "subnet-89abcdef"},
                        ("subnet-0123abcd,subnet-4567abcd", "subnet-89abcdef")),
    "security-groups": Conflict({"security-groups": "sg-0123abcd"}, {"security-groups": "sg-4567abcd"},
                                ("sg-0123abcd", "sg-4567abcd")),
    "manage-backend-security-group-rules": Conflict(
        {"manage-backend-security-group-rules": "true"}, {"manage-backend-security-group-rules": "false"},
        ("true", "false"), {"security-groups": "sg-0123abcd"}),
    "customer-owned-ipv4-pool": Conflict({"customer-owned-ipv4-pool": "ipv4pool-coip-aaaa"},
                                         {"customer-owned-ipv4-pool": "ipv4pool-coip-bbbb"},
                                         ("ipv4pool-coip-aaaa", "ipv4pool-coip-bbbb")),
    "load-balancer-attributes": Conflict({"load-balancer-attributes": "idle_timeout.timeout_seconds=60"},
                                         {"load-balancer-attributes": "idle_timeout.timeout_seconds=120"},
                                         ("'60'", "'120'")),
    "wafv2-acl-arn": Conflict({"wafv2-acl-arn": ACL_ARN}, {"wafv2-acl-arn": ACL_ARN2}, (ACL_ARN, ACL_ARN2)),
    "wafv2-acl-name": Conflict({"wafv2-acl-name": "acl-a"}, {"wafv2-acl-name": "acl-b"}, ("'acl-a'", "'acl-b'")),
    "waf-acl-id": Conflict({"waf-acl-id": WAF_ID}, {"waf-acl-id": WAF_ID2}, (WAF_ID, WAF_ID2)),
    "web-acl-id": Conflict({"web-acl-id": WAF_ID}, {"web-acl-id": WAF_ID2}, (WAF_ID, WAF_ID2)),
    "shield-advanced-protection": Conflict({"shield-advanced-protection": "true"},
                                           {"shield-advanced-protection": "false"}, ("True", "False")),
    "ssl-redirect": Conflict({"ssl-redirect": "443"}, {"ssl-redirect": "8443"}, ("sets 443", "sets 8443"), {
        "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}, {"HTTPS": 8443}]', "certificate-arn": CERT}),
    "inbound-cidrs": Conflict({"inbound-cidrs": "10.0.0.0/8"}, {"inbound-cidrs": "192.168.0.0/16"},
                              ("10.0.0.0/8", "192.168.0.0/16")),
    "security-group-prefix-lists": Conflict({"security-group-prefix-lists": "pl-0123abcd"},
                                            {"security-group-prefix-lists": "pl-4567abcd"},
                                            ("pl-0123abcd", "pl-4567abcd")),
    "ssl-policy": Conflict({"ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
                           {"ssl-policy": "ELBSecurityPolicy-FS-1-2-Res-2020-10"},
                           ("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10"), HTTPS),
    "mutual-authentication": Conflict({"mutual-authentication": '[{"port": 443, "mode": "off"}]'},
                                      {"mutual-authentication": '[{"port": 443, "mode": "passthrough"}]'},
                                      ("mode=off", "mode=passthrough"), HTTPS),
    "minimum-load-balancer-capacity": Conflict({"minimum-load-balancer-capacity": "CapacityUnits=100"},
                                               {"minimum-load-balancer-capacity": "CapacityUnits=200"},
                                               ("'100'", "'200'")),
    "ipam-ipv4-pool-id": Conflict({"ipam-ipv4-pool-id": "ipam-pool-aaaa"}, {"ipam-ipv4-pool-id": "ipam-pool-bbbb"},
                                  ("ipam-pool-aaaa", "ipam-pool-bbbb")),
}


# -- (d) merge: the group's values combine ----------------------------------------------------------

MERGES: list[tuple[str, str, Case]] = [
    ("tags", "", Case(lambda st: (dict(lb(st).tags), dict(rule(st, "80:1").tags), dict(rule(st, "80:2").tags)),
                      ({"A": "1", "Shared": "x", "B": "2"}, {"A": "1", "Shared": "x"}, {"B": "2", "Shared": "x"}),
                      {"tags": "A=1,Shared=x"}, group=({"tags": "B=2,Shared=x"},))),
    ("tags", "conflict", Case(expect=Fails(("conflicting tag Shared", "default/a", "default/b", "'x'", "'y'")),
                              ingress={"tags": "Shared=x"}, group=({"tags": "Shared=y"},))),
    ("listen-ports", "", Case(lambda st: (ports(st), [r.id for r in st.of_type(LISTENER_RULE)]),
                              ([(80, "HTTP"), (8080, "HTTP")], ["80:1", "80:2", "8080:1"]),
                              {"listen-ports": '[{"HTTP": 80}]'},
                              group=({"listen-ports": '[{"HTTP": 80}, {"HTTP": 8080}]'},))),
    ("listen-ports", "protocol-conflict", Case(expect=Fails(("conflicting protocol on port 8080", "default/a",
                                                             "default/b", "HTTP", "HTTPS")),
                                               ingress={"listen-ports": '[{"HTTP": 8080}]'},
                                               group=({"listen-ports": '[{"HTTPS": 8080}]',
                                                       "certificate-arn": CERT},))),
    # the first certificate of the first Ingress with certificates is the default; the rest follow, deduplicated
    # among themselves only, so the default can come again as an SNI certificate (mergeListenPortConfigs)
    ("certificate-arn", "", Case(lambda st: [c.certificate_arn for c in listener(st, 443).certificates],
                                 [CERT2, CERT3, CERT, CERT2], {"listen-ports": '[{"HTTP": 80}]'},
                                 group=({"certificate-arn": f"{CERT2},{CERT3}"},
                                        {"certificate-arn": f"{CERT},{CERT2}"}))),
    ("listener-attributes.", "", Case(lambda st: listener(st, 80).listener_attributes, (
        Attribute("routing.http.response.server.enabled", "false"), Attribute("routing.http.xff_header_processing.mode",
                                                                              "remove")),
        {"listener-attributes.HTTP-80": "routing.http.response.server.enabled=false"},
        group=({"listener-attributes.HTTP-80": "routing.http.xff_header_processing.mode=remove,"
                                               "routing.http.response.server.enabled=false"},))),
    ("listener-attributes.", "conflict", Case(expect=Fails((
        "conflicting listener attributes routing.http.response.server.enabled", "default/a", "default/b", "'false'",
        "'true'")), ingress={"listener-attributes.HTTP-80": "routing.http.response.server.enabled=false"},
        group=({"listener-attributes.HTTP-80": "routing.http.response.server.enabled=true"},))),
    # exclusive in the guide's table, but the controller merges these key by key (a key's values must agree)
    ("load-balancer-attributes", "", Case(lambda st: lb(st).load_balancer_attributes, (
        Attribute("deletion_protection.enabled", "true"), Attribute("idle_timeout.timeout_seconds", "60")),
        {"load-balancer-attributes": "idle_timeout.timeout_seconds=60"},
        group=({"load-balancer-attributes": "deletion_protection.enabled=true,idle_timeout.timeout_seconds=60"},))),
    ("minimum-load-balancer-capacity", "same-value", Case(
        lambda st: lb(st).minimum_load_balancer_capacity, MinimumLoadBalancerCapacity(100),
        {"minimum-load-balancer-capacity": "CapacityUnits=100"},
        group=({}, {"minimum-load-balancer-capacity": "CapacityUnits=100"}))),
    # inbound-cidrs and prefix lists are per listener port: Ingresses on different ports don't conflict
    ("inbound-cidrs", "per-port", Case(
        sg_rules, [(80, "10.0.0.0/8", None, None), (8080, "192.168.0.0/16", None, None)],
        {"inbound-cidrs": "10.0.0.0/8"},
        group=({"inbound-cidrs": "192.168.0.0/16", "listen-ports": '[{"HTTP": 8080}]'},))),
]


# -- the tests ---------------------------------------------------------------------------------------

REGISTRY = _registry()
UNSUPPORTED = set(REGISTRY["unsupported"])
ENTRIES = {**REGISTRY["annotations"], **REGISTRY["wildcards"]}
SUPPORTED = {name for name in ENTRIES if name not in UNSUPPORTED}


def test_every_annotation_is_covered() -> None:
    assert {n for n, _, _ in VALUES} == SUPPORTED
    assert {n for n, _, _ in DEFAULTS} == SUPPORTED
    assert {n for n, _, _ in SERVICE_WINS} == {n for n in SUPPORTED if "Service" in ENTRIES[n]["locations"]}
    assert set(CONFLICTS) == {n for n in SUPPORTED if ENTRIES[n]["merge"] == "exclusive"}
    merging = {n for n in SUPPORTED if ENTRIES[n]["merge"] == "merge"}
    assert merging <= {n for n, _, _ in MERGES}


@pytest.mark.parametrize(("annotation", "case"), params(VALUES))
def test_value(annotation: str, case: Case) -> None:
    assert annotation in case.ingress or any(k.startswith(annotation) for k in case.ingress)
    check(annotation, case)


@pytest.mark.parametrize(("annotation", "case"), params(DEFAULTS))
def test_default(annotation: str, case: Case) -> None:
    def sets(a: Mapping[str, str]) -> bool:
        return any(k == annotation or (annotation.endswith(".") and k.startswith(annotation)) for k in a)

    if case.group:  # some Ingress of the group goes without it
        assert not all(sets(a) for a in (case.ingress, *case.group))
    else:
        assert not sets(case.ingress) and not sets(case.service)
    default = ENTRIES[annotation].get("default")
    if default is not None and ENTRIES[annotation]["type"] == "integer" and case.get is not None and not case.group:
        assert str(case.expect) == default  # the registry's default is the one the model applies
    check(annotation, case)


@pytest.mark.parametrize(("annotation", "case"), params(SERVICE_WINS))
def test_service_beats_ingress(annotation: str, case: Case) -> None:
    def sets(a: Mapping[str, str]) -> bool:
        return annotation in a or (annotation.endswith(".") and any(k.startswith(annotation) for k in a))

    assert sets(case.ingress) and sets(case.service)
    check(annotation, case)


@pytest.mark.parametrize("annotation", sorted(CONFLICTS))
def test_exclusive_conflict_names_both_ingresses_and_values(annotation: str) -> None:
    c = CONFLICTS[annotation]
    docs = [ingress("a", annotations={"group.name": "g", **c.base, **c.a}),
            ingress("b", annotations={"group.name": "g", **c.base, **c.b}), service()]
    messages = [str(d) for d in build(*docs).errors]
    assert len(messages) == 1, messages
    (message,) = messages
    assert "conflicting" in message
    for part in ("default/a", "default/b", *c.shown):
        assert part in message, (part, message)
    # and the same values agree
    same = [ingress("a", annotations={"group.name": "g", **c.base, **c.a}),
            ingress("b", annotations={"group.name": "g", **c.base, **c.a}), service()]
    assert not build(*same).errors


@pytest.mark.parametrize(("annotation", "case"), params(MERGES))
def test_merge(annotation: str, case: Case) -> None:
    check(annotation, case)


# -- behaviours the tables can't express -------------------------------------------------------------

def test_subnets_compare_ignoring_order_but_security_groups_in_order() -> None:
    # buildLoadBalancerSubnetMappings: cmp.Equal with IgnoreStringSliceOrder;
    # buildFrontendSGNameOrIDsFromAnnotation: plain cmp.Equal
    subnets = [ingress("a", annotations={"group.name": "g", "subnets": "subnet-0123abcd,subnet-4567abcd"}),
               ingress("b", annotations={"group.name": "g", "subnets": "subnet-4567abcd, subnet-0123abcd"}), service()]
    result = build(*subnets)
    assert not result.errors
    assert lb(result.stacks[0]).subnet_mapping == (SubnetMapping("subnet-0123abcd"), SubnetMapping("subnet-4567abcd"))
    groups = [ingress("a", annotations={"group.name": "g", "security-groups": "sg-0123abcd,sg-4567abcd"}),
              ingress("b", annotations={"group.name": "g", "security-groups": "sg-4567abcd,sg-0123abcd"}), service()]
    (message,) = [str(d) for d in build(*groups).errors]
    assert "conflicting security-groups" in message and "sg-0123abcd,sg-4567abcd" in message
    assert "sg-4567abcd,sg-0123abcd" in message


def test_manage_backend_security_group_rules_is_only_read_with_security_groups() -> None:
    # buildManageSecurityGroupRulesFlag runs only when the security-groups annotation is set
    docs = [ingress("a", annotations={"group.name": "g", "manage-backend-security-group-rules": "true"}),
            ingress("b", annotations={"group.name": "g", "manage-backend-security-group-rules": "false"}), service()]
    result = build(*docs)
    assert not result.errors, [str(d) for d in result.errors]
    assert lb(result.stacks[0]).security_groups == (MANAGED_SG, BACKEND_SG)


def test_ingress_only_annotation_on_a_service_is_ignored_with_a_warning() -> None:
    result = build(ingress(), service(annotations={"scheme": "internet-facing"}))
    assert not result.errors
    assert lb(result.stacks[0]).scheme == "internal"
    assert any("read from Ingress objects, not Service" in str(w) for w in result.warnings)


@pytest.mark.parametrize("suffix, value", [
    ("enable-frontend-nlb", "true"),
    ("frontend-nlb-scheme", "internet-facing"),
    ("frontend-nlb-subnets", "subnet-0123abcd"),
    ("frontend-nlb-listener-port-mapping", "80=443"),
    ("frontend-nlb-healthcheck-port", "traffic-port"),
    ("frontend-nlb-tags", "Team=web"),
])
def test_frontend_nlb_is_refused_as_not_supported_yet(suffix: str, value: str) -> None:
    inputs = Inputs()
    load_text(ingress(annotations={suffix: value}), "test.yaml", inputs)
    key = f"alb.ingress.kubernetes.io/{suffix}"
    (problem,) = inputs.errors
    assert "not supported yet" in str(problem) and "frontend NLB" in str(problem)
    assert problem.field == f"metadata.annotations[{key}]"
    assert not inputs.ingresses and ("Ingress", "default", "web") in inputs.invalid
