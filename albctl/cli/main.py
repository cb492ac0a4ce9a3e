"""The ``albctl`` command line: thin typer commands that wire the layers together.

Every error becomes a message on standard error and an exit code from :class:`ExitCode`, in one
place (:class:`AlbctlGroup`). Heavy modules are imported inside the commands so that
``albctl --help`` stays fast.
"""

from __future__ import annotations

import gc
import sys
from enum import Enum
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from albctl import __version__
from albctl.cli.env import Env
from albctl.cli.options import (
    ClassOpt,
    ClusterOpt,
    ConfigOpt,
    EndpointOpt,
    FilenameOpt,
    KubeconfigOpt,
    KubeContextOpt,
    OptionalPathsArg,
    ProfileOpt,
    RegionOpt,
    SandboxOpt,
    StrictOpt,
    VerboseOpt,
    paths_of,
)
from albctl.errors import AlbctlError, Interrupted
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
            if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a return of 130, silently
                env.stderr.write("\nInterrupted.\n")
                env.stderr.flush()
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
            code = ExitCode.INTERRUPTED if isinstance(exc, Interrupted) else ExitCode.ERROR
        except KeyboardInterrupt:  # a prompt or a long call cut short: end the line, say so, exit 130
            env.stderr.write("\nInterrupted.\n")
            env.stderr.flush()
            code = ExitCode.INTERRUPTED
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
    """Print an error (one line per problem) to standard error, control characters made visible."""
    from albctl.views.safe import plain

    diagnostics = exc.diagnostics
    for diag in diagnostics:
        text = str(diag) if diag.location is not None else f"error: {diag}"
        env.err.print(plain(text), markup=False, soft_wrap=True)
    if exc.hint:
        env.err.print(plain(f"hint: {exc.hint}"), markup=False, soft_wrap=True)
    errors = getattr(exc, "total", None) or len([d for d in diagnostics if d.severity == "error"])
    if errors > 1:
        env.err.print(f"{errors} errors.", markup=False)


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


class ValidateFormat(str, Enum):
    text = "text"
    github = "github"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def workflow_command(diag: Any) -> str:
    """A diagnostic as a GitHub Actions workflow command, so it shows on the pull request's line."""
    level = "warning" if diag.severity == "warning" else "error"
    props = []
    if diag.location is not None:
        props.append(f"file={_escape(diag.location.file, prop=True)}")
        if diag.location.line:
            props += [f"line={diag.location.line}", f"col={diag.location.column}"]
    message = ": ".join(p for p in (diag.obj, diag.field, diag.message) if p)
    return f"::{level}{' ' + ','.join(props) if props else ''}::{_escape(message)}"


class RenderFormat(str, Enum):
    text = "text"
    json = "json"
    stack_json = "stack-json"


@app.command()
def validate(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
    ingress_class: ClassOpt = None,
    config: ConfigOpt = None,
    verbose: VerboseOpt = False,
    strict: StrictOpt = False,
    output_format: Annotated[ValidateFormat | None, typer.Option(
        "--format", help="text, or github: one ::error/::warning workflow command per problem (default when "
                         "GITHUB_ACTIONS=true).")] = None,
) -> int:
    """Load and validate manifests, and check that they make load balancers. No AWS call.
    With --strict, warnings fail the run too."""
    from albctl.cli.workflow import load_desired, settings_from

    env: Env = ctx.obj
    github = output_format is ValidateFormat.github or (
        output_format is None and env.environ.get("GITHUB_ACTIONS") == "true")
    try:
        result = load_desired(env, paths_of(paths, filename), settings_from(None, config, ingress_class), None,
                              verbose=verbose)[0].result
    except AlbctlError as exc:
        if github:
            for diag in exc.diagnostics:
                env.write(workflow_command(diag) + "\n")
        raise
    if github:
        for diag in result.warnings:
            env.write(workflow_command(diag) + "\n")
    inputs = result.inputs
    ours = sum(len(g.members) for g in result.groups)
    warnings = len(result.warnings)
    if strict and warnings:
        raise AlbctlError(f"{warnings} warning(s), and --strict makes warnings fail")
    found = f"{warnings} warning(s)" if warnings else "no problems found"
    env.out.print(
        f"OK: {len(inputs.files)} file(s), {len(inputs.ingresses)} Ingress(es) ({ours} for albctl, in "
        f"{len(result.groups)} IngressGroup(s)), {len(inputs.services)} Service(s); {found}.",
        markup=False, soft_wrap=True)
    return ExitCode.OK


