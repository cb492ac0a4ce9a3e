"""`albctl subnets discover` and `albctl sandbox` through the CLI, against a real moto server."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer

from albctl.aws.session import AwsClients
from albctl.cli.env import Env
from albctl.cli.main import app

CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


def run(args: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(), environ=environ)
    code = typer.main.get_command(app).main(args=args, standalone_mode=False, obj=env)
    return code, out.getvalue(), err.getvalue()


def test_subnets_discover_picks_one_public_subnet_per_zone(seeded: dict[str, Any], moto_server: str) -> None:
    code, out, err = run(["subnets", "discover", "--cluster", "sandbox", "--format", "json",
                          "--endpoint-url", moto_server], CREDS)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["scheme"] == "internet-facing" and doc["vpc_id"] == seeded["vpc_id"]
    assert sorted(s["availability_zone"] for s in doc["chosen"]) == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert {s["subnet_id"] for s in doc["chosen"]} == set(seeded["public_subnet_ids"])


def test_subnets_discover_table_and_too_few_zones(aws: AwsClients, moto_server: str) -> None:
    vpc = aws.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    aws.ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.0.0/24", AvailabilityZone="us-east-1a",
                          TagSpecifications=[{"ResourceType": "subnet",
                                              "Tags": [{"Key": "kubernetes.io/role/elb", "Value": "1"}]}])
    aws.ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1b")
    code, out, err = run(["subnets", "discover", "--cluster", "c", "--vpc-id", vpc, "--endpoint-url", moto_server],
                         CREDS)
    assert code == 1
    assert "chosen" in out and "rejected" in out  # the table is still shown
    assert "kubernetes.io/role/elb" in err and "Traceback" not in err


def test_missing_region_is_one_clear_message(moto_server: str) -> None:
    code, _, err = run(["subnets", "discover", "--cluster", "c", "--endpoint-url", moto_server],
                       {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_CONFIG_FILE": "/dev/null"})
    assert code == 1
    assert err.startswith("error: no AWS region")


def test_sandbox_commands_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    code, out, _ = run(["sandbox", "status"], {})
    assert code == 1 and "not running" in out
    code, out, err = run(["sandbox", "start"], {})
    try:
        assert code == 0, err
        code, out, _ = run(["sandbox", "env"], {})
        assert code == 0 and "export ALBCTL_CLUSTER=sandbox" in out
        code, out, err = run(["subnets", "discover", "--sandbox", "--scheme", "internal", "--format", "json"], {})
        assert code == 0, err
        assert len(json.loads(out)["chosen"]) == 3
    finally:
        code, out, _ = run(["sandbox", "stop"], {})
    assert code == 0 and "stopped" in out


def test_plan_against_moto_shows_creates_and_detailed_exitcode(seeded: dict[str, Any], moto_server: str,
                                                               tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parents[2] / "samples" / "echoserver"
    saved = tmp_path / "plan.json"
    code, out, err = run(["plan", str(samples), "--cluster", "sandbox", "--endpoint-url", moto_server,
                          "--detailed-exitcode", "--format", "json", "--out", str(saved)], CREDS)
    assert code == 2, err
    doc = json.loads(out)
    assert doc == json.loads(saved.read_text())
    assert doc["format_version"] == "2" and doc["cluster"] == "sandbox" and doc["region"] == "us-east-1"
    assert doc["summary"] == {"create": 6, "update": 0, "replace": 0, "move": 0, "delete": 0}  # incl. the backend SG
    shared, stack = doc["stacks"]
    assert shared["id"] == "(cluster)" and shared["changes"][0]["name"].startswith("k8s-traffic-sandbox-")
    lb = next(c for c in stack["changes"] if c["type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert {m["subnetID"] for m in lb["after"]["subnetMapping"]} == set(seeded["public_subnet_ids"])
    code, out, err = run(["plan", str(samples), "--cluster", "sandbox", "--endpoint-url", moto_server], CREDS)
    assert code == 0 and "Plan: 6 to add, 0 to change, 0 to replace, 0 to move, 0 to destroy." in out


def test_plan_with_bad_input_touches_no_aws(tmp_path: Path) -> None:
    bad = Path(__file__).resolve().parents[2] / "samples" / "invalid" / "bad-scheme.yaml"
    code, _, err = run(["plan", str(bad), "--cluster", "c"], {})  # no region, no credentials: never reached
    assert code == 1 and "expected one of" in err and "region" not in err


def test_render_online_fills_in_discovered_subnets(seeded: dict[str, Any], moto_server: str) -> None:
    samples = Path(__file__).resolve().parents[2] / "samples" / "echoserver"
    code, out, err = run(["render", str(samples), "--cluster", "sandbox", "--endpoint-url", moto_server,
                          "--format", "json"], CREDS)
    assert code == 0, err
    (stack,) = json.loads(out)["stacks"]
    lb = stack["resources"]["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"]
    assert {m["subnetID"] for m in lb["subnetMapping"]} == set(seeded["public_subnet_ids"])


def test_plan_json_matches_its_schema(seeded: dict[str, Any], moto_server: str) -> None:
    from jsonschema import Draft202012Validator

    from albctl.manifests.schemas import load_schema

    samples = Path(__file__).resolve().parents[2] / "samples"
    code, out, err = run(["plan", str(samples / "routing"), str(samples / "group"), "--cluster", "sandbox",
                          "--endpoint-url", moto_server, "--format", "json"], CREDS)
    assert code == 0, err
    schema = load_schema("plan.json")
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(json.loads(out)))
    assert not errors, errors[0].message
    broken = json.loads(out)
    broken["summary"]["create"] = -1
    assert list(Draft202012Validator(schema).iter_errors(broken))


def test_plan_says_which_certificate_each_https_host_gets(seeded: dict[str, Any], moto_server: str,
                                                          tmp_path: Path) -> None:
    import shutil

    sample = tmp_path / "echoserver"
    shutil.copytree(Path(__file__).resolve().parents[2] / "samples" / "echoserver", sample)
    ingress = sample / "ingress.yaml"
    ingress.write_text(ingress.read_text().replace(
        "alb.ingress.kubernetes.io/scheme: internet-facing",
        "alb.ingress.kubernetes.io/scheme: internet-facing\n    alb.ingress.kubernetes.io/listen-ports: "
        "'[{\"HTTPS\": 443}]'"))
    code, out, err = run(["plan", str(sample), "--cluster", "sandbox", "--endpoint-url", moto_server,
                          "--format", "json"], CREDS)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["notes"] == [f"host echoserver.example.com: certificate {seeded['certificate_arn']} "
                            "(discovered in ACM, wildcard *.example.com match)"]
    listener = next(c for s in doc["stacks"] for c in s["changes"] if c["id"] == "443")
    assert listener["after"]["certificates"] == [{"certificateARN": seeded["certificate_arn"]}]


def test_plan_refuses_more_targets_than_the_account_allows(seeded: dict[str, Any], moto_server: str) -> None:
    # moto's account allows 30 targets per ALB: 11 instance-mode groups × 3 nodes = 33
    services, paths = [], []
    for i in range(11):
        services.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: big}}\n"
                        f"spec: {{type: NodePort, ports: [{{port: 80, nodePort: {30000 + i}}}]}}")
        paths.append(f"      - {{path: /p{i}, pathType: Exact, backend: {{service: {{name: s{i}, "
                     "port: {number: 80}}}}")
    ingress = ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: big, namespace: big}\n"
               "spec:\n  ingressClassName: alb\n  rules:\n  - http:\n      paths:\n" + "\n".join(paths))
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO("\n---\n".join([ingress, *services])), environ=CREDS)
    code = typer.main.get_command(app).main(
        args=["plan", "-", "--cluster", "sandbox", "--endpoint-url", moto_server], standalone_mode=False, obj=env)
    assert code == 1
    assert "needs 33 (targets-per-application-load-balancer), the account allows 30" in err.getvalue()


@pytest.mark.filterwarnings("ignore:Exception\\(ELBClientError\\) with code Throttling:UserWarning")
def test_throttling_is_retried(seeded: dict[str, Any], moto_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server (not botocore) answers Throttling; botocore's adaptive retries get through."""
    from moto.elbv2 import exceptions, models

    original = models.ELBv2Backend.describe_load_balancers
    failures = {"left": 1}  # one is enough to show the retry; each costs a back-off of about a second

    def throttled(self: Any, *args: Any, **kwargs: Any) -> Any:
        if failures["left"]:
            failures["left"] -= 1
            raise exceptions.ELBClientError("Throttling", "Rate exceeded")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(models.ELBv2Backend, "describe_load_balancers", throttled)
    samples = Path(__file__).resolve().parents[2] / "samples" / "echoserver"
    code, out, err = run(["plan", str(samples), "--cluster", "sandbox", "--endpoint-url", moto_server], CREDS)
    assert code == 0, err
    assert failures["left"] == 0 and "Plan: 6 to add" in out


