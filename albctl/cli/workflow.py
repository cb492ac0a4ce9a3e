"""The steps every model-building command shares: settings, manifests, discovery, model.

Bad input stops before any AWS call; with AWS, the cluster name is required and facts are
discovered before the model is built.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from albctl.cli.env import Env
from albctl.cli.options import AwsArgs, AwsTarget, KubeArgs, aws_target, require_cluster


@dataclass
class Desired:
    result: Any  # albctl.pipeline.Result, with stacks built
    settings: Any  # albctl.settings.Settings, with the cluster name in effect
    target: AwsTarget | None  # None when offline
    facts: Any = None  # albctl.model.facts.Facts used to build the model
    live: Any = None  # albctl.aws.live.LiveState of the groups' stacks, read before building


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
                 kube: KubeArgs | None = None) -> Desired:
    """Read the manifests and build their stacks: offline when ``aws`` is None, else with discovered facts."""
    from albctl import pipeline
    from albctl.model.auth import oidc_env
    from albctl.model.facts import OFFLINE

    settings = settings.with_overrides(auth_env=oidc_env(env.environ))
    result = pipeline.read(paths, settings, env.stdin.read() if "-" in paths else None)
    report(env, result, verbose)
    result.raise_for_errors()  # bad input: stop before any AWS call
    facts, target, live = OFFLINE, None, None
    if aws is not None:
        from albctl.aws.facts import discover_facts
        from albctl.aws.live import read_live
        from albctl.model.stack import LOAD_BALANCER

        target = aws_target(env, aws, settings.cluster_name or None)
        settings = settings.with_overrides(cluster_name=require_cluster(target.cluster))
        facts = discover_facts(target.clients, result.groups, settings)
        # the live stacks are read once, here: their load balancers keep their subnets (as the
        # controller does), and plan diffs against the same read
        live = read_live(target.clients, settings.cluster_name, [g.id for g in result.groups])
        existing = {stack_id: (str(lb.spec.get("scheme")),
                               tuple(m["subnetID"] for m in lb.spec.get("subnetMapping", [])))
                    for stack_id, stack in live.stacks.items()
                    for lb in stack.resources if lb.type == LOAD_BALANCER}
        facts = replace(facts, live_load_balancers=existing)
    if kube is not None:  # read-only: the Services the Ingresses name, as the cluster has them
        from albctl.kube.services import read_backend_services

        facts = replace(facts, cluster_services=read_backend_services(kube, result.groups,
                                                                                 environ=env.environ))
    if live is not None:
        from albctl.model.cluster import live_target_groups

        facts = replace(facts, live_target_groups=live_target_groups(live.stacks))
    before = len(result.diagnostics)
    result = pipeline.build(result, settings, facts)
    if not result.errors:  # the model's warnings (placeholders offline, tolerated missing backends)
        for diag in result.diagnostics[before:]:
            env.err.print(str(diag), markup=False, soft_wrap=True)
    result.raise_for_errors()
    return Desired(result, settings, target, facts, live)
