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
    from albctl.cli.planning import fresh_plan
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.views import plan as views

    env: Env = ctx.obj
    desired = load_desired(env, paths, settings_from(cluster, config, ingress_class),
                           AwsArgs(region, profile, endpoint_url, sandbox))
    the_plan = fresh_plan(env, desired)
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
