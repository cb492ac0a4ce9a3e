"""Field-level differences between two comparable specs, as ``path: old → new`` (deepdiff does the diff).

Lists whose order means nothing (security group rules, subnets, security groups, certificates other
than the default, condition values, targets) are diffed as sets: one added or removed element each.
"""

from __future__ import annotations

import re
from typing import Any

from deepdiff import DeepDiff

from albctl.plan.model import FieldChange

_UNORDERED = re.compile(r"\['(ingress|subnetMapping|securityGroups|targets|values|regexValues|queryString)'\]$")


def _unordered(level: Any) -> bool:
    return bool(_UNORDERED.search(level.path()))


def _path(deepdiff_path: str) -> str:
    # root['healthCheckConfig']['path'] → healthCheckConfig.path ; root['ingress'][0] → ingress[0]
    out = deepdiff_path.replace("root", "", 1)
    out = out.replace("']['", ".").replace("['", ".").replace("']", "")
    return out.lstrip(".")


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Every changed leaf as path, old, new (added and removed keys and set elements included)."""
    diff = DeepDiff(before, after, verbose_level=2, ignore_order_func=_unordered)
    changes: list[FieldChange] = []
    for kind, items in diff.items():
        for path, value in items.items():
            if kind in ("values_changed", "type_changes"):
                changes.append(FieldChange(_path(path), value["old_value"], value["new_value"]))
            elif kind in ("dictionary_item_added", "iterable_item_added"):
                changes.append(FieldChange(_path(path), None, value))
            elif kind in ("dictionary_item_removed", "iterable_item_removed"):
                changes.append(FieldChange(_path(path), value, None))
    return tuple(sorted(changes, key=lambda c: c.path))


def top_fields(changes: tuple[FieldChange, ...]) -> set[str]:
    """The top-level spec fields the changes touch."""
    return {c.path.split(".")[0].split("[")[0] for c in changes}
