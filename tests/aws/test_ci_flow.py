"""A GitHub-Actions-style run: validate (workflow commands), plan → markdown → saved plan → apply → show, with
GITHUB_STEP_SUMMARY set; each output checked. And a failing plan is markdown too, never an empty file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws.test_apply import SAMPLES
from tests.aws.test_cli_aws import CREDS, run


def test_plan_markdown_saved_plan_apply_show_with_a_step_summary(seeded: Any, moto_server: str,
                                                                  tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    environ = {**CREDS, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "ALBCTL_CLUSTER": "sandbox",
               "AWS_ENDPOINT_URL": moto_server}
    sample = str(SAMPLES / "https")

    code, out, err = run(["validate", "-f", sample], environ)
    assert code == 0, err
    assert "::error" not in out

    saved = tmp_path / "plan.json"
    code, markdown, err = run(["plan", sample, "--cluster", "sandbox", "--format", "markdown", "--out", str(saved),
                               "--detailed-exitcode"],
                              environ)
    assert code == 2, err
    assert markdown.startswith("### albctl plan\n\ncluster `sandbox` · region `us-east-1` · IngressGroups: `web/app`")
    assert "| 1 | create security group k8s-traffic-sandbox-" in markdown
    assert "| create load balancer k8s-web-app-" in markdown
    assert f"- host app.example.com: certificate {seeded['certificate_arn']}" in markdown  # a note
    assert "<details><summary>Full plan</summary>" in markdown and "rules of listener HTTPS:443" in markdown
    assert summary.read_text() == markdown  # appended to the job summary

    code, shown, err = run(["show", str(saved), "--format", "markdown"], environ)
    assert code == 0, err
    assert shown == markdown  # the saved plan renders as the fresh one did

    code, out, err = run(["apply", "--plan", str(saved)], environ)  # no prompt: the saved plan was the review
    assert code == 0, err
    assert "Apply complete! Resources: 7 added" in out
    dns = [line for line in out.splitlines() if line.startswith("load balancer k8s-web-app-")]
    assert len(dns) == 1 and "dns_name = k8s-web-app-" in dns[0] and "hosted_zone = Z" in dns[0]
    text = summary.read_text()
    assert text.startswith(markdown) and "### albctl apply" in text[len(markdown):]
    assert "**Apply complete! Resources: 7 added" in text and "| load balancer | DNS name | hosted zone |" in text

    code, out, err = run(["show", sample, "--cluster", "sandbox", "--format", "json"], environ)
    assert code == 0, err
    (stack,) = json.loads(out)["stacks"]
    assert stack["load_balancer"]["dns_name"] in dns[0]
    assert [(ls["protocol"], ls["port"]) for ls in stack["listeners"]] == [("HTTP", 80), ("HTTPS", 443)]
    (rule,) = stack["listeners"][1]["rules"]
    assert rule["conditions"] == "host app.example.com, path /*" and rule["action"].startswith("forward → target")
    (tg,) = stack["target_groups"]
    assert len(tg["targets"]) == 3 and all(t["health"] for t in tg["targets"])
    code, out, err = run(["show", sample, "--cluster", "sandbox"], environ)
    assert code == 0, err
    assert "dns_name    = " + stack["load_balancer"]["dns_name"] in out
    assert "default  redirect → HTTPS://#{host}:443 (301)" in out


def test_a_failed_plan_is_markdown_on_stdout_and_in_the_summary(seeded: Any, moto_server: str,
                                                                tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    environ = {**CREDS, "GITHUB_STEP_SUMMARY": str(summary), "ALBCTL_CLUSTER": "sandbox",
               "AWS_ENDPOINT_URL": moto_server}
    code, out, err = run(["plan", str(tmp_path / "missing-dir"), "--format", "markdown"], environ)
    assert code == 1
    assert out.startswith("### albctl plan failed\n\n- :x: ") and out == summary.read_text()
    assert err  # the error is still reported on standard error


def test_validate_github_format_annotates_the_lines() -> None:
    code, out, _ = run(["validate", str(SAMPLES / "invalid" / "bad-scheme.yaml"), "--format", "github"], {})
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"::error file={SAMPLES / 'invalid' / 'bad-scheme.yaml'},line=32,col=5::Ingress "
                           "invalid-scheme/echoserver: metadata.annotations[alb.ingress.kubernetes.io/scheme]: ")
    code, out, _ = run(["validate", str(SAMPLES / "invalid" / "typo-annotation.yaml")], {"GITHUB_ACTIONS": "true"})
    assert code == 0 and out.startswith("::warning file=") and "did you mean alb.ingress.kubernetes.io/scheme?" in out
