"""Build stacks the way ``pkg/ingress/model_builder_test.go`` builds them: the controller settings of its
test builder, the AWS answers of its mocks as :class:`Facts`, and the stack printed by ``stack-json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from albctl import pipeline
from albctl.manifests.loader import load_text
from albctl.manifests.objects import Inputs
from albctl.model.facts import Facts
from albctl.settings import Settings
from albctl.views.stack_json import stack_json

CASES_DIR = Path(__file__).parent / "cases"

# resolveViaDiscoveryCallForInternalLB / ...ForInternetFacingLB
INTERNAL_SUBNETS = ("subnet-a", "subnet-b")
INTERNET_FACING_SUBNETS = ("subnet-c", "subnet-d")


@dataclass(frozen=True)
class Env:
    """One Go test case's environment: its builder fields (settings) and its mocks (facts)."""

    enable_backend_sg: bool = True
    backend_sg: str = "sg-auto"  # backendSGProvider.Get answers "sg-auto" unless the case says otherwise
    default_target_type: str = "instance"
    default_scheme: str = "internal"
    subnets: tuple[str, ...] = INTERNAL_SUBNETS  # what the subnet discovery mock returns, whatever the scheme
    security_groups: dict[str, str] = field(default_factory=dict)  # DescribeSecurityGroups mock
    default_tags: dict[str, str] = field(default_factory=dict)
    feature_gates: dict[str, bool] = field(default_factory=dict)
    manage_backend_sg_rules: bool = False  # the controller flag --enable-manage-backend-security-group-rules
    # ListLoadBalancers mock: stack id → (scheme, subnet ids) of the stack's live load balancer. With it
    # the discovery mock is gone (the Go case expects no ResolveViaDiscovery call): a stack that still
    # needed discovery would show a placeholder and differ from the expected stack
    live_load_balancers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def settings(self) -> Settings:
        return Settings(
            cluster_name="cluster-dummy",
            default_ssl_policy="ELBSecurityPolicy-2016-08",
            default_target_type=self.default_target_type,
            default_load_balancer_scheme=self.default_scheme,
            enable_backend_security_group=self.enable_backend_sg,
            default_tags=self.default_tags,
            feature_gates=self.feature_gates,
            enable_manage_backend_security_group_rules=self.manage_backend_sg_rules,
            vpc_id="vpc-dummy",
        )

    def facts(self) -> Facts:
        return Facts(
            offline=False,
            vpc_id="vpc-dummy",
            discovered_subnets={} if self.live_load_balancers else {"internal": self.subnets,
                                                                    "internet-facing": self.subnets},
            live_load_balancers=self.live_load_balancers,
            security_group_ids=self.security_groups,
            backend_security_group_id=self.backend_sg if self.enable_backend_sg else None,
        )


def load(text: str, name: str = "inputs.yaml") -> Inputs:
    inputs = Inputs()
    load_text(text, name, inputs)
    return inputs


def build(text: str, env: Env, name: str = "inputs.yaml") -> pipeline.Result:
    settings = env.settings()
    return pipeline.build(pipeline.from_inputs(load(text, name), settings), settings, env.facts())


def stacks_json(text: str, env: Env, name: str = "inputs.yaml") -> list[dict[str, Any]]:
    """The stacks of ``text`` as ``render --format stack-json`` prints them, parsed."""
    result = build(text, env, name)
    assert not result.errors, [str(d) for d in result.errors]
    doc = json.loads(stack_json(result.stacks))
    stacks: list[dict[str, Any]] = doc["stacks"]
    return stacks


def errors(text: str, env: Env, name: str = "inputs.yaml") -> list[str]:
    return [str(d) for d in build(text, env, name).errors]


def case_text(slug: str) -> str:
    return (CASES_DIR / slug / "inputs.yaml").read_text(encoding="utf-8")


def expected(slug: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES_DIR / slug / "expected.json").read_text(encoding="utf-8"))
    return data


def diff(want: Any, got: Any, path: str = "") -> list[str]:
    """Field paths where two JSON values differ (for readable failures)."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(want) | set(got)):
            where = f"{path}/{key}"
            if key not in got:
                out.append(f"{where}: missing (want {json.dumps(want[key])[:200]})")
            elif key not in want:
                out.append(f"{where}: unexpected {json.dumps(got[key])[:200]}")
            else:
                out += diff(want[key], got[key], where)
        return out
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in diff(w, g, f"{path}[{i}]")]
    if want != got:
        return [f"{path}: want {json.dumps(want)[:200]}, got {json.dumps(got)[:200]}"]
    return []
