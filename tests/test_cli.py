"""The command line, driven through typer's CliRunner (and one subprocess for import weight)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from albctl import __version__
from albctl.cli.main import app

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LB_NAME = re.compile(r"^k8s-echoserv-echoserv-[0-9a-f]{10}$")
TG_NAME = re.compile(r"^k8s-[a-z0-9-]{1,8}-[a-z0-9-]{1,8}-[0-9a-f]{10}$")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    base = {"ALBCTL_CLUSTER": None, "ALBCTL_CONFIG": None, "COLUMNS": None, "NO_COLOR": "1"}
    return CliRunner().invoke(app, list(args), input=input, env={**base, **(env or {})})


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the app, as argument lists."""
    out: list[list[str]] = []

    def walk(cmd: object, prefix: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                out.append([*prefix, name])
                walk(sub, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return out


def resources(doc: dict, kind: str) -> list[dict]:
    return [r["spec"] for s in doc["stacks"] for r in s["resources"].get(kind, {}).values()]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"albctl {__version__}\n"


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "validate" in result.stdout and "render" in result.stdout


def test_no_arguments_shows_help_and_exits_1() -> None:
    result = run()
    assert result.exit_code == 1
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", command_paths(), ids=" ".join)
def test_help_of_every_command(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "Traceback" not in result.output


def test_validate_samples_is_ok() -> None:
    result = run("validate", str(SAMPLES))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")
    assert "no problems found" in result.stdout


def test_validate_invalid_samples_reports_one_line_per_problem() -> None:
    result = run("validate", str(SAMPLES / "invalid"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    problems = [ln for ln in lines if ln.startswith(str(SAMPLES / "invalid"))]
    assert lines[-1] == "4 errors."
    # four errors and the typo warning; the missing Service is a warning of the model, which is not built
    # while the inputs have errors
    assert len(problems) == len(lines) - 1 == 5
    for name in ("bad-indentation", "bad-scheme", "listen-ports-not-json", "subnets-stray-text", "typo-annotation"):
        assert sum(f"/{name}.yaml:" in ln for ln in problems) == 1, name
    assert all(re.match(r"^\S+:\d+:\d+: ", ln) for ln in problems)


def test_warnings_alone_do_not_fail() -> None:
    result = run("validate", str(SAMPLES / "invalid" / "typo-annotation.yaml"))
    assert result.exit_code == 0
    assert "warning: unknown annotation" in result.stderr


def test_unknown_option_is_exit_1_not_2() -> None:
    result = run("validate", "--bogus", str(SAMPLES))
    assert result.exit_code == 1
    assert "No such option: --bogus" in result.stderr


def test_missing_argument_is_exit_1() -> None:
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr == ("error: no manifests given: pass PATH... or -f PATH (a file, a directory, or - for "
                             "standard input)\n")


def test_filename_option_is_a_path_as_kubectl_takes_it() -> None:
    by_option = run("render", "-f", str(SAMPLES / "echoserver"), "--filename", str(SAMPLES / "2048"), "--offline",
                    "--format", "json", env={"ALBCTL_CLUSTER": "c"})
    positional = run("render", str(SAMPLES / "echoserver"), str(SAMPLES / "2048"), "--offline", "--format", "json",
                     env={"ALBCTL_CLUSTER": "c"})
    assert by_option.exit_code == 0, by_option.stderr
    assert by_option.stdout == positional.stdout and len(json.loads(by_option.stdout)["stacks"]) == 2


@pytest.mark.parametrize("command", ["validate", "render", "plan", "apply", "destroy", "show"])
def test_every_manifest_command_takes_verbose_and_filename(command: str) -> None:
    result = run(command, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--verbose" in result.stdout and "--filename" in result.stdout


def test_ctrl_c_prints_a_line_and_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from albctl.cli import workflow
    from albctl.cli.env import Env

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow, "report", interrupted)
    err = io.StringIO()
    code = typer.main.get_command(app).main(args=["validate", str(SAMPLES / "echoserver")], standalone_mode=False,
                                            obj=Env(stdout=io.StringIO(), stderr=err, environ={}))
    assert code == 130 and err.getvalue() == "\nInterrupted.\n"


def test_a_sandbox_that_does_not_answer_fails_fast_and_says_so() -> None:
    import socket
    import time

    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        started = time.monotonic()
        result = run("plan", str(SAMPLES / "echoserver"), "--cluster", "c", "--region", "us-east-1",
                     "--endpoint-url", f"http://127.0.0.1:{port}",
                     env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
        elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert f"error: the sandbox is not running: nothing answers at http://127.0.0.1:{port}" in result.stderr
    assert elapsed < 2.5


def test_bad_option_value_is_exit_1() -> None:
    result = run("render", str(SAMPLES / "echoserver"), "--offline", "--format", "xml")
    assert result.exit_code == 1
    assert "Invalid value for '--format'" in result.stderr


def test_unknown_command_is_exit_1() -> None:
    result = run("frobnicate")
    assert result.exit_code == 1
    assert "No such command" in result.stderr


def test_missing_path_is_exit_1() -> None:
    result = run("validate", "no/such/dir")
    assert result.exit_code == 1
    assert result.stderr.startswith("no/such/dir: no such file or directory")


def render_json(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> dict:
    result = run("render", *args, "--offline", "--format", "json", input=input, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_render_offline_json_names() -> None:
    doc = render_json(str(SAMPLES / "echoserver"))
    (lb,) = resources(doc, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert LB_NAME.match(lb["name"]), lb["name"]
    tgs = resources(doc, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert tgs
    for tg in tgs:
        assert TG_NAME.match(tg["name"]), tg["name"]
        assert tg["name"].startswith("k8s-echoserv-echoserv-")


def test_render_without_cluster_warns() -> None:
    result = run("render", str(SAMPLES / "echoserver"), "--offline")
    assert result.exit_code == 0
    assert "warning: no cluster name" in result.stderr
    assert "k8s-echoserv-echoserv-" in result.stdout


def test_cluster_env_var_changes_the_names() -> None:
    def names(env: dict[str, str] | None = None, *extra: str) -> set[str]:
        doc = render_json(str(SAMPLES / "echoserver"), *extra, env=env)
        kinds = ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup")
        return {r["name"] for kind in kinds for r in resources(doc, kind)}

    plain, prod = names(), names({"ALBCTL_CLUSTER": "prod"})
    assert plain.isdisjoint(prod)
    assert names(None, "--cluster", "prod") == prod
    assert names({"ALBCTL_CLUSTER": "other"}, "--cluster", "prod") == prod  # the flag beats the variable
    assert render_json(str(SAMPLES / "echoserver"), env={"ALBCTL_CLUSTER": "prod"})["cluster"] == "prod"


def test_render_without_offline_needs_aws_and_says_so() -> None:
    no_aws = {"AWS_REGION": None, "AWS_DEFAULT_REGION": None, "AWS_PROFILE": None, "AWS_CONFIG_FILE": "/dev/null",
              "AWS_ENDPOINT_URL": None}
    result = run("render", str(SAMPLES / "echoserver"), "--cluster", "c", env=no_aws)
    assert result.exit_code == 1
    assert "no AWS region" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_verbose_lists_skipped_objects() -> None:
    result = run("render", str(SAMPLES / "echoserver"), "--offline", "-v")
    assert result.exit_code == 0
    assert re.search(r"deployment\.yaml:\d+:\d+: skipped Deployment echoserver: not a kind albctl reads",
                     result.stderr)
    assert "skipped Namespace echoserver" in result.stderr
    quiet = run("render", str(SAMPLES / "echoserver"), "--offline")
    assert "skipped" not in quiet.stderr


def test_validate_verbose_lists_skipped_objects() -> None:
    result = run("validate", "-v", str(SAMPLES / "echoserver"))
    assert result.exit_code == 0
    assert "skipped Deployment echoserver" in result.stderr


def test_render_reads_stdin() -> None:
    text = "\n---\n".join((SAMPLES / "echoserver" / name).read_text()
                          for name in ("ingressclass.yaml", "service.yaml", "ingress.yaml"))
    from_stdin = render_json("-", input=text)
    from_dir = render_json(str(SAMPLES / "echoserver"))
    assert from_stdin["stacks"][0]["resources"] == from_dir["stacks"][0]["resources"]


def test_stdin_errors_are_located_in_dash() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n"
    result = run("validate", "-", input=text)
    assert result.exit_code == 1
    assert result.stderr.startswith("-:4:")


def test_config_file_with_unknown_key(tmp_path: Path) -> None:
    config = tmp_path / "albctl.yaml"
    config.write_text("cluster-name: prod\nclustr-name: typo\n")
    result = run("render", str(SAMPLES / "echoserver"), "--offline", "--config", str(config))
    assert result.exit_code == 1
    assert "'clustr-name'" in result.stderr
    assert "Traceback" not in result.output


def test_config_file_sets_the_cluster(tmp_path: Path) -> None:
    config = tmp_path / "albctl.yaml"
    config.write_text("cluster-name: prod\n")
    with_config = render_json(str(SAMPLES / "echoserver"), "--config", str(config))
    with_env = render_json(str(SAMPLES / "echoserver"), env={"ALBCTL_CLUSTER": "prod"})
    assert with_config == with_env


def test_missing_config_file(tmp_path: Path) -> None:
    result = run("validate", "--config", str(tmp_path / "nope.yaml"), str(SAMPLES / "echoserver"))
    assert result.exit_code == 1
    assert "cannot read config file" in result.stderr


def test_no_color_and_no_markup_in_messages(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: '[bold]x'}\nspec: {}\n")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "'[bold]x'" in result.stderr
    assert "\x1b[" not in result.output


def test_import_of_the_cli_stays_light() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import albctl.cli.main"],
                          capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "typer" in imported  # the parse worked
    heavy = sorted(m for m in imported if m.split(".")[0] in ("boto3", "botocore", "jsonschema", "moto"))
    assert heavy == []


def test_user_text_is_never_markup_emoji_or_raw_control_characters(tmp_path: Path) -> None:
    text = (SAMPLES / "echoserver" / "ingress.yaml").read_text()
    hostile = r"team=:smile: [red]x[/] \e[2Jgone"
    assert "alb.ingress.kubernetes.io/tags: Environment=dev,Team=test" in text
    (tmp_path / "ingress.yaml").write_text(text.replace("alb.ingress.kubernetes.io/tags: Environment=dev,Team=test",
                                                        f'alb.ingress.kubernetes.io/tags: "{hostile}"'))
    for name in ("service.yaml", "ingressclass.yaml", "namespace.yaml"):
        (tmp_path / name).write_text((SAMPLES / "echoserver" / name).read_text())
    result = run("render", str(tmp_path), "--offline", "--cluster", "c")
    assert result.exit_code == 0, result.output
    assert "team=:smile: [red]x[/] \\x1b[2Jgone" in result.output and "\x1b" not in result.output
    bad = text.replace("alb.ingress.kubernetes.io/scheme: internet-facing",
                       'alb.ingress.kubernetes.io/scheme: "\\e[2J[bold]:smile:"')
    (tmp_path / "ingress.yaml").write_text(bad)
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1 and "\x1b" not in result.output and ":smile:" in result.output


def test_problems_are_capped_per_field_with_a_count_of_the_rest(tmp_path: Path) -> None:
    text = (SAMPLES / "echoserver" / "ingress.yaml").read_text()
    bad = ",".join(f"999.0.0.{i}/8" for i in range(300))
    old = "alb.ingress.kubernetes.io/tags: Environment=dev,Team=test"
    (tmp_path / "ingress.yaml").write_text(text.replace(old, f'alb.ingress.kubernetes.io/inbound-cidrs: "{bad}"'))
    result = run("validate", str(tmp_path))
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 12, lines
    assert "... and 290 more problem(s) in metadata.annotations[alb.ingress.kubernetes.io/inbound-cidrs][*]" \
           in lines[-2] and lines[-1] == "300 errors."
