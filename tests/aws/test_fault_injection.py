"""Fault injection: `apply` interrupted at any mutating AWS call converges when run again, without duplicates.

Every resource is tagged in its Create call and every apply re-reads the live state by tags, so a second
apply after a failure at ANY step must finish the job. For the ``samples/echoserver`` stack the k-th
mutating call (Create*, Modify*, Add*, ...) of a clean apply is made to fail, either

- ``before``: in ``before-call``, so the request never reaches moto (e.g. the connection could not be made), or
- ``after``: in ``after-call``, so moto has done the work but albctl never sees the answer (e.g. the connection
  was reset while reading the response),

and then apply must succeed, plan must show no changes, and moto must hold exactly one of everything.

The faults are botocore event handlers registered on the clients albctl creates (through a patched
``AwsClients._client``); the requests themselves go to a real moto server over HTTP. Handlers of
``before-call``/``after-call`` run outside botocore's retry loop, so an injected failure is never retried;
the tests check that by counting the HTTP attempts of the failed operation (``before-send``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from albctl.aws.session import AwsClients
from albctl.tags import BACKEND_SG_RESOURCE_TAG, CLUSTER_TAG, RESOURCE_TAG, STACK_TAG
from tests.aws.test_cli_aws import CREDS, run

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "echoserver"
CLUSTER = "sandbox"
MUTATING_PREFIXES = ("Create", "Modify", "Add", "Remove", "Set", "Register", "Deregister", "Authorize", "Revoke",
                     "Delete")

# The mutating calls of a clean apply of samples/echoserver on the seeded account, in order. Kept explicit so the
# fault tests can be parametrized (one test id per call); test_clean_apply_makes_these_calls keeps it honest.
CLEAN_APPLY_CALLS = (
    "CreateSecurityGroup",  # the cluster's shared backend SG
    "CreateSecurityGroup",  # the stack's managed frontend SG
    "AuthorizeSecurityGroupIngress",  # ... its port 80 rule
    "CreateTargetGroup",
    "RegisterTargets",  # instance mode: the seeded nodes
    "CreateLoadBalancer",
    "CreateListener",
    "CreateRule",
)


class InjectedConnectionError(botocore.exceptions.EndpointConnectionError):
    """A request that never reached AWS (botocore's own error, so albctl reports it as an AWS failure)."""


class InjectedResponseLost(botocore.exceptions.ConnectionClosedError):
    """A request AWS carried out whose response was lost."""


class Faults:
    """Event handlers for the clients albctl creates: record mutating calls; fail the ``fail_at``-th one."""

    def __init__(self, fail_at: int | None = None, mode: str = "before") -> None:
        self.fail_at = fail_at
        self.mode = mode
        self.calls: list[str] = []  # mutating operations, in the order albctl made them
        self.sends: dict[int, int] = {}  # mutating call number -> HTTP attempts sent for it
        self.failed: str | None = None
        self._lock = threading.Lock()
        self._current = threading.local()

    def hook(self, client: Any) -> None:
        events = client.meta.events
        events.register_first("before-call", self.before_call)
        events.register_first("before-send", self.before_send)
        events.register_last("after-call", self.after_call)

    def before_call(self, model: Any, **_: Any) -> None:
        self._current.number = None
        if not model.name.startswith(MUTATING_PREFIXES):
            return
        with self._lock:
            self.calls.append(model.name)
            number = self._current.number = len(self.calls)
        if number == self.fail_at and self.mode == "before":
            self.failed = model.name
            raise InjectedConnectionError(endpoint_url=f"(injected: {model.name} never sent)")

    def before_send(self, **_: Any) -> None:
        number = getattr(self._current, "number", None)
        if number is not None:
            with self._lock:
                self.sends[number] = self.sends.get(number, 0) + 1

    def after_call(self, model: Any, **_: Any) -> None:
        number = getattr(self._current, "number", None)
        if number is not None and number == self.fail_at and self.mode == "after":
            self.failed = model.name
            raise InjectedResponseLost(endpoint_url=f"(injected: {model.name} response lost)")


@contextmanager
def injected(monkeypatch: pytest.MonkeyPatch, faults: Faults) -> Iterator[Faults]:
    """Hook ``faults`` into every boto3 client an AwsClients creates while the block runs."""
    original = AwsClients._client

    def _client(self: AwsClients, name: str) -> Any:
        new = name not in self._clients
        client = original(self, name)
        if new:
            faults.hook(client)
        return client

    with monkeypatch.context() as m:
        m.setattr(AwsClients, "_client", _client)
        yield faults


def apply(moto_server: str) -> tuple[int, str, str]:
    return run(["apply", str(SAMPLES), "--cluster", CLUSTER, "--endpoint-url", moto_server, "--auto-approve"], CREDS)


def plan(moto_server: str) -> tuple[int, str, str]:
    return run(["plan", str(SAMPLES), "--cluster", CLUSTER, "--endpoint-url", moto_server, "--detailed-exitcode"],
               CREDS)


def assert_one_of_everything(aws: AwsClients) -> None:
    """Exactly one load balancer, target group, listener and rule, one managed and one backend SG."""
    elbv2 = aws.elbv2
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    assert len(lbs) == 1, [lb["LoadBalancerName"] for lb in lbs]
    tgs = elbv2.describe_target_groups()["TargetGroups"]
    assert len(tgs) == 1, [tg["TargetGroupName"] for tg in tgs]
    assert len(elbv2.describe_target_health(TargetGroupArn=tgs[0]["TargetGroupArn"])["TargetHealthDescriptions"]) == 3
    listeners = elbv2.describe_listeners(LoadBalancerArn=lbs[0]["LoadBalancerArn"])["Listeners"]
    assert len(listeners) == 1 and listeners[0]["Port"] == 80
    rules = elbv2.describe_rules(ListenerArn=listeners[0]["ListenerArn"])["Rules"]
    assert sorted(r["Priority"] for r in rules) == ["1", "default"]
    groups = aws.ec2.describe_security_groups(
        Filters=[{"Name": f"tag:{CLUSTER_TAG}", "Values": [CLUSTER]}])["SecurityGroups"]
    tags = [{t["Key"]: t["Value"] for t in g.get("Tags", [])} for g in groups]
    backend = [t for t in tags if t.get(BACKEND_SG_RESOURCE_TAG) == "backend-sg"]
    managed = [t for t in tags if t.get(STACK_TAG) == "echoserver/echoserver"
               and t.get(RESOURCE_TAG) == "ManagedLBSecurityGroup"]
    assert (len(groups), len(backend), len(managed)) == (2, 1, 1), tags
    group_ids = {g["GroupId"] for g in groups}
    assert set(lbs[0]["SecurityGroups"]) == group_ids  # the LB uses both, not a leftover copy


def test_clean_apply_makes_these_calls(seeded: dict[str, Any], aws: AwsClients, moto_server: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with injected(monkeypatch, Faults()) as faults:
        code, _, err = apply(moto_server)
    assert code == 0, err
    assert tuple(faults.calls) == CLEAN_APPLY_CALLS
    assert all(n == 1 for n in faults.sends.values()) and len(faults.sends) == len(CLEAN_APPLY_CALLS)
    assert plan(moto_server)[0] == 0
    assert_one_of_everything(aws)


# Over the wire: the lost answer (AWS did the work) at every call, the unsent request at the
# load balancer's create. Both kinds at every call of a fresh apply, an update and a destroy run against the
# recording fake in tests/plan/test_planner.py (test_a_failed_call_then_a_new_plan_converges and others).
FAULTS = [(k, "after") for k in range(1, len(CLEAN_APPLY_CALLS) + 1)] + [(6, "before")]


@pytest.mark.parametrize(("k", "mode"), FAULTS, ids=[f"{k}-{CLEAN_APPLY_CALLS[k - 1]}-{m}" for k, m in FAULTS])
def test_apply_converges_after_a_failed_call(k: int, mode: str, seeded: dict[str, Any], aws: AwsClients,
                                              moto_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with injected(monkeypatch, Faults(fail_at=k, mode=mode)) as faults:
        code, out, err = apply(moto_server)
    assert faults.failed == CLEAN_APPLY_CALLS[k - 1], (faults.calls, out, err)
    assert code == 1, out + err
    assert "Traceback" not in err and "internal error" not in err, err
    assert f"AWS {faults.failed} failed" in err, err
    assert faults.calls[-1] == faults.failed  # apply stopped at the failure
    # never retried: "before" sent nothing, "after" sent the request exactly once
    assert faults.sends.get(k, 0) == (0 if mode == "before" else 1)

    code, out, err = apply(moto_server)
    assert code == 0, out + err
    code, out, err = plan(moto_server)
    assert code == 0, out + err
    assert_one_of_everything(aws)
