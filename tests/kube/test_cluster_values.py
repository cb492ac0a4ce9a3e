"""Issue 8: values only the cluster knows (node ports, Service uids, Services kept elsewhere).

The echoserver walkthrough's own manifests (a NodePort Service without nodePort) are retyped here.
Offline they validate and render with placeholders and one warning; with the cluster's answer
(``kubectl get service -o json``, replayed by a fake kubectl) the target group gets the
controller's exact name and port; with only a live target group, its port."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from albctl.cli.main import app
from albctl.cli.options import KubeArgs
from albctl.errors import ConfigError
from albctl.kube.services import ClusterError, backend_service_keys, kubectl_command, read_backend_services
from albctl.model import names
from albctl.model.cluster import LiveTargetGroup, live_target_groups, merge_service
from albctl.model.facts import Facts
from albctl.model.stack import LISTENER_RULE, TARGET_GROUP, TARGET_GROUP_BINDING, Placeholder
from albctl.settings import Settings
from tests.model.helpers import build, load

HERE = Path(__file__).resolve().parent
SETTINGS = Settings(cluster_name="demo")

ECHO_SERVICE = textwrap.dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: echoserver
      namespace: echoserver
    spec:
      ports:
        - port: 80
          targetPort: 8080
          protocol: TCP
      type: NodePort
      selector:
        app: echoserver
    """)
ECHO_INGRESS = textwrap.dedent("""\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: echoserver
      namespace: echoserver
      annotations:
        alb.ingress.kubernetes.io/scheme: internet-facing
        alb.ingress.kubernetes.io/tags: Environment=dev,Team=test
    spec:
      ingressClassName: alb
      rules:
        - http:
            paths:
              - path: /
                pathType: Exact
                backend:
                  service:
                    name: echoserver
                    port:
                      number: 80
    """)
RES_ID = "echoserver/echoserver-echoserver:80"
UID = "3c7e1f0a-5b2d-4e8f-9a61-0d4b7c2e9f15"
NODE_PORT = 31247


