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
    PathsArg,
    ProfileOpt,
    RegionOpt,
    SandboxOpt,
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
) -> int:
    """Show what apply would change on AWS. Changes nothing."""
    from albctl.aws.live import read_live_stacks
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.model.serialize import stack_data
    from albctl.plan.diff import diff_stack
    from albctl.plan.model import Plan, StackPlan
    from albctl.views import plan as views

    env: Env = ctx.obj
    desired = load_desired(env, paths, settings_from(cluster, config, ingress_class),
                           AwsArgs(region, profile, endpoint_url, sandbox))
    result, settings, target = desired.result, desired.settings, desired.target
    assert target is not None
    live = read_live_stacks(target.clients, settings.cluster_name, [s.id for s in result.stacks])
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
