"""What every resource kind module provides to the generic reader, planner and executor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from albctl.elbv2.call import Call, ResourceKey


@dataclass(frozen=True)
class Context:
    """What the calls of an operation need beyond the resource's own spec."""

    vpc_id: str | None = None


class Kind:
    """One ELBv2 / EC2 resource type. Subclasses own everything about their type: how AWS's answers
    read into the model's vocabulary (``read``), what AWS defaults and how values compare
    (:meth:`comparable`), which field changes force a replacement (:attr:`replace_reasons`), and the
    calls that create, modify and delete it."""

    type: str = ""
    short: str = ""  # "target group": how people name the kind
    name_field: str | None = None  # the spec field holding the AWS name, when the kind has one
    replace_reasons: Mapping[str, str] = {}  # spec field → why AWS cannot change it in place

    def name(self, res_id: str, data: Mapping[str, Any] | None) -> str:
        """A human name: the AWS name where the kind has one, else the controller's resource id."""
        if self.name_field and data and data.get(self.name_field):
            return str(data[self.name_field])
        return res_id

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` (desired or live, spec-shaped with ``tags``) in the form the planner compares:
        AWS's defaults filled in, unordered lists sorted, partial lists cut to what ``wanted`` sets."""
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        raise NotImplementedError

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        raise NotImplementedError

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        raise NotImplementedError

    # AWS's answers to a create whose name (or slot) is already taken: maybe by this very create,
    # retried after its first response was lost; see :meth:`find_created`
    duplicate_codes: tuple[str, ...] = ()

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        """The read that finds what a create with ``params`` would have made (None: cannot be found)."""
        return None

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        """The ids (and tags, when the read returns them) of what :meth:`find_created` found."""
        return []


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Top-level fields whose values differ (``tags`` included)."""
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
