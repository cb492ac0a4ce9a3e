"""Signals to a real albctl process at any moment of an apply leave nothing untracked; the next apply converges.

The albctl console script is sent SIGINT or SIGKILL by the moto server itself when the k-th mutating request
arrives (no sleeps): exit 130 with "interrupted after N of M operations" (SIGINT), every load balancer, target
group and security group in the account carries the cluster's tag, and apply then converges. Ctrl-C at every
call of a fresh apply, an update and a destroy (on the recording fake, with the real executor) is in
tests/plan/test_planner.py::test_ctrl_c_at_any_call_leaves_nothing_untracked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from albctl.aws.session import AwsClients
from tests.aws.test_fault_injection import CLUSTER, MUTATING_PREFIXES, SAMPLES, apply, assert_one_of_everything, plan

ROOT = Path(__file__).resolve().parents[2]


def assert_nothing_untracked(aws: AwsClients, seeded: dict[str, Any]) -> None:
    """Every load balancer, target group and (non-seed) security group carries this cluster's tag."""
    elbv2 = aws.elbv2
    arns = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    arns += [tg["TargetGroupArn"] for tg in elbv2.describe_target_groups()["TargetGroups"]]
    for start in range(0, len(arns), 20):
        for desc in elbv2.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
            assert {"Key": "elbv2.k8s.aws/cluster", "Value": CLUSTER} in desc["Tags"], desc
    groups = aws.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [seeded["vpc_id"]]}])
    for sg in groups["SecurityGroups"]:
        if sg["GroupName"] == "default" or sg["GroupId"] == seeded.get("node_security_group_id"):
            continue
        tags = {t["Key"]: t["Value"] for t in sg.get("Tags", [])}
        assert tags.get("elbv2.k8s.aws/cluster") == CLUSTER or "albctl-sandbox" in sg["GroupName"], sg


class Tripwire:
    """WSGI middleware on a second moto server (sharing the first one's in-process state): when the k-th
    mutating request arrives, signal the albctl process, then let the request through."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.at = 0
        self.pid = 0
        self.sig = signal.SIGINT
        self.fired = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        action = (parse_qs(body.decode(errors="replace")).get("Action") or [""])[0]
        if action.startswith(MUTATING_PREFIXES):
            with self.lock:
                self.count += 1
                if self.count == self.at and self.pid:
                    os.kill(self.pid, self.sig)
                    self.fired.set()
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def tripwire_server(moto_server: str) -> Iterator[tuple[str, Tripwire]]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wire = Tripwire(server._server.app)  # noqa: SLF001 - the werkzeug server's WSGI app
    server._server.app = wire  # noqa: SLF001
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}", wire
    finally:
        server.stop()


@pytest.mark.parametrize(("sig", "at"), [(signal.SIGINT, 7), (signal.SIGKILL, 4), (signal.SIGKILL, 6)])
def test_a_signal_to_the_albctl_process_leaves_nothing_untracked(sig: signal.Signals, at: int, seeded: dict[str, Any],
                                                                 moto_server: str, aws: AwsClients,
                                                                 tripwire_server: tuple[str, Tripwire]) -> None:
    endpoint, wire = tripwire_server
    wire.count, wire.at, wire.sig = 0, at, sig
    wire.fired.clear()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "albctl.cli.launch", "apply", str(SAMPLES), "--cluster", CLUSTER,
                             "--endpoint-url", endpoint, "--auto-approve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    wire.pid = proc.pid
    out, err = proc.communicate(timeout=120)
    wire.pid = 0
    assert wire.fired.is_set(), (out, err)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrupted after" in err and "Traceback" not in err, (out, err)
    else:
        assert proc.returncode == -signal.SIGKILL
    assert_nothing_untracked(aws, seeded)
    code, out, err = apply(moto_server)
    assert code == 0, err
    assert plan(moto_server)[0] == 0
    assert_one_of_everything(aws)
