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
    ProfileOpt,
    RegionOpt,
    SandboxOpt,
    aws_target,
    require_cluster,
)
from albctl.errors import AlbctlError, RefusedError
from albctl.exitcodes import ExitCode

OptionalPaths = Annotated[list[str] | None, typer.Argument(
    help="Manifest files or directories, or - for standard input.", metavar="PATH")]
AutoApproveOpt = Annotated[bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")]
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


def _progress(env: Env) -> Any:
    from albctl.plan.model import Action
    from albctl.views.plan import SHORT_TYPES

    verbs = {Action.CREATE: ("Creating", "created"), Action.UPDATE: ("Updating", "updated"),
             Action.REPLACE: ("Replacing", "replaced"), Action.DELETE: ("Deleting", "deleted"),
             Action.NOOP: ("Checking", "checked")}

    def report(change: Any, status: str) -> None:
        kind = SHORT_TYPES.get(change.type, change.type)
        if status == "start":
            env.out.print(f"{verbs[change.action][0]} {kind} {change.name}...", markup=False)
        else:
            env.out.print(f"  {kind} {change.name}: {verbs[change.action][1]}", markup=False)

    return report


def apply(
    ctx: typer.Context,
    paths: OptionalPaths = None,
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
) -> int:
    """Make AWS match the manifests (or a saved plan), showing the plan first."""
    from albctl.cli import planning
    from albctl.views.plan import print_plan

    env: Env = ctx.obj
    aws = AwsArgs(region, profile, endpoint_url, sandbox)
    if plan_file is not None and paths:
        raise AlbctlError("give either manifests or --plan FILE, not both")
    target: Any = None
    desired: Any = None
    if plan_file is not None:
        data = planning.load_saved_plan(str(plan_file))
        target = aws_target(env, aws, data["cluster"])
        plan = planning.recheck_saved_plan(target.clients, data)
    elif paths:
        from albctl.cli.workflow import load_desired, settings_from

        desired = load_desired(env, paths, settings_from(cluster, config, ingress_class), aws)
        target = desired.target
        plan = planning.fresh_plan(env, desired)
    else:
        raise AlbctlError("nothing to apply: give manifest paths, or --plan FILE")
    print_plan(env.out, plan)
    if plan.has_changes:
        confirm(env, "apply", "perform these actions", auto_approve)
        secrets: dict[str, str] = {}
        if desired is not None:  # a saved plan holds no secrets: OIDC rules need the manifests
            from albctl.model.auth import client_secrets

            for stack in desired.result.stacks:
                secrets.update(client_secrets(stack))
        _execute(env, target.clients, plan, allow_destroy_protected, secrets)
        s = plan.summary
        env.out.print(f"\nApply complete! Resources: {s['create']} added, {s['update']} changed, "
                      f"{s['replace']} replaced, {s['delete']} destroyed.", markup=False)
    if emit_tgb is not None:
        _emit_tgbs(env, target.clients, plan, emit_tgb)
    return ExitCode.OK


def _execute(env: Env, clients: Any, plan: Any, allow_destroy_protected: bool, secrets: dict[str, str]) -> None:
    from albctl.apply.executor import Executor, StackWork
    from albctl.plan.diff import stack_specs

    executor = Executor(clients, plan.vpc_id, _progress(env), allow_destroy_protected, secrets)
    for stack in plan.stacks:
        specs = stack_specs(stack.resources) or {(c.type, c.id): c.after for c in stack.changes if c.after}
        executor.apply(StackWork(stack.id, specs, list(stack.changes)))


def _emit_tgbs(env: Env, clients: Any, plan: Any, directory: Path) -> None:
    """TargetGroupBinding manifests for ip-mode target groups, so the in-cluster controller registers pods."""
    import yaml

    from albctl.aws.live import read_live_stacks
    from albctl.cli.planning import find_backend_sg
    from albctl.model.stack import BACKEND_SG_ID, SECURITY_GROUP, TARGET_GROUP, TARGET_GROUP_BINDING
    from albctl.plan.diff import resolve_refs

    live = read_live_stacks(clients, plan.cluster, [s.id for s in plan.stacks])
    backend = find_backend_sg(clients, plan.cluster)
    directory.mkdir(parents=True, exist_ok=True)
    for stack in plan.stacks:
        resources = live[stack.id].resources if stack.id in live else []
        known = {(r.type, r.id): r.arn for r in resources}
        if backend is not None:
            known[(SECURITY_GROUP, BACKEND_SG_ID)] = backend["GroupId"]
        arns = {r.id: r.arn for r in resources if r.type == TARGET_GROUP}
        for tg_id, body in (stack.resources.get(TARGET_GROUP_BINDING) or {}).items():
            spec = resolve_refs(body["spec"], known)
            if spec["targetType"] != "ip" or tg_id not in arns:
                continue
            doc: dict[str, Any] = {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
                   "metadata": {"name": spec["name"], "namespace": spec["namespace"]},
                   "spec": {"targetGroupARN": arns[tg_id], "targetType": "ip",
                            "serviceRef": {"name": spec["serviceName"], "port": spec["servicePort"]},
                            "ipAddressType": spec["ipAddressType"], "vpcID": spec["vpcID"]}}
            for key in ("networking", "nodeSelector", "multiClusterTargetGroup"):
                if spec.get(key):
                    doc["spec"][key] = spec[key]
            path = directory / f"{spec['namespace']}-{spec['name']}.yaml"
            path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            env.out.print(f"wrote {path}", markup=False)


def destroy(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Manifest files or directories, or - for standard input.",
                                               metavar="PATH")],
    auto_approve: AutoApproveOpt = False,
    allow_destroy_protected: ProtectedOpt = False,
    cluster: ClusterOpt = None,
    config: ConfigOpt = None,
    ingress_class: ClassOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    sandbox: SandboxOpt = False,
) -> int:
    """Delete every AWS resource of the stacks those manifests define (only what carries this cluster's tag)."""
    from albctl.apply.executor import Executor
    from albctl.aws.live import read_live_stacks
    from albctl.cli.planning import SHARED_STACK, unused_backend_sg
    from albctl.cli.workflow import load_desired, settings_from
    from albctl.model.stack import LOAD_BALANCER
    from albctl.plan.diff import diff_resources
    from albctl.plan.model import Plan, StackPlan
    from albctl.views.plan import print_plan

    env: Env = ctx.obj
    settings = settings_from(cluster, config, ingress_class)
    desired = load_desired(env, paths, settings, None)  # offline: only the stack ids are needed
    target = aws_target(env, AwsArgs(region, profile, endpoint_url, sandbox), settings.cluster_name or None)
    name = require_cluster(target.cluster)
    stack_ids = [s.id for s in desired.result.stacks]
    live = read_live_stacks(target.clients, name, stack_ids)
    stacks = tuple(StackPlan(i, {}, tuple(diff_resources(i, {}, live[i].resources if i in live else [], name)))
                   for i in stack_ids)
    deleting = {c.arn for s in stacks for c in s.changes if c.type == LOAD_BALANCER and c.arn}
    shared = unused_backend_sg(target.clients, name, deleting)
    if shared is not None:
        stacks += (StackPlan(SHARED_STACK, {}, (shared,)),)
    plan = Plan(name, target.clients.region or "", stacks)
    print_plan(env.out, plan)
    if plan.has_changes:
        confirm(env, "destroy", "destroy these resources", auto_approve)
        executor = Executor(target.clients, None, _progress(env), allow_destroy_protected)
        for stack in stacks:
            executor.destroy(list(stack.changes))
        env.out.print(f"\nDestroy complete! Resources: {plan.summary['delete']} destroyed.", markup=False)
    return ExitCode.OK
