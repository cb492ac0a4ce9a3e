"""Views of a plan: terraform-like text (the operations apply runs, in order, with references shown
as the names of what they point at), markdown for pull requests, and apply's progress lines. The JSON
document lives in :mod:`albctl.plan.document`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from rich.console import Console

from albctl.elbv2 import KINDS
from albctl.elbv2.call import created_key
from albctl.model.stack import LISTENER_RULE, ref_target
from albctl.plan import routing
from albctl.plan.fields import UNORDERED
from albctl.plan.model import SHARED_STACK, Change, ChangeAction, Operation, Plan, StackPlan, Step
from albctl.tags import CLUSTER_TAG, RESOURCE_TAG, STACK_TAG
from albctl.views.safe import SafeText as Text
from albctl.views.safe import plain

SYMBOLS = {Step.CREATE: ("+", "green"), Step.MODIFY: ("~", "yellow"), Step.MOVE: ("↕", "cyan"),
           Step.DELETE: ("-", "red")}
VERBS = {Step.CREATE: ("Creating", "Creation"), Step.MODIFY: ("Modifying", "Modifications"),
         Step.MOVE: ("Moving", "Move"), Step.DELETE: ("Destroying", "Destruction")}
TRACKING = frozenset({CLUSTER_TAG, STACK_TAG, RESOURCE_TAG})
_ARN = re.compile(r"^arn:aws[\w-]*:elasticloadbalancing:[^:]*:[^:]*:(targetgroup|loadbalancer|listener|listener-rule)"
                  r"/(?:app/)?([^/]+)/")
_ARN_KIND = {"targetgroup": "target group", "loadbalancer": "load balancer", "listener": "listener of",
             "listener-rule": "rule of"}
_SET_ELEMENT = re.compile(r"^(.*\b(" + "|".join(sorted(UNORDERED)) + r"))\[([+-])\]$")


def short(type_: str) -> str:
    return KINDS[type_].short if type_ in KINDS else type_


class Names:
    """How a plan names what it refers to: ``$created`` markers, ``$ref``s and this plan's live ARNs and
    ids become ``target group k8s-… (new)``, ``security group k8s-…``; other ELB ARNs their name."""

    def __init__(self, plan: Plan) -> None:
        self.created: dict[tuple[str, str, str], str] = {}
        self.by_arn: dict[str, str] = {}
        self.desired: dict[tuple[str, str, str], str] = {}
        for stack in plan.stacks:
            for op in stack.operations:
                if op.step is Step.CREATE:
                    self.created[op.key] = f"{short(op.type)} {op.name} (new)"
                elif op.arn and op.step is not Step.MOVE:
                    self.by_arn.setdefault(op.arn, f"{short(op.type)} {op.name}")
            for c in stack.changes:
                if c.arn:
                    self.by_arn.setdefault(c.arn, f"{short(c.type)} {c.name}")
            for type_, by_id in stack.resources.items():
                if type_ in KINDS:
                    for res_id, body in by_id.items():
                        name = KINDS[type_].name(res_id, body.get("spec") or {})
                        self.desired[(stack.id, type_, res_id)] = f"{short(type_)} {name}"

    def label(self, value: Any, stack: str = "") -> str | None:
        """The name of what ``value`` refers to, or None when it is no reference."""
        key = created_key(value)
        if key is not None:
            return self.created.get(key, f"{short(key[1])} {key[2]} (new)")
        target = ref_target(value)
        if target is not None:
            key = (stack, *target)
            return self.created.get(key) or self.desired.get(key) or f"{short(target[0])} {target[1]}"
        if isinstance(value, str):
            if value in self.by_arn:
                return self.by_arn[value]
            m = _ARN.match(value)
            if m:
                return f"{_ARN_KIND[m.group(1)]} {m.group(2)}"
        return None

    def named(self, value: Any, stack: str = "") -> Any:
        """``value`` with every reference replaced by its name."""
        label = self.label(value, stack)
        if label is not None:
            return label
        if isinstance(value, dict):
            return {k: self.named(v, stack) for k, v in value.items()}
        if isinstance(value, list):
            return [self.named(v, stack) for v in value]
        return value

    def text(self, value: Any, stack: str = "") -> str:
        """A value as shown in a plan: a reference as the bare name, other values as compact JSON."""
        label = self.label(value, stack)
        if label is not None:
            return label
        return json.dumps(self.named(value, stack), default=str, ensure_ascii=False, separators=(", ", ": "),
                          sort_keys=True)  # as a saved plan holds it: the same text fresh or from a file


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (f"Plan: {s['create']} to add, {s['update']} to change, {s['replace']} to replace, {s['move']} to move, "
            f"{s['delete']} to destroy.")


def operation_title(op: Operation) -> str:
    verb = {Step.CREATE: "create", Step.MODIFY: "modify", Step.MOVE: "move", Step.DELETE: "delete"}[op.step]
    detail = f" ({op.detail})" if op.detail else ""
    what = op.name if op.step is Step.MOVE else f"{short(op.type)} {op.name}"
    return f"{verb} {what}{detail}"


def _change_for(stack: StackPlan, op: Operation) -> Change | None:
    return next((c for c in stack.changes if c.type == op.type and c.id == op.id
                 and c.action is not ChangeAction.NOOP), None)


def _user_tags(tags: Any) -> dict[str, Any]:
    return {k: v for k, v in (tags or {}).items() if k not in TRACKING}


def field_lines(names: Names, stack: str, diff: Any) -> list[tuple[str, str]]:
    """One line per changed field; one per element added to or removed from a set-like list."""
    out: list[tuple[str, str]] = []
    for f in diff:
        m = _SET_ELEMENT.match(f.path)
        if m:
            sign, value = ("+", f.new) if m.group(3) == "+" else ("-", f.old)
            out.append(("green" if sign == "+" else "red", f"{sign} {m.group(1)}: {names.text(value, stack)}"))
        elif f.old is None:
            out.append(("green", f"+ {f.path} = {names.text(f.new, stack)}"))
        elif f.new is None:
            out.append(("red", f"- {f.path} (was {names.text(f.old, stack)})"))
        else:
            out.append(("yellow", f"~ {f.path}: {names.text(f.old, stack)} → {names.text(f.new, stack)}"))
    return out


def create_lines(names: Names, stack: str, after: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, value in sorted(after.items()):
        if key == "tags":
            value = _user_tags(value)
            if not value:
                continue
        out.append(("green", f"+ {key} = {names.text(value, stack)}"))
    return out


def _lines(names: Names, stack: StackPlan, op: Operation) -> list[tuple[str, str]]:
    """(style, text) detail lines under an operation."""
    change = _change_for(stack, op)
    if op.step is Step.CREATE and change is not None and change.after:
        if op.type == LISTENER_RULE:
            return [("green", f"+ {rule_text(names, stack.id, change.after)}")] + [
                ("green", f"+ tags = {names.text(tags)}") for tags in [_user_tags(change.after.get("tags"))] if tags]
        return create_lines(names, stack.id, change.after)
    if op.step is Step.MODIFY and change is not None:
        return field_lines(names, stack.id, change.diff)
    if op.step is Step.MOVE:
        moved = [c for c in stack.changes if c.action is ChangeAction.MOVE and c.id.split(":")[0] == op.id]
        return [("cyan", f"↕ rule {c.id}: priority {(c.before or {}).get('priority')} → "
                         f"{(c.after or {}).get('priority')}") for c in moved]
    if op.step is Step.DELETE and change is not None and change.reasons:
        return [("red", f"  because {r}") for r in change.reasons]
    return []


def rule_text(names: Names, stack: str, spec: Mapping[str, Any]) -> str:
    """``host a.example.com, path /api/* → forward → target group k8s-… (new)``."""
    return (f"{routing.conditions_text(spec)} → "
            f"{routing.action_text(spec.get('actions'), lambda v: names.label(v, stack) or str(v))}")


def rule_table(names: Names, stack: StackPlan) -> list[tuple[str, list[str]]]:
    """Per listener of the desired stack, its rules in evaluation order, then the default action."""
    out = []
    never = {(port, later.id) for port, later, _ in routing.shadowed(stack.resources)}
    label = lambda v: names.label(v, stack.id) or str(v)  # noqa: E731
    for port, spec, rules in routing.listeners(stack.resources):
        lines = []
        for rule in rules:
            source = routing.rule_source(stack.id, stack.resources, rule.spec)
            flag = "  (never matches: see warnings)" if (port, rule.id) in never else ""
            lines.append(f"{rule.priority:>7}  {rule_text(names, stack.id, rule.spec)}"
                         f"{'  [Ingress ' + source + ']' if source else ''}{flag}")
        lines.append(f"{'default':>7}  {routing.action_text(spec.get('defaultActions'), label)}")
        out.append((f"{spec.get('protocol', '')}:{port}", lines))
    return out


def _stack_changed(stack: StackPlan) -> bool:
    return bool(stack.operations) or any(c.action is not ChangeAction.NOOP for c in stack.changes)


def print_plan(console: Console, plan: Plan) -> None:
    """The operations apply will run, in order, each with its field changes; per listener the rules in
    evaluation order; warnings, notes, orphans; then the summary."""
    names = Names(plan)
    for note in plan.notes:
        console.print(Text.assemble(("note: ", "dim"), note), soft_wrap=True)
    for warning in plan.warnings:
        console.print(Text.assemble(("warning: ", "yellow"), warning), soft_wrap=True)
    for orphan in plan.orphans:
        console.print(Text(f"IngressGroup {orphan}: not in the inputs, left alone (--prune-namespace NS or "
                           "--prune-all plans its deletion)", style="dim"), soft_wrap=True)
    if not plan.has_changes:
        console.print(Text.assemble(("No changes.", "green"), " The load balancers match the manifests."))
        return
    for stack in plan.stacks:
        if not _stack_changed(stack):
            continue
        console.print(Text(f"IngressGroup {stack.id}", style="bold"), soft_wrap=True)
        for op in stack.operations:
            symbol, colour = SYMBOLS[op.step]
            console.print(Text(f"  {symbol} {operation_title(op)}", style=colour), soft_wrap=True)
            for style, line in _lines(names, stack, op):
                console.print(Text.assemble("      ", (line[:1], style), line[1:]), soft_wrap=True)
        for c in stack.changes:
            if c.action is ChangeAction.DELETE and c.note.startswith("deleted with"):
                console.print(Text(f"  - {short(c.type)} {c.name} ({c.note})", style="red"), soft_wrap=True)
        unchanged = sum(1 for c in stack.changes if c.action is ChangeAction.NOOP)
        if unchanged:
            console.print(Text(f"  ({unchanged} unchanged resource(s) hidden)", style="dim"))
        for listener, lines in rule_table(names, stack):
            console.print(Text(f"  rules of listener {listener}, in evaluation order:", style="dim"), soft_wrap=True)
            for line in lines:
                console.print(Text(f"    {line}"), soft_wrap=True)
    console.print()
    console.print(Text(summary_line(plan), style="bold"))


# -- markdown ------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return plain(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def plan_text(plan: Plan) -> str:
    """The text plan without colour (for the collapsible full plan in markdown)."""
    import io

    buf = io.StringIO()
    print_plan(Console(file=buf, no_color=True, highlight=False, width=10_000, soft_wrap=True), plan)
    return buf.getvalue()


def plan_markdown(plan: Plan, title: str = "albctl plan") -> str:
    """For a pull-request comment or a job summary: a header, the operations table (old → new), the
    warnings and notes, and the full plan in a collapsible block."""
    names = Names(plan)
    groups = [s.id for s in plan.stacks if s.id != SHARED_STACK]
    out = [f"### {title}", "",
           f"cluster `{plan.cluster}` · region `{plan.region or '—'}` · IngressGroups: "
           + (", ".join(f"`{g}`" for g in groups) or "none"), ""]
    if plan.has_changes:
        out += ["| # | operation | changes |", "| --- | --- | --- |"]
        n = 0
        for stack in plan.stacks:
            for op in stack.operations:
                n += 1
                lines = [t for _, t in _lines(names, stack, op)]
                if op.step is Step.CREATE:
                    lines = []  # the full plan below has every field
                detail = "<br>".join(_md(t) for t in lines) or "—"
                out.append(f"| {n} | {_md(operation_title(op))} | {detail} |")
        out += ["", f"**{summary_line(plan)}**", ""]
    else:
        out += ["**No changes.** The load balancers match the manifests.", ""]
    if plan.warnings:
        out += ["#### Warnings", "", *[f"- :warning: {_md(w)}" for w in plan.warnings], ""]
    if plan.notes:
        out += ["#### Notes", "", *[f"- {_md(n)}" for n in plan.notes], ""]
    if plan.orphans:
        out += ["#### Not in the inputs, left alone", "", *[f"- `{o}`" for o in plan.orphans], ""]
    out += ["<details><summary>Full plan</summary>", "", "```", plain(plan_text(plan).rstrip("\n")), "```", "",
            "</details>", ""]
    return "\n".join(out)


def error_markdown(command: str, messages: list[str], hint: str | None = None) -> str:
    """A failed plan or apply as markdown: never an empty file."""
    out = [f"### albctl {command} failed", "", *[f"- :x: {_md(m)}" for m in messages]]
    if hint:
        out += ["", f"hint: {_md(hint)}"]
    return "\n".join(out) + "\n"


# -- apply progress ----------------------------------------------------------------------------


def progress_printer(console: Console) -> Any:
    """Apply's progress, one line as each operation starts and one as it ends (terraform's wording)."""

    def report(op: Operation, n: int, total: int, status: str, seconds: float, res_id: str | None) -> None:
        what = op.name if op.step is Step.MOVE else f"{short(op.type)} {op.name}"
        if status == "started":
            console.print(f"[{n}/{total}] {what}: {VERBS[op.step][0]}...", markup=False, soft_wrap=True)
        else:
            tail = f" [id={res_id}]" if res_id else ""
            console.print(f"[{n}/{total}] {what}: {VERBS[op.step][1]} complete after {seconds:.0f}s{tail}",
                          markup=False, soft_wrap=True)

    return report