@app.command()
def render(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
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
    kube_context: KubeContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
) -> int:
    """Print the desired load balancer model of each IngressGroup (no diff). Without --offline,
    subnets, security groups and certificates are discovered in AWS (read-only calls)."""
    from albctl.cli.options import AwsArgs, kube_args
    from albctl.cli.workflow import load_desired, settings_from

    env: Env = ctx.obj
    aws = None if offline else AwsArgs(region, profile, endpoint_url, sandbox)
    desired, _ = load_desired(env, paths_of(paths, filename), settings_from(cluster, config, ingress_class), aws,
                              verbose=verbose,
                              kube=kube_args(kube_context, kubeconfig))
    result, settings = desired.result, desired.settings
    if not settings.cluster_name:
        env.err.print("warning: no cluster name (--cluster, ALBCTL_CLUSTER or cluster-name in --config): names "
                      "are computed for an empty cluster name and will differ from the controller's.",
                      markup=False, soft_wrap=True)
    if output_format is RenderFormat.json:
        from albctl.views.render import render_json_chunks

        # indented for people at a terminal, compact (and much faster) for pipes and files
        pretty = bool(getattr(env.stdout, "isatty", lambda: False)())
        for chunk in render_json_chunks(result.stacks, settings.cluster_name, pretty=pretty):
            env.stdout.write(chunk)
        env.stdout.flush()
    elif output_format is RenderFormat.stack_json:
        from albctl.views.stack_json import stack_json

        env.write(stack_json(result.stacks))
    else:
        from albctl.views.render import print_stacks

        print_stacks(env.out, result.stacks)
    return ExitCode.OK


def _add_aws_commands() -> None:
    from albctl.cli.apply_commands import apply, destroy, force_unlock
    from albctl.cli.aws_commands import sandbox_app, subnets_app
    from albctl.cli.plan_command import plan
    from albctl.cli.show_command import show

    app.command("plan")(plan)
    app.command("show")(show)
    app.command("apply")(apply)
    app.command("destroy")(destroy)
    app.command("force-unlock")(force_unlock)
    app.add_typer(subnets_app, name="subnets")
    app.add_typer(sandbox_app, name="sandbox")


_add_aws_commands()


SHORT_COMMANDS = ("validate", "render")  # read, build, print, exit: no cyclic garbage collection at all


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: runs one command and exits without tearing the interpreter down.

    The cyclic garbage collector is tuned for a short-lived process first. What is imported by now is
    frozen (never scanned again). ``validate`` and ``render`` run without it: they allocate millions of
    objects that all live until the end, and each collection re-scanned them (about 30 % of an offline run
    over thousands of manifests); the few cycles they leave die with the process. Commands that talk to
    AWS, and may wait for minutes, keep it with rare collections."""
    args = sys.argv[1:] if argv is None else argv
    gc.freeze()
    if next((a for a in args if not a.startswith("-")), None) in SHORT_COMMANDS:
        gc.disable()
    else:
        gc.set_threshold(100_000, 50, 100)
    try:
        typer.main.get_command(app).main(args=argv, prog_name="albctl")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: Any) -> NoReturn:
    """``sys.exit(code)``, but once the output is flushed and the ``atexit`` functions have run, without
    the interpreter's teardown (freeing every object one by one: 0.3 s and more after a large run).
    With other threads still running, or output that cannot be flushed, the normal exit is taken."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # e.g. a closed pipe: let the interpreter report it as usual
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what SystemExit does with any other value
        print(code, file=sys.stderr)
        status = 1
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None:  # pragma: no cover - every CPython has it
        sys.exit(status)
    run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    main()
