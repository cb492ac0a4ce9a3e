"""What every builder of ``albctl.model.build_*`` shares: the group being built with its inputs, settings
and facts, the problems and warnings collected on the way, and the controller's rule for an Exclusive
annotation. :class:`ModelError` is the problem a step raises; :meth:`BuildContext.attempt` records it
and lets the build go on, so one run reports every problem of a group."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from albctl.errors import Diagnostic
from albctl.manifests.objects import ALB_PREFIX, Inputs
from albctl.model.facts import Facts
from albctl.model.groups import IngressGroup, Member
from albctl.settings import Settings

T = TypeVar("T")


class ModelError(Exception):
    """The manifests are valid one by one but do not make a load balancer together."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass
class BuildContext:
    """One IngressGroup's build: its inputs, and every problem and warning found so far (in order)."""

    group: IngressGroup
    inputs: Inputs
    settings: Settings
    facts: Facts
    problems: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    _warned: set[str] = field(default_factory=set)

    def attempt(self, fn: Callable[[], T], default: T) -> T:
        """``fn()``, or ``default`` with its problem recorded: the build goes on to find the next one."""
        try:
            return fn()
        except ModelError as exc:
            if exc.diagnostic not in self.problems:
                self.problems.append(exc.diagnostic)
            return default

    def warn(self, diagnostic: Diagnostic) -> None:
        """A warning, once per message (a Service used by many rules is reported once)."""
        key = f"{diagnostic.obj}:{diagnostic.message}"
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(diagnostic)

    def fail(self, message: str, member: Member | None = None, annotation: str | None = None) -> ModelError:
        """The error to raise for ``member`` (the group's first by default), at ``annotation`` if given."""
        member = member or self.group.members[0]
        meta = member.ingress.meta
        if annotation:
            key = ALB_PREFIX + annotation
            return ModelError(meta.diagnostic(message, "metadata", "annotations", key,
                                              field_name=f"metadata.annotations[{key}]"))
        return ModelError(meta.diagnostic(message))

    def exclusive(self, annotation: str, params_field: str | None = None) -> tuple[Any, Member | None]:
        """An Exclusive annotation: every member that sets it must agree (IngressClassParams first)."""
        chosen: tuple[Any, Member] | None = None
        for member in self.group.members:
            value = None
            if params_field and member.params is not None and member.params.spec.get(params_field) is not None:
                value = member.params.spec[params_field]
            elif annotation in member.ingress.alb:
                value = member.ingress.alb[annotation]
            if value is None:
                continue
            if chosen is None:
                chosen = (value, member)
            elif chosen[0] != value:  # lists compare in order, as the controller's cmp.Equal does
                a, b = chosen[1].ingress.meta.key, member.ingress.meta.key
                raise self.fail(f"conflicting {annotation}: Ingress {a} sets {_show(chosen[0])}, "
                                f"Ingress {b} sets {_show(value)}", member, annotation)
        return (chosen[0], chosen[1]) if chosen else (None, None)


def merge_first_wins(*maps: Mapping[str, str] | None) -> dict[str, str]:
    """The controller's MergeStringMap: the first map that has a key wins."""
    out: dict[str, str] = {}
    for m in maps:
        for k, v in (m or {}).items():
            out.setdefault(k, v)
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as written in the annotation
    return ",".join(map(str, value)) if isinstance(value, list) else repr(value)
