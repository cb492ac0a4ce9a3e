"""`albctl subnets ...` and `albctl sandbox ...`."""

from __future__ import annotations

import json
import shlex
from enum import Enum
from typing import Annotated

import typer

from albctl.cli.env import Env
from albctl.cli.options import (
    AwsArgs,
    ClusterOpt,
    EndpointOpt,
    ProfileOpt,
    RegionOpt,
    SandboxOpt,
    aws_target,
    require_cluster,
)
from albctl.exitcodes import ExitCode

subnets_app = typer.Typer(help="Subnet discovery, as the controller does it.", no_args_is_help=True)
sandbox_app = typer.Typer(help="A local emulated AWS account (moto) for trying albctl without one.",
                          no_args_is_help=True)


class TableFormat(str, Enum):
    table = "table"
    json = "json"


class Scheme(str, Enum):
    internet_facing = "internet-facing"
    internal = "internal"


@subnets_app.command("discover")
def subnets_discover(
    ctx: typer.Context,
    scheme: Annotated[Scheme, typer.Option("--scheme", help="Load balancer scheme.")] = Scheme.internet_facing,
    output_format: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.table,
    vpc_id: Annotated[str | None, typer.Option("--vpc-id", help="VPC to look in (else from the tagged subnets).")]
    = None,
    cluster: ClusterOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
) -> int:
    """Show the subnet chosen in each zone and why every other subnet was rejected."""
    from albctl.aws.subnets import SubnetDiscoveryError, choose_subnets, discover_subnets, to_json

    env: Env = ctx.obj
    target = aws_target(env, AwsArgs(region, profile, endpoint_url, sandbox), cluster)
    name = require_cluster(target.cluster)
    found_vpc, subnets = discover_subnets(target.clients, scheme=scheme.value, cluster=name, vpc_id=vpc_id)
    error: SubnetDiscoveryError | None = None
    try:
        choice = choose_subnets(subnets, scheme=scheme.value, cluster=name)
    except SubnetDiscoveryError as exc:
        error, choice = exc, exc.choice
    if output_format is TableFormat.json:
        env.write(json.dumps(to_json(choice, scheme.value, found_vpc), indent=2) + "\n")
    else:
        from albctl.views.subnets import print_choice

        print_choice(env.out, choice, scheme.value, found_vpc)
    if error is not None:
        raise error
    return ExitCode.OK


@sandbox_app.command("start")
def sandbox_start(ctx: typer.Context) -> int:
    """Start the sandbox in the background (no-op when it is running) and print how to use it."""
    from albctl import sandbox

    env: Env = ctx.obj
    info = sandbox.start()
    env.out.print(f"Sandbox running at {info.endpoint_url} (pid {info.pid}, cluster {info.cluster!r}).",
                  markup=False)
    env.out.print("Use it with --sandbox, or: eval \"$(albctl sandbox env)\"", markup=False)
    return ExitCode.OK


@sandbox_app.command("stop")
def sandbox_stop(ctx: typer.Context) -> int:
    """Stop the sandbox; everything in it is forgotten."""
    from albctl import sandbox

    env: Env = ctx.obj
    env.out.print("Sandbox stopped." if sandbox.stop() else "The sandbox was not running.", markup=False)
    return ExitCode.OK


@sandbox_app.command("status")
def sandbox_status(ctx: typer.Context) -> int:
    """Say whether the sandbox runs, and where. Exit 1 when it does not."""
    from albctl import sandbox

    env: Env = ctx.obj
    info = sandbox.status()
    if info is None:
        env.out.print("The sandbox is not running (start it with `albctl sandbox start`).", markup=False)
        return ExitCode.ERROR
    env.out.print(f"Sandbox running at {info.endpoint_url} (pid {info.pid}, region {info.region}, cluster "
                  f"{info.cluster!r}).", markup=False)
    return ExitCode.OK


@sandbox_app.command("env")
def sandbox_env(ctx: typer.Context) -> int:
    """Print `export` lines that point AWS tools and albctl at the sandbox."""
    from albctl import sandbox

    env: Env = ctx.obj
    for key, value in sandbox.env().items():
        env.write(f"export {key}={shlex.quote(value)}\n")
    return ExitCode.OK
