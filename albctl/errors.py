"""Typed errors and diagnostics shared by every layer.

Lower layers raise these; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Location:
    """Where something came from: a file (or ``-`` for stdin), 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the inputs, phrased for a person.

    Rendered as ``file:line:col: Kind ns/name: field: message``.
    """

    message: str
    location: Location | None = None
    obj: str | None = None  # "Ingress echoserver/echoserver"
    field: str | None = None  # "metadata.annotations[alb.ingress.kubernetes.io/scheme]"
    severity: Severity = "error"

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.obj:
            parts.append(self.obj)
        if self.field:
            parts.append(self.field)
        prefix = "warning: " if self.severity == "warning" else ""
        parts.append(prefix + self.message)
        return ": ".join(parts)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location or Location("")
        return (loc.file, loc.line, loc.column, self.message)


class AlbctlError(Exception):
    """Base of every error albctl raises on purpose. Its message is shown to the user as is."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(str(self))]


PER_FIELD = 10  # problems shown for one field of one object; the rest are counted in one line

_INDEX = re.compile(r"\[\d+\]")


def cap_per_field(diagnostics: list[Diagnostic], limit: int = PER_FIELD) -> list[Diagnostic]:
    """At most ``limit`` problems per field of an object (list indexes ignored: ``paths[*].pathType`` is one
    field), followed by one line saying how many more there are: 10,000 bad paths make a readable report."""
    def key(diag: Diagnostic) -> tuple[str, str | None, str]:
        return (diag.location.file if diag.location else ""), diag.obj, _INDEX.sub("[*]", diag.field or "")

    totals: dict[tuple[str, str | None, str], int] = {}
    for diag in diagnostics:
        totals[key(diag)] = totals.get(key(diag), 0) + 1
    seen: dict[tuple[str, str | None, str], int] = {}
    out: list[Diagnostic] = []
    for diag in diagnostics:
        k = key(diag)
        n = seen[k] = seen.get(k, 0) + 1
        if n <= limit or not diag.field:
            out.append(diag)
        if n == limit and diag.field and totals[k] > limit:
            out.append(Diagnostic(f"... and {totals[k] - limit} more problem(s) in {k[2]} (the first {limit} "
                                  "are shown)", diag.location, diag.obj, None, diag.severity))
    return out


class InputError(AlbctlError):
    """The manifests (or settings) are wrong; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the inputs")
        self.total = len(errors)
        self._diagnostics = cap_per_field(sorted(diagnostics, key=lambda d: d.sort_key))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self._diagnostics


class ConfigError(AlbctlError):
    """A setting (flag, environment variable, config file) is missing or invalid."""


class AwsError(AlbctlError):
    """An AWS call failed in a way albctl cannot recover from; names the call and the AWS error code."""

    def __init__(self, operation: str, code: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"AWS {operation} failed: {code}: {message}", hint=hint)
        self.operation = operation
        self.code = code


class RefusedError(AlbctlError):
    """albctl refuses to do something unsafe (unowned resource, deletion protection, stale plan...)."""


class Interrupted(AlbctlError):
    """Ctrl-C while albctl was changing AWS: the message says how far it got (exit 130)."""
