"""A fast yes/no check in front of jsonschema, for input that is valid (nearly all of it).

jsonschema walks a schema keyword by keyword for every object and builds an evolved validator per
sub-schema; validating 10,000 Ingresses that way takes tens of seconds. :func:`compile_schema` turns a
schema (``$ref`` already inlined) into generated Python functions that answer exactly what
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

# every keyword jsonschema's Draft202012Validator acts on (its VALIDATORS; a test keeps them equal): any
# other key in a schema is an annotation, ignored by jsonschema and here
DRAFT_2020_12_KEYWORDS = frozenset({
    "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains", "dependentRequired",
    "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items", "maxItems",
    "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf",
    "not", "oneOf", "pattern", "patternProperties", "prefixItems", "properties", "propertyNames", "required",
    "type", "unevaluatedItems", "unevaluatedProperties", "uniqueItems",
})

# validation keywords compiled here; "format" only while formats are not asserted (jsonschema's default)
HANDLED = frozenset({
    "type", "enum", "const", "allOf", "anyOf", "oneOf", "not", "if",
    "properties", "required", "additionalProperties", "propertyNames", "minProperties", "maxProperties",
    "dependentRequired", "items", "minItems", "maxItems", "uniqueItems",
    "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format",
})


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's own equality (1 is not True, [1] equals (1,)), imported when first needed."""
    from jsonschema._utils import equal

    return bool(equal(one, two))


def _uniq(items: Any) -> bool:
    from jsonschema._utils import uniq

    return bool(uniq(items))


# a Python expression per type name, equal to the predicate in TYPES, for generated code
_TYPE_EXPR = {
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "integer": "is_integer({v})",
    "null": "{v} is None",
    "number": "is_number({v})",
    "object": "isinstance({v}, dict)",
    "string": "isinstance({v}, str)",
}
# keywords whose sub-schemas are applied to the instance or its parts, all of them required to pass: a
# sub-schema without any of these is generated inline where its parent needs it
_NESTING = frozenset({"properties", "additionalProperties", "propertyNames", "items", "allOf", "anyOf", "oneOf",
                      "not", "if"})


