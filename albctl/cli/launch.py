"""The ``albctl`` console script: start-up that imports only what the command needs.

``albctl --help`` prints the stored top-level help (:mod:`albctl.cli.helptext`, what typer renders at
80 columns, checked by ``tests/test_launch.py``) without importing typer or rich: those alone take
several times the interpreter's own start-up. Everything else, and ``--help`` wherever typer could
print something else (a narrower terminal, typer's environment switches), runs
:func:`albctl.cli.main.main`.
"""

from __future__ import annotations

import os
import sys

HELP_WIDTH = 80  # click wraps help at min(terminal columns, 80) - 2: the same text from 80 columns up
# environment variables that change what typer prints for --help (completion, rich, shell detection)
TYPER_SWITCHES = ("_ALBCTL_COMPLETE", "TYPER_USE_RICH", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--help"] and stored_help_applies(os.environ):
        from albctl.cli.helptext import HELP

        try:
            sys.stdout.write(HELP)
            sys.stdout.flush()
        except (OSError, ValueError):  # e.g. a closed pipe: let typer's path report it as it always has
            pass
        else:
            os._exit(0)
    import gc

    gc.set_threshold(100_000, 50, 100)  # before the imports too: see albctl.cli.main.main
    from albctl.cli.main import main as run

    run(argv)


def stored_help_applies(environ: os._Environ[str] | dict[str, str]) -> bool:
    """Whether typer would print exactly :data:`albctl.cli.helptext.HELP` for ``albctl --help``."""
    if any(name in environ for name in TYPER_SWITCHES):
        return False
    return terminal_columns(environ) >= HELP_WIDTH


def terminal_columns(environ: os._Environ[str] | dict[str, str]) -> int:
    """``shutil.get_terminal_size().columns`` (which click uses) without importing shutil."""
    try:
        columns = int(environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


if __name__ == "__main__":  # pragma: no cover
    main()
