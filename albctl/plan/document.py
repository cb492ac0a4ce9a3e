"""The plan as the contract's JSON document (``plan --format json`` and saved plan files), and back.

A saved plan carries a digest over its canonical content; a file whose content no longer matches
(edited by hand or by a tool) is refused before anything else is read from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from albctl.elbv2.call import Call
from albctl.errors import AlbctlError
from albctl.plan.model import Change, ChangeAction, FieldChange, Operation, Plan, StackPlan, Step

FORMAT_VERSION = "2"


class PlanFileError(AlbctlError):
    """A saved plan file cannot be used: unreadable, not a plan, of another version, or altered."""


def change_data(change: Change) -> dict[str, Any]:
    return {"type": change.type, "id": change.id, "name": change.name, "action": change.action.value,
            "before": change.before, "after": change.after,
            "diff": [{"path": f.path, "old": f.old, "new": f.new} for f in change.diff],
            "reasons": list(change.reasons), "arn": change.arn, "protected": change.protected, "note": change.note}


def operation_data(op: Operation) -> dict[str, Any]:
    return {"step": op.step.value, "type": op.type, "id": op.id, "name": op.name, "arn": op.arn,
            "detail": op.detail, "protected": op.protected, "calls": [c.to_data() for c in op.calls]}


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as the contract's JSON document."""
    return {
        "format_version": FORMAT_VERSION,
        "cluster": plan.cluster,
        "region": plan.region,
        "vpc_id": plan.vpc_id,
        "stacks": [{"id": s.id, "resources": s.resources, "targets": s.targets,
                    "changes": [change_data(c) for c in s.changes if c.action is not ChangeAction.NOOP],
                    "operations": [operation_data(op) for op in s.operations]} for s in plan.stacks],
        "orphans": list(plan.orphans),
        "summary": plan.summary,
        "warnings": list(plan.warnings),
        "notes": list(plan.notes),
    }


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in data.items() if k != "digest"}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str).encode()


def digest(data: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical(data)).hexdigest()


def plan_json(plan: Plan, *, pretty: bool = True) -> str:
    """The JSON document, with its digest (so that it can be saved and applied later)."""
    data = json.loads(json.dumps(plan_data(plan), default=str))
    data["digest"] = digest(data)
    if pretty:
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def read_plan_file(path: str) -> dict[str, Any]:
    """A saved plan's document, checked: JSON, this format version, its schema, and its digest."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise PlanFileError(f"plan file {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanFileError(f"{path} is not an albctl plan file")
    if data["format_version"] != FORMAT_VERSION:
        raise PlanFileError(f"plan file {path} has format_version {data['format_version']!r}; this albctl reads "
                            f"{FORMAT_VERSION!r}", hint="run `albctl plan --out FILE` again")
    _validate(path, data)
    if data.get("digest") != digest(data):
        raise PlanFileError(f"plan file {path} was changed after albctl wrote it (its digest does not match)",
                            hint="run `albctl plan --out FILE` again and apply that file unchanged")
    return data


def _validate(path: str, data: dict[str, Any]) -> None:
    import jsonschema

    from albctl.manifests.schemas import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("plan.json"))
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise PlanFileError(f"plan file {path} is not a valid albctl plan: at {where}: {error.message}")


def plan_from_data(data: Mapping[str, Any]) -> Plan:
    """A (checked) plan document back into a :class:`Plan`: the operations exactly as saved."""
    stacks = []
    for s in data["stacks"]:
        changes = tuple(Change(c["type"], c["id"], c["name"], ChangeAction(c["action"]), c.get("before"),
                               c.get("after"), tuple(FieldChange(f["path"], f.get("old"), f.get("new"))
                                                     for f in c.get("diff") or []),
                               tuple(c.get("reasons") or ()), c.get("arn"), bool(c.get("protected")),
                               c.get("note") or "") for c in s["changes"])
        ops = tuple(Operation(Step(o["step"]), s["id"], o["type"], o["id"], o["name"],
                              tuple(Call.from_data(c) for c in o["calls"]), o.get("arn"), o.get("detail") or "",
                              bool(o.get("protected"))) for o in s["operations"])
        stacks.append(StackPlan(s["id"], dict(s.get("resources") or {}), changes, ops, dict(s.get("targets") or {})))
    return Plan(data["cluster"], data["region"], tuple(stacks), tuple(data.get("warnings") or ()), data.get("vpc_id"),
                tuple(data.get("notes") or ()), tuple(data.get("orphans") or ()))


def operations_data(plan: Plan) -> list[Any]:
    """What a staleness check compares: every operation with its calls."""
    return [[s.id, [operation_data(op) for op in s.operations]] for s in plan.stacks]
