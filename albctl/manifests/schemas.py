"""Access to the JSON Schemas shipped with albctl (``schemas/`` in the source tree,
``albctl/schemas`` inside the wheel), compiled once per process."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from albctl.errors import AlbctlError


def schemas_dir() -> Path:
    """The directory holding the schemas, installed or in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "schemas", here.parent / "schemas"):
        if (candidate / "annotations.json").is_file():
            return candidate
    raise AlbctlError("albctl's JSON Schemas are missing from the installation (reinstall albctl)")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """One schema document by file name, e.g. ``ingress-v1.json``."""
    with open(schemas_dir() / name, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted(schemas_dir().glob("*.json")):
        contents = load_schema(path.name)
        resources.append((contents.get("$id", path.name), Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def _pointer(doc: Any, pointer: str) -> Any:
    for part in [p for p in pointer.split("/") if p]:
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


def inline_refs(schema: Any, base: str, seen: tuple[str, ...] = ()) -> Any:
    """Replace ``$ref`` by the schema it names (``$ref`` beside other keywords becomes ``allOf``).

    jsonschema resolves references on every validation; inlining them once makes validating a
    thousand objects about twice as fast. Recursive references are left as they are."""
    if isinstance(schema, list):
        return [inline_refs(item, base, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        file, _, pointer = ref.partition("#")
        target_file = file or base
        key = f"{target_file}#{pointer}"
        if key not in seen:
            target = inline_refs(_pointer(load_schema(target_file), pointer), target_file, (*seen, key))
            rest = {k: inline_refs(v, base, seen) for k, v in schema.items() if k != "$ref"}
            if isinstance(target, dict):
                target = {k: v for k, v in target.items() if k not in ("$schema", "$id", "$defs")}
            return {**rest, "allOf": [target, *rest.get("allOf", [])]} if rest else target
    return {k: (v if k in ("$defs", "enum", "const", "examples") else inline_refs(v, base, seen))
            for k, v in schema.items()}


@cache
def validator(name: str, pointer: str = "") -> Any:
    """A compiled Draft 2020-12 validator for a schema file, or for a sub-schema of it
    (``pointer`` is a JSON pointer such as ``/annotations/scheme/schema``).

    Valid input, the common case, is checked by a compiled predicate (:mod:`albctl.manifests.fastcheck`);
    jsonschema itself is imported and run only for input that predicate rejects, so every error is
    jsonschema's own."""
    from albctl.manifests.fastcheck import FastValidator

    schema = inline_refs(_pointer(load_schema(name), pointer), name)

    def jsonschema_validator() -> Any:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(schema, registry=_registry())

    return FastValidator(schema, jsonschema_validator)
