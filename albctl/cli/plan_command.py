"""`albctl plan`: desired (from manifests + discovery) vs live (by tags), as a terraform-like diff."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from albctl.cli.env import Env
from albctl.cli.options import (
    AwsArgs,
    ClassOpt,
    ClusterOpt,
    ConfigOpt,
    EndpointOpt,
    FilenameOpt,
    KubeconfigOpt,
    KubeContextOpt,
    OptionalPathsArg,
    ProfileOpt,
    PruneAllOpt,
    PruneNamespaceOpt,
    RegionOpt,
    SandboxOpt,
    VerboseOpt,
    kube_args,
    paths_of,
    prune_scope,
)
from albctl.exitcodes import ExitCode


class PlanFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def plan(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
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
    verbose: VerboseOpt = False,
    save_live: Annotated[Path | None, typer.Option(
        "--save-live", help="Also save what was read from AWS (JSON), e.g. to attach to a bug report.")] = None,
) -> int:
    """Show the operations apply would run on AWS, in order. Changes nothing."""
    env: Env = ctx.obj
    markdown = output_format is PlanFormat.markdown
    with failure_markdown(env, "plan", to_stdout=markdown):
        return _plan(env, paths_of(paths, filename), verbose, out, output_format, detailed_exitcode, cluster,
                     config, ingress_class, AwsArgs(region, profile, endpoint_url, sandbox),
                     kube_args(kube_context, kubeconfig), prune_scope(prune_namespace, prune_all), save_live)


def _plan(env: Env, paths: list[str], verbose: bool, out: Path | None, output_format: PlanFormat,
          detailed_exitcode: bool, cluster: str | None, config: Path | None, ingress_class: str | None,
          aws: AwsArgs, kube: Any, prune: Any, save_live: Path | None = None) -> int:
    from albctl import usecases
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.plan.document import plan_json
    from albctl.views import plan as views

    desired, target = load_desired(env, paths, settings_from(cluster, config, ingress_class), aws, kube=kube,
                                   prune=prune, verbose=verbose)
    assert target is not None
    the_plan = usecases.plan_desired(desired, target.clients, target.clients.region or "", prune)
    if save_live is not None and desired.live is not None:  # the planner's whole view of AWS, as data
        save_plan(save_live, desired.live.to_json(), what="live snapshot")
    if out is not None:
        save_plan(out, plan_json(the_plan))
    if output_format is PlanFormat.json:
        env.write(plan_json(the_plan))
    elif output_format is PlanFormat.markdown:
        env.write(views.plan_markdown(the_plan))
    else:
        views.print_plan(env.out, the_plan)
    step_summary(env, views.plan_markdown(the_plan))
    if detailed_exitcode and the_plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def save_plan(path: Path, text: str, what: str = "plan file") -> None:
    """Write a plan file (or a live snapshot); a problem with the path is a one-line error."""
    from albctl.errors import AlbctlError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AlbctlError(f"cannot write {what} {path}: {exc.strerror}",
                          hint="give a file path in an existing, writable directory") from None


def step_summary(env: Env, markdown: str) -> None:
    """Append to the GitHub Actions job summary, when the job has one."""
    path = env.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from albctl.errors import AlbctlError

    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError as exc:
        raise AlbctlError(f"cannot append to GITHUB_STEP_SUMMARY file {path}: {exc.strerror}") from None


@contextmanager
def failure_markdown(env: Env, command: str, *, to_stdout: bool) -> Iterator[None]:
    """On an albctl error, the errors as markdown too: on standard output for ``--format markdown`` (never an
    empty file) and in the job summary; the error itself is still reported (exit 1)."""
    from albctl.errors import AlbctlError

    try:
        yield
    except AlbctlError as exc:
        from albctl.views.plan import error_markdown

        text = error_markdown(command, [str(d) for d in exc.diagnostics], exc.hint)
        if to_stdout:
            env.write(text)
        step_summary(env, text)
        raise
