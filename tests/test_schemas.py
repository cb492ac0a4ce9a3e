"""Checks for the JSON Schemas in schemas/: validity, $ref resolution and accept/reject tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES = sorted(SCHEMAS_DIR.glob("*.json"))
ANNOTATION_TYPES = {"string", "boolean", "integer", "stringList", "stringMap", "json"}
MERGE_VALUES = {"exclusive", "merge", "none"}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


SCHEMAS = {p.name: _load(p) for p in SCHEMA_FILES}
REGISTRY: Registry = Registry().with_resources(
    (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in SCHEMAS.values()
)
ANNOTATIONS = SCHEMAS["annotations.json"]


def validator(schema: dict[str, Any] | str) -> Draft202012Validator:
    if isinstance(schema, str):
        schema = SCHEMAS[schema]
    return Draft202012Validator(schema, registry=REGISTRY)


def errors(schema: dict[str, Any] | str, instance: Any) -> list[str]:
    return [e.message for e in validator(schema).iter_errors(instance)]


# --- parsing of raw annotation strings, as albctl does before validation -----------------

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_raw(type_: str, raw: str) -> Any:
    if type_ == "string":
        return raw
    if type_ == "boolean":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ValueError(raw)
    if type_ == "integer":
        return int(raw)
    if type_ == "stringList":
        return [s.strip() for s in raw.split(",") if s.strip()]
    if type_ == "stringMap":
        out = {}
        for part in (p.strip() for p in raw.split(",")):
            if part:
                k, _, v = part.partition("=")
                out[k.strip()] = v.strip()
        return out
    if type_ == "json":
        return json.loads(raw)
    raise AssertionError(type_)


def annotation_errors(name: str, raw: str) -> list[str]:
    entry = ANNOTATIONS["annotations"].get(name) or ANNOTATIONS["wildcards"][name]
    return errors(entry["schema"], parse_raw(entry["type"], raw))


# --- structural checks --------------------------------------------------------------------


def test_schema_dir_not_empty() -> None:
    assert {"annotations.json", "ingress-v1.json", "service.json", "common.json"} <= set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_valid_draft_2020_12(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == name
    Draft202012Validator.check_schema(schema)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_refs_resolve(name: str) -> None:
    resolver = REGISTRY.resolver(base_uri=name)
    for ref in _refs(SCHEMAS[name]):
        # Refs inside $defs of the same file are relative to the file itself.
        target = urljoin(name, ref)
        assert urldefrag(target).url in SCHEMAS, f"{name}: {ref} points outside schemas/"
        resolved = resolver.lookup(ref)
        assert isinstance(resolved.contents, (dict, bool)), f"{name}: {ref}"


def test_annotation_registry_shape() -> None:
    assert ANNOTATIONS["prefix"] == "alb.ingress.kubernetes.io/"
    for section in ("annotations", "wildcards"):
        for key, entry in ANNOTATIONS[section].items():
            assert entry["type"] in ANNOTATION_TYPES, key
            assert isinstance(entry["schema"], dict), key
            assert entry["locations"] in (["Ingress"], ["Ingress", "Service"]), key
            assert entry["merge"] in MERGE_VALUES, key
            if "default" in entry:
                assert isinstance(entry["default"], str), key
                assert not annotation_errors(key, entry["default"]), key
            Draft202012Validator.check_schema(entry["schema"])
    for key in ANNOTATIONS["wildcards"]:
        assert key.endswith("."), key
    assert set(ANNOTATIONS["unsupported"]) == {"enable-frontend-nlb", "frontend-nlb-"}


GUIDE_TABLE = [
    "load-balancer-name",
    "group.name",
    "group.order",
    "tags",
    "ip-address-type",
    "scheme",
    "subnets",
    "security-groups",
    "manage-backend-security-group-rules",
    "customer-owned-ipv4-pool",
    "load-balancer-attributes",
    "wafv2-acl-arn",
    "waf-acl-id",
    "shield-advanced-protection",
    "listen-ports",
    "ssl-redirect",
    "inbound-cidrs",
    "security-group-prefix-lists",
    "certificate-arn",
    "ssl-policy",
    "target-type",
    "backend-protocol",
    "backend-protocol-version",
    "target-group-attributes",
    "healthcheck-port",
    "healthcheck-protocol",
    "healthcheck-path",
    "healthcheck-interval-seconds",
    "healthcheck-timeout-seconds",
    "healthy-threshold-count",
    "unhealthy-threshold-count",
    "success-codes",
    "auth-type",
    "auth-idp-cognito",
    "auth-idp-oidc",
    "auth-on-unauthenticated-request",
    "auth-scope",
    "auth-session-cookie",
    "auth-session-timeout",
    "jwt-validation",
    "use-regex-path-match",
    "target-node-labels",
    "mutual-authentication",
    "multi-cluster-target-group",
    "minimum-load-balancer-capacity",
    "ipam-ipv4-pool-id",
]


def test_every_guide_annotation_present() -> None:
    missing = [a for a in GUIDE_TABLE if a not in ANNOTATIONS["annotations"]]
    assert not missing
    assert set(ANNOTATIONS["wildcards"]) == {
        "actions.",
        "conditions.",
        "transforms.",
        "listener-attributes.",
        "target-control-port.",
    }


# --- annotation accept / reject tables ----------------------------------------------------

ANNOTATION_CASES: list[tuple[str, str, bool]] = [
    # listen-ports
    ("listen-ports", '[{"HTTP": 80}]', True),
    ("listen-ports", '[{"HTTP": 80}, {"HTTPS": 443}]', True),
    ("listen-ports", '[{"HTTPS": 8443}, {"HTTP": 8080}]', True),
    ("listen-ports", "[]", False),
    ("listen-ports", '[{"http": 80}]', False),
    ("listen-ports", '[{"HTTP": "80"}]', False),
    ("listen-ports", '[{"HTTP": 0}]', False),
    ("listen-ports", '[{"HTTPS": 70000}]', False),
    ("listen-ports", '{"HTTP": 80}', False),
    ("listen-ports", '[{"HTTP": 80, "HTTPS": 443}]', True),  # the controller takes every key of every object
    ("listen-ports", '[{"HTTP": 80, "HTTPS": 443}, {"HTTP": 8080}]', True),
    ("listen-ports", '[{"HTTP": 80, "HTTPX": 443}]', False),
    # subnets
    ("subnets", "subnet-0a1b2c3d", True),
    ("subnets", "subnet-07f5bb81f661df61b, subnet-0a1b2c3d4e5f60718", True),
    ("subnets", "my-public-subnet-a,my public subnet b", True),
    ("subnets", "subnet-07f5bb81f661df61b 두 개", False),
    ("subnets", "subnet-xyz", False),
    ("subnets", "subnet-0a1b2c3d4", False),
    ("subnets", "", False),
    # security groups / prefix lists / cidrs / certs
    ("security-groups", "sg-0123456789abcdef0, my-sg", True),
    ("security-groups", "sg-12345", False),
    ("security-group-prefix-lists", "pl-00000000, pl-1111111", True),
    ("security-group-prefix-lists", "pl-xyz", False),
    ("inbound-cidrs", "10.0.0.0/8, 192.168.1.0/24, ::/0, 2001:db8::/32", True),
    ("inbound-cidrs", "10.0.0.0", False),
    ("inbound-cidrs", "300.0.0.0/8", False),
    ("inbound-cidrs", "2001:db8::/129", False),
    ("certificate-arn", "arn:aws:acm:us-west-2:123456789012:certificate/abc-123", True),
    ("certificate-arn", "arn:aws:iam::123456789012:server-certificate/my-cert", True),
    ("certificate-arn", "arn:aws:s3:::bucket", False),
    # scheme and other enums
    ("scheme", "internet-facing", True),
    ("scheme", "internal", True),
    ("scheme", "Internet-Facing", False),
    ("scheme", "public", False),
    ("scheme", "", False),
    ("ip-address-type", "dualstack-without-public-ipv4", True),
    ("ip-address-type", "ipv6", False),
    ("target-type", "ip", True),
    ("target-type", "pod", False),
    ("backend-protocol-version", "GRPC", True),
    ("backend-protocol-version", "grpc", False),
    ("auth-on-unauthenticated-request", "deny", True),
    ("auth-on-unauthenticated-request", "reject", False),
    # healthcheck-port
    ("healthcheck-port", "traffic-port", True),
    ("healthcheck-port", "8080", True),
    ("healthcheck-port", "65535", True),
    ("healthcheck-port", "http-metrics", True),
    ("healthcheck-port", "0", False),
    ("healthcheck-port", "65536", False),
    ("healthcheck-port", "Traffic-Port", False),
    ("healthcheck-port", "a-very-long-port-name", False),
    ("healthcheck-port", "-http", False),
    # success-codes
    ("success-codes", "200", True),
    ("success-codes", "200,201", True),
    ("success-codes", "200-299", True),
    ("success-codes", "12", True),
    ("success-codes", "0-99", True),
    ("success-codes", "600", False),
    ("success-codes", "200-", False),
    ("success-codes", "200, 201", False),
    ("success-codes", "ok", False),
    # integer ranges
    ("healthcheck-interval-seconds", "5", True),
    ("healthcheck-interval-seconds", "4", False),
    ("healthcheck-timeout-seconds", "121", False),
    ("healthy-threshold-count", "11", False),
    ("group.order", "-1000", True),
    ("group.order", "1001", False),
    ("ssl-redirect", "443", True),
    ("ssl-redirect", "0", False),
    ("auth-session-timeout", "604801", False),
    # names and ARNs
    ("load-balancer-name", "my-alb-1", True),
    ("load-balancer-name", "-my-alb", False),
    ("load-balancer-name", "a" * 33, False),
    ("group.name", "my-team.awesome-group", True),
    ("group.name", "My-Group", False),
    ("group.name", "group-", False),
    ("wafv2-acl-arn", "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/x/1", True),
    ("wafv2-acl-arn", "none", True),
    ("wafv2-acl-arn", "arn:aws:waf::123:webacl/x", False),
    # maps
    ("tags", "Environment=dev,Team=test", True),
    ("tags", "=x", False),
    ("tags", "aws:reserved=x", False),
    ("load-balancer-attributes", "idle_timeout.timeout_seconds=600,routing.http2.enabled=true", True),
    ("load-balancer-attributes", "Idle Timeout=600", False),
    ("minimum-load-balancer-capacity", "CapacityUnits=1000", True),
    ("minimum-load-balancer-capacity", "capacityUnits=1000", False),
    ("listener-attributes.", "routing.http.response.server.enabled=true", True),
    # mutual authentication / jwt / auth idp
    ("mutual-authentication", '[{"port": 443, "mode": "off"}, {"port": 8443, "mode": "passthrough"}]', True),
    (
        "mutual-authentication",
        '[{"port": 443, "mode": "verify", "trustStore": "ts", "advertiseTrustStoreCaNames": "on"}]',
        True,
    ),
    ("mutual-authentication", '[{"port": 443, "mode": "verify"}]', False),
    ("mutual-authentication", '[{"port": 443, "mode": "off", "trustStore": "ts"}]', False),
    ("mutual-authentication", '[{"port": 443, "mode": "strict"}]', False),
    (
        "jwt-validation",
        '{"jwksEndpoint": "https://x/jwks", "issuer": "https://x", '
        '"additionalClaims": [{"name": "scope", "format": "space-separated-values", "values": ["read"]}]}',
        True,
    ),
    ("jwt-validation", '{"issuer": "https://x"}', False),
    (
        "jwt-validation",
        '{"jwksEndpoint": "https://x", "issuer": "i", '
        '"additionalClaims": [{"name": "a", "format": "csv", "values": ["x"]}]}',
        False,
    ),
    (
        "auth-idp-cognito",
        '{"userPoolARN": "arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_abc", '
        '"userPoolClientID": "id", "userPoolDomain": "my-domain"}',
        True,
    ),
    (
        "auth-idp-cognito",
        '{"userPoolARN": "arn:aws:cognito-idp:us-west-2:123456789012:userpool/x", "userPoolClientID": "id"}',
        False,
    ),
    (
        "auth-idp-oidc",
        '{"issuer": "https://idp", "authorizationEndpoint": "https://idp/auth", '
        '"tokenEndpoint": "https://idp/token", "userInfoEndpoint": "https://idp/userinfo", '
        '"secretName": "oidc-secret", "authenticationRequestExtraParams": {"prompt": "login"}}',
        True,
    ),
    (
        "auth-idp-oidc",
        '{"issuer": "http://idp", "authorizationEndpoint": "https://idp/auth", '
        '"tokenEndpoint": "https://idp/token", '
        '"userInfoEndpoint": "https://idp/userinfo", "secretName": "oidc-secret"}',
        False,
    ),
    # booleans and target-control-port
    ("shield-advanced-protection", "true", True),
    ("use-regex-path-match", "false", True),
    ("target-control-port.", "3000", True),
    ("target-control-port.", "0", False),
]


@pytest.mark.parametrize(("name", "raw", "ok"), ANNOTATION_CASES, ids=lambda v: str(v)[:40])
def test_annotation_values(name: str, raw: str, ok: bool) -> None:
    errs = annotation_errors(name, raw)
    assert (not errs) == ok, errs


# --- actions / conditions / transforms ----------------------------------------------------

TG_ARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-tg/73e2d6bc24d8a067"

ACTION_CASES: list[tuple[Any, bool]] = [
    (
        {
            "type": "fixed-response",
            "fixedResponseConfig": {
                "contentType": "text/plain",
                "statusCode": "503",
                "messageBody": "503 error text",
            },
        },
        True,
    ),
    (
        {
            "type": "redirect",
            "redirectConfig": {
                "host": "aws.amazon.com",
                "path": "/eks/",
                "port": "443",
                "protocol": "HTTPS",
                "query": "k=v",
                "statusCode": "HTTP_302",
            },
        },
        True,
    ),
    (
        {
            "type": "redirect",
            "redirectConfig": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        },
        True,
    ),
    (
        {
            "type": "forward",
            "targetGroupARN": TG_ARN,
        },
        True,
    ),
    ({"type": "forward", "targetGroupName": "legacy-tg"}, True),
    (
        {"type": "forward", "forwardConfig": {"targetGroups": [{"serviceName": "svc-1", "servicePort": 80}]}},
        True,
    ),
    (
        {
            "type": "forward",
            "forwardConfig": {
                "targetGroups": [
                    {"serviceName": "service-1", "servicePort": "http", "weight": 20},
                    {"serviceName": "service-2", "servicePort": 80, "weight": 20},
                    {"targetGroupName": "legacy-non-k8s-tg", "weight": 60},
                ],
                "targetGroupStickinessConfig": {"enabled": True, "durationSeconds": 200},
            },
        },
        True,
    ),
    # rejected
    ({"type": "fixed-response"}, False),
    ({"type": "fixed-response", "fixedResponseConfig": {"statusCode": 503}}, False),
    ({"type": "fixed-response", "fixedResponseConfig": {"statusCode": "302"}}, False),
    ({"type": "redirect", "redirectConfig": {"protocol": "HTTPS", "statusCode": "301"}}, False),
    ({"type": "redirect", "redirectConfig": {"protocol": "FTP", "statusCode": "HTTP_301"}}, False),
    ({"type": "forward"}, False),
    (
        {
            "type": "forward",
            "targetGroupName": "tg",
            "forwardConfig": {"targetGroups": [{"targetGroupName": "tg"}]},
        },
        False,
    ),
    (
        {
            "type": "forward",
            "forwardConfig": {
                "targetGroups": [
                    {"serviceName": "a", "servicePort": 80},
                    {"serviceName": "b", "servicePort": 80},
                ]
            },
        },
        False,
    ),
    ({"type": "forward", "forwardConfig": {"targetGroups": [{"serviceName": "a"}]}}, False),
    (
        {
            "type": "forward",
            "forwardConfig": {"targetGroups": [{"serviceName": "a", "servicePort": 80, "weight": 1000}]},
        },
        False,
    ),
    ({"type": "forward", "forwardConfig": {"targetGroups": [{"weight": 10}]}}, False),
    (
        {
            "type": "forward",
            "forwardConfig": {"targetGroups": [{"serviceName": "a", "servicePort": 80, "wieght": 1}]},
        },
        False,
    ),
    ({"type": "deny"}, False),
    ({"redirectConfig": {"statusCode": "HTTP_301"}}, False),
]


@pytest.mark.parametrize(("value", "ok"), ACTION_CASES, ids=lambda v: json.dumps(v)[:50])
def test_actions(value: Any, ok: bool) -> None:
    errs = errors("actions.json", value)
    assert (not errs) == ok, errs


CONDITION_CASES: list[tuple[Any, bool]] = [
    ([{"field": "host-header", "hostHeaderConfig": {"values": ["anno.example.com", "*.example.org"]}}], True),
    ([{"field": "path-pattern", "pathPatternConfig": {"regexValues": ["^/api/v[0-9]+/.*$"]}}], True),
    (
        [
            {
                "field": "http-header",
                "httpHeaderConfig": {"httpHeaderName": "HeaderName", "values": ["v1", "v2"]},
            },
            {"field": "http-request-method", "httpRequestMethodConfig": {"values": ["GET", "HEAD"]}},
        ],
        True,
    ),
    (
        [
            {
                "field": "query-string",
                "queryStringConfig": {"values": [{"key": "paramA", "value": "valueA1"}, {"value": "bare"}]},
            }
        ],
        True,
    ),
    ([{"field": "source-ip", "sourceIPConfig": {"values": ["192.168.0.0/16", "2001:db8::/32"]}}], True),
    # rejected
    ([{"field": "host-header"}], False),
    ([{"field": "host-header", "hostHeaderConfig": {"values": ["a.com"], "regexValues": ["a"]}}], False),
    ([{"field": "path-pattern", "pathPatternConfig": {"values": []}}], False),
    ([{"field": "http-header", "httpHeaderConfig": {"values": ["x"]}}], False),
    ([{"field": "http-request-method", "httpRequestMethodConfig": {"values": ["get"]}}], False),
    ([{"field": "query-string", "queryStringConfig": {"values": [{"key": "a"}]}}], False),
    ([{"field": "source-ip", "sourceIPConfig": {"values": ["192.168.0.1"]}}], False),
    ([{"field": "cookie", "hostHeaderConfig": {"values": ["a"]}}], False),
    ({"field": "host-header", "hostHeaderConfig": {"values": ["a.com"]}}, False),
    # The guide spells this 'sourceIpConfig'; Go matches keys case-insensitively, albctl must fold
    # key case before validating. Unfolded it is an unknown key.
    ([{"field": "source-ip", "sourceIpConfig": {"values": ["10.0.0.0/8"]}}], False),
]


@pytest.mark.parametrize(("value", "ok"), CONDITION_CASES, ids=lambda v: json.dumps(v)[:50])
def test_conditions(value: Any, ok: bool) -> None:
    errs = errors("conditions.json", value)
    assert (not errs) == ok, errs


TRANSFORM_CASES: list[tuple[Any, bool]] = [
    (
        [
            {
                "type": "url-rewrite",
                "urlRewriteConfig": {"rewrites": [{"regex": "^/api/(.+)$", "replace": "/$1"}]},
            }
        ],
        True,
    ),
    (
        [
            {
                "type": "host-header-rewrite",
                "hostHeaderRewriteConfig": {
                    "rewrites": [{"regex": "^(.+)\\.example\\.com$", "replace": "$1.example.org"}]
                },
            }
        ],
        True,
    ),
    ([], True),
    ([{"type": "url-rewrite"}], False),
    ([{"type": "url-rewrite", "urlRewriteConfig": {"rewrites": []}}], False),
    ([{"type": "path-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "a", "replace": "b"}]}}], False),
]


@pytest.mark.parametrize(("value", "ok"), TRANSFORM_CASES, ids=lambda v: json.dumps(v)[:50])
def test_transforms(value: Any, ok: bool) -> None:
    errs = errors("transforms.json", value)
    assert (not errs) == ok, errs


# --- whole Kubernetes objects -------------------------------------------------------------

INGRESS_V1_GOOD = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: echo
  namespace: default
  uid: 0d6a3c1e-0000-0000-0000-000000000000
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/shield-advanced-protection: 'true'
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'
spec:
  ingressClassName: alb
  defaultBackend:
    service:
      name: default-svc
      port:
        number: 80
  tls:
    - hosts: [echo.example.com]
      secretName: echo-tls
  rules:
    - host: echo.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: echo
                port:
                  name: http
          - path: /api/*
            pathType: ImplementationSpecific
            backend:
              service:
                name: response-503
                port:
                  name: use-annotation
    - host: "*.example.org"
      http:
        paths:
          - path: /static
            pathType: Exact
            backend:
              resource:
                apiGroup: k8s.example.com
                kind: StorageBucket
                name: static-assets
status:
  loadBalancer: {}
"""


