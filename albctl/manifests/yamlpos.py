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


_LINE = 1 << 32  # a key's or item's position is kept as one int, line * _LINE + column: a third of a tuple


class PosDict(dict[Any, Any]):
    """A dict with ``pos`` (its own position) and the position of each key (:meth:`position_of`)."""

    __slots__ = ("_pos", "key_pos")  # no __dict__ per mapping: a manifest has thousands of them
    key_pos: dict[Any, int]  # packed positions: line * _LINE + column

    @property
    def pos(self) -> Pos:
        return getattr(self, "_pos", (0, 0))

    @pos.setter
    def pos(self, value: Pos) -> None:
        self._pos = value

    def position_of(self, key: Any) -> Pos:
        key_pos = getattr(self, "key_pos", None)
        packed = key_pos.get(key) if key_pos is not None else None
        return self.pos if packed is None else divmod(packed, _LINE)


class PosList(list[Any]):
    """A list with ``pos`` (its own position) and the position of each item (:meth:`position_of`)."""

    __slots__ = ("_pos", "item_pos")
    item_pos: list[int]  # packed positions: line * _LINE + column

    @property
    def pos(self) -> Pos:
        return getattr(self, "_pos", (0, 0))

    @pos.setter
    def pos(self, value: Pos) -> None:
        self._pos = value

    def position_of(self, index: int) -> Pos:
        item_pos = getattr(self, "item_pos", None)
        if item_pos is not None and 0 <= index < len(item_pos):
            return divmod(item_pos[index], _LINE)
        return self.pos


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _packed(node: yaml.Node) -> int:
    mark = node.start_mark
    return (mark.line + 1) * _LINE + mark.column + 1


_RESOLVED: dict[tuple[Any, str, Any], str] = {}  # (node kind, scalar text, implicit) -> tag


class _PosLoader(_BaseLoader):
    if not getattr(_BaseLoader, "yaml_path_resolvers", None):
        # libyaml's composer asks the (Python) resolver about every node; manifests repeat the same keys
        # and values thousands of times, and without path resolvers the tag depends only on these three
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            key = (kind, value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < 100_000 and (value is None or len(value) < 100):
                    _RESOLVED[key] = tag
            return tag

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None  # what the base method does without path resolvers

        def ascend_resolver(self) -> None:
            return None

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, LookupError, OverflowError):  # e.g. ``!!int x``, ``!!bool maybe``, ``!!int``
            value = node.value if isinstance(node, yaml.ScalarNode) else _kind_of(node)
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {str(value)[:60]!r} as {node.tag}", node.start_mark) from None


def _kind_of(node: yaml.Node) -> str:
    return "mapping" if isinstance(node, yaml.MappingNode) else "sequence" if isinstance(node, yaml.SequenceNode) \
        else "scalar"


def _construct_map(loader: _PosLoader, node: yaml.Node) -> Iterator[PosDict]:
    if not isinstance(node, yaml.MappingNode):  # e.g. ``!!omap [a, b]``
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a mapping for tag {node.tag!r}, found a {_kind_of(node)}", node.start_mark)
    data = PosDict()
    data.pos = _mark(node)
    data.key_pos = {}
    yield data
    explicit = {id(key_node) for key_node, _ in node.value}  # keys written here, not merged in with <<
    loader.flatten_mapping(node)
    written: dict[Any, Pos] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        if id(key_node) in explicit:
            if key in written:  # Kubernetes (strict field validation) rejects duplicate keys; so do we
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"duplicate key {key!r} (first defined at line {written[key][0]}, column {written[key][1]})",
                    key_node.start_mark)
            written[key] = _mark(key_node)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_pos[key] = _packed(key_node)


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> Iterator[PosList]:
    data = PosList()
    data.pos = _mark(node)
    data.item_pos = [_packed(child) for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


def _construct_timestamp_as_str(loader: _PosLoader, node: yaml.ScalarNode) -> str:
    # Kubernetes treats timestamps in manifests as plain strings; so do we.
    return str(loader.construct_scalar(node))


_PosLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_PosLoader.add_constructor("tag:yaml.org,2002:omap", _construct_map)
_PosLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_PosLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_str)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")  # ``<<`` and ``=``: flatten_mapping's


_SHARED: dict[str, str] = {}


