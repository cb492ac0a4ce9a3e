"""`albctl plan`: desired (from manifests + discovery) vs live (by tags), as a terraform-like diff."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from albctl.cli.env import Env
from albctl.cli.options import (
    AwsArgs,
    ClassOpt,
    ClusterOpt,
    ConfigOpt,
    EndpointOpt,
    KubeconfigOpt,
    KubeContextOpt,
    PathsArg,
    ProfileOpt,
    PruneAllOpt,
    PruneNamespaceOpt,
    RegionOpt,
    SandboxOpt,
    kube_args,
    prune_scope,
)
from albctl.exitcodes import ExitCode


class PlanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def plan(
    ctx: typer.Context,
    paths: PathsArg,
    out: Annotated[Path | None, typer.Option("--out", help="Also save the plan (JSON) to this file.")] = None,
    output_format: Annotated[PlanFormat, typer.Option("--format", help="Output format.")] = PlanFormat.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode",
                                                    help="Exit 2 when there are changes, 0 when none.")] = False,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
    kube_context: KubeContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    prune_namespace: PruneNamespaceOpt = None,
    prune_all: PruneAllOpt = False,
) -> int:
    """Show the operations apply would run on AWS, in order. Changes nothing."""
    from albctl import usecases
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.plan.document import plan_json
    from albctl.views import plan as views

    env: Env = ctx.obj
    prune = prune_scope(prune_namespace, prune_all)
    desired, target = load_desired(env, paths, settings_from(cluster, config, ingress_class),
                                   AwsArgs(region, profile, endpoint_url, sandbox),
                                   kube=kube_args(kube_context, kubeconfig), prune=prune)
    assert target is not None
    the_plan = usecases.plan_desired(desired, target.clients, target.clients.region or "", prune)
    if out is not None:
        save_plan(out, plan_json(the_plan))
    if output_format is PlanFormat.json:
        env.write(plan_json(the_plan))
    elif output_format is PlanFormat.markdown:
        env.write(views.plan_markdown(the_plan))
    else:
        views.print_plan(env.out, the_plan)
    if detailed_exitcode and the_plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def save_plan(path: Path, text: str) -> None:
    """Write a plan file; a problem with the path is a one-line error."""
    from albctl.errors import AlbctlError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AlbctlError(f"cannot write plan file {path}: {exc.strerror}",
                          hint="give --out a file path in an existing, writable directory") from None
