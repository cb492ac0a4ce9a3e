#!/usr/bin/env python3
"""AWS round trips and calls of `albctl plan`, `apply` and `destroy`, against moto, with pass/fail targets.

Usage: python bench/aws_calls.py [--latency-ms 50] [--repeat 5] [--json]

Starts moto in-process (ThreadedMotoServer on 127.0.0.1, a free port), seeds it like `albctl sandbox start`,
and runs the CLI in-process on two stacks:

- small: 1 load balancer, 1 listener (HTTP 80), 2 rules, 1 target group (ip mode);
- large: 1 load balancer, 2 listeners (HTTP 80 + HTTPS 443), 90 rules, 45 target groups (ip mode), from
  bench/plan_calls.py.

Every AWS call albctl makes is logged with its start and end (botocore ``before-call`` / ``after-call``
handlers on the clients albctl creates), with LATENCY ms of sleep in ``before-send`` standing in for the
round trip to AWS. **Sequential round trips** are the longest chain of calls in that log in which each
call starts after the previous one ended: with the latency every call overlaps the ones it runs beside,
so the figure does not depend on the machine's speed. Calls are counted from the same log.

Measured, with the issue's targets:

| what | target |
|---|---|
| no-change plan of the large stack | <= 4 round trips, <= 25 calls |
| no-change plan of the small stack | <= 4 round trips, <= 10 calls |
| apply creating the large stack | <= 25 round trips |
| destroy of the small stack | <= 12 calls |
| small plan wall time, no latency | <= 1.3 x a boto3 script making the same reads (best of REPEAT, side by side) |

Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_calls import CLUSTER, CREDS, albctl, manifests  # noqa: E402

REGION = "us-east-1"
TARGETS = {"large_plan_round_trips": 4, "large_plan_calls": 25, "small_plan_round_trips": 4, "small_plan_calls": 10,
           "large_create_round_trips": 25, "small_destroy_calls": 12, "small_plan_wall_ratio": 1.3}

SMALL = """apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
spec:
  controller: ingress.k8s.aws/alb
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: small
  namespace: bench
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/target-type: ip
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: /a
            pathType: Prefix
            backend: {service: {name: svc, port: {number: 80}}}
          - path: /b
            pathType: Prefix
            backend: {service: {name: svc, port: {number: 80}}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: bench
spec:
  type: NodePort
  ports:
    - {port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}
"""


class CallLog:
    """Per-call log (operation, start, end) of every client albctl creates; LATENCY sleep before each send."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.calls: list[tuple[str, float, float]] = []
        self._open = threading.local()
        self._lock = threading.Lock()

    def hook(self, client: Any) -> None:
        client.meta.events.register("before-call", self.before_call)
        client.meta.events.register("after-call", self.after_call)
        client.meta.events.register("after-call-error", self.after_call)
        client.meta.events.register("before-send", self.before_send)

    def before_call(self, model: Any, **_: Any) -> None:
        stack = getattr(self._open, "stack", None) or []
        stack.append((model.name, time.perf_counter()))
        self._open.stack = stack

    def after_call(self, model: Any = None, **_: Any) -> None:
        stack = getattr(self._open, "stack", None)
        if not stack:
            return
        name, start = stack.pop()
        with self._lock:
            self.calls.append((name, start, time.perf_counter()))

    def before_send(self, **_: Any) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)

    def round_trips(self) -> int:
        """The longest chain of calls each starting after the previous one ended."""
        calls = sorted(self.calls, key=lambda c: c[1])
        depth: list[int] = []
        for i, (_, start, _end) in enumerate(calls):
            before = [depth[j] for j in range(i) if calls[j][2] <= start]
            depth.append(1 + max(before, default=0))
        return max(depth, default=0)

    def counts(self) -> Counter[str]:
        return Counter(name for name, _, _ in self.calls)


@contextmanager
def logged(log: CallLog) -> Iterator[CallLog]:
    from albctl.aws.session import AwsClients

    attr = "_make_client" if hasattr(AwsClients, "_make_client") else "_client"  # before/after this change
    original = getattr(AwsClients, attr)

    def make(self: AwsClients, name: str) -> Any:
        new = name not in self._clients
        client = original(self, name)
        if new:
            log.hook(client)
        return client

    setattr(AwsClients, attr, make)
    try:
        yield log
    finally:
        setattr(AwsClients, attr, original)


def cli(args: list[str], endpoint: str, latency_s: float) -> tuple[CallLog, float, int, str]:
    log = CallLog(latency_s)
    with logged(log):
        t0 = time.perf_counter()
        code, out, err = albctl([*args, "--cluster", CLUSTER, "--endpoint-url", endpoint])
        seconds = time.perf_counter() - t0
    return log, seconds, code, out + err


