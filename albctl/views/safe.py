"""User text on a terminal: never markup, never emoji, never raw control characters.

Manifests may carry anything in a tag value, a path or a header (``\\x1b[2J`` clears a screen). Views
pass every user string through :func:`escape` (or :func:`plain`) before rich sees it.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape as escape_markup
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """``text`` with control characters (all but newline and tab) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape(text: str) -> str:
    """:func:`plain`, then escaped for rich's markup: safe inside a markup string."""
    return escape_markup(plain(text))


class SafeText(Text):
    """rich's :class:`~rich.text.Text` (never markup) that also shows control characters as ``\\xNN``: the
    views build every line from it, so no user string reaches a terminal raw."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(plain(text), *args, **kwargs)

    @classmethod
    def assemble(cls, *parts: str | Text | tuple[str, Any], **kwargs: Any) -> Text:
        clean = [plain(p) if isinstance(p, str) else (plain(p[0]), p[1]) if isinstance(p, tuple) else p
                 for p in parts]
        return super().assemble(*clean, **kwargs)
