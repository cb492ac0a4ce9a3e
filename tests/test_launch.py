"""The console script's start-up path (albctl.cli.launch): the stored --help is what typer prints.

Regenerate albctl/cli/helptext.py after changing commands or options with:
    ALBCTL_UPDATE_GOLDEN=1 pytest tests/test_launch.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from albctl.cli import launch
from albctl.cli.helptext import HELP

ROOT = Path(__file__).resolve().parent.parent
HELPTEXT = ROOT / "albctl" / "cli" / "helptext.py"


def typer_help(columns: int) -> str:
    """``albctl --help`` through typer, in a new process (CliRunner forces its own width)."""
    env = {k: v for k, v in os.environ.items() if k not in launch.TYPER_SWITCHES}
    env.update(COLUMNS=str(columns), PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "albctl.cli.main", "--help"], capture_output=True, env=env,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8")


def test_stored_help_is_what_typer_prints() -> None:
    rendered = typer_help(launch.HELP_WIDTH)
    if os.environ.get("ALBCTL_UPDATE_GOLDEN") == "1":
        assert '"""' not in rendered and "\\" not in rendered and rendered.endswith("\n")
        HELPTEXT.write_text(
            '"""``albctl --help`` as typer prints it from 80 columns up (generated: see tests/test_launch.py)."""\n\n'
            f'HELP = """\\\n{rendered}"""\n', encoding="utf-8")
        return
    assert rendered == HELP, "albctl --help changed: regenerate with ALBCTL_UPDATE_GOLDEN=1 pytest tests/test_launch.py"
    assert typer_help(200) == HELP  # wider terminals print the same


@pytest.mark.parametrize("environ", [{}, {"COLUMNS": "100"}, {"COLUMNS": "79"}, {"COLUMNS": "0"}, {"COLUMNS": "x"},
                                     {"COLUMNS": "-5"}])
def test_terminal_columns_is_shutils(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    assert launch.terminal_columns(environ) == shutil.get_terminal_size().columns


def test_stored_help_only_where_typer_prints_it() -> None:
    assert launch.stored_help_applies({"COLUMNS": "80"})
    assert not launch.stored_help_applies({"COLUMNS": "79"})
    for name in launch.TYPER_SWITCHES:
        assert not launch.stored_help_applies({"COLUMNS": "120", name: "1"})


def run_script(*args: str, columns: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from albctl.cli.launch import main; sys.exit(main())"
    env = {**os.environ, "COLUMNS": columns, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          check=False, encoding="utf-8")


def test_console_script_help_without_typer() -> None:
    fast = run_script("--help", columns="100")
    assert (fast.returncode, fast.stdout, fast.stderr) == (0, HELP, "")
    narrow = run_script("--help", columns="60")  # typer's own path, wrapped narrower
    assert narrow.returncode == 0 and narrow.stdout != HELP and "validate" in narrow.stdout
    version = run_script("--version", columns="100")
    assert (version.returncode, version.stdout) == (0, f"albctl {__import__('albctl').__version__}\n")
