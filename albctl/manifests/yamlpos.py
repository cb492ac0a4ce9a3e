"""YAML parsing that remembers where every value came from.

PyYAML does the parsing (with the C parser when available); this module only adds positions:
mappings come back as :class:`PosDict` and sequences as :class:`PosList`, which know the 1-based
line and column of themselves and of each key or item.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is several times faster; fall back to pure Python where it is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

Pos = tuple[int, int]


class PosDict(dict):
    """A dict with ``pos`` (its own position) and ``key_pos`` (position of each key)."""

    pos: Pos = (0, 0)
    key_pos: dict[Any, Pos]

    def position_of(self, key: Any) -> Pos:
        return self.key_pos.get(key, self.pos) if hasattr(self, "key_pos") else self.pos


class PosList(list):
    """A list with ``pos`` (its own position) and ``item_pos`` (position of each item)."""

    pos: Pos = (0, 0)
    item_pos: list[Pos]

    def position_of(self, index: int) -> Pos:
        if hasattr(self, "item_pos") and 0 <= index < len(self.item_pos):
            return self.item_pos[index]
        return self.pos


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _PosLoader(_BaseLoader):
    pass


def _construct_map(loader: _PosLoader, node: yaml.MappingNode) -> Iterator[PosDict]:
    data = PosDict()
    data.pos = _mark(node)
    data.key_pos = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_pos[key] = _mark(key_node)


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> Iterator[PosList]:
    data = PosList()
    data.pos = _mark(node)
    data.item_pos = [_mark(child) for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


def _construct_timestamp_as_str(loader: _PosLoader, node: yaml.ScalarNode) -> str:
    # Kubernetes treats timestamps in manifests as plain strings; so do we.
    return str(loader.construct_scalar(node))


_PosLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_PosLoader.add_constructor("tag:yaml.org,2002:omap", _construct_map)
_PosLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_PosLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_str)


@dataclass(frozen=True)
class YamlDocument:
    """One document of a YAML stream: its data and the line it starts on."""

    data: Any
    line: int


class YamlSyntaxError(Exception):
    """A YAML stream could not be parsed; carries the 1-based line and column and a short problem."""

    def __init__(self, problem: str, line: int, column: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.column = column


def load_documents(text: str) -> list[YamlDocument]:
    """Parse every document of a YAML stream, with positions. Raises :class:`YamlSyntaxError`."""
    loader = _PosLoader(text)
    docs: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guards this
                break
            docs.append(YamlDocument(loader.construct_document(node), node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "while" not in exc.context:
            problem = f"{exc.context}: {exc.problem}"
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML syntax error: {exc}", 0, 0) from None
    except RecursionError:
        raise YamlSyntaxError("YAML syntax error: document is nested too deeply", 0, 0) from None
    finally:
        loader.dispose()
    return docs
