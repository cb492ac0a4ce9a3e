"""apply / destroy against a real moto server: every change kind, convergence, ownership, safety."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer

from albctl.aws.session import AwsClients
from albctl.cli.env import Env
from albctl.cli.main import app
from tests.aws.test_cli_aws import CREDS, run

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def cli(moto_server: str, *args: str) -> tuple[int, str, str]:
    return run([*args, "--cluster", "sandbox", "--endpoint-url", moto_server], CREDS)


def apply(moto_server: str, *paths: str, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    return cli(moto_server, "apply", *paths, "--auto-approve", *extra)


def plan_code(moto_server: str, *paths: str) -> int:
    return cli(moto_server, "plan", *paths, "--detailed-exitcode")[0]


def owned(aws: AwsClients) -> dict[str, int]:
    """How many load balancers, target groups and security groups carry this cluster's tag."""
    elbv2 = aws.elbv2
    arns = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    arns += [tg["TargetGroupArn"] for tg in elbv2.describe_target_groups()["TargetGroups"]]
    counts = {"lb": 0, "tg": 0, "sg": 0}
    for start in range(0, len(arns), 20):
        for desc in elbv2.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
            if {"Key": "elbv2.k8s.aws/cluster", "Value": "sandbox"} in desc["Tags"]:
                counts["lb" if ":loadbalancer/" in desc["ResourceArn"] else "tg"] += 1
    groups = aws.ec2.describe_security_groups(
        Filters=[{"Name": "tag:elbv2.k8s.aws/cluster", "Values": ["sandbox"]}])["SecurityGroups"]
    counts["sg"] = len(groups)
    return counts


def rules(aws: AwsClients) -> list[dict[str, Any]]:
    (lb,) = aws.elbv2.describe_load_balancers()["LoadBalancers"]
    out = []
    for listener in aws.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        out += [r for r in aws.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
                if not r["IsDefault"]]
    return out


@pytest.mark.parametrize("sample", ["echoserver", "routing", "group", "https", "auth"])  # 2048: like echoserver
def test_apply_then_plan_is_empty_then_destroy_leaves_nothing(sample: str, seeded: Any, moto_server: str,
                                                              aws: AwsClients, tmp_path: Path) -> None:
    path = str(SAMPLES / sample)
    code, out, err = apply(moto_server, path)
    assert code == 0, err
    assert "Apply complete!" in out
    code, out, err = cli(moto_server, "plan", path, "--detailed-exitcode")
    assert code == 0, out + err
    code, out, err = cli(moto_server, "destroy", path, "--auto-approve")
    assert code == 0, err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}


