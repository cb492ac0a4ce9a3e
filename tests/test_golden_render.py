"""Golden files of `albctl render --offline --format json|stack-json` for every sample.

Regenerate after an intended change with:  ALBCTL_UPDATE_GOLDEN=1 pytest tests/test_golden_render.py
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import typer

from albctl.cli.env import Env
from albctl.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "render"
GOLDEN_STACK_JSON = Path(__file__).resolve().parent / "golden" / "stack-json"
SAMPLES = sorted(p.name for p in (ROOT / "samples").iterdir() if p.is_dir() and p.name != "invalid")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(), environ={})
    code = typer.main.get_command(app).main(args=list(args), standalone_mode=False, obj=env)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("sample", SAMPLES)
def test_render_json_matches_golden(sample: str) -> None:
    code, out, err = run_cli("render", str(ROOT / "samples" / sample), "--offline", "--format", "json",
                             "--cluster", "golden")
    assert code == 0, err
    golden = GOLDEN / f"{sample}.json"
    if os.environ.get("ALBCTL_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}: run with ALBCTL_UPDATE_GOLDEN=1"
    assert json.loads(out) == json.loads(golden.read_text(encoding="utf-8"))
    assert out == golden.read_text(encoding="utf-8")  # byte-stable output


@pytest.mark.parametrize("sample", SAMPLES)
def test_render_stack_json_matches_golden(sample: str) -> None:
    code, out, err = run_cli("render", str(ROOT / "samples" / sample), "--offline", "--format", "stack-json",
                             "--cluster", "golden")
    assert code == 0, err
    golden = GOLDEN_STACK_JSON / f"{sample}.json"
    if os.environ.get("ALBCTL_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}: run with ALBCTL_UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")
    assert "not-a-real-secret" not in out


def test_every_sample_has_a_golden_file() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == SAMPLES
    assert sorted(p.stem for p in GOLDEN_STACK_JSON.glob("*.json")) == SAMPLES


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_render_json_is_indented_on_a_terminal_and_compact_otherwise() -> None:
    args = ["render", str(ROOT / "samples" / "echoserver"), "--offline", "--format", "json", "--cluster", "golden"]
    tty = _Terminal()
    env = Env(stdout=tty, stderr=io.StringIO(), stdin=io.StringIO(), environ={})
    assert typer.main.get_command(app).main(args=args, standalone_mode=False, obj=env) == 0
    golden = (GOLDEN / "echoserver.json").read_text(encoding="utf-8")
    assert tty.getvalue() == json.dumps(json.loads(golden), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert golden.count("\n") == 1 and golden.endswith("}\n")  # off a terminal: one compact line


@pytest.mark.parametrize("count", [0, 1, 3])
def test_compact_json_in_pieces_is_json_dumps(count: int) -> None:
    from albctl import pipeline
    from albctl.settings import resolve_settings
    from albctl.views.render import RENDER_FORMAT_VERSION, render_json, render_json_chunks, stack_data

    settings = resolve_settings(None, cluster_name="prod-ü")
    result = pipeline.build(pipeline.read([str(ROOT / "samples")], settings), settings)
    stacks = result.stacks[:count]
    assert len(stacks) == count
    doc = {"format_version": RENDER_FORMAT_VERSION, "cluster": "prod-ü", "stacks": [stack_data(s) for s in stacks]}
    expected = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert "".join(render_json_chunks(stacks, "prod-ü", pretty=False)) == expected
    assert render_json(stacks, "prod-ü", pretty=False) == expected
    assert render_json(stacks, "prod-ü") == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