def _construct_tree(loader: _PosLoader, root: yaml.Node) -> Any:
    """``loader.construct_document(root)`` for a document without anchors (so every node is used once).

    Plain mappings, sequences and strings, nearly all of a manifest, are built here directly; every
    other node (numbers, booleans, null, other tags, merge keys) goes through the loader's constructors,
    in the same order, so values and errors are the same."""
    scalar, mapping, sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    construct = loader.construct_object
    setdefault = _SHARED.setdefault  # one str per distinct short key or value: manifests repeat them
    line = _LINE

    def build(node: yaml.Node) -> Any:
        cls = node.__class__
        if cls is scalar:
            if node.tag != _STR:
                return construct(node, deep=True)
            text = node.value
            return setdefault(text, text) if len(text) < 64 else text
        if cls is mapping and node.tag == _MAP:
            pairs = node.value
            for key_node, _ in pairs:
                if key_node.tag in _SPECIAL_KEYS:
                    return construct(node, deep=True)
            mark = node.start_mark
            data = PosDict()
            data.pos = (mark.line + 1, mark.column + 1)
            key_pos: dict[Any, int] = {}
            data.key_pos = key_pos
            for key_node, value_node in pairs:
                if key_node.__class__ is scalar and key_node.tag == _STR:
                    key = key_node.value
                    key = setdefault(key, key)
                else:
                    key = construct(key_node, deep=True)
                    try:
                        hash(key)
                    except TypeError:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark, "found an unhashable key",
                            key_node.start_mark) from None
                if key in key_pos:
                    first = divmod(key_pos[key], line)
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"duplicate key {key!r} (first defined at line {first[0]}, column {first[1]})",
                        key_node.start_mark)
                if value_node.__class__ is scalar and value_node.tag == _STR:  # inline: most values are strings
                    text = value_node.value
                    data[key] = setdefault(text, text) if len(text) < 64 else text
                else:
                    data[key] = build(value_node)
                key_mark = key_node.start_mark
                key_pos[key] = (key_mark.line + 1) * line + key_mark.column + 1
            return data
        if cls is sequence and node.tag == _SEQ:
            items = node.value
            mark = node.start_mark
            seq = PosList([build(child) for child in items])
            seq.pos = (mark.line + 1, mark.column + 1)
            seq.item_pos = [(child.start_mark.line + 1) * line + child.start_mark.column + 1 for child in items]
            return seq
        return construct(node, deep=True)

    if len(_SHARED) > 200_000:
        _SHARED.clear()
    try:
        return build(root)
    finally:  # what construct_document resets after each document
        loader.constructed_objects = {}
        loader.recursive_objects = {}
        loader.deep_construct = False


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


MAX_EXPANDED_NODES = 1_000_000  # per document, after expanding aliases: more is an "alias bomb"


def load_documents(text: str) -> list[YamlDocument]:
    """Parse every document of a YAML stream, with positions. Raises :class:`YamlSyntaxError`."""
    try:
        loader = _PosLoader(text)
    except UnicodeEncodeError as exc:  # lone surrogates (undecodable bytes read with surrogateescape)
        line, column = _line_col(text, exc.start, in_bytes=False)
        raise YamlSyntaxError("YAML syntax error: text is not valid UTF-8", line, column) from None
    docs: list[YamlDocument] = []
    may_alias = "&" in text  # no anchor, no alias: the (costly) alias walk is only needed with one
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guards this
                break
            if may_alias:
                _check_aliases(node)
                data = loader.construct_document(node)
            else:
                data = _construct_tree(loader, node)
            docs.append(YamlDocument(data, node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "while" not in exc.context:
            problem = f"{exc.context}: {exc.problem}"
        if "mapping values are not allowed" in problem:
            problem += _indentation_hint(text, line)
        elif _char_at(text, line, column) == "\t" and "tab" not in problem:
            problem += " (a tab: YAML indentation must use spaces)"
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line, column) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other control characters)
        line, column = _line_col(text, exc.position, in_bytes=_reader_counts_bytes())
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise YamlSyntaxError(f"YAML syntax error: unacceptable character {char!r}: {exc.reason}",
                              line, column) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML syntax error: {exc}", 0, 0) from None
    except RecursionError:
        raise YamlSyntaxError("YAML syntax error: document is nested too deeply", 0, 0) from None
    finally:
        loader.dispose()
    return docs


def _reader_counts_bytes() -> bool:
    """libyaml reports reader positions in UTF-8 bytes, the pure-Python reader in characters."""
    return _BaseLoader.__name__.startswith("C")


def _line_col(text: str, position: int, *, in_bytes: bool) -> tuple[int, int]:
    prefix = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore") if in_bytes else text[:position]
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Reject an anchor used inside itself (a value that contains itself) and documents whose aliases
    expand to more than :data:`MAX_EXPANDED_NODES` values, as Kubernetes' YAML reader does."""
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            open_nodes.discard(id(node))
            size[id(node)] = 1 + sum(size[id(child)] for child in _children(node))
            if size[id(node)] > MAX_EXPANDED_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand to more than {MAX_EXPANDED_NODES} values", node.start_mark)
            continue
        if id(node) in size:
            continue
        if id(node) in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an anchor is used inside its own value (recursive alias)", node.start_mark)
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _indentation_hint(text: str, line: int) -> str:
    """For "mapping values are not allowed": name the key indented deeper than the one above it."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    current = lines[line - 1]
    for number in range(line - 1, 0, -1):
        above = lines[number - 1]
        if above.strip() and not above.lstrip().startswith("#"):
            break
    else:
        return ""
    key_col = len(above) - len(above.lstrip(" -"))  # 0-based column of the key, after any "- "
    cur_col = len(current) - len(current.lstrip(" "))
    above_key = above.strip(" -").split(":", 1)[0].strip()
    current_key = current.strip().split(":", 1)[0].strip()
    if ":" not in above or cur_col <= key_col or not above_key or not current_key:
        return ""
    return (f" ({current_key!r} at column {cur_col + 1} is indented deeper than {above_key!r} at column "
            f"{key_col + 1} on line {number}; keys of the same mapping must start in the same column)")
