#!/usr/bin/env python3
"""How many AWS calls `albctl plan` makes on a large applied stack, and how long it takes with AWS latency.

Usage: python bench/plan_calls.py [--tgs N] [--latency-ms MS] [--repeat R] [--json]

Starts moto in-process (ThreadedMotoServer on 127.0.0.1, a free port), seeds it like `albctl sandbox start`
(albctl.sandbox.seed.seed), writes one Ingress (listen-ports HTTP 80 + HTTPS 443 with the seeded ACM
certificate, N paths, each to its own NodePort Service: N target groups and N rules per listener) and
applies it with the CLI. Then runs `albctl plan --detailed-exitcode` in-process (it must say "no changes",
exit 0), counting the AWS calls per operation with botocore event handlers on the clients albctl creates,
and timing it (time.perf_counter around the whole command); and again with MS milliseconds of sleep in a
`before-send` handler, i.e. added to every HTTP request albctl sends, to stand in for the round trip to AWS.

Targets (the issue's): calls <= 2*N + CONSTANT (see CONSTANT below), and under 2 s with 50 ms latency.
Exit status: 0 if both are met, 1 if one is missed or a command failed.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
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

CLUSTER = "sandbox"
LATENCY_TARGET_S = 2.0
# Calls beyond the 2 per target group (DescribeTargetGroupAttributes, DescribeTargetHealth), for one load
# balancer with an HTTP and an HTTPS listener:
#   discovery: DescribeSubnets, DescribeSecurityGroups (backend SG), DescribeInstances (the nodes)       3
#   live read: DescribeLoadBalancers, DescribeTargetGroups, DescribeSecurityGroups,
#              DescribeLoadBalancerAttributes, DescribeListeners                                          5
#              DescribeRules per listener (2), DescribeListenerCertificates per HTTPS listener (1)        3
#              DescribeTags, 20 ARNs a call: the LB + N TGs, then 2 listeners + 2N rules:
#              ceil((N + 1) / 20) + ceil((2N + 2) / 20) = 3 + 5 for N = 45                                8
#   slack for discovery calls other inputs need (DescribeVpcs, ACM look-ups by host, ...)                6
# DescribeTags grows with N, by about 3N/20; at N = 45 it is inside the constant.
CONSTANT = 3 + 5 + 3 + 8 + 6
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


def manifests(tgs: int, cert_arn: str) -> str:
    """One Ingress (HTTP 80 + HTTPS 443) with ``tgs`` paths, each to its own NodePort Service."""
    paths = "".join(f"""
          - path: /svc-{i:02d}
            pathType: Prefix
            backend:
              service:
                name: svc-{i:02d}
                port:
                  number: 80""" for i in range(tgs))
    services = "".join(f"""---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i:02d}
  namespace: bench
spec:
  type: NodePort
  selector:
    app: svc-{i:02d}
  ports:
    - port: 80
      targetPort: 8080
      nodePort: {30100 + i}
      protocol: TCP
""" for i in range(tgs))
    return f"""apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
spec:
  controller: ingress.k8s.aws/alb
---
apiVersion: v1
kind: Namespace
metadata:
  name: bench
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: many-paths
  namespace: bench
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/listen-ports: '[{{"HTTP": 80}}, {{"HTTPS": 443}}]'
    alb.ingress.kubernetes.io/certificate-arn: {cert_arn}
    # ip targets: moto's emulated account allows 30 targets per load balancer (AWS: 1,000), which 45
    # instance-mode groups of 3 nodes would exceed; the per-group reads are the same either way
    alb.ingress.kubernetes.io/target-type: ip
spec:
  ingressClassName: alb
  rules:
    - host: bench.example.com
      http:
        paths:{paths}
{services}"""


class Calls:
    """botocore event handlers: count calls per operation, optionally sleep before each HTTP request."""

    def __init__(self, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self.by_operation: Counter[str] = Counter()
        self.sends = 0
        self._lock = threading.Lock()

    def hook(self, client: Any) -> None:
        client.meta.events.register("before-call", self.before_call)
        client.meta.events.register("before-send", self.before_send)

    def before_call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.by_operation[model.name] += 1

    def before_send(self, **_: Any) -> None:
        with self._lock:
            self.sends += 1
        if self.latency_s:
            time.sleep(self.latency_s)

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())


@contextmanager
def hooked(calls: Calls) -> Iterator[Calls]:
    """Hook ``calls`` into every boto3 client an AwsClients creates while the block runs."""
    from albctl.aws.session import AwsClients

    original = AwsClients._client

    def _client(self: AwsClients, name: str) -> Any:
        new = name not in self._clients
        client = original(self, name)
        if new:
            calls.hook(client)
        return client

    AwsClients._client = _client  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        AwsClients._client = original  # type: ignore[method-assign]


def albctl(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process (as the tests do); returns exit code, stdout, stderr."""
    import typer

    from albctl.cli.env import Env
    from albctl.cli.main import app

    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(), environ=CREDS)
    code = typer.main.get_command(app).main(args=args, standalone_mode=False, obj=env)
    return int(code), out.getvalue(), err.getvalue()


def timed_plan(path: Path, endpoint: str, calls: Calls) -> tuple[float, int, str]:
    with hooked(calls):
        t0 = time.perf_counter()
        code, out, err = albctl(["plan", str(path), "--cluster", CLUSTER, "--endpoint-url", endpoint,
                                 "--detailed-exitcode"])
        elapsed = time.perf_counter() - t0
    return elapsed, code, out + err


