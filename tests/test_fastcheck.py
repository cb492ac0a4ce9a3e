"""The compiled schema check (albctl.manifests.fastcheck) answers exactly what jsonschema answers.

Every object of the samples and of the benchmark generator, and every annotation example, is checked as
is and after systematic mutations (each value replaced by values of every JSON type, each key removed,
an unknown key added); the compiled predicate must agree with ``Draft202012Validator.is_valid`` on all.
"""

from __future__ import annotations

import contextlib
import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from albctl.manifests import annotations as ann
from albctl.manifests import fastcheck
from albctl.manifests.fastcheck import TYPES, FastValidator, Unsupported, compile_schema
from albctl.manifests.loader import SCHEMAS
from albctl.manifests.schemas import load_schema, validator
from albctl.manifests.yamlpos import load_documents

ROOT = Path(__file__).resolve().parent.parent
REPLACEMENTS: list[Any] = [None, "", "x", "80", "HTTP", 0, -1, 1, 80, 65536, 1.0, 1.5, True, False, [], {},
                           ["a"], {"a": "b"}, "a" * 300, "/path", "arn:aws:acm:us-east-1:1:certificate/x"]


def sample_objects() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import gen_ingresses
    finally:
        sys.path.pop(0)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").rglob("*.yaml"))]
    texts += [gen_ingresses.service_doc(i) + "---\n" + gen_ingresses.ingress_doc(i) for i in range(4)]
    objs = []
    for text in texts:
        try:
            docs = load_documents(text)
        except Exception:  # the invalid samples include YAML syntax errors
            continue
        objs += [d.data for d in docs if isinstance(d.data, dict) and (d.data.get("apiVersion"),
                                                                        d.data.get("kind")) in SCHEMAS]
    return objs


def mutations(value: Any, depth: int = 0) -> Iterator[Any]:
    """``value`` with one change somewhere: each node replaced, each key dropped, an unknown key added."""
    yield from REPLACEMENTS
    if depth > 7:
        return
    if isinstance(value, dict):
        yield {**value, "unknownField": 1}
        for key in list(value):
            yield {k: v for k, v in value.items() if k != key}
            for changed in mutations(value[key], depth + 1):
                yield {**value, key: changed}
    elif isinstance(value, list):
        yield [*value, *value[:1]]
        for i, item in enumerate(value):
            for changed in mutations(item, depth + 1):
                yield [*value[:i], changed, *value[i + 1:]]


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(set(SCHEMAS.values())))
def test_object_schemas_agree_with_jsonschema(name: str) -> None:
    fast = validator(name)
    assert isinstance(fast, FastValidator) and fast.check is not None, "the schema should compile"
    slow = fast.slow
    objs = [plain(o) for o in sample_objects() if SCHEMAS[(o["apiVersion"], o["kind"])] == name]
    if not objs:
        objs = [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]
    checked = 0
    for obj in objs:
        for variant in [obj, *mutations(copy.deepcopy(obj))]:
            assert fast.check(variant) == slow.is_valid(variant), variant
            checked += 1
    assert checked > 100


def annotation_cases() -> list[tuple[str, Any]]:
    cases = []
    registry = load_schema("annotations.json")
    for section in ("annotations", "wildcards"):
        for suffix, entry in registry[section].items():
            if "schema" not in entry:
                continue
            pointer = f"/{section}/{suffix.replace('~', '~0').replace('/', '~1')}/schema"
            values: list[Any] = list(REPLACEMENTS)
            for raw in [entry.get("default"), *entry.get("examples", [])]:
                if isinstance(raw, str):
                    with contextlib.suppress(ann.AnnotationValueError):
                        values.append(ann.parse_raw(entry["type"], raw))
            cases += [(pointer, v) for v in values]
    return cases


def test_annotation_schemas_agree_with_jsonschema() -> None:
    cases = annotation_cases()
    assert len(cases) > 500
    for pointer, value in cases:
        fast = validator("annotations.json", pointer)
        assert fast.check is not None, pointer
        for variant in [value, *mutations(copy.deepcopy(value))]:
            assert fast.check(variant) == fast.slow.is_valid(variant), (pointer, variant)
            assert [e.message for e in fast.iter_errors(variant)] == [e.message for e in
                                                                     fast.slow.iter_errors(variant)]


def test_types_match_jsonschema_type_checker() -> None:
    checker = Draft202012Validator.TYPE_CHECKER
    from decimal import Decimal
    from fractions import Fraction

    values = [*REPLACEMENTS, 2.0, -0.0, float("inf"), Decimal("1"), Fraction(1, 2), 1j, (1,), b"x"]
    namespace = {"is_integer": fastcheck._is_integer, "is_number": fastcheck._is_number}
    assert set(TYPES) == set(fastcheck._TYPE_EXPR)
    for name, pred in TYPES.items():
        for value in values:
            assert pred(value) == checker.is_type(value, name), (name, value)
            generated = eval(fastcheck._TYPE_EXPR[name].format(v="x"), {**namespace, "x": value})  # noqa: S307
            assert generated == checker.is_type(value, name), (name, value)


def test_unknown_keywords_are_not_compiled() -> None:
    keywords = Draft202012Validator.VALIDATORS
    for schema in ({"patternProperties": {"a": {}}}, {"contains": {}}, {"$ref": "#"}, {"type": "nope"},
                   {"properties": {"a": {"prefixItems": []}}}):
        with pytest.raises(Unsupported):
            compile_schema(schema, keywords)
    assert compile_schema({"x-custom": 1, "description": "d"}, keywords)(object())  # annotations are ignored


def test_keywords_are_jsonschemas() -> None:
    assert set(Draft202012Validator.VALIDATORS) == fastcheck.DRAFT_2020_12_KEYWORDS
    assert validator("service.json").slow.format_checker is None  # formats are not asserted


def test_jsonschema_is_not_imported_for_valid_input() -> None:
    code = ("import sys; from albctl.manifests.loader import load; inputs = load([sys.argv[1]]); "
            "assert not inputs.diagnostics, inputs.diagnostics; assert inputs.ingresses; "
            "assert 'jsonschema' not in sys.modules, 'jsonschema imported'")
    import subprocess
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "samples" / "echoserver")], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_scalar_errors_are_computed_once() -> None:
    calls = []

    class Slow:
        def iter_errors(self, instance: Any) -> Iterator[str]:
            calls.append(instance)
            yield "bad"

    fast = FastValidator({"type": "string"}, Slow)
    assert list(fast.iter_errors(1)) == ["bad"] and list(fast.iter_errors(1)) == ["bad"]
    assert list(fast.iter_errors(True)) == ["bad"]  # True is not 1 here
    assert list(fast.iter_errors("ok")) == []
    assert calls == [1, True]
