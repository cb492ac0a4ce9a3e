"""Field-level differences between two comparable specs, as ``path: old → new``.

Lists whose order means nothing (security group rules, subnets, security groups, targets, condition
values) are diffed as sets: each element that goes is ``path[-]`` (old value, new None), each that comes
is ``path[+]`` (old None, new value), so one rule added outside albctl is one line, not a field change
per index. Other lists are compared index by index; dicts key by key.
"""

from __future__ import annotations

import json
from typing import Any

from albctl.plan.model import FieldChange

UNORDERED = frozenset({"ingress", "subnetMapping", "securityGroups", "targets", "values", "regexValues",
                       "queryString"})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _diff(path: str, key: str | None, old: Any, new: Any, out: list[FieldChange]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for k in list(old) + [k for k in new if k not in old]:
            if k not in new:
                out.append(FieldChange(_join(path, k), old[k], None))
            elif k not in old:
                out.append(FieldChange(_join(path, k), None, new[k]))
            else:
                _diff(_join(path, k), k, old[k], new[k], out)
        return
    if isinstance(old, list) and isinstance(new, list):
        if key in UNORDERED:
            new_keys = {_canon(v) for v in new}
            old_keys = {_canon(v) for v in old}
            out.extend(FieldChange(f"{path}[-]", v, None) for v in old if _canon(v) not in new_keys)
            out.extend(FieldChange(f"{path}[+]", None, v) for v in new if _canon(v) not in old_keys)
            return
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(FieldChange(f"{path}[{i}]", old[i], None))
            elif i >= len(old):
                out.append(FieldChange(f"{path}[{i}]", None, new[i]))
            else:
                _diff(f"{path}[{i}]", None, old[i], new[i], out)
        return
    out.append(FieldChange(path, old, new))


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Every changed leaf as path, old, new (added and removed keys and set elements included)."""
    changes: list[FieldChange] = []
    _diff("", None, before, after, changes)
    return tuple(sorted(changes, key=lambda c: c.path.replace("[+]", "[~]")))  # removed before added


def top_fields(changes: tuple[FieldChange, ...]) -> set[str]:
    """The top-level spec fields the changes touch."""
    return {c.path.split(".")[0].split("[")[0] for c in changes}