@pytest.fixture
def fake_kubectl(tmp_path, monkeypatch):
    """A directory first on PATH whose kubectl replays the recorded answers in tests/kube."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kubectl"
    script.write_text(f"#!{sys.executable}\n" + (HERE / "fake_kubectl.py").read_text(encoding="utf-8"))
    script.chmod(0o755)
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(HERE / "echoserver-service.json", answers / "echoserver.echoserver.json")
    environ = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "FAKE_KUBECTL_DIR": str(answers)}
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    return environ, answers


def _tg(result):
    (stack,) = result.stacks
    (tg,) = stack.of_type(TARGET_GROUP)
    return tg.spec, stack


# -- class 1 offline: placeholders and one warning ----------------------------------------------------

def test_echoserver_without_node_port_renders_offline_with_placeholders_and_one_warning():
    result = build(ECHO_INGRESS, ECHO_SERVICE, settings=SETTINGS)
    assert not result.errors
    tg, stack = _tg(result)
    assert isinstance(tg.port, Placeholder) and "node port" in str(tg.port)
    assert isinstance(tg.name, Placeholder)
    (tgb,) = stack.of_type(TARGET_GROUP_BINDING)
    assert isinstance(tgb.spec.target_port, Placeholder)
    (warning,) = result.warnings
    assert warning.obj == "Service echoserver/echoserver" and "no nodePort" in warning.message
    assert "--kube-context" in warning.message and warning.field == "spec.ports[0]"


def test_many_rules_to_one_service_without_node_port_warn_once():
    two_paths = ECHO_INGRESS.replace("  rules:\n", "  rules:\n    - host: a.example.com\n"
                                     "      http:\n        paths:\n          - path: /a\n"
                                     "            pathType: Prefix\n            backend:\n"
                                     "              service: {name: echoserver, port: {number: 80}}\n")
    result = build(two_paths, ECHO_SERVICE, settings=SETTINGS)
    assert len(result.stacks[0].of_type(LISTENER_RULE)) == 2
    assert len(result.warnings) == 1


def test_cli_validate_and_render_offline_accept_the_walkthrough(tmp_path):
    path = tmp_path / "echoserver.yaml"
    path.write_text(ECHO_SERVICE + "---\n" + ECHO_INGRESS, encoding="utf-8")
    runner = CliRunner()
    env = {"NO_COLOR": "1", "COLUMNS": "200", "ALBCTL_CONFIG": None}
    validated = runner.invoke(app, ["validate", str(path)], env=env)
    assert validated.exit_code == 0, validated.output
    assert "1 warning(s)" in validated.stdout and "no nodePort" in validated.stderr
    strict = runner.invoke(app, ["validate", "--strict", str(path)], env=env)
    assert strict.exit_code == 1 and "--strict" in strict.stderr and "Traceback" not in strict.output
    rendered = runner.invoke(app, ["render", "--offline", "--format", "json", str(path)], env=env)
    assert rendered.exit_code == 0, rendered.output
    doc = json.loads(rendered.stdout)
    tg = doc["stacks"][0]["resources"]["AWS::ElasticLoadBalancingV2::TargetGroup"][RES_ID]["spec"]
    assert tg["port"] == "<node port of Service echoserver/echoserver port 80>"
    stack_json = runner.invoke(app, ["render", "--offline", "--format", "stack-json", str(path)], env=env)
    assert stack_json.exit_code == 0 and "node port of Service echoserver/echoserver port 80" in stack_json.stdout
    text = runner.invoke(app, ["render", "--offline", str(path)], env=env)
    assert text.exit_code == 0 and "<node port of Service echoserver/echoserver port 80>" in text.stdout


# -- class 1 with the cluster: the controller's exact name and port ------------------------------------

def test_recorded_cluster_answer_gives_the_controllers_name_and_port(fake_kubectl):
    environ, answers = fake_kubectl
    inputs = load(ECHO_INGRESS, ECHO_SERVICE)
    from albctl import pipeline

    read = pipeline.from_inputs(inputs, SETTINGS)
    services = read_backend_services(KubeArgs("arn:aws:eks:us-west-2:111122223333:cluster/demo", None),
                                     read.groups, environ=environ)
    assert set(services) == {("echoserver", "echoserver")}
    facts = Facts(cluster_services=services)
    result = pipeline.build(read, SETTINGS, facts)
    assert not result.errors and not result.warnings
    tg, _ = _tg(result)
    assert tg.port == NODE_PORT
    assert tg.name == names.target_group_name("demo", "echoserver/echoserver", "echoserver", "echoserver",
                                              "echoserver", "echoserver", UID, "80", NODE_PORT, "instance", "HTTP",
                                              "HTTP1")
    calls = (answers / "calls.log").read_text().splitlines()
    assert calls == ["--context arn:aws:eks:us-west-2:111122223333:cluster/demo get service echoserver "
                     "--namespace echoserver --output json"]


def test_service_only_in_the_cluster_is_used_whole(fake_kubectl):
    environ, _ = fake_kubectl
    from albctl import pipeline

    read = pipeline.from_inputs(load(ECHO_INGRESS), SETTINGS)
    services = read_backend_services(KubeArgs(None, "/tmp/kubeconfig"), read.groups, environ=environ)
    result = pipeline.build(read, SETTINGS, Facts(cluster_services=services, offline=False))
    assert not result.errors
    assert _tg(result)[0].port == NODE_PORT


def test_service_missing_from_the_cluster_is_absent_not_an_error(fake_kubectl):
    environ, answers = fake_kubectl
    (answers / "echoserver.echoserver.json").unlink()
    from albctl import pipeline

    read = pipeline.from_inputs(load(ECHO_INGRESS), SETTINGS)
    assert read_backend_services(KubeArgs("ctx", None), read.groups, environ=environ) == {}


def test_kubectl_failure_is_a_cluster_error_with_its_message(fake_kubectl, monkeypatch):
    environ, _ = fake_kubectl
    environ = {**environ, "FAKE_KUBECTL_FAIL": "error: You must be logged in to the server (Unauthorized)"}
    from albctl import pipeline

    read = pipeline.from_inputs(load(ECHO_INGRESS), SETTINGS)
    with pytest.raises(ClusterError, match=r"Unauthorized"):
        read_backend_services(KubeArgs("ctx", None), read.groups, environ=environ)


def test_missing_kubectl_is_one_clear_error(tmp_path):
    from albctl import pipeline

    read = pipeline.from_inputs(load(ECHO_INGRESS), SETTINGS)
    with pytest.raises(ConfigError, match="kubectl, which is not on PATH"):
        read_backend_services(KubeArgs("ctx", None), read.groups, environ={"PATH": str(tmp_path)})


def test_kubectl_command_honours_context_and_kubeconfig():
    assert kubectl_command("kubectl", "prod", "/k/config", "ns", "svc") == [
        "kubectl", "--kubeconfig", "/k/config", "--context", "prod", "get", "service", "svc", "--namespace", "ns",
        "--output", "json"]


def test_backend_service_keys_include_weighted_action_targets():
    from albctl import pipeline

    doc = textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: split
          namespace: echoserver
          annotations:
            alb.ingress.kubernetes.io/actions.split: >
              {"type":"forward","forwardConfig":{"targetGroups":[
              {"serviceName":"blue","servicePort":"80","weight":90},
              {"serviceName":"green","servicePort":80,"weight":10}]}}
        spec:
          ingressClassName: alb
          defaultBackend: {service: {name: echoserver, port: {number: 80}}}
          rules:
            - http:
                paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: split, port: {name: use-annotation}}}}
        """)
    read = pipeline.from_inputs(load(doc), SETTINGS)
    assert backend_service_keys(read.groups) == [("echoserver", "blue"), ("echoserver", "green"),
                                                  ("echoserver", "echoserver")]


