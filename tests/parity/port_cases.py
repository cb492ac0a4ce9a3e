"""Regenerate ``cases/<slug>/{inputs.yaml,expected.json}`` from the controller's
``pkg/ingress/model_builder_test.go`` (not a test; run by hand when porting more cases)::

    python -m tests.parity.port_cases /path/to/aws-load-balancer-controller

``expected.json`` is the test's ``baseStackJSON`` with the case's ``wantStackPatch`` applied as a JSON
merge patch (RFC 7386, as ``jsonpatch.MergePatch`` in the Go test). ``inputs.yaml`` is the case's Go
objects written as manifests (see README.md for the translation rules).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"
TEST_FILE = "pkg/ingress/model_builder_test.go"

# -- the Go test ------------------------------------------------------------------------------------


def go_cases(source: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    """(base stack, {case name: {"patch", "err"}}) of ``Test_defaultModelBuilder_Build``."""
    found = re.search(r"const baseStackJSON = `(.*?)`", source, re.S)
    assert found, "baseStackJSON not found"
    base = json.loads(found.group(1))
    start = source.index("func Test_defaultModelBuilder_Build")
    body = source[start:source.index("for _, tt := range tests", start)]
    cases: dict[str, dict[str, Any]] = {}
    for m in re.finditer(r'\n\t\t\{\n\t\t\tname: +"([^"]+)",(.*?)(?=\n\t\t\{\n\t\t\tname: |\Z)', body, re.S):
        text = m.group(2)
        raw = re.search(r"wantStackPatch: *`(.*?)`", text, re.S) or re.search(r'wantStackPatch: *"(.*?)"', text)
        err = re.search(r'wantErr: *"(.*?)",', text)
        cases[m.group(1)] = {"patch": json.loads(raw.group(1)) if raw else None, "err": err.group(1) if err else None}
    return base, cases


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# -- the Go objects as manifests ----------------------------------------------------------------------

HEALTH_CHECK_2 = {
    "target-type": "instance", "backend-protocol": "HTTP", "healthcheck-protocol": "HTTP",
    "healthcheck-port": "traffic-port", "healthcheck-path": "/", "healthcheck-interval-seconds": "15",
    "healthcheck-timeout-seconds": "5", "healthy-threshold-count": "2", "unhealthy-threshold-count": "2",
    "success-codes": "200"}
HEALTH_CHECK_3 = {
    "target-type": "ip", "backend-protocol": "HTTPS", "healthcheck-protocol": "HTTPS",
    "healthcheck-port": "9090", "healthcheck-path": "/health-check", "healthcheck-interval-seconds": "20",
    "healthcheck-timeout-seconds": "10", "healthy-threshold-count": "7", "unhealthy-threshold-count": "5",
    "success-codes": "200-300"}
# the Go test's Services (no UID, no type; nodePort 32768): name → ports (name, port, targetPort, nodePort), ...
SERVICES: dict[str, dict[str, Any]] = {
    "svc-1": {"ports": [("http", 80, 8080, 32768)]},
    "svc-2": {"ports": [("http", 80, 8080, 32768)], "annotations": HEALTH_CHECK_2},
    "svc-3": {"ports": [("https", 443, 8443, 32768)], "annotations": HEALTH_CHECK_3},
    "svc-ipv6": {"ports": [("https", 443, 8443, 32768)], "families": ["IPv6"]},
    "svc-named-targetport": {"ports": [("https", 443, "target-port", 32768)]},
}
Rules = list[tuple[str | None, list[tuple[str, str, str | int]]]]
STD_RULES: Rules = [("app-1.example.com", [("/svc-1", "svc-1", "http"), ("/svc-2", "svc-2", "http")]),
                    ("app-2.example.com", [("/svc-3", "svc-3", "https")])]
STD_SERVICES = ["svc-1", "svc-2", "svc-3"]
PARAMS_CLASS = "alb-params"


def service_yaml(name: str) -> str:
    svc = SERVICES[name]
    out = ["apiVersion: v1", "kind: Service", "metadata:", f"  name: {name}", "  namespace: ns-1"]
    if svc.get("annotations"):
        out.append("  annotations:")
        out += [f"    alb.ingress.kubernetes.io/{k}: {json.dumps(v)}" for k, v in svc["annotations"].items()]
    out += ["spec:", "  type: NodePort"]
    if svc.get("families"):
        out.append("  ipFamilies: [" + ", ".join(svc["families"]) + "]")
    out.append("  ports:")
    for port_name, port, target_port, node_port in svc["ports"]:
        out += [f"    - name: {port_name}", f"      port: {port}", f"      targetPort: {target_port}",
                f"      nodePort: {node_port}"]
    return "\n".join(out)


def ingress_yaml(annotations: dict[str, str] | None, rules: Rules, ingress_class: str) -> str:
    out = ["apiVersion: networking.k8s.io/v1", "kind: Ingress", "metadata:", "  name: ing-1", "  namespace: ns-1"]
    if annotations:
        out.append("  annotations:")
        out += [f"    alb.ingress.kubernetes.io/{k}: {json.dumps(v)}" for k, v in annotations.items()]
    out += ["spec:", f"  ingressClassName: {ingress_class}", "  rules:"]
    for host, paths in rules:
        out += [f"    - host: {host}", "      http:"] if host else ["    - http:"]
        out.append("        paths:")
        for path, svc, port in paths:
            key = "number" if isinstance(port, int) else "name"
            out += [f"          - path: {path}", "            pathType: ImplementationSpecific",
                    f"            backend: {{service: {{name: {svc}, port: {{{key}: {port}}}}}}}"]
    return "\n".join(out)


def params_yaml(spec: dict[str, Any]) -> str:
    return "\n".join([
        "apiVersion: networking.k8s.io/v1", "kind: IngressClass", "metadata:", f"  name: {PARAMS_CLASS}", "spec:",
        "  controller: ingress.k8s.aws/alb", "  parameters:", "    apiGroup: elbv2.k8s.aws",
        "    kind: IngressClassParams", "    name: params", "---",
        "apiVersion: elbv2.k8s.aws/v1beta1", "kind: IngressClassParams", "metadata:", "  name: params",
        "spec:" + ("" if spec else " {}")] + [f"  {k}: {json.dumps(v)}" for k, v in spec.items()])


# -- the cases ----------------------------------------------------------------------------------------

CERTS_1 = ("arn:aws:acm:us-east-1:9999999:certificate/11111111,arn:aws:acm:us-east-1:9999999:certificate/33333333,"
           "arn:aws:acm:us-east-1:9999999:certificate/22222222,,arn:aws:acm:us-east-1:9999999:certificate/11111111")
CERTS_2 = ("arn:aws:acm:us-east-1:9999999:certificate/22222222,arn:aws:acm:us-east-1:9999999:certificate/33333333,"
           "arn:aws:acm:us-east-1:9999999:certificate/11111111,,arn:aws:acm:us-east-1:9999999:certificate/11111111")
MTLS_OFF = '[{"port":443,"mode":"off"}]'
SG_ANNOTATIONS = {"security-groups": "manual", "scheme": "internet-facing", "target-type": "instance"}
SVC_3_ONLY: Rules = [("app-2.example.com", [("/svc-3", "svc-3", "https")])]
IPV6_RULES: Rules = [(None, [("/", "svc-ipv6", "https")])]
NAMED_RULES: Rules = [(None, [("/", "svc-named-targetport", "https")])]
WAF_ARN = ("alb.ingress.kubernetes.io/wafv2-acl-arn: arn:aws:wafv2:us-west-2:xxxxx:regional/webacl/xxxxxxx/"
           "3ab78708-85b0-49d3-b4e1-7a9615a6613b")

# slug → (Go case name, annotations, rules, services, IngressClassParams spec or None, note)
CASES: dict[str, tuple[str, dict[str, str] | None, Rules, list[str], dict[str, Any] | None, str]] = {
    "vanilla-internal": ("Ingress - vanilla internal", None, STD_RULES, STD_SERVICES, None, ""),
    "backend-sg-disabled": ("Ingress - backend SG feature disabled", None, STD_RULES, STD_SERVICES, None,
                            "controller flag enable-backend-security-group=false"),
    "vanilla-internet-facing": ("Ingress - vanilla internet-facing", {"scheme": "internet-facing"}, STD_RULES,
                                STD_SERVICES, None, ""),
    "acm-same-cert-default-and-sni": (
        "Ingress - using acm and internet-facing case with the same acm certificate for default and sni listener",
        {"scheme": "internet-facing", "certificate-arn": CERTS_1, "mutual-authentication": MTLS_OFF},
        STD_RULES, STD_SERVICES, None, ""),
    "acm-internet-facing": (
        "Ingress - using acm and internet-facing",
        {"scheme": "internet-facing", "certificate-arn": CERTS_2, "mutual-authentication": MTLS_OFF},
        STD_RULES, STD_SERVICES, None, ""),
    "same-service-port-name-and-number": (
        "Ingress - referenced same service port with both name and port", None,
        [("app-1.example.com", [("/svc-1-name", "svc-1", "http"), ("/svc-1-port", "svc-1", 80)])],
        STD_SERVICES, None, ""),
    "inbound-cidrs-in-params": ("Ingress - inboundCIDRs in IngressClassParams", {"inbound-cidrs": "20.0.0.0/8"},
                                STD_RULES, STD_SERVICES, {"inboundCIDRs": ["10.0.0.0/8", "172.16.0.0/12"]}, ""),
    "ssl-policy-in-params": (
        "Ingress - ssl-policy in IngressClassParams",
        {"certificate-arn": "arn:aws:acm:us-east-1:9999999:certificate/11111111", "ssl-policy": "annotated-ssl-policy"},
        STD_RULES, STD_SERVICES, {"sslPolicy": "ingress-class-policy"}, ""),
    "certificate-arn-in-params": (
        "Ingress - certificate-arn in IngressClassParams",
        {"certificate-arn": "arn:aws:acm:us-east-1:9999999:certificate/annotated-certificate-arn"}, STD_RULES,
        STD_SERVICES, {"certificateArn": ["arn:aws:acm:us-east-1:9999999:certificate/ingress-class-certificate-arn"]},
        ""),
    "target-type-in-params": ("Ingress - target-type in IngressClassParams", {"target-type": "instance"}, STD_RULES,
                              STD_SERVICES, {"targetType": "ip"}, ""),
    "wafv2-acl-arn-in-params": ("Ingress - wafv2AclArn in IngressClassParams", None, STD_RULES, STD_SERVICES,
                                {"wafv2AclArn": WAF_ARN}, ""),
    "no-subnet-auto-discovery-internal": (
        "Ingress - not using subnet auto-discovery and internal", None, STD_RULES, STD_SERVICES, None,
        "the existing load balancer tagged for this stack is in subnet-e, subnet-f: the facts give those"),
    "sg-annotation": ("Ingress - with SG annotation", SG_ANNOTATIONS, SVC_3_ONLY, STD_SERVICES, None,
                      "security group Name 'manual' resolves to sg-manual (DescribeSecurityGroups mock)"),
    "sg-annotation-manage-rules-backend-sg-disabled": (
        "Ingress - with SG annotation, backend SG feature disabled, managed backend sg set to true",
        {**SG_ANNOTATIONS, "manage-backend-security-group-rules": "true"}, SVC_3_ONLY, STD_SERVICES, None,
        "security group Name 'manual' resolves to sg-manual (DescribeSecurityGroups mock)"),
    "ipv6-service": ("Ingress with IPv6 service", {"target-type": "ip", "ip-address-type": "dualstack"}, IPV6_RULES,
                     ["svc-ipv6"], None, ""),
    "ipv6-service-not-dualstack": ("Ingress with IPv6 service but not dualstack", {"target-type": "ip"}, IPV6_RULES,
                                   ["svc-ipv6"], None, ""),
    "ip-target-named-target-port": ("target type IP with named target port", {"target-type": "ip"}, NAMED_RULES,
                                    ["svc-named-targetport"], None, ""),
    "default-ip-target-named-target-port": ("default target type IP with named target port", None, NAMED_RULES,
                                            ["svc-named-targetport"], None, "controller flag default-target-type=ip"),
    "default-ipv4-cidr": ("Ingress - default IPv4 CIDR when no IP range", None, STD_RULES, STD_SERVICES, {}, ""),
    "default-dualstack-cidr": ("Ingress - default dualstack CIDR when no IP range", {"ip-address-type": "dualstack"},
                               STD_RULES, STD_SERVICES, {}, ""),
    "prefix-lists-in-params": (
        "Ingress - ingress with managed prefix list in IngressClassParam",
        {"security-group-prefix-lists": "pl-00000000"}, STD_RULES, STD_SERVICES,
        {"prefixListsIDs": ["pl-11111111", "pl-22222222"]}, ""),
    "prefix-lists-in-params-legacy": (
        "Ingress - ingress with managed prefix list in IngressClassParam - input PrefixListsIDsLegacy",
        {"security-group-prefix-lists": "pl-00000000"}, STD_RULES, STD_SERVICES,
        {"PrefixListsIDs": ["pl-11111111", "pl-22222222"]}, ""),
    "prefix-list-annotation": ("Ingress - ingress with managed prefix list",
                               {"security-group-prefix-lists": "pl-00000000"}, STD_RULES, STD_SERVICES, {}, ""),
    "mixed-cidr-and-prefix-list": (
        "Ingress - ingress mixed ip address & managed prefix list",
        {"inbound-cidrs": "20.45.16.0/26", "security-group-prefix-lists": "pl-00000000"}, STD_RULES, STD_SERVICES,
        {}, ""),
    "default-scheme-internet-facing": ("Ingress - vanilla with default-load-balancer-scheme internet-facing", None,
                                       STD_RULES, STD_SERVICES, None,
                                       "controller flag default-load-balancer-scheme=internet-facing"),
}

# Go test values albctl's validation rejects, replaced in inputs and expected output alike
ACCOUNT = (":9999999:", ":999999999999:")  # ARNs need a 12-digit account (never in expected: see README)
SUBSTITUTIONS: dict[str, list[tuple[str, str]]] = {
    "ssl-policy-in-params": [("ingress-class-policy", "ELBSecurityPolicy-ingress-class-policy"),
                             ("annotated-ssl-policy", "ELBSecurityPolicy-annotated-ssl-policy")],
    "wafv2-acl-arn-in-params": [("alb.ingress.kubernetes.io/wafv2-acl-arn: arn:aws:wafv2", "arn:aws:wafv2")],
}


def write_case(slug: str, base: Any, go: dict[str, dict[str, Any]]) -> None:
    name, annotations, rules, services, params, note = CASES[slug]
    docs = [] if params is None else [params_yaml(params)]
    docs.append(ingress_yaml(annotations, rules, "alb" if params is None else PARAMS_CLASS))
    docs += [service_yaml(s) for s in services]
    header = f"# Ported from aws-load-balancer-controller {TEST_FILE}\n# case {name!r}\n"
    if note:
        header += f"# {note}\n"
    body = "\n---\n".join(docs).replace(*ACCOUNT) + "\n"
    for old, new in SUBSTITUTIONS.get(slug, []):
        body = body.replace(old, new)
        header += f"# substituted (albctl validates it): {old!r} -> {new!r}\n"
    directory = CASES_DIR / slug
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "inputs.yaml").write_text(header + body, encoding="utf-8")
    patch = go[name]["patch"]
    if patch is not None:
        text = json.dumps(merge_patch(base, patch))
        for old, new in SUBSTITUTIONS.get(slug, []):
            text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
        (directory / "expected.json").write_text(json.dumps(json.loads(text), indent=2) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    source = (Path(argv[0]) / TEST_FILE).read_text(encoding="utf-8")
    base, go = go_cases(source)
    for slug in CASES:
        write_case(slug, base, go)


if __name__ == "__main__":
    main(sys.argv[1:])
