"""``alb.ingress.kubernetes.io/*`` annotations: their registry (``schemas/annotations.json``),
parsing of the raw strings by the controller's value types, and validation of the parsed values.

The value types are the controller's: ``string``, ``boolean`` (Go's strconv.ParseBool),
``integer`` (int32), ``stringList`` (``a, b``), ``stringMap`` (``k=v,k2=v2``) and ``json``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from albctl.manifests.objects import ALB_PREFIX
from albctl.manifests.schemas import load_schema, validator

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class AnnotationValueError(ValueError):
    """A raw annotation string is not of the annotation's type; the message says what was expected."""


@dataclass(frozen=True)
class AnnotationSpec:
    """What the registry says about one annotation (or a wildcard family such as ``actions.``)."""

    suffix: str
    type: str
    locations: tuple[str, ...]
    merge: str
    pointer: str  # JSON pointer of the entry in annotations.json
    default: str | None = None


@cache
def _registry() -> dict[str, Any]:
    return load_schema("annotations.json")


def _spec(section: str, key: str, entry: dict[str, Any]) -> AnnotationSpec:
    return AnnotationSpec(
        suffix=key,
        type=entry["type"],
        locations=tuple(entry.get("locations", ["Ingress"])),
        merge=entry.get("merge", "none"),
        pointer=f"/{section}/{key.replace('~', '~0').replace('/', '~1')}",
        default=entry.get("default"),
    )


def lookup(suffix: str) -> AnnotationSpec | None:
    """The spec of an annotation by its suffix (the part after ``alb.ingress.kubernetes.io/``)."""
    reg = _registry()
    entry = reg["annotations"].get(suffix)
    if entry is not None:
        return _spec("annotations", suffix, entry)
    for prefix, wild in reg.get("wildcards", {}).items():
        if suffix.startswith(prefix) and len(suffix) > len(prefix):
            return _spec("wildcards", prefix, wild)
    return None


def unsupported_reason(suffix: str) -> str | None:
    """Why albctl refuses an annotation the controller knows (e.g. the frontend NLB family)."""
    for key, reason in _registry().get("unsupported", {}).items():
        if suffix == key or (key.endswith("-") and suffix.startswith(key)):
            return str(reason)
    return None


# attribute key prefixes of load balancers and of target groups (the ELBv2 attribute names), so that a
# misnamed attributes annotation is matched by what it holds, not only by its name
_LB_ATTRIBUTE_PREFIXES = ("access_logs.", "deletion_protection.", "idle_timeout.", "routing.http", "waf.fail_open",
                          "connection_logs.", "client_keep_alive.", "zonal_shift.", "health_check_logs.")
_TG_ATTRIBUTE_PREFIXES = ("deregistration_delay.", "stickiness.", "slow_start.", "load_balancing.",
                          "target_group_health.", "target_failover.", "lambda.")


def _suggest_by_value(value: str) -> str | None:
    try:
        keys = list(parse_string_map(value))
    except AnnotationValueError:
        return None
    if not keys:
        return None
    if all(k.startswith(_LB_ATTRIBUTE_PREFIXES) for k in keys):
        return "load-balancer-attributes"
    if all(k.startswith(_TG_ATTRIBUTE_PREFIXES) for k in keys):
        return "target-group-attributes"
    return None


def suggest(suffix: str, value: str | None = None) -> str | None:
    """The closest known annotation suffix, for "did you mean" hints; for an ``...attributes``-like
    name, what the value holds decides (``access_logs.*`` keys are load balancer attributes)."""
    if value is not None and "attribute" in suffix.lower():
        by_value = _suggest_by_value(value)
        if by_value is not None:
            return by_value
    reg = _registry()
    known = list(reg["annotations"]) + [w + "NAME" for w in reg.get("wildcards", {})]
    match = difflib.get_close_matches(suffix, known, n=1, cutoff=0.6)
    if match:
        return match[0]
    for wild in reg.get("wildcards", {}):
        head = suffix.split(".", 1)[0] + "."
        if difflib.get_close_matches(head, [wild], n=1, cutoff=0.7):
            return wild + suffix.split(".", 1)[1] if "." in suffix else None
    return None


def parse_raw(kind: str, raw: str) -> Any:
    """Parse a raw annotation string by value type, as the controller does."""
    if kind == "string":
        return raw
    if kind == "boolean":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise AnnotationValueError(f"expected a boolean ('true' or 'false'), got {raw!r}")
    if kind == "integer":
        # Go's strconv.ParseInt: optional sign, ASCII digits only (str.isdigit() would take '٣' or '²')
        value = int(raw, 10) if re.fullmatch(r"[+-]?[0-9]+", raw, flags=re.ASCII) else None
        if value is None:
            raise AnnotationValueError(f"expected an integer, got {raw!r}")
        if not -(2**31) <= value < 2**31:
            raise AnnotationValueError(f"expected an integer from {-(2**31)} to {2**31 - 1} (int32), got {raw!r}")
        return value
    if kind == "stringList":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind == "stringMap":
        return parse_string_map(raw)
    if kind == "json":
        try:
            return canonical_keys(json.loads(raw))
        except ValueError as exc:
            raise AnnotationValueError(f"expected JSON, got {raw!r} ({exc.args[0].split(':')[0]})") from None
    raise AnnotationValueError(f"unknown annotation type {kind!r}")  # pragma: no cover


