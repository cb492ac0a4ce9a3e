"""The ``albctl`` command line: thin typer commands that wire the layers together.

Every error becomes a message on standard error and an exit code from :class:`ExitCode`, in one
place (:class:`AlbctlGroup`). Heavy modules are imported inside the commands so that
``albctl --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from albctl import __version__
from albctl.cli.aws_options import EndpointOpt, ProfileOpt, RegionOpt, SandboxOpt
from albctl.cli.env import Env
from albctl.errors import AlbctlError
from albctl.exitcodes import ExitCode


class AlbctlGroup(TyperGroup):
    """Runs a command and maps every outcome to the contract's exit codes (usage errors are 1, not 2)."""

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        env: Env = extra.pop("obj", None) or Env()
        try:
            rv = super().main(args=args, prog_name=prog_name or "albctl", complete_var=complete_var,
                              standalone_mode=False, obj=env, **extra)
            code = rv if isinstance(rv, int) else ExitCode.OK
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.Abort:
            env.err.print("Aborted.")
            code = ExitCode.ERROR
        except typer.TyperException as exc:  # usage errors: unknown option, missing argument, bad value
            show = getattr(exc, "show", None)
            if show is not None:
                show(file=env.stderr)
            else:  # pragma: no cover - every usage error has show()
                env.err.print(f"error: {exc.format_message()}", markup=False)
            code = ExitCode.ERROR
        except AlbctlError as exc:
            report_error(env, exc)
            code = ExitCode.ERROR
        except KeyboardInterrupt:
            env.err.print("Interrupted.")
            code = ExitCode.ERROR
        except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
            if env.debug or "--debug" in (args if args is not None else sys.argv):
                raise
            env.err.print(f"error: internal error: {type(exc).__name__}: {exc}", markup=False)
            env.err.print("This is a bug in albctl; run again with --debug for the traceback and report it.",
                          markup=False)
            code = ExitCode.ERROR
        if standalone_mode:
            sys.exit(int(code))
        return int(code)


def report_error(env: Env, exc: AlbctlError) -> None:
    """Print an error (one line per problem) to standard error."""
    diagnostics = exc.diagnostics
    for diag in diagnostics:
        text = str(diag) if diag.location is not None else f"error: {diag}"
        env.err.print(text, markup=False, soft_wrap=True)
    if exc.hint:
        env.err.print(f"hint: {exc.hint}", markup=False, soft_wrap=True)
    errors = [d for d in diagnostics if d.severity == "error"]
    if len(errors) > 1:
        env.err.print(f"{len(errors)} errors.", markup=False)