def _mutate(doc: str, old: str, new: str) -> Any:
    assert old in doc
    return yaml.safe_load(doc.replace(old, new, 1))


def _paths_under_spec() -> Any:
    doc = yaml.safe_load(INGRESS_V1_GOOD)
    first_rule = doc["spec"]["rules"][0]
    doc["spec"]["paths"] = first_rule.pop("http")["paths"]
    return doc


INGRESS_V1_CASES: list[tuple[str, Any, bool]] = [
    ("good", yaml.safe_load(INGRESS_V1_GOOD), True),
    (
        "unquoted-bool-annotation",
        _mutate(INGRESS_V1_GOOD, "shield-advanced-protection: 'true'", "shield-advanced-protection: true"),
        False,
    ),
    (
        "unquoted-int-annotation",
        _mutate(INGRESS_V1_GOOD, "scheme: internet-facing", "ssl-redirect: 443"),
        False,
    ),
    ("paths-beside-host", _mutate(INGRESS_V1_GOOD, "      http:\n        paths:", "      paths:"), False),
    ("paths-under-spec", _paths_under_spec(), False),
    ("missing-pathType", _mutate(INGRESS_V1_GOOD, "            pathType: Prefix\n", ""), False),
    ("relative-prefix-path", _mutate(INGRESS_V1_GOOD, "path: /\n", "path: api\n"), False),
    ("port-number-and-name", _mutate(INGRESS_V1_GOOD, "number: 80", "number: 80\n        name: http"), False),
    ("port-out-of-range", _mutate(INGRESS_V1_GOOD, "number: 80", "number: 70000"), False),
    (
        "v1beta1-backend-in-v1",
        _mutate(
            INGRESS_V1_GOOD,
            "    service:\n      name: default-svc\n      port:\n        number: 80",
            "    serviceName: default-svc\n    servicePort: 80",
        ),
        False,
    ),
    ("bad-name", _mutate(INGRESS_V1_GOOD, "name: echo\n", "name: Echo_1\n"), False),
    ("bad-host", _mutate(INGRESS_V1_GOOD, "host: echo.example.com", "host: Echo.Example.com"), False),
    ("missing-metadata", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": {}}, False),
    ("wrong-apiVersion", _mutate(INGRESS_V1_GOOD, "networking.k8s.io/v1", "extensions/v1beta1"), False),
]


@pytest.mark.parametrize(("case", "doc", "ok"), INGRESS_V1_CASES, ids=[c[0] for c in INGRESS_V1_CASES])
def test_ingress_v1(case: str, doc: Any, ok: bool) -> None:
    errs = errors("ingress-v1.json", doc)
    assert (not errs) == ok, errs


def test_ingress_v1_bool_annotation_message_names_the_key() -> None:
    doc = INGRESS_V1_CASES[1][1]
    (err,) = list(validator("ingress-v1.json").iter_errors(doc))
    assert list(err.absolute_path)[-1] == "alb.ingress.kubernetes.io/shield-advanced-protection"
    assert "is not of type 'string'" in err.message


INGRESS_V1BETA1_GOOD = """
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: legacy
  annotations:
    kubernetes.io/ingress.class: alb
spec:
  backend:
    serviceName: default-svc
    servicePort: 80
  rules:
    - host: legacy.example.com
      http:
        paths:
          - path: /*
            backend:
              serviceName: legacy
              servicePort: http
          - path: /exact
            pathType: Exact
            backend:
              serviceName: legacy
              servicePort: 8080
"""

INGRESS_V1BETA1_CASES: list[tuple[str, Any, bool]] = [
    ("good", yaml.safe_load(INGRESS_V1BETA1_GOOD), True),
    (
        "networking-v1beta1",
        _mutate(INGRESS_V1BETA1_GOOD, "extensions/v1beta1", "networking.k8s.io/v1beta1"),
        True,
    ),
    (
        "no-paths-pathType",
        yaml.safe_load(INGRESS_V1BETA1_GOOD.replace("            pathType: Exact\n", "")),
        True,
    ),
    ("missing-servicePort", _mutate(INGRESS_V1BETA1_GOOD, "    servicePort: 80\n", ""), False),
    (
        "v1-backend-shape",
        _mutate(
            INGRESS_V1BETA1_GOOD,
            "    serviceName: default-svc\n    servicePort: 80",
            "    service:\n      name: default-svc\n      port:\n        number: 80",
        ),
        False,
    ),
    (
        "paths-beside-host",
        _mutate(INGRESS_V1BETA1_GOOD, "      http:\n        paths:", "      paths:"),
        False,
    ),
    ("relative-exact-path", _mutate(INGRESS_V1BETA1_GOOD, "path: /exact", "path: exact"), False),
    ("v1-apiVersion", _mutate(INGRESS_V1BETA1_GOOD, "extensions/v1beta1", "networking.k8s.io/v1"), False),
]


@pytest.mark.parametrize(
    ("case", "doc", "ok"), INGRESS_V1BETA1_CASES, ids=[c[0] for c in INGRESS_V1BETA1_CASES]
)
def test_ingress_v1beta1(case: str, doc: Any, ok: bool) -> None:
    errs = errors("ingress-v1beta1.json", doc)
    assert (not errs) == ok, errs


SERVICE_GOOD = """
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: default
  annotations:
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
spec:
  type: NodePort
  selector:
    app: echo
  ipFamilies: [IPv4]
  clusterIP: 10.100.0.10
  ports:
    - name: http
      port: 80
      targetPort: http-web
      protocol: TCP
      nodePort: 30080
    - port: 8443
      targetPort: 8443
"""

SERVICE_CASES: list[tuple[str, Any, bool]] = [
    ("good", yaml.safe_load(SERVICE_GOOD), True),
    ("minimal", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}, True),
    (
        "loadbalancer-dualstack",
        _mutate(
            SERVICE_GOOD,
            "type: NodePort\n  selector:",
            "type: LoadBalancer\n  ipFamilyPolicy: RequireDualStack\n  selector:",
        ),
        True,
    ),
    ("missing-port", _mutate(SERVICE_GOOD, "    - port: 8443\n", "    - name: https\n"), False),
    ("port-out-of-range", _mutate(SERVICE_GOOD, "port: 8443", "port: 0"), False),
    ("bad-protocol", _mutate(SERVICE_GOOD, "protocol: TCP", "protocol: HTTP"), False),
    ("bad-type", _mutate(SERVICE_GOOD, "type: NodePort", "type: Nodeport"), False),
    ("bad-ipFamily", _mutate(SERVICE_GOOD, "[IPv4]", "[ipv4]"), False),
    ("name-starts-with-digit", _mutate(SERVICE_GOOD, "name: echo\n", "name: 1echo\n"), False),
    (
        "misindented-port-field",
        _mutate(SERVICE_GOOD, "      nodePort: 30080", "      nodeport: 30080"),
        False,
    ),
    (
        "numeric-annotation",
        _mutate(SERVICE_GOOD, "healthcheck-path: /healthz", "healthcheck-interval-seconds: 10"),
        False,
    ),
]


