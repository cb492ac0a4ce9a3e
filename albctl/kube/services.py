"""Read the Services an IngressGroup forwards to from the cluster, read-only, with ``kubectl``.

What only the cluster knows (the node ports the API server assigned, the Service uid that the
controller hashes into target group names, a Service whose manifest lives elsewhere) comes from
``kubectl get service NAME -n NAMESPACE -o json``, through the user's kubeconfig: kubectl runs its
exec credential plugins (``aws eks get-token``), so albctl needs no Kubernetes client of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from albctl.errors import AlbctlError, ConfigError, Location
from albctl.manifests.objects import Service

Runner = Callable[..., Any]  # subprocess.run's signature
TIMEOUT_SECONDS = 60


class ClusterError(AlbctlError):
    """kubectl could not read from the cluster (credentials, connection, permissions)."""


def backend_service_keys(groups: Iterable[Any]) -> list[tuple[str, str]]:
    """``(namespace, name)`` of every Service the groups' Ingresses forward to (backends and
    ``actions.*`` forward targets), in a stable order."""
    keys: dict[tuple[str, str], None] = {}
    for group in groups:
        for member in group.members:
            ing = member.ingress
            backends = [p.backend for rule in ing.rules for p in rule.paths]
            if ing.default_backend is not None:
                backends.append(ing.default_backend)
            for backend in backends:
                if backend.uses_annotation:
                    action = ing.alb.get(f"actions.{backend.service_name}") or {}
                    for target in (action.get("forwardConfig") or {}).get("targetGroups") or []:
                        if target.get("serviceName"):
                            keys[(ing.namespace, str(target["serviceName"]))] = None
                elif backend.service_name:
                    keys[(ing.namespace, backend.service_name)] = None
    return list(keys)


def kubectl_command(kubectl: str, context: str | None, kubeconfig: str | None, namespace: str,
                    name: str) -> list[str]:
    cmd = [kubectl]
    if kubeconfig:
        cmd += ["--kubeconfig", kubeconfig]
    if context:
        cmd += ["--context", context]
    return cmd + ["get", "service", name, "--namespace", namespace, "--output", "json"]


def read_services(keys: Iterable[tuple[str, str]], context: str | None, kubeconfig: str | None, *,
                  environ: Mapping[str, str] | None = None, run: Runner = subprocess.run) -> dict[tuple[str, str],
                                                                                                Service]:
    """The Services that exist in the cluster, by ``(namespace, name)``; one that does not exist is
    simply absent (the model decides what a missing Service means). Raises :class:`ConfigError` when
    kubectl is not installed and :class:`ClusterError` when the cluster cannot be read."""
    from albctl.manifests.loader import service_from_cluster

    env = dict(os.environ if environ is None else environ)
    kubectl = shutil.which("kubectl", path=env.get("PATH"))
    if kubectl is None:
        raise ConfigError("--kube-context/--kubeconfig read Services with kubectl, which is not on PATH: install "
                          "kubectl (https://kubernetes.io/docs/tasks/tools/) or leave both options out")
    where = f"cluster {context}" if context else "cluster (current kubeconfig context)"
    found: dict[tuple[str, str], Service] = {}
    for namespace, name in keys:
        cmd = kubectl_command(kubectl, context, kubeconfig, namespace, name)
        try:
            proc = run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"kubectl get service {namespace}/{name}: no answer from the {where} within "
                               f"{TIMEOUT_SECONDS}s") from None
        except OSError as exc:
            raise ClusterError(f"cannot run kubectl: {exc.strerror or exc}") from None
        if proc.returncode != 0:
            message = _first_error_line(proc.stderr)
            if "(NotFound)" in message or ("services" in message and " not found" in message):
                continue
            raise ClusterError(f"kubectl get service {namespace}/{name} failed: {message}",
                               hint="check --kube-context/--kubeconfig, and that you may get Services in "
                                    f"namespace {namespace} (kubectl auth can-i get services -n {namespace})")
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            raise ClusterError(f"kubectl get service {namespace}/{name}: expected JSON, got "
                               f"{proc.stdout[:80]!r}") from None
        if not isinstance(data, dict) or data.get("kind") != "Service":
            raise ClusterError(f"kubectl get service {namespace}/{name}: expected a Service, got "
                               f"{type(data).__name__ if not isinstance(data, dict) else data.get('kind')!r}")
        service, problems = service_from_cluster(data, Location(f"{where}: Service {namespace}/{name}"))
        if service is None:
            from albctl.errors import InputError

            raise InputError(problems)
        found[(namespace, name)] = service
    return found


def _first_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in (stderr or "").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith(("error", "unable"))]
    return (errors or lines or ["kubectl exited with an error and printed nothing"])[0]


def read_backend_services(kube: Any, groups: Iterable[Any], *, environ: Mapping[str, str] | None = None,
                          run: Runner = subprocess.run) -> dict[tuple[str, str], Service]:
    """:func:`read_services` for every Service the groups forward to; ``kube`` has ``context`` and
    ``kubeconfig`` (``albctl.cli.options.KubeArgs``)."""
    return read_services(backend_service_keys(groups), kube.context, kube.kubeconfig, environ=environ, run=run)
