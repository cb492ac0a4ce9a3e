"""Shapes every ELBv2 / EC2 kind shares: tags, attribute lists, Go-style ``omitempty`` compaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albctl.tags import TRACKING_TAGS

TAGS_PER_CALL = 20  # ELBv2 DescribeTags / AddTags take at most 20 ARNs


def tag_map(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """AWS's ``[{"Key", "Value"}]`` → ``{key: value}``."""
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{key: value}`` → AWS's ``[{"Key", "Value"}]``, sorted by key."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def spec_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The tags a desired spec names: without the tracking tags and AWS's reserved ``aws:*``."""
    return {k: v for k, v in sorted(tags.items()) if k not in TRACKING_TAGS and not k.startswith("aws:")}


def tag_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """What to add or overwrite, and which keys to remove, to turn ``old`` into ``new``."""
    add = {k: v for k, v in sorted(new.items()) if old.get(k) != v}
    remove = sorted(k for k in old if k not in new and not k.startswith("aws:"))
    return add, remove


def read_attributes(attrs: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """AWS's ``[{"Key", "Value"}]`` attributes → the model's ``[{"key", "value"}]``, sorted by key."""
    return [{"key": a["Key"], "value": a.get("Value", "")} for a in sorted(attrs, key=lambda a: a["Key"])]


def write_attributes(items: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [{"Key": a["key"], "Value": a["value"]} for a in items]


def partial_attributes(live: list[dict[str, str]] | None, wanted: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """AWS returns every attribute; only the keys the desired spec sets are compared."""
    keys = {a["key"] for a in wanted or []}
    return sorted((a for a in live or [] if a["key"] in keys), key=lambda a: a["key"])


def compact(value: Any) -> Any:
    """Drop None and empty lists/dicts from dicts, recursively (Go's ``omitempty``, as ``to_data`` does)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = compact(v)
            if v is None or (isinstance(v, list | dict) and not v):
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def camel_keys(value: Any) -> Any:
    """AWS's ``PascalCase`` keys → ``camelCase``, recursively."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def pascal_keys(value: Any) -> Any:
    """``camelCase`` keys → AWS's ``PascalCase``, recursively."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_keys(v) for v in value]
    return value
