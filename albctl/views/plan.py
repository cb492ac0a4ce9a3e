"""Views of a plan: terraform-like text, versioned JSON (the contract), markdown for PR comments."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape

from albctl.plan.model import Action, Change, Plan

PLAN_FORMAT_VERSION = "1"
SYMBOLS = {Action.CREATE: ("+", "green"), Action.UPDATE: ("~", "yellow"), Action.REPLACE: ("-/+", "magenta"),
           Action.DELETE: ("-", "red")}
SHORT_TYPES = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
    "AWS::ElasticLoadBalancingV2::Listener": "listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "rule",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target group",
    "AWS::EC2::SecurityGroup": "security group",
}


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as the contract's JSON document (also the saved plan file)."""
    return {
        "format_version": PLAN_FORMAT_VERSION,
        "cluster": plan.cluster,
        "region": plan.region,
        "vpc_id": plan.vpc_id,
        "stacks": [
            {
                "id": stack.id,
                "resources": stack.resources,
                "changes": [_change_data(c) for c in stack.changes if c.action is not Action.NOOP],
                "targets": stack.targets,
            }
            for stack in plan.stacks
        ],
        "summary": plan.summary,
        "warnings": list(plan.warnings),
        "notes": list(plan.notes),
    }


def _change_data(change: Change) -> dict[str, Any]:
    return {
        "type": change.type,
        "id": change.id,
        "name": change.name,
        "action": change.action.value,
        "before": change.before,
        "after": change.after,
        "diff": [{"path": f.path, "old": f.old, "new": f.new} for f in change.diff],
        "reasons": list(change.reasons),
        "arn": change.arn,
        "protected": change.protected,
    }


def plan_json(plan: Plan) -> str:
    return json.dumps(plan_data(plan), indent=2, sort_keys=True, default=str) + "\n"


def _value(v: Any) -> str:
    if isinstance(v, dict) and "$ref" in v:
        return "(known after apply)"
    return json.dumps(v, default=str, ensure_ascii=False)


def _summary_line(plan: Plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to add, {s['update']} to change, {s['replace']} to replace, "
            f"{s['delete']} to destroy.")


def print_plan(console: Console, plan: Plan) -> None:
    """One block per changed resource, one line per changed field; unchanged resources folded.
    (Warnings go to standard error with the input diagnostics; the JSON form carries them too.)"""
    for note in plan.notes:
        console.print(f"[dim]note:[/] {escape(note)}")
    if not plan.has_changes:
        console.print("[green]No changes.[/] The load balancers match the manifests.")
        return
    for stack in plan.stacks:
        changed = [c for c in stack.changes if c.action is not Action.NOOP]
        unchanged = len(stack.changes) - len(changed)
        console.print(f"[bold]IngressGroup {escape(stack.id)}[/]")
        for change in changed:
            symbol, colour = SYMBOLS[change.action]
            kind = SHORT_TYPES.get(change.type, change.type)
            tail = f" (must be replaced: {', '.join(change.reasons)})" if change.reasons else ""
            console.print(f"  [{colour}]{symbol} {kind} {escape(change.name)}[/]"
                          f"{'' if change.name == change.id else f' [dim]{escape(change.id)}[/]'}{escape(tail)}")
            if change.action is Action.CREATE and change.after:
                for key, value in sorted(change.after.items()):
                    console.print(f"      [green]+[/] {escape(key)} = {escape(_value(value))}")
            for field in change.diff:
                console.print(f"      [{colour}]~[/] {escape(field.path)}: {escape(_value(field.old))} → "
                              f"{escape(_value(field.new))}")
        if unchanged:
            console.print(f"  [dim]({unchanged} unchanged resource(s) hidden)[/]")
    console.print()
    console.print(f"[bold]{_summary_line(plan)}[/]")


def plan_markdown(plan: Plan) -> str:
    """A compact table for pull-request comments."""
    lines = ["| action | type | name | changes |", "| --- | --- | --- | --- |"]
    for change in plan.changes:
        fields = ", ".join(f"`{f.path}`" for f in change.diff) or "—"
        lines.append(f"| {change.action.value} | {SHORT_TYPES.get(change.type, change.type)} | "
                     f"`{change.name}` | {fields} |")
    if not plan.has_changes:
        lines = ["No changes."]
    return "\n".join(["### albctl plan", "", *lines, "", f"**{_summary_line(plan)}**", ""])
