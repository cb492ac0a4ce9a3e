"""One AWS API call of a plan operation, as data: what apply sends, verbatim, after resolving markers.

Parameters are plain JSON data. Two markers stand for what is known only while applying:

- ``{"$created": [stack, type, id]}``: the id/ARN of a resource an earlier operation of the same plan
  creates (the planner checks that one does; see :func:`created_refs`);
- ``{"$secret": client_id}``: the OIDC client secret of that client, never written into a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

CREATED = "$created"
SECRET = "$secret"

ResourceKey = tuple[str, str, str]  # (stack id, resource type, resource id)


@dataclass(frozen=True)
class Call:
    """One request: ``service`` (``elbv2`` / ``ec2``), the API ``operation`` and its ``params``.

    ``output`` names where the response carries the id of the resource the operation creates (dotted
    path, list indexes as numbers); ``tolerate`` lists error codes that mean the work is already done
    (a delete of something already gone); ``retry`` lists codes that mean "not yet" (retried with a
    bounded back-off); ``waiter`` makes the call a boto3 waiter instead of an API request.
    """

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)
    output: str | None = None
    tolerate: tuple[str, ...] = ()
    retry: tuple[str, ...] = ()
    waiter: str | None = None

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"service": self.service, "operation": self.operation, "params": dict(self.params)}
        for key in ("output", "waiter"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        for key in ("tolerate", "retry"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        return out

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Call:
        return cls(str(data["service"]), str(data["operation"]), dict(data.get("params") or {}),
                   data.get("output"), tuple(data.get("tolerate") or ()), tuple(data.get("retry") or ()),
                   data.get("waiter"))


def created(key: ResourceKey) -> dict[str, list[str]]:
    """The marker for the id of a resource created earlier in the same apply."""
    return {CREATED: list(key)}


def created_key(value: Any) -> ResourceKey | None:
    """The resource a ``$created`` marker names, or None when ``value`` is not one."""
    if isinstance(value, dict) and len(value) == 1 and CREATED in value:
        stack, type_, id_ = value[CREATED]
        return (str(stack), str(type_), str(id_))
    return None


def walk(value: Any) -> Iterator[Any]:
    """Every dict, list and scalar inside ``value`` (pre-order)."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk(item)


def created_refs(value: Any) -> list[ResourceKey]:
    """The ``$created`` markers inside ``value``."""
    return [key for item in walk(value) if (key := created_key(item)) is not None]


def secret_refs(value: Any) -> list[str]:
    """The OIDC client ids whose secrets ``value`` needs."""
    return [str(item[SECRET]) for item in walk(value) if isinstance(item, dict) and len(item) == 1 and SECRET in item]


def substitute(value: Any, replace: Callable[[Any], Any | None]) -> Any:
    """``value`` with every dict for which ``replace`` returns non-None replaced by that result."""
    if isinstance(value, dict):
        found = replace(value)
        if found is not None:
            return found
        return {k: substitute(v, replace) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(v, replace) for v in value]
    return value


def dig(response: Mapping[str, Any], path: str) -> Any:
    """``dig({"A": [{"B": 1}]}, "A.0.B") == 1``."""
    value: Any = response
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value
