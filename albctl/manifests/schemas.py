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


@cache
def validator(name: str, pointer: str = "") -> Any:
    """A compiled Draft 2020-12 validator for a schema file, or for a sub-schema of it
    (``pointer`` is a JSON pointer such as ``/annotations/scheme/schema``)."""
    from jsonschema import Draft202012Validator

    schema: Any = load_schema(name)
    for part in [p for p in pointer.split("/") if p]:
        schema = schema[part.replace("~1", "/").replace("~0", "~")]
    return Draft202012Validator(schema, registry=_registry())
