"""Issue 8's end-to-end check, on moto over HTTP, with the echoserver walkthrough's original manifests
(``docs/examples/echoservice`` of aws-load-balancer-controller: a NodePort Service without ``nodePort``).

Offline they validate and render with placeholders; with the cluster's recorded answer (a fake kubectl
replaying ``kubectl get service -o json``) the plan has the controller's exact target group name and
port; after an apply, a plan without cluster access takes the node port from the live target group and
shows no changes. And a live load balancer keeps its subnets without discovery, as the controller does
(discovery would fail: the role tags are gone)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from albctl.aws.session import AwsClients
from albctl.model import names
from albctl.model.stack import TARGET_GROUP
from tests.aws.test_apply import SAMPLES, apply, cli, plan_code
from tests.aws.test_cli_aws import CREDS, run
from tests.kube.test_cluster_values import ECHO_INGRESS, ECHO_SERVICE, NODE_PORT, RES_ID, UID, fake_kubectl  # noqa: F401

CONTEXT = "arn:aws:eks:us-east-1:111122223333:cluster/sandbox"
STACK = "echoserver/echoserver"


@pytest.fixture
def walkthrough(tmp_path: Path) -> str:
    """The walkthrough's namespace-less manifests plus the sandbox's IngressClass ``alb``."""
    directory = tmp_path / "echoserver"
    directory.mkdir()
    (directory / "echoserver-service.yaml").write_text(ECHO_SERVICE, encoding="utf-8")
    (directory / "echoserver-ingress.yaml").write_text(ECHO_INGRESS, encoding="utf-8")
    (directory / "ingressclass.yaml").write_text((SAMPLES / "echoserver" / "ingressclass.yaml").read_text())
    return str(directory)


def _with_kubectl(environ: dict[str, str]) -> dict[str, str]:
    return {**CREDS, "PATH": environ["PATH"], "FAKE_KUBECTL_DIR": environ["FAKE_KUBECTL_DIR"]}


def _planned_target_group(out: str) -> dict[str, Any]:
    (stack,) = [s for s in json.loads(out)["stacks"] if s["id"] == STACK]
    spec: dict[str, Any] = stack["resources"][TARGET_GROUP][RES_ID]["spec"]
    return spec


def test_walkthrough_offline_plan_with_cluster_apply_then_plan_without_cluster(
        walkthrough: str, fake_kubectl: Any, seeded: Any, moto_server: str,  # noqa: F811 - the imported fixture
        aws: AwsClients) -> None:
    environ, answers = fake_kubectl
    # offline: accepted, placeholders and a warning, never an error
    code, out, err = run(["validate", walkthrough], {})
    assert code == 0 and "no nodePort" in err, err
    code, out, err = run(["render", "--offline", "--format", "json", walkthrough], {})
    assert code == 0, err
    tg = json.loads(out)["stacks"][0]["resources"][TARGET_GROUP][RES_ID]["spec"]
    assert tg["port"] == "<node port of Service echoserver/echoserver port 80>"
    assert tg["name"].startswith("<target group name")

    # with the cluster's answer: the controller's exact name and port
    want_name = names.target_group_name("sandbox", STACK, "echoserver", "echoserver", "echoserver", "echoserver",
                                        UID, "80", NODE_PORT, "instance", "HTTP", "HTTP1")
    code, out, err = run(["plan", walkthrough, "--cluster", "sandbox", "--endpoint-url", moto_server,
                          "--kube-context", CONTEXT, "--format", "json"], _with_kubectl(environ))
    assert code == 0, err
    planned = _planned_target_group(out)
    assert (planned["name"], planned["port"]) == (want_name, NODE_PORT)
    assert any(line.startswith(f"--context {CONTEXT} get service echoserver")
               for line in (answers / "calls.log").read_text().splitlines())

    code, out, err = run(["apply", walkthrough, "--auto-approve", "--cluster", "sandbox", "--endpoint-url",
                          moto_server, "--kube-context", CONTEXT], _with_kubectl(environ))
    assert code == 0, err
    (live,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    assert (live["TargetGroupName"], live["Port"]) == (want_name, NODE_PORT)

    # no cluster access: the node port (and the name) come from the live target group; nothing to do
    kubectl_calls = (answers / "calls.log").read_text()
    assert plan_code(moto_server, walkthrough) == 0
    code, out, err = cli(moto_server, "plan", walkthrough)
    assert code == 0 and "no nodePort" not in err, err
    assert (answers / "calls.log").read_text() == kubectl_calls  # the cluster was not asked


def test_live_load_balancer_keeps_its_subnets_without_discovery(seeded: Any, moto_server: str, aws: AwsClients,
                                                               tmp_path: Path) -> None:
    sample = str(SAMPLES / "echoserver")
    assert apply(moto_server, sample)[0] == 0
    subnets = aws.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [seeded["vpc_id"]]}])["Subnets"]
    aws.ec2.delete_tags(Resources=[s["SubnetId"] for s in subnets],
                        Tags=[{"Key": "kubernetes.io/role/elb"}, {"Key": "kubernetes.io/role/internal-elb"}])
    # the scheme is unchanged: the controller keeps the load balancer's subnets and never discovers
    assert plan_code(moto_server, sample) == 0
    # another scheme needs discovery, which now finds no subnet for it
    internal = tmp_path / "echoserver"
    shutil.copytree(sample, internal)
    ingress = internal / "ingress.yaml"
    ingress.write_text(ingress.read_text().replace("scheme: internet-facing", "scheme: internal"))
    code, _, err = cli(moto_server, "plan", str(internal))
    assert code == 1 and "kubernetes.io/role/internal-elb" in err, err