def test_instance_targets_are_the_nodes_on_the_node_port(seeded: Any, moto_server: str, aws: AwsClients) -> None:
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    (tg,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    health = aws.elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
    assert sorted((t["Target"]["Id"], t["Target"]["Port"]) for t in health) == sorted(
        (i, 30080) for i in seeded["instance_ids"])


def _variant(tmp_path: Path, old: str, new: str) -> str:
    target = tmp_path / "echoserver"
    shutil.copytree(SAMPLES / "echoserver", target, dirs_exist_ok=True)
    ingress = target / "ingress.yaml"
    text = ingress.read_text()
    assert old in text
    ingress.write_text(text.replace(old, new))
    return str(target)


def test_update_in_place_keeps_arns(seeded: Any, moto_server: str, aws: AwsClients, tmp_path: Path) -> None:
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    (tg,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    changed = _variant(tmp_path, "alb.ingress.kubernetes.io/tags: Environment=dev,Team=test",
                       "alb.ingress.kubernetes.io/tags: Environment=prod,Team=test\n"
                       "    alb.ingress.kubernetes.io/healthcheck-path: /healthz\n"
                       "    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=120")
    code, out, err = cli(moto_server, "plan", changed, "--format", "json")
    summary = json.loads(out)["summary"]
    assert summary["update"] >= 3 and summary["create"] == summary["replace"] == summary["delete"] == 0, summary
    assert apply(moto_server, changed)[0] == 0
    assert plan_code(moto_server, changed) == 0
    (after,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    assert after["TargetGroupArn"] == tg["TargetGroupArn"] and after["HealthCheckPath"] == "/healthz"


def test_replace_target_group_creates_new_before_deleting_old(seeded: Any, moto_server: str, aws: AwsClients,
                                                              tmp_path: Path) -> None:
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    (old,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    changed = _variant(tmp_path, "alb.ingress.kubernetes.io/scheme: internet-facing",
                       "alb.ingress.kubernetes.io/scheme: internet-facing\n"
                       "    alb.ingress.kubernetes.io/target-type: ip")
    code, out, err = apply(moto_server, changed)
    assert code == 0, err
    (new,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    started = [line.split("] ", 1)[1] for line in out.splitlines() if line.startswith("[") and "..." in line]
    assert started == [f"target group {new['TargetGroupName']}: Creating...", "rule 80:1: Modifying...",
                       f"target group {old['TargetGroupName']}: Destroying..."], out
    assert new["TargetGroupArn"] != old["TargetGroupArn"] and new["TargetType"] == "ip"
    (rule,) = rules(aws)
    assert rule["Actions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"] == new["TargetGroupArn"]
    assert plan_code(moto_server, changed) == 0


def test_removed_path_deletes_its_rule_and_target_group(seeded: Any, moto_server: str, aws: AwsClients,
                                                        tmp_path: Path) -> None:
    assert apply(moto_server, str(SAMPLES / "routing"))[0] == 0
    assert len(rules(aws)) == 5 and owned(aws)["tg"] == 4
    smaller = tmp_path / "routing"
    shutil.copytree(SAMPLES / "routing", smaller)
    ingress = smaller / "ingress.yaml"
    block = ("          - path: /path1\n            pathType: Exact\n            backend:\n              service:\n"
             "                name: forward-single-tg\n                port:\n                  name: use-annotation\n")
    assert block in ingress.read_text()
    ingress.write_text(ingress.read_text().replace(block, ""))
    code, out, _ = cli(moto_server, "plan", str(smaller), "--format", "json")
    changes = [(c["action"], c["type"].split("::")[-1]) for s in json.loads(out)["stacks"] for c in s["changes"]]
    assert ("delete", "TargetGroup") in changes and ("delete", "ListenerRule") in changes
    code, out, err = apply(moto_server, str(smaller))
    assert code == 0, err
    assert len(rules(aws)) == 4 and owned(aws)["tg"] == 3
    assert plan_code(moto_server, str(smaller)) == 0


def test_same_named_security_group_in_the_vpc_is_refused_at_plan_time(seeded: Any, moto_server: str,
                                                                      aws: AwsClients) -> None:
    code, out, _ = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--format", "json")
    name = next(c["name"] for s in json.loads(out)["stacks"] if s["id"] != "(cluster)" for c in s["changes"]
                if c["type"] == "AWS::EC2::SecurityGroup")
    foreign = aws.ec2.create_security_group(GroupName=name, Description="not albctl's", VpcId=seeded["vpc_id"])
    code, out, err = apply(moto_server, str(SAMPLES / "echoserver"))
    assert code == 1 and f"security group name {name} is already taken by {foreign['GroupId']}" in err, err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}


def test_same_named_load_balancer_without_our_tags_is_never_touched(seeded: Any, moto_server: str,
                                                                     aws: AwsClients) -> None:
    code, out, _ = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--format", "json")
    name = next(c["name"] for s in json.loads(out)["stacks"] for c in s["changes"]
                if c["type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
    foreign = aws.elbv2.create_load_balancer(Name=name, Subnets=seeded["public_subnet_ids"][:2],
                                             Tags=[{"Key": "owner", "Value": "someone-else"}])
    arn = foreign["LoadBalancers"][0]["LoadBalancerArn"]
    code, out, err = apply(moto_server, str(SAMPLES / "echoserver"))
    assert code == 1 and f"name {name} is already taken" in err and "Traceback" not in err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}  # refused at plan time: nothing was created
    code, _, _ = cli(moto_server, "destroy", str(SAMPLES / "echoserver"), "--auto-approve")
    assert code == 0
    tags = aws.elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    assert tags == [{"Key": "owner", "Value": "someone-else"}]


def test_saved_plan_applies_and_a_stale_one_is_refused(seeded: Any, moto_server: str, aws: AwsClients,
                                                       tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--out", str(saved))[0] == 0
    code, out, err = run(["apply", "--plan", str(saved), "--auto-approve", "--endpoint-url", moto_server], CREDS)
    assert code == 0, err
    assert plan_code(moto_server, str(SAMPLES / "echoserver")) == 0
    code, out, err = run(["apply", "--plan", str(saved), "--auto-approve", "--endpoint-url", moto_server], CREDS)
    assert code == 1 and "no longer matches" in err


def test_deletion_protection_is_refused_unless_allowed(seeded: Any, moto_server: str, aws: AwsClients) -> None:
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    (lb,) = aws.elbv2.describe_load_balancers()["LoadBalancers"]
    aws.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    code, _, err = cli(moto_server, "destroy", str(SAMPLES / "echoserver"), "--auto-approve")
    assert code == 1 and "deletion_protection.enabled" in err
    assert owned(aws)["lb"] == 1
    code, _, err = cli(moto_server, "destroy", str(SAMPLES / "echoserver"), "--auto-approve",
                       "--allow-destroy-protected")
    assert code == 0, err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}


def test_apply_without_terminal_or_auto_approve_refuses(seeded: Any, moto_server: str, aws: AwsClients) -> None:
    code, out, err = cli(moto_server, "apply", str(SAMPLES / "echoserver"))
    assert code == 1 and "--auto-approve" in err
    assert owned(aws)["lb"] == 0


def test_ip_mode_emits_target_group_bindings(seeded: Any, moto_server: str, aws: AwsClients,
                                             tmp_path: Path) -> None:
    out_dir = tmp_path / "tgb"
    code, out, err = apply(moto_server, str(SAMPLES / "2048"), extra=("--emit-tgb", str(out_dir)))
    assert code == 0, err
    (path,) = out_dir.glob("*.yaml")
    import yaml

    doc = yaml.safe_load(path.read_text())
    (tg,) = aws.elbv2.describe_target_groups()["TargetGroups"]
    assert doc["kind"] == "TargetGroupBinding" and doc["spec"]["targetGroupARN"] == tg["TargetGroupArn"]
    assert doc["spec"]["serviceRef"] == {"name": "service-2048", "port": 80}


def test_swapped_rule_priorities_move_the_same_rules(seeded: Any, moto_server: str, aws: AwsClients,
                                                                  tmp_path: Path) -> None:
    assert apply(moto_server, str(SAMPLES / "routing"))[0] == 0
    before = {_path(r): r["RuleArn"] for r in rules(aws)}
    swapped = tmp_path / "routing"
    shutil.copytree(SAMPLES / "routing", swapped)
    ingress = swapped / "ingress.yaml"
    text = ingress.read_text()
    tail = "            pathType: Exact\n            backend:\n              service:\n                name: {}\n" \
           "                port:\n                  name: use-annotation\n"
    first = "          - path: /503\n" + tail.format("response-503")
    second = "          - path: /eks\n" + tail.format("redirect-to-eks")
    assert first + second in text
    ingress.write_text(text.replace(first + second, second + first))
    code, out, err = apply(moto_server, str(swapped))
    assert code == 0, err
    after = {_path(r): (r["RuleArn"], r["Priority"]) for r in rules(aws)}
    # the same rules (by content) moved, none deleted and re-created
    assert after["/503"][0] == before["/503"] and after["/eks"][0] == before["/eks"]
    assert (after["/eks"][1], after["/503"][1]) == ("1", "2")


def _path(rule: dict[str, Any]) -> str:
    (cond,) = [c for c in rule["Conditions"] if c["Field"] == "path-pattern"]
    return str((cond.get("PathPatternConfig") or cond)["Values"][0])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code", "lbs"), [("yes\n", 0, 1), ("no\n", 1, 0), ("y\n", 1, 0)])
def test_apply_asks_on_a_terminal_and_only_yes_goes_ahead(answer: str, code: int, lbs: int, seeded: Any,
                                                          moto_server: str, aws: AwsClients) -> None:
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=_Terminal(answer), environ=CREDS)
    got = typer.main.get_command(app).main(
        args=["apply", str(SAMPLES / "echoserver"), "--cluster", "sandbox", "--endpoint-url", moto_server],
        standalone_mode=False, obj=env)
    assert got == code, err.getvalue()
    assert "Only 'yes' will be accepted" in out.getvalue()
    assert owned(aws)["lb"] == lbs


def test_live_load_balancer_keeps_its_subnets_as_the_controller_does(seeded: Any, moto_server: str,
                                                                     aws: AwsClients) -> None:
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    (lb,) = aws.elbv2.describe_load_balancers()["LoadBalancers"]
    two = seeded["public_subnet_ids"][:2]
    aws.elbv2.set_subnets(LoadBalancerArn=lb["LoadBalancerArn"], Subnets=two)
    # discovery would pick three subnets; the stack's existing load balancer keeps its two
    assert plan_code(moto_server, str(SAMPLES / "echoserver")) == 0


def test_emitted_bindings_open_the_backend_security_group(seeded: Any, moto_server: str, aws: AwsClients,
                                                          tmp_path: Path) -> None:
    import yaml

    out_dir = tmp_path / "tgb"
    assert apply(moto_server, str(SAMPLES / "2048"), extra=("--emit-tgb", str(out_dir)))[0] == 0
    (path,) = out_dir.glob("*.yaml")
    doc = yaml.safe_load(path.read_text())
    (backend,) = aws.ec2.describe_security_groups(
        Filters=[{"Name": "tag:elbv2.k8s.aws/resource", "Values": ["backend-sg"]}])["SecurityGroups"]
    peers = [p for rule in doc["spec"]["networking"]["ingress"] for p in rule["from"]]
    assert peers and all(p["securityGroup"]["groupID"] == backend["GroupId"] for p in peers)


def test_two_backends_that_would_share_a_target_group_name_fail_the_plan(seeded: Any, moto_server: str,
                                                                          aws: AwsClients, tmp_path: Path) -> None:
    docs = ["apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: default, "
            "annotations: {alb.ingress.kubernetes.io/target-type: ip}}\nspec:\n  ingressClassName: alb\n  rules:\n"
            "    - http:\n        paths:\n"
            "          - {path: /a, pathType: Prefix, backend: {service: {name: checkout-api, port: {number: 80}}}}\n"
            "          - {path: /b, pathType: Prefix, backend: {service: {name: checkout-web, port: {number: 80}}}}\n"]
    for name in ("checkout-api", "checkout-web"):
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: default}}\n"
                    "spec: {type: ClusterIP, ports: [{name: http, port: 80, targetPort: 8080}]}\n")
    (tmp_path / "shop.yaml").write_text("---\n".join(docs))
    (tmp_path / "class.yaml").write_text((SAMPLES / "echoserver" / "ingressclass.yaml").read_text())
    code, out, err = cli(moto_server, "plan", str(tmp_path))
    assert code == 1 and "default/checkout-api:80" in err and "default/checkout-web:80" in err, err
    assert "warning:" not in err.split("default/checkout-api:80")[0].splitlines()[-1]


def test_every_apply_here_is_checked_against_its_plan(seeded: Any, moto_server: str,
                                                      plan_is_the_program: list[Any]) -> None:
    """The autouse fixture (tests/aws/conftest.py) compares each apply's writes with its plan's calls."""
    assert apply(moto_server, str(SAMPLES / "echoserver"))[0] == 0
    ((writes, named),) = plan_is_the_program
    assert writes["CreateLoadBalancer"] == named["CreateLoadBalancer"] == 1 and sum(writes.values()) == 8