app = typer.Typer(
    cls=AlbctlGroup,
    name="albctl",
    help="Turn Kubernetes Ingress manifests into an AWS Application Load Balancer, terraform-style: "
         "validate → render → plan → apply.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"albctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    env = ctx.ensure_object(Env)
    env.debug = debug


class RenderFormat(str, Enum):
    text = "text"
    json = "json"


PathsArg = Annotated[list[str], typer.Argument(
    help="Manifest files or directories (read recursively), or - for standard input.", metavar="PATH")]
ClusterOpt = Annotated[str | None, typer.Option("--cluster", envvar="ALBCTL_CLUSTER",
                                                help="Cluster name, as the controller's --cluster-name.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", envvar="ALBCTL_CONFIG",
                                                help="YAML file of controller settings (its flag names).")]
ClassOpt = Annotated[str | None, typer.Option("--ingress-class", help="Ingress class to take (default alb).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Also list what was skipped, and why.")]


def _settings(env: Env, cluster: str | None, config: Path | None, ingress_class: str | None) -> Any:
    from albctl.settings import resolve_settings

    return resolve_settings(str(config) if config else None, cluster_name=cluster, ingress_class=ingress_class)


def _stdin_text(env: Env, paths: list[str]) -> str | None:
    return env.stdin.read() if "-" in paths else None


def _report(env: Env, result: Any, verbose: bool) -> None:
    if not result.errors:  # with errors, the warnings are reported with them, in file order
        for diag in result.warnings:
            env.err.print(str(diag), markup=False, soft_wrap=True)
    if verbose:
        for where, what, why in result.inputs.skipped:
            env.err.print(f"{where}: skipped {what}: {why}", markup=False, soft_wrap=True)
        for ing, why in result.skipped_ingresses:
            env.err.print(f"{ing.meta.location}: skipped {ing.meta.ref}: {why}", markup=False, soft_wrap=True)


@app.command()
def validate(
    ctx: typer.Context,
    paths: PathsArg,
    ingress_class: ClassOpt = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
) -> int:
    """Load and validate manifests, and check that they make load balancers. No AWS call."""
    from albctl import pipeline

    env: Env = ctx.obj
    settings = _settings(env, None, config, ingress_class)
    result = pipeline.build(pipeline.read(paths, settings, _stdin_text(env, paths)), settings)
    _report(env, result, verbose)
    result.raise_for_errors()
    inputs = result.inputs
    ours = sum(len(g.members) for g in result.groups)
    env.out.print(
        f"OK: {len(inputs.files)} file(s), {len(inputs.ingresses)} Ingress(es) ({ours} for albctl, in "
        f"{len(result.groups)} IngressGroup(s)), {len(inputs.services)} Service(s); no problems found.",
        markup=False, soft_wrap=True)
    return ExitCode.OK


@app.command()
def render(
    ctx: typer.Context,
    paths: PathsArg,
    offline: Annotated[bool, typer.Option("--offline", help="Do not call AWS; discovered values show as "
                                                           "<placeholders>.")] = False,
    output_format: Annotated[RenderFormat, typer.Option("--format", help="Output format.")] = RenderFormat.text,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    verbose: VerboseOpt = False,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
) -> int:
    """Print the desired load balancer model of each IngressGroup (no diff). Without --offline,
    subnets, security groups and certificates are discovered in AWS (read-only calls)."""
    from albctl import pipeline
    from albctl.model.facts import OFFLINE

    env: Env = ctx.obj
    settings = _settings(env, cluster, config, ingress_class)
    result = pipeline.read(paths, settings, _stdin_text(env, paths))
    _report(env, result, verbose)
    result.raise_for_errors()  # bad input: stop before any AWS call
    facts = OFFLINE
    if not offline:
        from albctl.aws.facts import discover_facts
        from albctl.cli.aws_options import aws_target, require_cluster

        target = aws_target(env, region=region, profile=profile, endpoint_url=endpoint_url, sandbox=sandbox,
                            cluster=settings.cluster_name or None)
        settings = settings.with_overrides(cluster_name=require_cluster(target.cluster))
        facts = discover_facts(target.clients, result.groups, settings)
    result = pipeline.build(result, settings, facts)
    result.raise_for_errors()
    if not settings.cluster_name:
        env.err.print("warning: no cluster name (--cluster, ALBCTL_CLUSTER or cluster-name in --config): names "
                      "are computed for an empty cluster name and will differ from the controller's.",
                      markup=False, soft_wrap=True)
    if output_format is RenderFormat.json:
        from albctl.views.render import render_json

        env.write(render_json(result.stacks, settings.cluster_name))
    else:
        from albctl.views.render import print_stacks

        print_stacks(env.out, result.stacks)
    return ExitCode.OK


def _add_aws_commands() -> None:
    from albctl.cli.aws_commands import sandbox_app, subnets_app
    from albctl.cli.plan_command import plan

    app.command("plan")(plan)
    app.add_typer(subnets_app, name="subnets")
    app.add_typer(sandbox_app, name="sandbox")


_add_aws_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    command = typer.main.get_command(app)
    command.main(args=argv, prog_name="albctl")


if __name__ == "__main__":  # pragma: no cover
    main()
