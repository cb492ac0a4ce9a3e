"""Parity with ``Test_defaultModelBuildTask_buildSSLRedirectConfig`` (``pkg/ingress/model_builder_test.go``).

The Go test calls ``buildSSLRedirectConfig`` with listen ports 80 (HTTP) and 443 (HTTPS) and checks the
redirect config (``SSLPort: 443, StatusCode: HTTP_301``) or the error. Here every Ingress listens on
80 and 443 (with a certificate) and we check what that config becomes in the stack: the port-80
listener's default action redirects to HTTPS:443 with 301 and the listener has no rules
(``buildListenerDefaultActions`` / ``buildListenerRules``), or albctl reports the same error.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.parity.harness import Env, errors, stacks_json
from tests.parity.inline import CERT, PARAMS_CLASS, docs, ingress, params, service

LISTEN = {"listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', "certificate-arn": CERT}
GROUP = {**LISTEN, "group.name": "awesome-group"}

REDIRECT = [{"type": "redirect", "redirectConfig": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]
ENV = Env()


def single(annotations: dict[str, str], with_params: dict[str, object] | None = None) -> str:
    parts = [ingress("ing-1", "ns-1", {**LISTEN, **annotations},
                     ingress_class=PARAMS_CLASS if with_params is not None else "alb"),
             service("svc-1", "ns-1")]
    if with_params is not None:
        parts.insert(0, params(with_params))
    return docs(*parts)


def pair(ann_1: dict[str, str], ann_2: dict[str, str], params_1: dict[str, object] | None = None) -> str:
    parts = [ingress("ing-1", "ns-1", {**GROUP, **ann_1}, ingress_class=PARAMS_CLASS if params_1 else "alb"),
             ingress("ing-2", "ns-2", {**GROUP, **ann_2}, service="svc-2"),
             service("svc-1", "ns-1"), service("svc-2", "ns-2")]
    if params_1:
        parts.insert(0, params(params_1))
    return docs(*parts)


REDIRECT_CASES: dict[str, tuple[str, bool]] = {
    "single Ingress without ssl-redirect annotation": (single({}), False),
    "single Ingress with ssl-redirect annotation": (single({"ssl-redirect": "443"}), True),
    "single Ingress with IngressClassParam for ssl-redirect": (single({}, {"sslRedirectPort": "443"}), True),
    "multiple Ingress without ssl-redirect annotation": (pair({}, {}), False),
    "multiple Ingress with one ingress have ssl-redirect annotation": (pair({"ssl-redirect": "443"}, {}), True),
    "multiple Ingress with one IngressClassParam for ssl-redirect": (pair({}, {}, {"sslRedirectPort": "443"}), True),
    "multiple Ingress with SSLRedirectPort defined by both annotation and IngressClassParams": (
        pair({}, {"ssl-redirect": "443"}, {"sslRedirectPort": "443"}), True),
    "multiple Ingress with same ssl-redirect annotation": (
        pair({"ssl-redirect": "443"}, {"ssl-redirect": "443"}), True),
}

# Go error → words albctl's error must contain (same reason, albctl's wording)
ERROR_CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    # "listener does not exist for SSLRedirect port: 8443"
    "single Ingress with ssl-redirect annotation but refer non-exists port": (
        single({"ssl-redirect": "8443"}), ("ssl-redirect", "8443", "no listener")),
    # "listener protocol non-SSL for SSLRedirect port: 80"
    "single Ingress with ssl-redirect annotation but refer non-SSL port": (
        single({"ssl-redirect": "80"}), ("ssl-redirect", "port 80", "not HTTPS")),
    # "conflicting sslRedirect port: [443 8443]"
    "multiple Ingress with conflicting ssl-redirect annotation": (
        pair({"ssl-redirect": "443"}, {"ssl-redirect": "8443"}), ("conflicting ssl-redirect", "443", "8443")),
}


def listener_80(stack: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = stack["resources"]["AWS::ElasticLoadBalancingV2::Listener"]["80"]["spec"]
    return spec


@pytest.mark.parametrize("name", sorted(REDIRECT_CASES))
def test_ssl_redirect(name: str) -> None:
    text, redirects = REDIRECT_CASES[name]
    [stack] = stacks_json(text, ENV)
    rules = stack["resources"]["AWS::ElasticLoadBalancingV2::ListenerRule"]
    if redirects:
        assert listener_80(stack)["defaultActions"] == REDIRECT
        assert not [r for r in rules if r.startswith("80:")]
    else:
        assert listener_80(stack)["defaultActions"][0]["type"] == "fixed-response"
        assert [r for r in rules if r.startswith("80:")]
    assert [r for r in rules if r.startswith("443:")]


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_ssl_redirect_error(name: str) -> None:
    text, words = ERROR_CASES[name]
    found = errors(text, ENV)
    assert any(all(w in e for w in words) for e in found), found
