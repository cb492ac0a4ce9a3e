"""Views of a plan: terraform-like text (the operations apply runs, in order), markdown for pull
requests, and apply's progress lines. The JSON document lives in :mod:`albctl.plan.document`."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from albctl.elbv2 import KINDS
from albctl.elbv2.call import created_key
from albctl.plan.model import Change, ChangeAction, Operation, Plan, StackPlan, Step

SYMBOLS = {Step.CREATE: ("+", "green"), Step.MODIFY: ("~", "yellow"), Step.MOVE: ("↕", "cyan"),
           Step.DELETE: ("-", "red")}
VERBS = {Step.CREATE: ("Creating", "Creation"), Step.MODIFY: ("Modifying", "Modifications"),
         Step.MOVE: ("Moving", "Move"), Step.DELETE: ("Destroying", "Destruction")}


def short(type_: str) -> str:
    return KINDS[type_].short if type_ in KINDS else type_


def value_text(v: Any) -> str:
    """A value as shown in a plan: references to what apply creates as ``(known after apply)``."""
    key = created_key(v)
    if key is not None:
        return f"(known after apply: {short(key[1])} {key[2]})"
    if isinstance(v, dict) and "$ref" in v and len(v) == 1:
        return "(known after apply)"
    if isinstance(v, dict | list):
        return json.dumps(_markers(v), default=str, ensure_ascii=False, separators=(", ", ": "))
    return json.dumps(v, default=str, ensure_ascii=False)


def _markers(v: Any) -> Any:
    key = created_key(v)
    if key is not None:
        return f"(known after apply: {short(key[1])} {key[2]})"
    if isinstance(v, dict):
        return {k: _markers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_markers(x) for x in v]
    return v


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to add, {s['update']} to change, {s['replace']} to replace, {s['move']} to move, "
            f"{s['delete']} to destroy.")


def operation_title(op: Operation) -> str:
    verb = {Step.CREATE: "create", Step.MODIFY: "modify", Step.MOVE: "move", Step.DELETE: "delete"}[op.step]
    detail = f" ({op.detail})" if op.detail else ""
    return f"{verb} {short(op.type)} {op.name}{detail}"


def _change_for(stack: StackPlan, op: Operation) -> Change | None:
    return next((c for c in stack.changes if c.type == op.type and c.id == op.id
                 and c.action is not ChangeAction.NOOP), None)


def _lines(stack: StackPlan, op: Operation) -> list[tuple[str, str]]:
    """(style, text) detail lines under an operation."""
    change = _change_for(stack, op)
    out: list[tuple[str, str]] = []
    if op.step is Step.CREATE and change is not None and change.after:
        for key, value in sorted(change.after.items()):
            out.append(("green", f"+ {key} = {value_text(value)}"))
    elif op.step is Step.MODIFY and change is not None:
        for f in change.diff:
            out.append(("yellow", f"~ {f.path}: {value_text(f.old)} → {value_text(f.new)}"))
    elif op.step is Step.MOVE:
        moved = [c for c in stack.changes if c.action is ChangeAction.MOVE and c.id.split(":")[0] == op.id]
        for c in moved:
            old = (c.before or {}).get("priority")
            out.append(("cyan", f"↕ rule {c.id}: priority {old} → {(c.after or {}).get('priority')}"))
    return out


def print_plan(console: Console, plan: Plan) -> None:
    """The operations apply will run, in order, each with its field changes; then the summary."""
    for note in plan.notes:
        console.print(Text.assemble(("note: ", "dim"), note), soft_wrap=True)
    if not plan.has_changes:
        console.print(Text.assemble(("No changes.", "green"), " The load balancers match the manifests."))
        return
    for stack in plan.stacks:
        if not stack.operations and not any(c.action is not ChangeAction.NOOP for c in stack.changes):
            continue
        console.print(Text(f"IngressGroup {stack.id}", style="bold"), soft_wrap=True)
        for op in stack.operations:
            symbol, colour = SYMBOLS[op.step]
            console.print(Text(f"  {symbol} {operation_title(op)}", style=colour), soft_wrap=True)
            for style, line in _lines(stack, op):
                console.print(Text.assemble("      ", (line[:1], style), line[1:]), soft_wrap=True)
        for c in stack.changes:
            if c.action is ChangeAction.DELETE and c.note.startswith("deleted with"):
                console.print(Text(f"  - {short(c.type)} {c.name} ({c.note})", style="red"), soft_wrap=True)
        unchanged = sum(1 for c in stack.changes if c.action is ChangeAction.NOOP)
        if unchanged:
            console.print(Text(f"  ({unchanged} unchanged resource(s) hidden)", style="dim"))
    console.print()
    console.print(Text(summary_line(plan), style="bold"))


def plan_markdown(plan: Plan) -> str:
    """A table of the operations, in order, for pull-request comments."""
    lines = ["| # | operation | changes |", "| --- | --- | --- |"]
    n = 0
    for stack in plan.stacks:
        for op in stack.operations:
            n += 1
            detail = "<br>".join(_md(text) for _, text in _lines(stack, op) if not text.startswith("+ ")) or "—"
            lines.append(f"| {n} | {_md(operation_title(op))} | {detail} |")
    if not plan.has_changes:
        lines = ["No changes."]
    return "\n".join(["### albctl plan", "", *lines, "", f"**{summary_line(plan)}**", ""])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def progress_printer(console: Console) -> Any:
    """Apply's progress, one line as each operation starts and one as it ends (terraform's wording)."""

    def report(op: Operation, n: int, total: int, status: str, seconds: float, res_id: str | None) -> None:
        what = f"{short(op.type)} {op.name}"
        if status == "started":
            console.print(f"[{n}/{total}] {VERBS[op.step][0]} {what}...", markup=False, soft_wrap=True)
        else:
            tail = f" [id={res_id}]" if res_id else ""
            console.print(f"[{n}/{total}] {what}: {VERBS[op.step][1]} complete after {seconds:.0f}s{tail}",
                          markup=False, soft_wrap=True)

    return report
