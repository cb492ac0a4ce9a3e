"""The environment a command runs in: consoles, terminal facts, settings sources. Injected so
tests drive the CLI without patching globals."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console


@dataclass
class Env:
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    debug: bool = False
    _out: Console | None = None
    _err: Console | None = None

    @property
    def no_color(self) -> bool:
        return "NO_COLOR" in self.environ

    @property
    def stdin_is_tty(self) -> bool:
        return bool(getattr(self.stdin, "isatty", lambda: False)())

    def _console(self, stream: IO[str]) -> Console:
        kwargs: dict[str, Any] = {"file": stream, "no_color": self.no_color, "highlight": False,
                                  "emoji": False}  # user text is never turned into emoji (":smile:")
        if "COLUMNS" not in self.environ and not getattr(stream, "isatty", lambda: False)():
            kwargs["width"] = 120  # stable output for pipes, CI logs and golden tests
        return Console(**kwargs)

    @property
    def out(self) -> Console:
        if self._out is None:
            self._out = self._console(self.stdout)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            self._err = self._console(self.stderr)
        return self._err

    def write(self, text: str) -> None:
        """Raw text to standard output (JSON and other machine formats bypass rich)."""
        self.stdout.write(text)
        self.stdout.flush()