def boto3_small_plan(endpoint: str) -> None:
    """What a hand-written boto3 script reads for the small stack: the same reads albctl's plan makes."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=REGION)
    elbv2 = session.client("elbv2", endpoint_url=endpoint)
    ec2 = session.client("ec2", endpoint_url=endpoint)
    tagging = session.client("resourcegroupstaggingapi", endpoint_url=endpoint)
    ec2.describe_subnets(Filters=[{"Name": "tag:kubernetes.io/role/elb", "Values": ["", "1"]}])
    ec2.describe_security_groups(Filters=[{"Name": "tag:elbv2.k8s.aws/cluster", "Values": [CLUSTER]}])
    found = tagging.get_resources(TagFilters=[{"Key": "elbv2.k8s.aws/cluster", "Values": [CLUSTER]}],
                                  ResourceTypeFilters=["elasticloadbalancing:loadbalancer",
                                                       "elasticloadbalancing:targetgroup"])
    arns = [r["ResourceARN"] for r in found["ResourceTagMappingList"]]
    lbs = elbv2.describe_load_balancers(LoadBalancerArns=[a for a in arns if ":loadbalancer/" in a])
    elbv2.describe_target_groups(TargetGroupArns=[a for a in arns if ":targetgroup/" in a])
    lb_arn = lbs["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.describe_capacity_reservation(LoadBalancerArn=lb_arn)
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]
    rules = elbv2.describe_rules(ListenerArn=listeners[0]["ListenerArn"])["Rules"]
    elbv2.describe_tags(ResourceArns=[listeners[0]["ListenerArn"]] + [r["RuleArn"] for r in rules
                                                                       if not r["IsDefault"]])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(CREDS)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    latency = opts.latency_ms / 1000

    from moto.server import ThreadedMotoServer

    from albctl.aws.session import AwsClients, AwsSettings
    from albctl.sandbox.aws_semantics import patch_moto
    from albctl.sandbox.seed import seed

    patch_moto()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    results: dict[str, Any] = {}
    failures: list[str] = []

    def check(code: int, text: str, what: str) -> None:
        if code != 0:
            failures.append(f"{what} exited {code}: {text[-1500:]}")

    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        seeded = seed(AwsClients(AwsSettings(region=REGION, profile=None, endpoint_url=endpoint)))
        with tempfile.TemporaryDirectory(prefix="albctl-aws-bench-") as tmp:
            small, large = Path(tmp) / "small.yaml", Path(tmp) / "large.yaml"
            small.write_text(SMALL, encoding="utf-8")
            large.write_text(manifests(45, seeded["certificate_arn"]), encoding="utf-8")

            log, secs, code, text = cli(["apply", str(large), "--auto-approve"], endpoint, latency)
            check(code, text, "large apply")
            results["large_create"] = {"round_trips": log.round_trips(), "calls": sum(log.counts().values()),
                                       "seconds": round(secs, 2)}
            log, secs, code, text = cli(["plan", str(large), "--detailed-exitcode"], endpoint, latency)
            check(code, text, "large plan")
            results["large_plan"] = {"round_trips": log.round_trips(), "calls": sum(log.counts().values()),
                                     "by_operation": dict(sorted(log.counts().items())), "seconds": round(secs, 2)}

            log, secs, code, text = cli(["apply", str(small), "--auto-approve"], endpoint, latency)
            check(code, text, "small apply")
            results["small_create"] = {"round_trips": log.round_trips(), "calls": sum(log.counts().values())}
            log, secs, code, text = cli(["plan", str(small), "--detailed-exitcode"], endpoint, latency)
            check(code, text, "small plan")
            results["small_plan"] = {"round_trips": log.round_trips(), "calls": sum(log.counts().values()),
                                     "by_operation": dict(sorted(log.counts().items())), "seconds": round(secs, 2)}

            # side by side, no latency: albctl's small plan against the boto3 script, alternating
            ours, theirs = [], []
            for _ in range(max(1, opts.repeat)):
                _, secs, code, text = cli(["plan", str(small), "--detailed-exitcode"], endpoint, 0.0)
                check(code, text, "small plan (timed)")
                ours.append(secs)
                t0 = time.perf_counter()
                boto3_small_plan(endpoint)
                theirs.append(time.perf_counter() - t0)
            results["small_plan_wall"] = {"albctl_s": round(min(ours), 3), "boto3_script_s": round(min(theirs), 3),
                                          "ratio": round(min(ours) / min(theirs), 2)}

            log, secs, code, text = cli(["destroy", str(small), "--auto-approve"], endpoint, latency)
            check(code, text, "small destroy")
            results["small_destroy"] = {"round_trips": log.round_trips(), "calls": sum(log.counts().values()),
                                        "by_operation": dict(sorted(log.counts().items()))}
    finally:
        server.stop()

    measured = {
        "large_plan_round_trips": results["large_plan"]["round_trips"],
        "large_plan_calls": results["large_plan"]["calls"],
        "small_plan_round_trips": results["small_plan"]["round_trips"],
        "small_plan_calls": results["small_plan"]["calls"],
        "large_create_round_trips": results["large_create"]["round_trips"],
        "small_destroy_calls": results["small_destroy"]["calls"],
        "small_plan_wall_ratio": results["small_plan_wall"]["ratio"],
    }
    verdicts = {k: measured[k] <= TARGETS[k] for k in TARGETS}
    ok = all(verdicts.values()) and not failures
    if opts.json:
        print(json.dumps({"results": results, "measured": measured, "targets": TARGETS, "ok": ok,
                          "failures": failures}, indent=2))
    else:
        print(f"latency {opts.latency_ms:g} ms per call; wall ratio best of {opts.repeat}, no latency\n")
        print("| what | measured | target | |\n|---|---:|---:|---|")
        for k in TARGETS:
            print(f"| {k} | {measured[k]} | {TARGETS[k]} | {'ok' if verdicts[k] else 'MISSED'} |")
        for what in ("large_plan", "small_plan", "small_destroy"):
            print(f"\n{what}: " + ", ".join(f"{op} {n}" for op, n in results[what]["by_operation"].items()))
        print(f"\nsmall plan wall: albctl {results['small_plan_wall']['albctl_s']} s, boto3 script "
              f"{results['small_plan_wall']['boto3_script_s']} s")
        for f in failures:
            print("FAILED:", f)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