_DIGITS = re.compile(r"[0-9]+", flags=re.ASCII)


def normalize(spec: AnnotationSpec, value: Any) -> Any:
    """What the controller does to a validated value before using it: an ``actions.*`` forward's
    ``servicePort`` written as a digit string (``"80"``, as the annotation and blue/green guides write
    it) becomes the number (its normalizeServicePortForBackwardsCompatibility, ``intstr.Parse``)."""
    if spec.suffix == "actions." and isinstance(value, dict):
        for target in (value.get("forwardConfig") or {}).get("targetGroups") or []:
            port = target.get("servicePort") if isinstance(target, dict) else None
            if isinstance(port, str) and _DIGITS.fullmatch(port):
                target["servicePort"] = int(port)
    return value


def parse_string_map(raw: str) -> dict[str, str]:
    """``k=v,k2=v2`` → dict, as the controller splits it: on every comma, parts trimmed, empty parts
    dropped, each part ``key=value`` with a non-empty key (a value may contain ``=``). A backslash
    escapes the next character, so ``\\,`` puts a comma in a value."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            current.append(raw[i + 1])
            i += 2
            continue
        if ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    result: dict[str, str] = {}
    for pair in (p.strip() for p in parts):
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise AnnotationValueError(f"expected key=value pairs separated by commas, got {raw!r} "
                                       f"({pair!r} is not key=value)")
        result[key.strip()] = value.strip()
    return result


@cache
def _property_names() -> dict[str, str]:
    """lower-case → canonical spelling of every property name in the annotation JSON schemas."""
    from albctl.manifests.schemas import schemas_dir

    names: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in (node.get("properties") or {}) if isinstance(node.get("properties"), dict) else {}:
                names.setdefault(key.lower(), key)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(schemas_dir().glob("*.json")):
        if not path.name.startswith(("ingress", "service", "secret", "annotations", "common")):
            walk(load_schema(path.name))
    return names


def canonical_keys(value: Any) -> Any:
    """Go's encoding/json matches object keys case-insensitively (the guide's own examples write
    ``Type`` and ``RedirectConfig``); rename such keys to the schemas' spelling."""
    if isinstance(value, list):
        return [canonical_keys(v) for v in value]
    if isinstance(value, dict):
        names = _property_names()
        return {names.get(k.lower(), k) if isinstance(k, str) else k: canonical_keys(v) for k, v in value.items()}
    return value


def schema_errors(spec: AnnotationSpec, value: Any) -> list[tuple[str, str]]:
    """Problems of a parsed value against the annotation's schema, as (where in the value, message)."""
    entry = _registry()[spec.pointer.split("/")[1]][spec.suffix]
    if "schema" not in entry:
        return []
    errors = sorted(validator("annotations.json", spec.pointer + "/schema").iter_errors(value),
                    key=lambda e: list(e.absolute_path))
    out = []
    for err in errors:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        out.append((where.lstrip("."), describe_schema_error(err)))
    return out


def describe_schema_error(err: Any, *, hide_value: bool = False) -> str:
    """A jsonschema error as 'expected ..., got ...' (with ``hide_value``, the value itself is not shown)."""
    got = "<hidden>" if hide_value else _show(err.instance)
    if len(got) > 80:
        got = got[:77] + "..."
    validator_name = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    if "description" in schema and validator_name in ("pattern", "format", "anyOf", "oneOf", "if", "then"):
        return f"expected {str(schema['description']).rstrip('.')}, got {got}"
    if validator_name == "enum":
        options = ", ".join(json.dumps(v) for v in err.validator_value)
        return f"expected one of {options}, got {got}"
    if validator_name == "type":
        kinds = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        wanted = " or ".join(_ARTICLES.get(str(k), str(k)) for k in kinds)
        if err.instance is None:
            return f"expected {wanted}, got null"
        return f"expected {wanted}, got {type_name(err.instance)} {got}"
    if validator_name == "required":
        return err.message.replace("is a required property", "is required")
    if validator_name == "additionalProperties":
        return f"unexpected field: {err.message.split('(')[-1].rstrip(')')}"
    if validator_name == "pattern":
        return f"expected a value matching {err.validator_value}, got {got}"
    if validator_name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        return f"expected a number {bound[validator_name]} {err.validator_value}, got {got}"
    return err.message if not hide_value else f"invalid value ({validator_name})"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):  # circular, or keys JSON cannot hold
        return repr(value)


_ARTICLES = {"array": "a list", "object": "a mapping", "integer": "an integer", "string": "a string",
             "boolean": "a boolean", "number": "a number", "null": "null"}


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "null" if value is None else type(value).__name__


def annotation_key(suffix: str) -> str:
    return ALB_PREFIX + suffix
