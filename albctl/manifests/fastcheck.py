"""A fast yes/no check in front of jsonschema, for input that is valid (nearly all of it).

jsonschema walks a schema keyword by keyword for every object and builds an evolved validator per
sub-schema; validating 10,000 Ingresses that way takes tens of seconds. :func:`compile_schema` turns a
schema (``$ref`` already inlined) into nested closures that answer exactly what
``Draft202012Validator(schema).is_valid(x)`` answers, for the keywords albctl's schemas use. A schema
with any other validation keyword is not compiled at all, and jsonschema does everything.

:class:`FastValidator` wraps a jsonschema validator: ``iter_errors`` yields nothing when the compiled
check passes, and otherwise asks jsonschema for its errors, so every message is jsonschema's own.
Scalar values (annotation strings, numbers, booleans) are checked once per distinct value.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterator
from typing import Any

Check = Callable[[Any], bool]


class Unsupported(Exception):
    """The schema uses something the compiler does not implement: leave it all to jsonschema."""


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:  # Draft 6+: 1.0 is an integer, True is not
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


# the Draft 2020-12 type checker of jsonschema, one predicate per type name
TYPES: dict[str, Check] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}

# validation keywords compiled here; "format" only while formats are not asserted (jsonschema's default)
HANDLED = frozenset({
    "type", "enum", "const", "allOf", "anyOf", "oneOf", "not", "if",
    "properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties",
    "dependentRequired", "items", "minItems", "maxItems", "uniqueItems",
    "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format",
})


def _true(_: Any) -> bool:
    return True


def _false(_: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _true
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool:
        for c in checks:  # noqa: SIM110 - a plain loop: all() with a generator is slower here
            if not c(x):
                return False
        return True
    return check


def _combine(type_check: Check | None, obj: Check, arr: Check, text: Check, num: Check, other: Check) -> Check:
    """One schema's checks: by instance type, then the type-independent ones (fewest calls for the common
    shapes: a bare type, a string with a pattern, an object with properties)."""
    by_type = [(t, c) for t, c in ((str, text), (dict, obj), (list, arr)) if c is not _true]
    if num is _true and other is _true:
        if not by_type:
            return type_check or _true
        if len(by_type) == 1:
            kind, only = by_type[0]
            if type_check is None:
                return lambda x: only(x) if isinstance(x, kind) else True
            if type_check is TYPES.get(_TYPE_NAMES.get(kind, "")):  # e.g. "type": "string" with a pattern
                return lambda x: isinstance(x, kind) and only(x)
            return lambda x: type_check(x) and (only(x) if isinstance(x, kind) else True)

    def check(x: Any) -> bool:
        if type_check is not None and not type_check(x):
            return False
        if isinstance(x, str):
            if not text(x):
                return False
        elif isinstance(x, dict):
            if not obj(x):
                return False
        elif isinstance(x, list):
            if not arr(x):
                return False
        elif _is_number(x) and not num(x):
            return False
        return other(x)
    return check


_TYPE_NAMES = {str: "string", dict: "object", list: "array"}


def _any_of(preds: list[Check]) -> Check:
    return lambda x: any(p(x) for p in preds)


class _Compiler:
    def __init__(self, keywords: Any, format_checker: Any) -> None:
        from jsonschema._utils import equal, uniq  # the exact comparisons jsonschema uses

        self.keywords = keywords  # the validator class's VALIDATORS: every keyword it acts on
        self.format_checker = format_checker
        self.equal = equal
        self.uniq = uniq

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _true
        if schema is False:
            return _false
        if not isinstance(schema, dict):
            raise Unsupported(f"schema of type {type(schema).__name__}")
        for key in schema:
            if key in self.keywords and key not in HANDLED:
                raise Unsupported(key)
        if "format" in schema and self.format_checker is not None:
            raise Unsupported("format")

        type_check: Check | None = None
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            try:
                preds = [TYPES[n] for n in names]
            except (KeyError, TypeError):
                raise Unsupported(f"type {names!r}") from None
            type_check = preds[0] if len(preds) == 1 else _any_of(preds)
        obj = _all(self._object(schema))
        arr = _all(self._array(schema))
        text = _all(self._string(schema))
        num = _all(self._number(schema))
        other = _all(self._any(schema))
        return _combine(type_check, obj, arr, text, num, other)

    def _object(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "required" in schema:
            required = list(schema["required"])
            checks.append(lambda x: all(name in x for name in required))
        if "minProperties" in schema:
            low = schema["minProperties"]
            checks.append(lambda x: len(x) >= low)
        if "maxProperties" in schema:
            high = schema["maxProperties"]
            checks.append(lambda x: len(x) <= high)
        if "dependentRequired" in schema:
            deps = list(schema["dependentRequired"].items())
            checks.append(lambda x: all(each in x for name, need in deps if name in x for each in need))
        if "properties" in schema:
            props = [(name, self.compile(sub)) for name, sub in schema["properties"].items()]
            by_name = dict(props)
            count = len(props)

            def properties(x: Any) -> bool:
                if len(x) < count:  # walk the smaller side: an object sets few of its schema's fields
                    for key, value in x.items():
                        sub = by_name.get(key)
                        if sub is not None and not sub(value):
                            return False
                    return True
                for name, sub in props:  # noqa: SIM110
                    if name in x and not sub(x[name]):
                        return False
                return True
            checks.append(properties)
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
            known = frozenset(schema.get("properties", {}))
            if isinstance(extra, dict):
                sub_extra = self.compile(extra)
                checks.append(lambda x: all(sub_extra(v) for k, v in x.items() if k not in known))
            elif not extra:
                checks.append(lambda x: all(k in known for k in x))
        if "propertyNames" in schema:
            sub_names = self.compile(schema["propertyNames"])
            checks.append(lambda x: all(sub_names(k) for k in x))
        return checks

    def _array(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minItems" in schema:
            low = schema["minItems"]
            checks.append(lambda x: len(x) >= low)
        if "maxItems" in schema:
            high = schema["maxItems"]
            checks.append(lambda x: len(x) <= high)
        if "items" in schema:
            sub = self.compile(schema["items"])
            checks.append(lambda x: all(sub(item) for item in x))
        if schema.get("uniqueItems"):
            uniq = self.uniq
            checks.append(lambda x: bool(uniq(x)))
        return checks

    def _string(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minLength" in schema:
            low = schema["minLength"]
            checks.append(lambda x: len(x) >= low)
        if "maxLength" in schema:
            high = schema["maxLength"]
            checks.append(lambda x: len(x) <= high)
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search  # jsonschema: re.search(pattern, instance)
            checks.append(lambda x: search(x) is not None)
        return checks

    def _number(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minimum" in schema:
            low = schema["minimum"]
            checks.append(lambda x: not x < low)
        if "maximum" in schema:
            high = schema["maximum"]
            checks.append(lambda x: not x > high)
        if "exclusiveMinimum" in schema:
            xlow = schema["exclusiveMinimum"]
            checks.append(lambda x: not x <= xlow)
        if "exclusiveMaximum" in schema:
            xhigh = schema["exclusiveMaximum"]
            checks.append(lambda x: not x >= xhigh)
        return checks

    def _any(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        equal = self.equal
        if "enum" in schema:
            enums = list(schema["enum"])
            strings = frozenset(e for e in enums if isinstance(e, str))

            def enum(x: Any) -> bool:
                if isinstance(x, str):  # equal() of a string is ==; a string never equals a non-string
                    return x in strings
                return any(equal(each, x) for each in enums)
            checks.append(enum)
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda x: bool(equal(x, const)))
        if "allOf" in schema:
            checks.extend(self.compile(sub) for sub in schema["allOf"])
        if "anyOf" in schema:
            any_subs = [self.compile(sub) for sub in schema["anyOf"]]
            checks.append(lambda x: any(sub(x) for sub in any_subs))
        if "oneOf" in schema:
            one_subs = [self.compile(sub) for sub in schema["oneOf"]]
            checks.append(lambda x: sum(1 for sub in one_subs if sub(x)) == 1)
        if "not" in schema:
            sub_not = self.compile(schema["not"])
            checks.append(lambda x: not sub_not(x))
        if "if" in schema:
            cond = self.compile(schema["if"])
            then = self.compile(schema["then"]) if "then" in schema else _true
            else_ = self.compile(schema["else"]) if "else" in schema else _true
            checks.append(lambda x: then(x) if cond(x) else else_(x))
        return checks


def compile_schema(schema: Any, keywords: Any, format_checker: Any = None) -> Check:
    """``schema`` as a predicate equal to jsonschema's ``is_valid``; raises :class:`Unsupported`."""
    return _Compiler(keywords, format_checker).compile(schema)


_SCALARS = (str, int, float, bool, type(None))


class FastValidator:
    """A jsonschema validator with a compiled fast path for valid input (see the module doc)."""

    def __init__(self, slow: Any) -> None:
        self.slow = slow
        self.schema = slow.schema
        try:
            self.check: Check | None = compile_schema(slow.schema, type(slow).VALIDATORS, slow.format_checker)
        except Unsupported:
            self.check = None
        self._scalar_errors: dict[tuple[type, Any], list[Any]] = {}

    def is_valid(self, instance: Any) -> bool:
        return next(self.iter_errors(instance), None) is None

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        kind = type(instance)
        if kind in _SCALARS:  # one check per distinct (type, value): annotation values repeat a lot
            key = (kind, instance)
            errors = self._scalar_errors.get(key)
            if errors is None:
                errors = self._scalar_errors[key] = self._errors(instance)
            return iter(errors)
        return iter(self._errors(instance))

    def _errors(self, instance: Any) -> list[Any]:
        if self.check is not None and self.check(instance):
            return []
        return list(self.slow.iter_errors(instance))
