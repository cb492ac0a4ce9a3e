"""Parity with ``Test_defaultModelBuilder_Build`` (``pkg/ingress/model_builder_test.go``): the stack
JSON the controller's marshaller prints for the same inputs, field for field. See README.md."""

from __future__ import annotations

import pytest

from tests.parity.harness import INTERNET_FACING_SUBNETS, Env, case_text, diff, errors, expected, stacks_json

STACK_CASES: dict[str, Env] = {
    "vanilla-internal": Env(),
    "backend-sg-disabled": Env(enable_backend_sg=False),
    "vanilla-internet-facing": Env(subnets=INTERNET_FACING_SUBNETS),
    "same-service-port-name-and-number": Env(),
    "inbound-cidrs-in-params": Env(),
    "ssl-policy-in-params": Env(),
    "certificate-arn-in-params": Env(),
    "target-type-in-params": Env(),
    "no-subnet-auto-discovery-internal": Env(
        live_load_balancers={"ns-1/ing-1": ("internal", ("subnet-e", "subnet-f"))}),
    "sg-annotation": Env(backend_sg="sg-backend", security_groups={"manual": "sg-manual"}),
    "ipv6-service": Env(),
    "ip-target-named-target-port": Env(),
    "default-ip-target-named-target-port": Env(default_target_type="ip"),
    "default-ipv4-cidr": Env(),
    "default-dualstack-cidr": Env(),
    "prefix-lists-in-params": Env(),
    "prefix-lists-in-params-legacy": Env(),
    "prefix-list-annotation": Env(),
    "mixed-cidr-and-prefix-list": Env(),
    "default-scheme-internet-facing": Env(default_scheme="internet-facing", subnets=INTERNET_FACING_SUBNETS),
    "acm-same-cert-default-and-sni": Env(subnets=INTERNET_FACING_SUBNETS),
    "acm-internet-facing": Env(subnets=INTERNET_FACING_SUBNETS),
    "wafv2-acl-arn-in-params": Env(),
}

# case → (env, words the error must contain: the controller's reason)
ERROR_CASES: dict[str, tuple[Env, tuple[str, ...]]] = {
    "sg-annotation-manage-rules-backend-sg-disabled": (
        Env(enable_backend_sg=False, backend_sg="sg-backend", security_groups={"manual": "sg-manual"}),
        ("backendSG feature is required to manage worker node SG rules when frontendSG manually specified",)),
    "ipv6-service-not-dualstack": (Env(), ("IPv6", "dualstack")),
}


@pytest.mark.parametrize("slug", sorted(STACK_CASES))
def test_stack_matches_controller(slug: str) -> None:
    got = stacks_json(case_text(slug), STACK_CASES[slug])
    assert len(got) == 1
    want = expected(slug)
    assert got[0] == want, "\n".join(diff(want, got[0]))


@pytest.mark.parametrize("slug", sorted(ERROR_CASES))
def test_error_matches_controller(slug: str) -> None:
    env, words = ERROR_CASES[slug]
    found = errors(case_text(slug), env)
    assert found, "albctl built the stack; the controller reports an error"
    assert any(all(w in e for w in words) for e in found), found


def test_ip_target_type_with_the_feature_gate_off_is_an_error() -> None:
    # "target type IP with enableIPTargetType set to false":
    # the controller: "unsupported targetType: ip when EnableIPTargetType is false"
    env = Env(feature_gates={"EnableIPTargetType": False})
    found = errors(case_text("ip-target-named-target-port"), env)
    assert any("unsupported targetType: ip when EnableIPTargetType is false" in e for e in found), found