def test_plan_saves_what_it_read_from_aws_and_the_planner_gives_the_same_plan_from_it(
        seeded: dict[str, Any], moto_server: str, tmp_path: Any) -> None:
    """--save-live: the live snapshot a bug report can carry; planning against it, with no AWS, gives the
    same operations."""
    from albctl.elbv2.snapshot import LiveState
    from albctl.plan.planner import DesiredStack, plan_stacks

    sample = str(Path(__file__).resolve().parents[2] / "samples" / "echoserver")
    base = ["--cluster", "sandbox", "--endpoint-url", moto_server]
    assert run(["apply", sample, "--auto-approve", *base], CREDS)[0] == 0
    snapshot, saved = tmp_path / "live.json", tmp_path / "plan.json"
    code, _, err = run(["plan", sample, "--save-live", str(snapshot), "--out", str(saved), *base], CREDS)
    assert code == 0, err
    live = LiveState.from_json(snapshot.read_text())
    assert [r.type.split("::")[-1] for r in live.stacks["echoserver/echoserver"].resources] == [
        "SecurityGroup", "LoadBalancer", "TargetGroup", "Listener", "ListenerRule"]
    doc = json.loads(saved.read_text())
    stack = next(s for s in doc["stacks"] if s["id"] == "echoserver/echoserver")
    again = plan_stacks([DesiredStack(stack["id"], stack["resources"], stack["targets"])], live, "sandbox",
                        vpc_id=doc["vpc_id"])
    assert [op for p in again for op in p.operations] == []  # applied: nothing to do, from the snapshot alone