class _Generator:
    """Writes one Python function per schema node that needs one (``return False`` on the first failure);
    simple sub-schemas (strings, numbers, enums) are written inline into their parent's function."""

    def __init__(self, keywords: Any, format_checker: Any) -> None:
        self.keywords = keywords  # the validator class's VALIDATORS: every keyword it acts on
        self.format_checker = format_checker
        self.namespace: dict[str, Any] = {"equal": _equal, "uniq": _uniq, "is_integer": _is_integer,
                                          "is_number": _is_number, "MISSING": object()}
        self.sources: list[str] = []
        self.counter = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        name = self.name("c")
        self.namespace[name] = value
        return name

    def function(self, schema: Any) -> str:
        """The name of a generated function ``(x) -> bool`` for ``schema``."""
        fname = self.name("f")
        body = self.statements(schema, "x", "    ")
        self.sources.append("\n".join([f"def {fname}(x):", *body, "    return True"]))
        return fname

    def check(self, schema: Any, var: str, pad: str) -> list[str]:
        """Statements that return False unless ``var`` is valid under ``schema``, inline or by a call."""
        if isinstance(schema, dict) and not any(k in schema for k in _NESTING):
            return self.statements(schema, var, pad)
        if schema is True:
            return []
        return [f"{pad}if not {self.function(schema)}({var}):", f"{pad}    return False"]

    def statements(self, schema: Any, v: str, pad: str) -> list[str]:
        if schema is True:
            return []
        if schema is False:
            return [f"{pad}return False"]
        if not isinstance(schema, dict):
            raise Unsupported(f"schema of type {type(schema).__name__}")
        for key in schema:
            if key in self.keywords and key not in HANDLED:
                raise Unsupported(key)
        if "format" in schema and self.format_checker is not None:
            raise Unsupported("format")
        out: list[str] = []
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            try:
                test = " or ".join(_TYPE_EXPR[n].format(v=v) for n in names)
            except (KeyError, TypeError):
                raise Unsupported(f"type {names!r}") from None
            out += [f"{pad}if not ({test}):", f"{pad}    return False"]
        inner = pad + "    "
        for kind, part in (("str", self.string(schema, v, inner)), ("dict", self.object(schema, v, inner)),
                           ("list", self.array(schema, v, inner))):
            if part:
                out += [f"{pad}if isinstance({v}, {kind}):", *part]
        number = self.number(schema, v, pad + "    ")
        if number:
            out += [f"{pad}if is_number({v}):", *number]
        out += self.anything(schema, v, pad)
        return out

    def string(self, schema: dict[str, Any], v: str, pad: str) -> list[str]:
        out = []
        if "minLength" in schema:
            out += [f"{pad}if len({v}) < {self.const(schema['minLength'])}:", f"{pad}    return False"]
        if "maxLength" in schema:
            out += [f"{pad}if len({v}) > {self.const(schema['maxLength'])}:", f"{pad}    return False"]
        if "pattern" in schema:  # jsonschema: re.search(pattern, instance)
            search = self.const(re.compile(schema["pattern"]).search)
            out += [f"{pad}if {search}({v}) is None:", f"{pad}    return False"]
        return out

    def number(self, schema: dict[str, Any], v: str, pad: str) -> list[str]:
        out = []
        for key, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">=")):
            if key in schema:
                out += [f"{pad}if {v} {op} {self.const(schema[key])}:", f"{pad}    return False"]
        return out

    def object(self, schema: dict[str, Any], v: str, pad: str) -> list[str]:
        out = []
        if "required" in schema:
            required = self.const(list(schema["required"]))
            out += [f"{pad}for k in {required}:", f"{pad}    if k not in {v}:", f"{pad}        return False"]
        if "minProperties" in schema:
            out += [f"{pad}if len({v}) < {self.const(schema['minProperties'])}:", f"{pad}    return False"]
        if "maxProperties" in schema:
            out += [f"{pad}if len({v}) > {self.const(schema['maxProperties'])}:", f"{pad}    return False"]
        if "dependentRequired" in schema:
            deps = self.const(list(schema["dependentRequired"].items()))
            out += [f"{pad}for k, need in {deps}:", f"{pad}    if k in {v}:", f"{pad}        for n in need:",
                    f"{pad}            if n not in {v}:", f"{pad}                return False"]
        for name, sub in schema.get("properties", {}).items():
            item = self.name("v")
            body = self.check(sub, item, pad + "    ")
            if body:
                out += [f"{pad}{item} = {v}.get({self.const(name)}, MISSING)", f"{pad}if {item} is not MISSING:", *body]
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
            known = self.const(frozenset(schema.get("properties", {})))
            if isinstance(extra, dict):
                item = self.name("v")
                body = self.check(extra, item, pad + "        ")
                if body:
                    out += [f"{pad}for k, {item} in {v}.items():", f"{pad}    if k not in {known}:", *body]
            elif not extra:
                out += [f"{pad}for k in {v}:", f"{pad}    if k not in {known}:", f"{pad}        return False"]
        if "propertyNames" in schema:
            item = self.name("v")
            body = self.check(schema["propertyNames"], item, pad + "    ")
            if body:
                out += [f"{pad}for {item} in {v}:", *body]
        return out

    def array(self, schema: dict[str, Any], v: str, pad: str) -> list[str]:
        out = []
        if "minItems" in schema:
            out += [f"{pad}if len({v}) < {self.const(schema['minItems'])}:", f"{pad}    return False"]
        if "maxItems" in schema:
            out += [f"{pad}if len({v}) > {self.const(schema['maxItems'])}:", f"{pad}    return False"]
        if "items" in schema:
            item = self.name("v")
            body = self.check(schema["items"], item, pad + "    ")
            if body:
                out += [f"{pad}for {item} in {v}:", *body]
        if schema.get("uniqueItems"):
            out += [f"{pad}if not uniq({v}):", f"{pad}    return False"]
        return out

    def anything(self, schema: dict[str, Any], v: str, pad: str) -> list[str]:
        out = []
        if "enum" in schema:
            enums = list(schema["enum"])
            strings = self.const(frozenset(e for e in enums if isinstance(e, str)))
            # equal() of a string is ==, and a string never equals a non-string
            out += [f"{pad}if isinstance({v}, str):", f"{pad}    if {v} not in {strings}:",
                    f"{pad}        return False",
                    f"{pad}elif not any(equal(e, {v}) for e in {self.const(enums)}):", f"{pad}    return False"]
        if "const" in schema:
            const = schema["const"]
            if isinstance(const, str):  # equal() with a string on either side is ==
                out += [f"{pad}if not ({v} == {self.const(const)}):", f"{pad}    return False"]
            else:
                out += [f"{pad}if not equal({v}, {self.const(const)}):", f"{pad}    return False"]
        for sub in schema.get("allOf", []):
            out += self.check(sub, v, pad)
        if "anyOf" in schema:
            subs = ", ".join(self.function(sub) for sub in schema["anyOf"])
            out += [f"{pad}if not any(f({v}) for f in ({subs},)):", f"{pad}    return False"]
        if "oneOf" in schema:
            subs = ", ".join(self.function(sub) for sub in schema["oneOf"])
            out += [f"{pad}if sum(1 for f in ({subs},) if f({v})) != 1:", f"{pad}    return False"]
        if "not" in schema:
            out += [f"{pad}if {self.function(schema['not'])}({v}):", f"{pad}    return False"]
        if "if" in schema:
            cond = self.function(schema["if"])
            then = self.statements(schema["then"], v, pad + "    ") if "then" in schema else []
            else_ = self.statements(schema["else"], v, pad + "    ") if "else" in schema else []
            if then or else_:
                out += [f"{pad}if {cond}({v}):", *(then or [f"{pad}    pass"]), f"{pad}else:",
                        *(else_ or [f"{pad}    pass"])]
        return out


def compile_schema(schema: Any, keywords: Any, format_checker: Any = None) -> Check:
    """``schema`` as a predicate equal to jsonschema's ``is_valid``; raises :class:`Unsupported`."""
    gen = _Generator(keywords, format_checker)
    root = gen.function(schema)
    exec("\n\n".join(gen.sources), gen.namespace)  # noqa: S102 - code generated from albctl's own schemas
    check: Check = gen.namespace[root]
    return check


_SCALARS = (str, int, float, bool, type(None))


class FastValidator:
    """A jsonschema validator with a compiled fast path for valid input (see the module doc).

    jsonschema itself (a tenth of a second to import, and a registry to build) is only created when
    some input fails the fast check, or the schema could not be compiled: valid input never needs it."""

    def __init__(self, schema: Any, make_slow: Callable[[], Any]) -> None:
        self.schema = schema
        self._make_slow = make_slow
        self._slow: Any = None
        try:  # jsonschema's default: formats are annotations, not asserted
            self.check: Check | None = compile_schema(schema, DRAFT_2020_12_KEYWORDS, None)
        except Unsupported:
            self.check = None
        self._scalar_errors: dict[tuple[type, Any], list[Any]] = {}

    @property
    def slow(self) -> Any:
        """The jsonschema validator, created on first use."""
        if self._slow is None:
            self._slow = self._make_slow()
        return self._slow

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