# -- class 1 without cluster access: the live target group's port -------------------------------------

def _live(port: int = NODE_PORT, name: str | None = None) -> dict:
    name = name or names.target_group_name("demo", "echoserver/echoserver", "echoserver", "echoserver",
                                           "echoserver", "echoserver", UID, "80", port, "instance", "HTTP", "HTTP1")
    return {("echoserver/echoserver", RES_ID): LiveTargetGroup(name, port, "instance", "HTTP", "HTTP1")}


def test_plan_without_cluster_takes_node_port_and_name_from_the_live_target_group():
    result = build(ECHO_INGRESS, ECHO_SERVICE, settings=SETTINGS, facts=Facts(offline=False,
                                                                             live_target_groups=_live()))
    assert not result.errors and not result.warnings
    tg, _ = _tg(result)
    assert tg.port == NODE_PORT and tg.name == _live()[("echoserver/echoserver", RES_ID)].name


def test_live_target_group_of_another_protocol_does_not_give_the_port():
    live = {k: LiveTargetGroup(v.name, v.port, v.target_type, "HTTPS", v.protocol_version)
            for k, v in _live().items()}
    result = build(ECHO_INGRESS, ECHO_SERVICE, settings=SETTINGS, facts=Facts(offline=False, live_target_groups=live))
    (error,) = result.errors
    assert "--kube-context" in error.message and "spec.ports[].nodePort" in error.message


def test_plan_without_any_source_of_the_node_port_names_both_ways():
    result = build(ECHO_INGRESS, ECHO_SERVICE, settings=SETTINGS, facts=Facts(offline=False))
    (error,) = result.errors
    assert error.obj == "Service echoserver/echoserver"
    assert "--kube-context NAME (or --kubeconfig FILE)" in error.message and "nodePort" in error.message


def test_live_target_groups_reads_live_stacks():
    class Res:
        def __init__(self, type_, id_, spec):
            self.type, self.id, self.spec = type_, id_, spec

    class LiveStack:
        resources = [Res(TARGET_GROUP, RES_ID, {"name": "k8s-echoserv-echoserv-0123456789", "port": NODE_PORT,
                                                "targetType": "instance", "protocol": "HTTP",
                                                "protocolVersion": "HTTP1"}),
                     Res("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancer", {"name": "x"})]

    assert live_target_groups({"echoserver/echoserver": LiveStack()}) == {
        ("echoserver/echoserver", RES_ID): LiveTargetGroup("k8s-echoserv-echoserv-0123456789", NODE_PORT, "instance",
                                                           "HTTP", "HTTP1")}


def test_merge_service_keeps_manifest_node_ports_and_fills_the_rest():
    manifest = load(ECHO_SERVICE.replace("targetPort: 8080", "targetPort: 8080\n    - port: 81\n"
                                         "      nodePort: 30081")).services[("echoserver", "echoserver")]
    cluster = load(ECHO_SERVICE.replace("targetPort: 8080", "targetPort: 8080\n      nodePort: 31247\n"
                                        "    - port: 81\n      nodePort: 31999")
                   .replace("namespace: echoserver", f"namespace: echoserver\n  uid: {UID}")
                   ).services[("echoserver", "echoserver")]
    merged = merge_service(manifest, cluster)
    assert merged is not None and merged.meta.uid == UID
    assert [(p.port, p.node_port) for p in merged.ports] == [(80, 31247), (81, 30081)]
    assert merge_service(None, cluster) is cluster and merge_service(manifest, None) is manifest
