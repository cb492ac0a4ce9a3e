"""Stacks of the cluster that the inputs no longer define: listed and left alone, or pruned within an
explicit scope; and no Ingress at all is an error, not a silent "No changes"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from albctl.aws.session import AwsClients
from tests.aws.test_apply import SAMPLES, apply, cli, owned


def _both_applied(moto_server: str) -> None:
    code, _, err = apply(moto_server, str(SAMPLES / "echoserver"), str(SAMPLES / "2048"))
    assert code == 0, err


def test_a_stack_not_in_the_inputs_is_listed_and_left_alone(seeded: Any, moto_server: str, aws: AwsClients) -> None:
    _both_applied(moto_server)
    code, out, err = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--format", "json", "--detailed-exitcode")
    assert code == 0, err  # nothing to change: the orphan is not deleted
    doc = json.loads(out)
    assert doc["orphans"] == ["game-2048/ingress-2048"]
    code, out, _ = cli(moto_server, "plan", str(SAMPLES / "echoserver"))
    assert "IngressGroup game-2048/ingress-2048: not in the inputs, left alone" in out
    assert "No changes." in out


def test_prune_namespace_deletes_only_stacks_whose_ingresses_lived_there(seeded: Any, moto_server: str,
                                                                         aws: AwsClients) -> None:
    _both_applied(moto_server)
    code, out, err = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--prune-namespace", "other",
                         "--detailed-exitcode")
    assert code == 0, err
    code, out, err = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--prune-namespace", "game-2048",
                         "--format", "json")
    doc = json.loads(out)
    assert doc["orphans"] == []
    (pruned,) = [s for s in doc["stacks"] if s["id"] == "game-2048/ingress-2048"]
    assert {op["step"] for op in pruned["operations"]} == {"delete"}
    assert not any(s["id"] == "(cluster)" for s in doc["stacks"])  # the echoserver still uses the backend SG
    code, out, err = apply(moto_server, str(SAMPLES / "echoserver"), extra=("--prune-namespace", "game-2048"))
    assert code == 0, err
    assert owned(aws)["lb"] == 1
    (lb,) = aws.elbv2.describe_load_balancers()["LoadBalancers"]
    assert lb["LoadBalancerName"].startswith("k8s-echoserv-echoserv-")


def test_no_ingress_fails_and_says_why_unless_pruning(seeded: Any, moto_server: str, aws: AwsClients,
                                                      tmp_path: Path) -> None:
    code, out, err = cli(moto_server, "plan", str(tmp_path))
    assert code == 1 and "nothing to plan: no manifest files were found" in err and "--prune-all" in err
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: []\n")
    code, _, err = cli(moto_server, "apply", str(tmp_path), "--auto-approve")
    assert code == 1 and "hold no Ingress" in err
    (tmp_path / "ing.yaml").write_text("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n"
                                       "spec:\n  ingressClassName: nginx\n  defaultBackend:\n    service:\n"
                                       "      name: s\n      port:\n        number: 80\n")
    code, _, err = cli(moto_server, "plan", str(tmp_path))
    assert code == 1 and "every Ingress was skipped (1)" in err and "nginx" in err, err
    _both_applied(moto_server)
    code, out, err = apply(moto_server, str(tmp_path), extra=("--prune-all",))
    assert code == 0, err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}


def test_a_certificate_that_does_not_exist_fails_the_plan_naming_it(seeded: Any, moto_server: str,
                                                                    aws: AwsClients, tmp_path: Path) -> None:
    missing = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    text = (SAMPLES / "https" / "app.yaml").read_text()
    anchor = "    alb.ingress.kubernetes.io/ssl-redirect: '443'\n"
    (tmp_path / "app.yaml").write_text(text.replace(anchor, anchor + f"    alb.ingress.kubernetes.io/certificate-arn: "
                                                                    f"{missing}\n"))
    (tmp_path / "class.yaml").write_text((SAMPLES / "https" / "ingressclass.yaml").read_text())
    code, out, err = cli(moto_server, "plan", str(tmp_path))
    assert code == 1
    assert f"certificate {missing} does not exist in ACM (region us-east-1)" in err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}
    code, out, err = cli(moto_server, "plan", str(SAMPLES / "https"))  # discovered: the sandbox's certificate
    assert code == 0, err
    assert f"certificate {seeded['certificate_arn']} (discovered in ACM, wildcard *.example.com match)" in out
