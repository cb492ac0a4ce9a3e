"""Golden messages for samples/invalid: `albctl validate <sample>` must say exactly what is wrong.

Each expectation (tests/expected/invalid/<name>.txt) is the standard error of validating that sample
alone, from the repository root. After a deliberate change of a message, review and regenerate with:

    ALBCTL_UPDATE_GOLDEN=1 pytest tests/test_invalid_samples.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from albctl.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
INVALID = sorted((ROOT / "samples" / "invalid").glob("*.yaml"))
EXPECTED = Path(__file__).resolve().parent / "expected" / "invalid"
UPDATE = os.environ.get("ALBCTL_UPDATE_GOLDEN") == "1"
LINE = re.compile(r"^samples/invalid/[\w.-]+\.yaml:\d+:\d+: ")


def validate(sample: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["validate", sample.relative_to(ROOT).as_posix()],
                                env={"COLUMNS": None, "NO_COLOR": "1", "ALBCTL_CONFIG": None})
    return result.exit_code, result.stderr


def test_there_are_invalid_samples() -> None:
    assert len(INVALID) >= 6


@pytest.mark.parametrize("sample", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sample_messages(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, stderr = validate(sample, monkeypatch)
    expected_file = EXPECTED / f"{sample.stem}.txt"
    if UPDATE:
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(stderr, encoding="utf-8")
    assert expected_file.is_file(), f"no expectation; run ALBCTL_UPDATE_GOLDEN=1 pytest {__file__}"
    assert stderr == expected_file.read_text(encoding="utf-8")

    # whatever the wording, the shape holds: located, one line per problem, no traceback
    lines = stderr.splitlines()
    assert lines and "Traceback" not in stderr
    assert all(LINE.match(line) for line in lines), lines
    has_errors = any(": warning: " not in line for line in lines)
    assert code == (1 if has_errors else 0)


def test_every_sample_states_its_expectation() -> None:
    for sample in INVALID:
        assert sample.read_text(encoding="utf-8").startswith("# expect: "), sample.name


def test_no_stale_expectations() -> None:
    stems = {p.stem for p in INVALID}
    assert {p.stem for p in EXPECTED.glob("*.txt")} <= stems
