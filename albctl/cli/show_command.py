"""`albctl show`: the live state of the stacks some manifests define, or a saved plan rendered."""

from __future__ import annotations

import json
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
    FilenameOpt,
    OptionalPathsArg,
    ProfileOpt,
    RegionOpt,
    SandboxOpt,
    VerboseOpt,
    aws_target,
    paths_of,
    require_cluster,
)
from albctl.errors import AlbctlError
from albctl.exitcodes import ExitCode


class ShowFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def is_plan_file(path: str) -> bool:
    """A file that is an albctl plan document (``plan --out``), as opposed to manifests."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        head = p.read_text(encoding="utf-8", errors="replace")[:4096].lstrip()
    except OSError:
        return False
    return head.startswith("{") and '"format_version"' in head


def show(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
    output_format: Annotated[ShowFormat, typer.Option("--format", help="Output format (markdown: plan files).")]
    = ShowFormat.text,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
    verbose: VerboseOpt = False,
) -> int:
    """The live state of the stacks those manifests define (DNS name, listeners, rules in evaluation order,
    target health), or a saved plan (PLANFILE from plan --out) rendered."""
    env: Env = ctx.obj
    given = paths_of(paths, filename)
    if len(given) == 1 and is_plan_file(given[0]):
        from albctl.plan.document import plan_from_data, plan_json, read_plan_file
        from albctl.views.plan import plan_markdown, print_plan

        plan = plan_from_data(read_plan_file(given[0]))
        if output_format is ShowFormat.json:
            env.write(plan_json(plan))
        elif output_format is ShowFormat.markdown:
            env.write(plan_markdown(plan))
        else:
            print_plan(env.out, plan)
        return ExitCode.OK
    if output_format is ShowFormat.markdown:
        raise AlbctlError("--format markdown renders a saved plan file; the live state is text or json")
    from albctl.aws.live import read_live
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.views.show import live_data, print_live

    settings = settings_from(cluster, config, ingress_class)
    desired, _ = load_desired(env, given, settings, None, verbose=verbose)  # offline: the stack ids
    target = aws_target(env, AwsArgs(region, profile, endpoint_url, sandbox), settings.cluster_name or None)
    name = require_cluster(target.cluster)
    ids = [s.id for s in desired.result.stacks]
    live = read_live(target.clients, name, ids, targets_of=lambda tg: True)
    data = live_data(live, ids, name, target.clients.region or "")
    if output_format is ShowFormat.json:
        env.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        print_live(env.out, data)
    return ExitCode.OK