def child(endpoint: str, path: str, latency_ms: float) -> int:
    """``--child``: one plan in this fresh process, printing the exit code and calls as JSON."""
    calls = Calls(latency_ms / 1000)
    _, code, text = timed_plan(Path(path), endpoint, calls)
    print(json.dumps({"code": code, "calls": calls.by_operation, "sends": calls.sends, "output": text[-3000:]}))
    return 0


def cold_plan(path: Path, endpoint: str, latency_ms: float) -> tuple[float, int, str]:
    """A plan in a new Python process (start-up and imports included), timed from outside."""
    env = {**os.environ, **CREDS, "AWS_EC2_METADATA_DISABLED": "true"}
    argv = [sys.executable, os.path.abspath(__file__), "--child", endpoint, str(path), str(latency_ms)]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - t0
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        return elapsed, proc.returncode or 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    return elapsed, int(doc["code"]), doc["output"]


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgs", type=int, default=45, help="target groups = paths = rules per listener (default 45)")
    ap.add_argument("--latency-ms", type=float, default=50.0, help="added to every AWS request (default 50)")
    ap.add_argument("--repeat", type=int, default=3, help="plan runs per setting, best is reported (default 3)")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    opts = ap.parse_args()

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(CREDS)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from moto.server import ThreadedMotoServer

    from albctl.aws.session import AwsClients, AwsSettings
    from albctl.sandbox.seed import seed

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        seeded = seed(AwsClients(AwsSettings(region="us-east-1", profile=None, endpoint_url=endpoint)))
        with tempfile.TemporaryDirectory(prefix="albctl-plan-bench-") as tmp:
            path = Path(tmp) / "many-paths.yaml"
            path.write_text(manifests(opts.tgs, seeded["certificate_arn"]), encoding="utf-8")
            t0 = time.perf_counter()
            code, out, err = albctl(["apply", str(path), "--cluster", CLUSTER, "--endpoint-url", endpoint,
                                     "--auto-approve"])
            apply_s = time.perf_counter() - t0
            if code != 0:
                print(f"apply failed (exit {code}):\n{err or out[-2000:]}", file=sys.stderr)
                return 1
            runs: dict[str, tuple[float, Calls]] = {}
            for label, latency in (("no latency", 0.0), (f"{opts.latency_ms:g} ms latency", opts.latency_ms / 1000)):
                best: tuple[float, Calls] | None = None
                for _ in range(max(1, opts.repeat)):
                    calls = Calls(latency)
                    elapsed, code, text = timed_plan(path, endpoint, calls)
                    if code != 0:
                        print(f"plan after apply did not exit 0 (exit {code}):\n{text[-3000:]}", file=sys.stderr)
                        return 1
                    if best is None or elapsed < best[0]:
                        best = (elapsed, calls)
                assert best is not None
                runs[label] = best
            cold: dict[str, float] = {}
            for label, latency_ms in (("no latency", 0.0), ("latency", opts.latency_ms)):
                times = []
                for _ in range(max(1, opts.repeat)):
                    seconds, code, text = cold_plan(path, endpoint, latency_ms)
                    if code != 0:
                        print(f"plan in a new process did not exit 0 (exit {code}):\n{text}", file=sys.stderr)
                        return 1
                    times.append(seconds)
                cold[label] = min(times)
    finally:
        server.stop()

    elapsed, calls = runs["no latency"]
    latency_label = next(k for k in runs if k != "no latency")
    latency_s = runs[latency_label][0]
    limit = 2 * opts.tgs + CONSTANT
    ok_calls = calls.total <= limit
    cold_latency_s = cold["latency"]
    ok_time = max(latency_s, cold_latency_s) < LATENCY_TARGET_S
    result = {
        "target_groups": opts.tgs, "listeners": 2, "rules": 2 * opts.tgs,
        "apply_seconds": round(apply_s, 3),
        "calls": dict(sorted(calls.by_operation.items())), "total_calls": calls.total,
        "http_requests": calls.sends, "limit": limit,
        "seconds": round(elapsed, 3), "seconds_with_latency": round(latency_s, 3),
        "new_process_seconds": round(cold["no latency"], 3),
        "new_process_seconds_with_latency": round(cold_latency_s, 3),
        "latency_ms": opts.latency_ms, "time_target": LATENCY_TARGET_S,
        "ok": ok_calls and ok_time,
    }
    if opts.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"plan of 1 load balancer, 2 listeners, {2 * opts.tgs} rules, {opts.tgs} target groups "
              f"(applied in {apply_s:.2f} s); best of {opts.repeat}\n")
        width = max(len(op) for op in calls.by_operation)
        print(f"| {'operation':<{width}} | calls |")
        print(f"| {'-' * width} | ----: |")
        for op, n in sorted(calls.by_operation.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"| {op:<{width}} | {n:>5} |")
        print(f"| {'**total**':<{width}} | {calls.total:>5} |")
        print()
        print(f"calls: {calls.total} (HTTP requests {calls.sends}), limit 2*{opts.tgs} + {CONSTANT} = {limit}: "
              f"{'ok' if ok_calls else 'MISSED'}")
        print(f"wall time in-process: {elapsed:.2f} s without latency, {latency_s:.2f} s with {latency_label}")
        print(f"wall time in a new process (start-up and imports included): {cold['no latency']:.2f} s without "
              f"latency, {cold_latency_s:.2f} s with {latency_label}")
        print(f"target < {LATENCY_TARGET_S:g} s with latency, both ways: {'ok' if ok_time else 'MISSED'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
