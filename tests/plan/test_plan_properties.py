"""Property: for generated manifests that reach the model, planning raises nothing but AlbctlError, and
applying the plan (real executor, recording fake of the clients) converges: the next plan is empty."""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albctl import pipeline
from albctl.apply.executor import Executor
from albctl.elbv2.snapshot import LiveState
from albctl.errors import AlbctlError
from albctl.model.serialize import stack_data
from albctl.plan.model import Plan
from albctl.plan.planner import DesiredStack, plan_stacks
from albctl.settings import Settings
from albctl.usecases import instance_targets
from tests.plan.fake_aws import FakeAws
from tests.plan.test_planner import FACTS, NODES
from tests.test_properties import INGRESS_CLASS, plausible_stacks

SETTINGS = Settings(cluster_name="prop")
PROFILE = settings(max_examples=int(os.environ.get("ALBCTL_PROPERTY_EXAMPLES", "40")), deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


def plan(text: str, live: LiveState, *, valid: bool = False) -> Plan | None:
    result = pipeline.build(pipeline.read(["-"], SETTINGS, stdin_text=text), SETTINGS, FACTS)
    if result.errors:
        assert not valid, [str(d) for d in result.errors]
        return None
    targets = instance_targets(result.stacks, NODES)
    wanted = [DesiredStack(s.id, stack_data(s)["resources"], targets.get(s.id, {})) for s in result.stacks]
    return Plan("prop", "us-east-1", tuple(plan_stacks(wanted, live, "prop", vpc_id="vpc-1")))


@PROFILE
@given(plausible_stacks())
def test_generated_manifests_plan_and_converge(docs: list) -> None:
    text = yaml.safe_dump_all(docs, sort_keys=False)
    fake = FakeAws()
    try:
        first = plan(text, fake.snapshot("prop", NODES))
        if first is None:
            return
        Executor(fake, secrets={}).run([op for op in first.operations])
    except AlbctlError:
        return  # a clear, typed refusal (e.g. an OIDC secret that is not given) is fine
    again = plan(text, fake.snapshot("prop", NODES))
    assert again is not None and not again.operations, [(op.step, op.type, op.id) for op in again.operations]


VALID_ANNOTATIONS = {
    "scheme": ["internal", "internet-facing"],
    "target-type": ["instance", "ip"],
    "healthcheck-path": ["/", "/healthz"],
    "listen-ports": ['[{"HTTP": 80}]', '[{"HTTP": 8080}]', '[{"HTTP": 80}, {"HTTP": 8080}]'],
    "load-balancer-attributes": ["idle_timeout.timeout_seconds=120", "routing.http2.enabled=false"],
    "target-group-attributes": ["deregistration_delay.timeout_seconds=30"],
    "inbound-cidrs": ["10.0.0.0/8", "10.0.0.0/8,192.168.0.0/16"],
    "tags": ["team=a", "team=b,env=dev"],
    "actions.fixed": ['{"type":"fixed-response",'
                      '"fixedResponseConfig":{"contentType":"text/plain","statusCode":"503"}}'],
    "conditions.svc-a": ['[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-A","values":["1"]}}]',
                         '[{"field":"source-ip","sourceIpConfig":{"values":["10.0.0.0/8"]}}]'],
}


# load balancer settings: the members of a group must agree on them, so they are drawn once per group
GROUP_WIDE = ("scheme", "listen-ports", "inbound-cidrs", "load-balancer-attributes", "tags")


@st.composite
def ingress_states(draw: st.DrawFn) -> str:
    """An IngressGroup of one or two valid Ingresses over three Services: paths, hosts and annotations vary."""
    services = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": n, "namespace": "default"},
                 "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 80, "targetPort": 8080,
                                                         "nodePort": 30080 + i}]}}
                for i, n in enumerate(("svc-a", "svc-b", "svc-c"))]
    backends = ["svc-a", "svc-b", "svc-c", "fixed"]
    docs = [INGRESS_CLASS, *services]
    group_annotations = {f"alb.ingress.kubernetes.io/{k}": draw(st.sampled_from(v))
                         for k, v in VALID_ANNOTATIONS.items() if k in GROUP_WIDE and draw(st.booleans())}
    for name in draw(st.lists(st.sampled_from(["one", "two"]), min_size=1, max_size=2, unique=True)):
        ann = {f"alb.ingress.kubernetes.io/{k}": draw(st.sampled_from(v)) for k, v in VALID_ANNOTATIONS.items()
               if k not in GROUP_WIDE and draw(st.booleans())}
        ann.update(group_annotations)
        ann["alb.ingress.kubernetes.io/group.name"] = "shop"
        paths = draw(st.lists(st.tuples(st.sampled_from(["/", "/a", "/b", "/a/*", "/c"]), st.sampled_from(backends)),
                              min_size=1, max_size=4, unique_by=lambda p: p[0]))
        rule: dict = {"http": {"paths": [
            {"path": p, "pathType": "ImplementationSpecific" if "*" in p else "Prefix",
             "backend": {"service": {"name": b, "port": {"name": "use-annotation"} if b == "fixed"
                                     else {"number": 80}}}} for p, b in paths]}}
        host = draw(st.sampled_from([None, "a.example.com", "b.example.com"]))
        if host:
            rule["host"] = host
        docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                     "metadata": {"name": name, "namespace": "default", "annotations": ann},
                     "spec": {"ingressClassName": "alb", "rules": [rule]}})
    return yaml.safe_dump_all(docs, sort_keys=False)


@PROFILE
@given(ingress_states(), ingress_states())
def test_any_change_between_two_states_plans_applies_and_converges(first: str, second: str) -> None:
    """Apply one generated state, then another: every plan applies through the executor on the fake (moves,
    replacements, deletes...), and each state, once applied, plans to nothing."""
    fake = FakeAws()
    for text in (first, second):
        planned = plan(text, fake.snapshot("prop", NODES), valid=True)
        assert planned is not None
        Executor(fake).run(planned.operations)
        again = plan(text, fake.snapshot("prop", NODES))
        assert again is not None and not again.operations, [(op.step.value, op.type, op.id, op.detail)
                                                            for op in again.operations]
