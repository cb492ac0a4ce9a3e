"""YAML parsing with positions: albctl.manifests.yamlpos."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from albctl.manifests.yamlpos import MAX_EXPANDED_NODES, PosDict, PosList, YamlSyntaxError, load_documents

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def one(text: str):
    docs = load_documents(textwrap.dedent(text))
    assert len(docs) == 1
    return docs[0].data


def syntax_error(text: str) -> YamlSyntaxError:
    with pytest.raises(YamlSyntaxError) as info:
        load_documents(text)
    return info.value


def test_positions_of_keys_and_items_are_one_based() -> None:
    data = one("""\
        apiVersion: v1
        metadata:
          name: x
        items:
          - a
          -   b
        """)
    assert isinstance(data, PosDict)
    assert data.pos == (1, 1)
    assert data.position_of("apiVersion") == (1, 1)
    assert data.position_of("metadata") == (2, 1)
    assert data["metadata"].position_of("name") == (3, 3)
    items = data["items"]
    assert isinstance(items, PosList)
    assert items.pos == (5, 3)
    assert items.position_of(0) == (5, 5)
    assert items.position_of(1) == (6, 7)


def test_unknown_key_or_index_falls_back_to_own_position() -> None:
    data = one("a:\n  b: 1\nl: [1, 2]\n")
    assert data["a"].position_of("zzz") == data["a"].pos == (2, 3)
    assert data["l"].position_of(7) == data["l"].pos == (3, 4)
    assert data["l"].position_of(-1) == (3, 4)


def test_flow_style_positions() -> None:
    data = one('{"kind": "Service", "spec": {"ports": [{"port": 80}]}}')
    assert data.position_of("spec") == (1, 21)
    assert data["spec"]["ports"].position_of(0) == (1, 40)


def test_multi_document_stream_records_start_lines() -> None:
    text = "a: 1\n---\nb: 2\n\n---\n# comment\nc: 3\n"
    docs = load_documents(text)
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert [d.line for d in docs] == [1, 3, 7]


def test_empty_documents_come_back_as_none() -> None:
    docs = load_documents("---\n---\n# only a comment\n---\na: 1\n")
    assert [d.data for d in docs if d.data is not None] == [{"a": 1}]
    assert load_documents("") == []


def test_timestamps_stay_strings() -> None:
    assert one("t: 2024-01-02T03:04:05Z\n") == {"t": "2024-01-02T03:04:05Z"}


def test_sample_bad_indentation_points_at_the_misplaced_key() -> None:
    err = syntax_error((SAMPLES / "invalid" / "bad-indentation.yaml").read_text())
    assert (err.line, err.column) == (37, 11)
    assert "mapping values are not allowed" in err.problem
    assert "'http' at column 7 is indented deeper than 'host' at column 5 on line 36" in err.problem


def test_syntax_error_has_line_and_column() -> None:
    err = syntax_error("a: 1\nb: [1, 2\nc: 3\n")
    assert err.line >= 2 and err.column >= 1
    assert str(err).startswith("YAML syntax error: ")


def test_tab_indentation_is_explained() -> None:
    err = syntax_error("a:\n\tb: 1\n")
    assert (err.line, err.column) == (2, 1)
    assert "tab" in err.problem


def test_duplicate_keys_are_an_error_naming_the_first() -> None:
    err = syntax_error("metadata:\n  name: a\n  name: b\n")
    assert (err.line, err.column) == (3, 3)
    assert "duplicate key 'name' (first defined at line 2, column 3)" in err.problem


def test_duplicate_keys_in_different_mappings_are_fine() -> None:
    assert one("a: {name: 1}\nb: {name: 2}\n") == {"a": {"name": 1}, "b": {"name": 2}}


def test_anchors_aliases_and_merge_keys() -> None:
    data = one("""\
        base: &base {port: 80, protocol: TCP}
        copy: *base
        merged:
          <<: *base
          port: 81
        """)
    assert data["copy"] == {"port": 80, "protocol": "TCP"}
    assert data["merged"] == {"port": 81, "protocol": "TCP"}
    assert data["merged"].position_of("port") == (5, 3)


def test_undefined_alias_is_a_syntax_error() -> None:
    err = syntax_error("a: *nope\n")
    assert "undefined alias" in err.problem
    assert err.line == 1


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"])
def test_recursive_alias_is_a_syntax_error(text: str) -> None:
    assert "recursive alias" in syntax_error(text).problem


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    err = syntax_error("\n".join(lines) + "\n")
    assert f"more than {MAX_EXPANDED_NODES}" in err.problem


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "a: " + "{a: " * 5000 + "1" + "}" * 5000,
                                  "".join("  " * i + "- \n" for i in range(3000))])
def test_huge_nesting_is_a_syntax_error_not_a_recursion_error(text: str) -> None:
    with pytest.raises(YamlSyntaxError):
        load_documents(text)


@pytest.mark.parametrize(("text", "where"), [("a: 1\nb: \x00\n", (2, 4)), ("ü: 두개\nb: \x07\n", (2, 4))])
def test_control_characters_have_a_position(text: str, where: tuple[int, int]) -> None:
    err = syntax_error(text)
    assert (err.line, err.column) == where
    assert "unacceptable character" in err.problem
    assert "\n" not in err.problem


def test_lone_surrogates_are_a_syntax_error() -> None:
    err = syntax_error("a: b\nc: \udcff\n")
    assert (err.line, err.column) == (2, 4)
    assert "UTF-8" in err.problem


@pytest.mark.parametrize("text", ["- !!int x\n", "!!int\n", "- !!float x\n", "- !!bool maybe\n", "!!omap [a, b]\n"])
def test_bad_explicit_tags_are_syntax_errors(text: str) -> None:
    err = syntax_error(text)
    assert err.line == 1


def test_unknown_tags_are_refused() -> None:
    assert "could not determine a constructor" in syntax_error("!!python/object:os.system x\n").problem


def test_unhashable_key() -> None:
    err = syntax_error("? [1, 2]\n: 3\n")
    assert "unhashable" in err.problem


def _shape(value: object) -> object:
    """Data, types and every recorded position, for comparing two parses."""
    if isinstance(value, PosDict):
        return ("map", value.pos, [(k, value.position_of(k), _shape(v)) for k, v in value.items()])
    if isinstance(value, PosList):
        return ("seq", value.pos, [(value.position_of(i), _shape(v)) for i, v in enumerate(value)])
    return (type(value).__name__, value)


def _outcome(text: str) -> object:
    try:
        return [(d.line, _shape(d.data)) for d in load_documents(text)]
    except YamlSyntaxError as exc:
        return ("error", exc.problem, exc.line, exc.column)


ANCHOR_FREE = [
    "a: 1\nb: [x, 2, 3.5, true, null, ~, '', 2024-01-02]\nc: {d: e}\n",
    "- a\n- {b: [c, {d: 1}]}\n-\n  - x\n",
    "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n", "1: a\n'1': b\ntrue: c\nnull: d\n", "? [1, 2]\n: 3\n",
    "<<: {a: 1, b: 2}\nb: 3\n", "=: x\n", "!!omap [{a: 1}, {b: 2}]\n", "!!set {a, b}\n", "- !!int x\n",
    "- !!str 12\n- !!binary aGVsbG8=\n- !custom x\n", "---\n---\na: 1\n--- 3\n", "\"k\": 'v'\n",
    "a: |\n  line\n  two\nb: >-\n  folded\n",
]


@pytest.mark.parametrize("text", ANCHOR_FREE + [p.read_text() for p in sorted(SAMPLES.rglob("*.yaml"))])
def test_anchor_free_fast_path_equals_the_constructor(text: str) -> None:
    # a comment holding "&" sends the same text through PyYAML's constructor (the path with aliases)
    assert "&" not in text
    assert _outcome(text) == _outcome(text + "\n# & forces the general path\n")


def test_positions_survive_copies_and_default_to_zero() -> None:
    import copy
    import pickle

    data = one("a:\n  b: [x, y]\n")
    for clone in (copy.deepcopy(data), pickle.loads(pickle.dumps(data)), copy.copy(data)):
        assert clone == data and clone.pos == (1, 1) and clone.position_of("a") == (1, 1)
        assert clone["a"].position_of("b") == (2, 3) and clone["a"]["b"].position_of(1) == (2, 10)
    assert PosDict().pos == PosDict().position_of("x") == (0, 0)
    assert PosList().pos == PosList().position_of(0) == (0, 0)
    assert not hasattr(data, "__dict__")  # slots: no per-mapping attribute dict
