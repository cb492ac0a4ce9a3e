"""CLI glue shared by every model-building command: settings from flags, manifests read with their
warnings printed, then the stacks built (offline, or with AWS) through :mod:`albctl.usecases`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from albctl.cli.env import Env
from albctl.cli.options import AwsArgs, AwsTarget, KubeArgs, aws_target, require_cluster


def settings_from(cluster: str | None, config: Path | None, ingress_class: str | None) -> Any:
    from albctl.settings import resolve_settings

    return resolve_settings(str(config) if config else None, cluster_name=cluster, ingress_class=ingress_class)


def report(env: Env, result: Any, verbose: bool) -> None:
    """Warnings (when there are no errors: those are reported with them) and, with -v, what was skipped."""
    if not result.errors:
        for diag in result.warnings:
            env.err.print(str(diag), markup=False, soft_wrap=True)
    if verbose:
        for where, what, why in result.inputs.skipped:
            env.err.print(f"{where}: skipped {what}: {why}", markup=False, soft_wrap=True)
        for ing, why in result.skipped_ingresses:
            env.err.print(f"{ing.meta.location}: skipped {ing.meta.ref}: {why}", markup=False, soft_wrap=True)


def load_desired(env: Env, paths: list[str], settings: Any, aws: AwsArgs | None, *, verbose: bool = False,
                 kube: KubeArgs | None = None, prune: Any = None,
                 before_aws: Any = None) -> tuple[Any, AwsTarget | None]:
    """Read the manifests and build their stacks: offline when ``aws`` is None, else with discovered facts
    (and, with ``kube``, the referenced Services read from the cluster). With ``prune`` (plan, apply), no
    Ingress taken from the inputs is an error unless it is a prune scope. ``before_aws(clients, cluster,
    stack_ids)`` runs before the first AWS read (e.g. to take the stacks' locks). Returns the
    :class:`albctl.usecases.Desired` and where AWS is."""
    from albctl import usecases

    result, settings = usecases.read_inputs(paths, settings, env.stdin.read() if "-" in paths else None,
                                            env.environ)
    report(env, result, verbose)
    result.raise_for_errors()  # bad input: stop before any AWS call
    if prune is not None:
        usecases.require_ingresses(result, prune)
    target = None
    if aws is not None:
        target = aws_target(env, aws, settings.cluster_name or None)
        settings = settings.with_overrides(cluster_name=require_cluster(target.cluster))
        if before_aws is not None:  # e.g. take the stacks' locks before anything is read
            before_aws(target.clients, settings.cluster_name, [g.id for g in result.groups])

    def warn(diagnostics: Any) -> None:
        for diag in diagnostics:
            env.err.print(str(diag), markup=False, soft_wrap=True)

    desired = usecases.build_desired(result, settings, target.clients if target else None, kube=kube,
                                     environ=env.environ, on_warnings=warn)
    return desired, target
