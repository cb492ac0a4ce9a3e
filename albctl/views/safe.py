"""User text on a terminal: never markup, never emoji, never raw control characters.

Manifests may carry anything in a tag value, a path or a header (``\\x1b[2J`` clears a screen). Views
pass every user string through :func:`escape` (or :func:`plain`) before rich sees it.
"""

from __future__ import annotations

import re

from rich.markup import escape as escape_markup

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """``text`` with control characters (all but newline and tab) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def escape(text: str) -> str:
    """:func:`plain`, then escaped for rich's markup: safe inside a markup string."""
    return escape_markup(plain(text))
