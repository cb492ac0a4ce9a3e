"""Build stacks from inline YAML, for model tests."""

from __future__ import annotations

import textwrap

from albctl import pipeline
from albctl.manifests.loader import load_text
from albctl.manifests.objects import Inputs
from albctl.model.facts import OFFLINE, Facts
from albctl.model.stack import Stack
from albctl.settings import Settings

SETTINGS = Settings(cluster_name="test-cluster")


def ingress(name: str = "web", namespace: str = "default", annotations: dict[str, str] | None = None,
            rules: str | None = None, extra_spec: str = "") -> str:
    """An Ingress document in v1 form, with alb.ingress.kubernetes.io/ prefixes added to annotation keys."""
    ann = "\n".join(
        f"    {k if '/' in k else 'alb.ingress.kubernetes.io/' + k}: '{v}'" for k, v in (annotations or {}).items())
    rules = rules if rules is not None else textwrap.dedent("""\
        - host: app.example.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend: {service: {name: svc, port: {number: 80}}}""")
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
        + (f"  annotations:\n{ann}\n" if ann else "")
        + "spec:\n  ingressClassName: alb\n"
        + (textwrap.indent(extra_spec, "  ") + "\n" if extra_spec else "")
        + "  rules:\n" + textwrap.indent(rules, "    ") + "\n"
    )


def service(name: str = "svc", namespace: str = "default", port: int = 80, node_port: int = 30080,
            target_port: int | str = 8080, annotations: dict[str, str] | None = None, port_name: str = "http") -> str:
    ann = "".join(f"\n    alb.ingress.kubernetes.io/{k}: '{v}'" for k, v in (annotations or {}).items())
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
        + (f"  annotations:{ann}\n" if ann else "")
        + f"spec:\n  type: NodePort\n  ports:\n  - name: {port_name}\n    port: {port}\n"
        f"    targetPort: {target_port!r}\n    nodePort: {node_port}\n"
    )


def load(*docs: str) -> Inputs:
    inputs = Inputs()
    load_text("\n---\n".join(docs), "test.yaml", inputs)
    return inputs


def build(*docs: str, settings: Settings = SETTINGS, facts: Facts = OFFLINE) -> pipeline.Result:
    return pipeline.build(pipeline.from_inputs(load(*docs), settings), settings, facts)


def stacks(*docs: str, settings: Settings = SETTINGS, facts: Facts = OFFLINE) -> list[Stack]:
    result = build(*docs, settings=settings, facts=facts)
    assert not result.errors, [str(d) for d in result.errors]
    return result.stacks


def errors(*docs: str, settings: Settings = SETTINGS) -> list[str]:
    return [str(d) for d in build(*docs, settings=settings).errors]
