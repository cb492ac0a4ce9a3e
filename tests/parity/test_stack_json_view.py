"""``albctl.views.stack_json`` beyond what the ported controller cases cover: Go's encoding (compact,
HTML-safe escaping, struct key order), the fields only some inputs have, and the CLI wiring."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import typer

from albctl.cli.env import Env as CliEnv
from albctl.cli.main import app
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SHIELD_PROTECTION,
    WAFV2_WEB_ACL_ASSOCIATION,
    Action,
    Attribute,
    AuthenticateOidcConfig,
    Certificate,
    FixedResponseConfig,
    ListenerRuleSpec,
    ListenerSpec,
    LoadBalancerSpec,
    MutualAuthentication,
    Placeholder,
    Ref,
    Resource,
    RewriteConfig,
    RewriteConfigObject,
    RuleCondition,
    ShieldProtectionSpec,
    Stack,
    SubnetMapping,
    Transform,
    WebACLAssociationSpec,
)
from albctl.views.stack_json import go_json, stack_json, stack_object
from tests.parity.harness import Env, build, case_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
LB_ARN = Ref(LOAD_BALANCER, "LoadBalancer", "loadBalancerARN")
LISTENER_ARN = Ref(LISTENER, "443", "listenerARN")


def run(args: list[str], environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = CliEnv(stdout=out, stderr=err, stdin=io.StringIO(), environ=environ or {})
    code = typer.main.get_command(app).main(args=args, standalone_mode=False, obj=env)
    return code, out.getvalue(), err.getvalue()


def test_target_group_in_go_struct_order() -> None:
    # TargetGroupSpec / TargetGroupHealthCheckConfig field order, IntOrString health check port
    result = build(case_text("vanilla-internal"), Env())
    text = stack_json(result.stacks)
    assert ('"ns-1/ing-1-svc-3:https":{"spec":{"name":"k8s-ns1-svc3-bf42870fba","targetType":"ip","port":8443,'
            '"protocol":"HTTPS","protocolVersion":"HTTP1","ipAddressType":"ipv4","healthCheckConfig":{"port":9090,'
            '"protocol":"HTTPS","path":"/health-check","matcher":{"httpCode":"200-300"},"intervalSeconds":20,'
            '"timeoutSeconds":10,"healthyThresholdCount":7,"unhealthyThresholdCount":5}}}') in text
    assert text.startswith('{"stacks":[{"id":"ns-1/ing-1","resources":{"AWS::EC2::SecurityGroup":')
    assert text.endswith("]}\n") and text.count("\n") == 1


def test_go_escaping() -> None:
    assert go_json({"a": "<x> & y\u2028é"}) == '{"a":"\\u003cx\\u003e \\u0026 y\\u2028é"}'


def stack_of(*resources: Resource) -> Stack:
    return Stack("group", ("ns/ing",), resources)


def test_listener_fields_and_certificates() -> None:
    listener = ListenerSpec(
        load_balancer_arn=LB_ARN, port=443, protocol="HTTPS",
        default_actions=(Action("fixed-response", fixed_response_config=FixedResponseConfig("404", "text/plain")),),
        certificates=(Certificate("arn:aws:acm:us-east-1:123456789012:certificate/a"),
                      Certificate(Placeholder("ACM certificate discovered for a.example.com"))),
        ssl_policy="ELBSecurityPolicy-2016-08", mutual_authentication=MutualAuthentication("off", ""),
        tags={"b": "2", "a": "1"}, listener_attributes=(Attribute("routing.http.response.server.enabled", "false"),))
    stack = stack_of(Resource(LISTENER, "443", listener))
    got = stack_object(stack)["resources"][LISTENER]["443"]["spec"]
    assert list(got) == ["loadBalancerARN", "port", "protocol", "defaultActions", "certificates", "sslPolicy",
                         "mutualAuthentication", "tags", "listenerAttributes"]
    ref = {"$ref": "#/resources///status/certificateARN"}
    assert got["certificates"] == [{"certificateARN": ref}, {"certificateARN": ref}]
    assert list(got["tags"]) == ["a", "b"]
    assert got["mutualAuthentication"] == {"mode": "off", "trustStoreArn": ""}
    assert got["listenerAttributes"] == [{"Key": "routing.http.response.server.enabled", "Value": "false"}]
    assert got["defaultActions"] == [{"type": "fixed-response",
                                      "fixedResponseConfig": {"contentType": "text/plain", "statusCode": "404"}}]
    literal = stack_object(stack, literal_certificates=True)["resources"][LISTENER]["443"]["spec"]
    assert literal["certificates"] == [{"certificateARN": "arn:aws:acm:us-east-1:123456789012:certificate/a"},
                                       {"certificateARN": "<ACM certificate discovered for a.example.com>"}]


def test_rule_with_oidc_conditions_and_transforms() -> None:
    oidc = AuthenticateOidcConfig("https://idp", "https://idp/auth", "https://idp/token", "https://idp/user",
                                  "client-id-value", "s3cr3t-value", on_unauthenticated_request="authenticate",
                                  scope="openid",
                                  session_cookie_name="AWSELBAuthSessionCookie", session_timeout=604800)
    rule = ListenerRuleSpec(
        listener_arn=LISTENER_ARN, priority=1,
        conditions=(RuleCondition("http-header", ("a",), http_header_name="X-A"),
                    RuleCondition("query-string", query_string=((None, "v"), ("k", "w"))),
                    RuleCondition("host-header", regex_values=("^a$",))),
        actions=(Action("authenticate-oidc", authenticate_oidc_config=oidc),),
        transforms=(Transform("url-rewrite", url_rewrite_config=RewriteConfigObject((RewriteConfig("^/a", "/b"),))),))
    got = stack_object(stack_of(Resource(LISTENER_RULE, "443:1", rule)))["resources"][LISTENER_RULE]["443:1"]["spec"]
    assert got["actions"] == [{"type": "authenticate-oidc", "authenticateOIDCConfig": {
        "onUnauthenticatedRequest": "authenticate", "scope": "openid", "sessionCookieName": "AWSELBAuthSessionCookie",
        "sessionTimeout": 604800, "issuer": "https://idp", "authorizationEndpoint": "https://idp/auth",
        "tokenEndpoint": "https://idp/token", "userInfoEndpoint": "https://idp/user", "clientID": "[REDACTED]",
        "clientSecret": "[REDACTED]"}}]
    assert list(got["actions"][0]["authenticateOIDCConfig"]) == [
        "onUnauthenticatedRequest", "scope", "sessionCookieName", "sessionTimeout", "issuer", "authorizationEndpoint",
        "tokenEndpoint", "userInfoEndpoint", "clientID", "clientSecret"]
    assert got["conditions"] == [
        {"field": "http-header", "httpHeaderConfig": {"httpHeaderName": "X-A", "values": ["a"]}},
        {"field": "query-string", "queryStringConfig": {"values": [{"value": "v"}, {"key": "k", "value": "w"}]}},
        {"field": "host-header", "hostHeaderConfig": {"regexValues": ["^a$"]}}]
    assert got["transforms"] == [{"type": "url-rewrite", "urlRewriteConfig": {
        "rewrites": [{"regex": "^/a", "replace": "/b"}]}}]
    text = stack_json([stack_of(Resource(LISTENER_RULE, "443:1", rule))])
    assert "s3cr3t-value" not in text and "client-id-value" not in text


def test_load_balancer_and_addons() -> None:
    lb = LoadBalancerSpec(name="lb", type="application", scheme="internal", ip_address_type="ipv4",
                          subnet_mapping=(SubnetMapping(Placeholder("subnets discovered by tag x")),),
                          security_groups=("sg-1",))
    stack = stack_of(Resource(LOAD_BALANCER, "LoadBalancer", lb),
                     Resource(WAFV2_WEB_ACL_ASSOCIATION, "LoadBalancer", WebACLAssociationSpec("arn:acl", LB_ARN)),
                     Resource(SHIELD_PROTECTION, "LoadBalancer", ShieldProtectionSpec(False, LB_ARN)))
    got: dict[str, Any] = stack_object(stack)
    assert list(got["resources"]) == [LOAD_BALANCER, SHIELD_PROTECTION, WAFV2_WEB_ACL_ASSOCIATION,
                                      "FrontendNLBTargetGroup"]
    assert got["resources"][LOAD_BALANCER]["LoadBalancer"] == {"spec": {
        "name": "lb", "type": "application", "scheme": "internal", "ipAddressType": "ipv4",
        "subnetMapping": [{"subnetID": "<subnets discovered by tag x>"}], "securityGroups": ["sg-1"]}}
    assert got["resources"][SHIELD_PROTECTION]["LoadBalancer"] == {"spec": {"enabled": False, "resourceARN": {
        "$ref": "#/resources/AWS::ElasticLoadBalancingV2::LoadBalancer/LoadBalancer/status/loadBalancerARN"}}}
    assert got["resources"]["FrontendNLBTargetGroup"] == {"FrontendNLBTargetGroup": {"TargetGroups": {}}}


def test_cli_offline() -> None:
    code, out, err = run(["render", str(SAMPLES / "echoserver"), "--offline", "--cluster", "c",
                          "--format", "stack-json"])
    assert code == 0, err
    assert out.count("\n") == 1 and "\\u003cVPC of the subnets\\u003e" in out
    (stack,) = json.loads(out)["stacks"]
    assert set(stack) == {"id", "resources"}
    binding = next(iter(stack["resources"]["K8S::ElasticLoadBalancingV2::TargetGroupBinding"].values()))
    assert binding["spec"]["template"]["spec"]["vpcID"] == "<VPC of the subnets>"


def test_cli_online(seeded: dict[str, Any], moto_server: str) -> None:
    code, out, err = run(["render", str(SAMPLES / "echoserver"), "--cluster", "sandbox", "--endpoint-url",
                          moto_server, "--format", "stack-json"], CREDS)
    assert code == 0, err
    (stack,) = json.loads(out)["stacks"]
    lb = stack["resources"]["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"]
    assert {m["subnetID"] for m in lb["subnetMapping"]} == set(seeded["public_subnet_ids"])
    assert "\\u003c" not in out.split('"securityGroups"')[0]  # no placeholder in the subnets
