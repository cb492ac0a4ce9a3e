"""`albctl apply` and `albctl destroy`."""

from __future__ import annotations

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
    aws_target,
    kube_args,
    paths_of,
    prune_scope,
    require_cluster,
)
from albctl.errors import AlbctlError, RefusedError
from albctl.exitcodes import ExitCode

AutoApproveOpt = Annotated[bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")]
LockTableOpt = Annotated[str | None, typer.Option(
    "--lock-table", envvar="ALBCTL_LOCK_TABLE",
    help="DynamoDB table (partition key LockID, a string) holding one lock per stack while albctl writes it.")]
ProtectedOpt = Annotated[bool, typer.Option(
    "--allow-destroy-protected",
    help="Allow replacing or deleting a load balancer with deletion protection on (switches it off first).")]


def confirm(env: Env, command: str, question: str, auto_approve: bool) -> None:
    """Ask on a terminal (only 'yes' goes ahead); refuse without one unless --auto-approve."""
    if auto_approve:
        return
    if not env.stdin_is_tty:
        raise RefusedError(f"{command} needs confirmation and there is no terminal to ask on",
                           hint="review the plan, then pass --auto-approve")
    env.out.print(f"\nDo you want to {question}? Only 'yes' will be accepted.", markup=False)
    env.out.print("  Enter a value: ", end="", markup=False)
    answer = env.stdin.readline().strip()
    if answer != "yes":
        raise RefusedError(f"{command} cancelled: nothing was changed")


def apply(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
    plan_file: Annotated[Path | None, typer.Option("--plan", help="Apply this saved plan (from plan --out).")]
    = None,
    auto_approve: AutoApproveOpt = False,
    allow_destroy_protected: ProtectedOpt = False,
    emit_tgb: Annotated[Path | None, typer.Option(
        "--emit-tgb", help="Write TargetGroupBinding manifests for ip-mode target groups into this directory.")]
    = None,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
    kube_context: KubeContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    lock_table: LockTableOpt = None,
    prune_namespace: PruneNamespaceOpt = None,
    prune_all: PruneAllOpt = False,
    verbose: VerboseOpt = False,
) -> int:
    """Make AWS match the manifests (or a saved plan): shows the operations, then runs exactly those."""
    from contextlib import ExitStack

    from albctl.cli.plan_command import failure_markdown

    env: Env = ctx.obj
    with failure_markdown(env, "apply", to_stdout=False), ExitStack() as held:

        def lock(clients: Any, cluster_name: str, stack_ids: list[str]) -> None:
            """The stacks' locks, when --lock-table is given, held until the end of the command."""
            from albctl.aws.lock import stack_lock

            held.enter_context(stack_lock(clients, lock_table, cluster_name, stack_ids))

        return _apply(env, paths_of(paths, filename, required=False), verbose, plan_file, auto_approve,
                      allow_destroy_protected, emit_tgb, cluster, config, ingress_class,
                      AwsArgs(region, profile, endpoint_url, sandbox), kube_args(kube_context, kubeconfig),
                      prune_scope(prune_namespace, prune_all), lock)


def _apply(env: Env, paths: list[str], verbose: bool, plan_file: Path | None, auto_approve: bool,
           allow_destroy_protected: bool, emit_tgb: Path | None, cluster: str | None, config: Path | None,
           ingress_class: str | None, aws: AwsArgs, kube: Any, prune: Any, lock: Any) -> int:
    from albctl import usecases
    from albctl.cli.plan_command import step_summary
    from albctl.views.plan import plan_markdown, print_plan

    if plan_file is not None and paths:
        raise AlbctlError("give either manifests or --plan FILE, not both")
    desired: Any = None
    if plan_file is not None and prune:
        raise AlbctlError("a saved plan is applied as saved: give the prune scope to `albctl plan --out FILE`")
    if plan_file is not None:
        from albctl.plan.document import read_plan_file

        data = read_plan_file(str(plan_file))
        target = aws_target(env, aws, data["cluster"])
        lock(target.clients, data["cluster"], [s["id"] for s in data["stacks"]])
        plan = usecases.recheck_saved(target.clients, data)
        auto_approve = True  # the saved plan was the review, as with `terraform apply PLANFILE`
    elif paths:
        from albctl.cli.workflow import load_desired, settings_from

        desired, maybe_target = load_desired(env, paths, settings_from(cluster, config, ingress_class), aws,
                                             kube=kube, prune=prune, verbose=verbose, before_aws=lock)
        assert maybe_target is not None
        target = maybe_target
        plan = usecases.plan_desired(desired, target.clients, target.clients.region or "", prune)
    else:
        raise AlbctlError("nothing to apply: give manifest paths, or --plan FILE")
    if emit_tgb is not None:  # every file name checked before the first AWS write
        usecases.check_binding_files(emit_tgb, plan)
    print_plan(env.out, plan)
    summary = [plan_markdown(plan, "albctl apply").rstrip("\n"), ""]
    if plan.has_changes:
        confirm(env, "apply", "perform these actions", auto_approve)
        _run(env, target.clients, plan, allow_destroy_protected, usecases.secrets_of(desired))
        s = plan.summary
        done = (f"Apply complete! Resources: {s['create']} added, {s['update']} changed, "
                f"{s['replace']} replaced, {s['move']} moved, {s['delete']} destroyed.")
        env.out.print(f"\n{done}", markup=False)
        summary += [f"**{done}**", ""]
    found = usecases.outputs(target.clients, plan)
    if found:
        env.out.print("\nOutputs:", markup=False)
        summary += ["| load balancer | DNS name | hosted zone |", "| --- | --- | --- |"]
    for lb in found:
        env.out.print(f"load balancer {lb['name']}: dns_name = {lb['dns_name']}, "
                      f"hosted_zone = {lb['hosted_zone']}", markup=False, soft_wrap=True)
        summary.append(f"| {lb['name']} | {lb['dns_name']} | {lb['hosted_zone']} |")
    step_summary(env, "\n".join(summary) + "\n")
    if emit_tgb is not None:
        for path in usecases.write_bindings(emit_tgb, usecases.binding_manifests(target.clients, plan)):
            env.out.print(f"wrote {path}", markup=False)
    return ExitCode.OK


def _run(env: Env, clients: Any, plan: Any, allow_destroy_protected: bool, secrets: dict[str, str]) -> None:
    from albctl import usecases
    from albctl.views.plan import progress_printer

    env.out.print()
    usecases.apply_plan(clients, plan, secrets=secrets, allow_destroy_protected=allow_destroy_protected,
                        progress=progress_printer(env.out))


def destroy(
    ctx: typer.Context,
    paths: OptionalPathsArg = None,
    filename: FilenameOpt = None,
    auto_approve: AutoApproveOpt = False,
    allow_destroy_protected: ProtectedOpt = False,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
    lock_table: LockTableOpt = None,
    verbose: VerboseOpt = False,
) -> int:
    """Delete every AWS resource of the stacks those manifests define (only what carries this cluster's tag)."""
    from albctl import usecases
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.views.plan import print_plan

    env: Env = ctx.obj
    settings = settings_from(cluster, config, ingress_class)
    # offline: only the stack ids are needed
    desired, _ = load_desired(env, paths_of(paths, filename), settings, None, verbose=verbose)
    target = aws_target(env, AwsArgs(region, profile, endpoint_url, sandbox), settings.cluster_name or None)
    name = require_cluster(target.cluster)
    from albctl.aws.lock import stack_lock

    stack_ids = [s.id for s in desired.result.stacks]
    with stack_lock(target.clients, lock_table, name, stack_ids):
        plan = usecases.plan_destroy(target.clients, name, stack_ids, target.clients.region or "")
        print_plan(env.out, plan)
        if plan.has_changes:
            confirm(env, "destroy", "destroy these resources", auto_approve)
            _run(env, target.clients, plan, allow_destroy_protected, {})
            env.out.print(f"\nDestroy complete! Resources: {plan.summary['delete']} destroyed.", markup=False)
    return ExitCode.OK


def force_unlock(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack (IngressGroup id: ns/name, or the group name).")],
    lock_table: Annotated[str, typer.Option("--lock-table", envvar="ALBCTL_LOCK_TABLE",
                                            help="The DynamoDB lock table.")],
    cluster: ClusterOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
) -> int:
    """Remove a stack's lock left by a run that died (check first that none is running)."""
    from albctl.aws.lock import force_unlock as unlock
    from albctl.views.safe import plain

    env: Env = ctx.obj
    stack_shown = plain(stack)
    target = aws_target(env, AwsArgs(region, profile, endpoint_url, sandbox), cluster)
    name = require_cluster(target.cluster)
    if unlock(target.clients, lock_table, name, stack):
        env.out.print(f"stack {stack_shown}: lock removed", markup=False, soft_wrap=True)
    else:
        env.out.print(f"stack {stack_shown}: was not locked", markup=False, soft_wrap=True)
    return ExitCode.OK