@pytest.mark.parametrize(("case", "doc", "ok"), SERVICE_CASES, ids=[c[0] for c in SERVICE_CASES])
def test_service(case: str, doc: Any, ok: bool) -> None:
    errs = errors("service.json", doc)
    assert (not errs) == ok, errs


OTHER_OBJECT_CASES: list[tuple[str, Any, bool]] = [
    (
        "ingressclass.json",
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": "alb"},
            "spec": {
                "controller": "ingress.k8s.aws/alb",
                "parameters": {
                    "apiGroup": "elbv2.k8s.aws",
                    "kind": "IngressClassParams",
                    "name": "alb-params",
                },
            },
        },
        True,
    ),
    (
        "ingressclass.json",
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": "alb"},
            "spec": {
                "controller": "ingress.k8s.aws/alb",
                "parameters": {"kind": "IngressClassParams", "name": "p", "scope": "Namespace"},
            },
        },
        False,
    ),
    (
        "ingressclassparams.json",
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "IngressClassParams",
            "metadata": {"name": "alb-params"},
            "spec": {
                "scheme": "internet-facing",
                "group": {"name": "shared"},
                "namespaceSelector": {"matchLabels": {"team": "a"}},
                "subnets": {"tags": {"kubernetes.io/role/elb": ["1"]}},
                "tags": [{"key": "env", "value": "dev"}],
                "listeners": [
                    {
                        "protocol": "HTTPS",
                        "port": 443,
                        "listenerAttributes": [
                            {"key": "routing.http.response.server.enabled", "value": "false"}
                        ],
                    }
                ],
                "minimumLoadBalancerCapacity": {"capacityUnits": 100},
                "ipamConfiguration": {"ipv4IPAMPoolId": "ipam-pool-0f995c17c00375b48"},
                "prefixListsIDs": ["pl-00000000"],
                "sslRedirectPort": "443",
                "targetType": "ip",
                "ipAddressType": "dualstack",
            },
        },
        True,
    ),
    (
        "ingressclassparams.json",
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "IngressClassParams",
            "metadata": {"name": "p"},
            "spec": {"subnets": {"ids": ["subnet-1a"], "tags": {"a": ["b"]}}},
        },
        False,
    ),
    (
        "ingressclassparams.json",
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "IngressClassParams",
            "metadata": {"name": "p"},
            "spec": {"securityGroups": ["sg-12345678"]},
        },
        False,
    ),
    (
        "ingressclassparams.json",
        {
            "apiVersion": "elbv2.k8s.aws/v1beta1",
            "kind": "IngressClassParams",
            "metadata": {"name": "p"},
            "spec": {"prefixListsIDs": ["pl-1"], "PrefixListsIDs": ["pl-2"]},
        },
        False,
    ),
    (
        "secret.json",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "oidc", "namespace": "default"},
            "type": "Opaque",
            "data": {"clientID": "aWQ=", "clientSecret": "c2VjcmV0"},
        },
        True,
    ),
    (
        "secret.json",
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "oidc"}, "stringData": {"clientID": 123}},
        False,
    ),
]


@pytest.mark.parametrize(
    ("schema", "doc", "ok"), OTHER_OBJECT_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(OTHER_OBJECT_CASES)]
)
def test_other_objects(schema: str, doc: Any, ok: bool) -> None:
    errs = errors(schema, doc)
    assert (not errs) == ok, errs
