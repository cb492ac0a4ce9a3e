"""`albctl plan`: desired (from manifests + discovery) vs live (by tags), as a terraform-like diff."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from albctl.cli.aws_options import EndpointOpt, ProfileOpt, RegionOpt, SandboxOpt, aws_target, require_cluster
from albctl.cli.env import Env
from albctl.exitcodes import ExitCode


class PlanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def plan(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Manifest files or directories, or - for standard input.",
                                               metavar="PATH")],
    out: Annotated[Path | None, typer.Option("--out", help="Also save the plan (JSON) to this file.")] = None,
    output_format: Annotated[PlanFormat, typer.Option("--format", help="Output format.")] = PlanFormat.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode",
                                                    help="Exit 2 when there are changes, 0 when none.")] = False,
    cluster: Annotated[str | None, typer.Option("--cluster", envvar="ALBCTL_CLUSTER", help="Cluster name.")] = None,
    config: Annotated[Path | None, typer.Option("--config", envvar="ALBCTL_CONFIG",
                                                help="YAML file of controller settings.")] = None,
    ingress_class: Annotated[str | None, typer.Option("--ingress-class", help="Ingress class to take.")] = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
) -> int:
    """Show what apply would change on AWS. Changes nothing."""
    from albctl import pipeline
    from albctl.aws.facts import discover_facts
    from albctl.aws.live import read_live_stacks
    from albctl.plan.diff import diff_stack
    from albctl.plan.model import Plan, StackPlan
    from albctl.settings import resolve_settings
    from albctl.views import plan as views

    env: Env = ctx.obj
    settings = resolve_settings(str(config) if config else None, cluster_name=cluster, ingress_class=ingress_class)
    stdin_text = env.stdin.read() if "-" in paths else None
    result = pipeline.read(paths, settings, stdin_text)
    result.raise_for_errors()  # bad input: stop before any AWS call
    target = aws_target(env, region=region, profile=profile, endpoint_url=endpoint_url, sandbox=sandbox,
                        cluster=settings.cluster_name or None)
    settings = settings.with_overrides(cluster_name=require_cluster(target.cluster))
    facts = discover_facts(target.clients, result.groups, settings)
    pipeline.build(result, settings, facts).raise_for_errors()
    live = read_live_stacks(target.clients, settings.cluster_name, [s.id for s in result.stacks])
    from albctl.model.serialize import stack_data

    stacks = tuple(
        StackPlan(stack.id, stack_data(stack)["resources"],
                  tuple(diff_stack(stack, live[stack.id].resources if stack.id in live else [],
                                   settings.cluster_name)))
        for stack in result.stacks
    )
    the_plan = Plan(settings.cluster_name, target.clients.region or "", stacks,
                    tuple(str(w) for w in result.warnings))
    if out is not None:
        out.write_text(views.plan_json(the_plan), encoding="utf-8")
    if output_format is PlanFormat.json:
        env.write(views.plan_json(the_plan))
    elif output_format is PlanFormat.markdown:
        env.write(views.plan_markdown(the_plan))
    else:
        views.print_plan(env.out, the_plan)
    if detailed_exitcode and the_plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK
