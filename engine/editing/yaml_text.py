"""Changing a YAML text in place: only the lines an edit concerns change.

A policy file is the council's readable source of truth: its comments say why a rule reads as
it does, its `source` lines quote the document, its order follows the document's. The
editors (hearth.engine.editing) change it for officers who never see the YAML, so a change
must look as if a careful person had typed it: a new number where the old one stood, a row
added among its neighbours with its own comments kept, nothing else touched.

A round-trip dump (load, change, dump the whole document) does not do that: ruamel.yaml
reflows long flow lists, moves comments and re-indents, so every save would rewrite lines
nobody changed. Instead the text is *composed* (every node with its start and end in the
text) and each edit replaces the span of one node, or moves whole lines for the items of a
block list; the text is composed again after every edit. An edit whose value equals what the
text already says does nothing, so opening and saving an editor unchanged leaves the file
byte-identical.

Paths name a node from the document's root: mapping keys (str) and list positions (int),
for example ``("triggers", 3, "when", "at_least")``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..lru import LRU

Path = tuple
# Composed documents by text. Composing is most of an editor page's time (about 80 ms for a
# council's version file) and every page of an editor opens the same few files; nodes are
# never changed (an edit makes a new text, composed anew), so they can be shared.
COMPOSED = LRU(64)


class EditError(ValueError):
    """An edit the text cannot take (a path that is not there, a text that is not YAML)."""


def _composer() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    return yaml


def _loader() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    return yaml


@dataclass(frozen=True)
class Span:
    """Where a node's text is: character offsets, and the lines it occupies (0-based, end exclusive)."""

    start: int
    end: int


class YamlText:
    """A YAML document's text, changed edit by edit (see the module's docstring)."""

    def __init__(self, text: str, file: str = "<text>"):
        self.file = file
        self._set_text(text)

    # ------------------------------------------------------------------ reading
    @property
    def text(self) -> str:
        return self._text

    @property
    def data(self) -> Any:
        """The document as plain Python values (YAML 1.2; dates as ``date``)."""
        return self._data

    def value(self, path: Path, default: Any = None) -> Any:
        """The plain value at ``path``, or ``default`` when a key or position on the way is missing."""
        found = self._data
        for step in path:
            if isinstance(step, int) and isinstance(found, list) and -len(found) <= step < len(found):
                found = found[step]
            elif isinstance(step, str) and isinstance(found, dict) and step in found:
                found = found[step]
            else:
                return default
        return found

    def has(self, path: Path) -> bool:
        return self._node(path) is not None

    def is_flow(self, path: Path) -> bool:
        """Whether the collection at ``path`` is written in flow style (``[a, b]`` or ``{a: 1}``)."""
        node = self._node(path)
        return isinstance(node, (MappingNode, SequenceNode)) and bool(node.flow_style)

    def line_of(self, path: Path) -> int:
        """The 1-based line where the node at ``path`` starts (0 when there is none)."""
        node = self._node(path)
        return node.start_mark.line + 1 if node is not None else 0

    # ------------------------------------------------------------------ editing
    def set(self, path: Path, value: Any, after: Iterable[str] | None = None) -> None:
        """Make the value at ``path`` ``value``: replace the node, or add the key to its mapping.
        Nothing happens when the text already says exactly that value.

        A key added goes at the end of its mapping unless ``after`` names the keys that come
        before it in the house order: then it goes just after the last of them present, or
        first when none is (``when`` first in a chair row: ``after=()``)."""
        if not path:
            raise EditError("The whole document cannot be replaced by an edit.")
        if self.has(path) and _same(self.value(path), value):
            return
        node = self._node(path)
        if node is not None:
            self._replace(path, node, value)
            return
        parent = self._node(path[:-1])
        if not isinstance(parent, MappingNode) or not isinstance(path[-1], str):
            raise EditError(f"There is no mapping at {_said(path[:-1])} to add '{path[-1]}' to.")
        self._add_key(parent, path[-1], value, None if after is None else tuple(after))

    def delete(self, path: Path) -> None:
        """Remove a key from its mapping, or an item from its list (with the comments just above it)."""
        parent = self._node(path[:-1])
        if self._node(path) is None:
            return
        if isinstance(parent, SequenceNode) and (parent.flow_style or len(parent.value) == 1):
            remaining = [item for position, item in enumerate(self.value(path[:-1])) if position != path[-1]]
            self._replace(path[:-1], parent, remaining)
        elif isinstance(parent, SequenceNode):
            self._delete_item(parent, path[-1])
        else:
            self._delete_key(parent, path[-1])

    def insert(self, path: Path, index: int, value: Any) -> None:
        """Insert ``value`` into the list at ``path`` before position ``index`` (at the end when
        ``index`` is the list's length)."""
        node = self._node(path)
        if not isinstance(node, SequenceNode):
            raise EditError(f"There is no list at {_said(path)}.")
        items = node.value
        if not 0 <= index <= len(items):
            raise EditError(f"Position {index} is outside the list at {_said(path)} ({len(items)} items).")
        if node.flow_style or not items:
            current = list(self.value(path) or [])
            current.insert(index, value)
            self._replace(path, node, current)
            return
        column = _dash_column(self._lines, items[0])
        block = _emit_item(value, column)
        separated = self._separated(node)
        if index < len(items):
            at = self._item_first_line(node, index)
            self._splice_lines(at, at, block + ([""] if separated else []))
        else:
            at = self._item_end_line(node, len(items) - 1)
            self._splice_lines(at, at, ([""] if separated else []) + block)

    def move(self, path: Path, index: int, to: int) -> None:
        """Move the item at ``index`` of the list at ``path`` to position ``to``, its comments with it."""
        node = self._node(path)
        if not isinstance(node, SequenceNode):
            raise EditError(f"There is no list at {_said(path)}.")
        count = len(node.value)
        if not (0 <= index < count and 0 <= to < count):
            raise EditError(f"Position {index} or {to} is outside the list at {_said(path)} ({count} items).")
        if index == to:
            return
        if node.flow_style:
            current = list(self.value(path))
            current.insert(to, current.pop(index))
            self._replace(path, node, current)
            return
        blocks = [self._item_block(node, position) for position in range(count)]
        first, end = blocks[0][0], blocks[-1][1]
        cores, gaps = [], []
        for position, (start, stop) in enumerate(blocks):
            core_stop = stop
            while core_stop > start + 1 and not self._lines[core_stop - 1].strip():
                core_stop -= 1
            cores.append(self._lines[start:core_stop])
            gaps.append(self._lines[core_stop:stop])
        cores.insert(to, cores.pop(index))
        lines = [line for core, gap in zip(cores, gaps) for line in core + gap]
        self._splice_lines(first, end, lines)

    # ------------------------------------------------------------------ the machinery
    def _set_text(self, text: str) -> None:
        root = COMPOSED.get(text)
        try:
            if root is None:
                root = _composer().compose(text)
                COMPOSED.put(text, root)
            # the plain values are built from the nodes (never shared: a caller may change them)
            data = _loader().constructor.construct_document(root) if root is not None else None
        except YAMLError as error:
            raise EditError(f"{self.file} is not YAML an editor can change: {error}") from error
        self._text, self._root, self._data = text, root, data
        self._lines = text.split("\n")

    def _node(self, path: Path) -> Node | None:
        node = self._root
        for step in path:
            if isinstance(node, MappingNode) and isinstance(step, str):
                node = next((value for key, value in node.value if key.value == step), None)
            elif isinstance(node, SequenceNode) and isinstance(step, int) and -len(node.value) <= step < len(node.value):
                node = node.value[step]
            else:
                return None
            if node is None:
                return None
        return node

    def _key_node(self, mapping: MappingNode, key: str) -> Node | None:
        return next((key_node for key_node, _value in mapping.value if key_node.value == key), None)

    def _replace(self, path: Path, node: Node, value: Any) -> None:
        if _is_block(node):
            key_column = self._owner_column(path)
            first = node.start_mark.line
            end = self._content_end_line(node)
            if isinstance(node, (MappingNode, SequenceNode)) and _is_collection(value) and value:
                # a block collection stays a block collection, on the lines below its key
                lines = _emit_block(value, key_column + 2)
                prefix = self._lines[first][:node.start_mark.column]
                if prefix.strip():  # the collection starts on its key's line ("- id: x")
                    lines[0] = prefix + lines[0].lstrip()
                self._splice_lines(first, end, lines)
                return
            # a block scalar or a block collection becoming a scalar or an empty collection
            key_line = self._lines[first - 1] if node.start_mark.column == 0 or not self._lines[first][:node.start_mark.column].strip() else None
            start = node.start_mark.index
            if key_line is not None and isinstance(node, (MappingNode, SequenceNode)):
                # the value begins on the line after its key: put the new value after the key
                start = self._offset(first, 0) - 1
                text = " " + _emit_flow(value)
            else:
                text = _emit_flow(value)
            stop = self._offset(end, 0) - 1 if end < len(self._lines) else len(self._text)
            self._set_text(self._text[:start] + text + self._text[stop:])
            return
        text = _emit_flow(value, style=getattr(node, "style", None) if isinstance(node, ScalarNode) else None)
        self._set_text(self._text[:node.start_mark.index] + text + self._text[node.end_mark.index:])

    def _add_key(self, mapping: MappingNode, key: str, value: Any, after: tuple | None = None) -> None:
        if mapping.flow_style:
            close = mapping.end_mark.index - 1
            inside = self._text[mapping.start_mark.index + 1:close]
            joiner = ", " if inside.strip() else ""
            stripped = len(inside.rstrip())
            at = mapping.start_mark.index + 1 + stripped
            self._set_text(self._text[:at] + f"{joiner}{_emit_key(key)}: {_emit_flow(value)}" + self._text[at:])
            return
        if not mapping.value:
            raise EditError(f"An empty block mapping cannot take '{key}'.")
        column = mapping.value[0][0].start_mark.column
        entry = _emit_entry(key, value, column)
        preceding = [position for position, (key_node, _v) in enumerate(mapping.value) if key_node.value in after] \
            if after is not None else [len(mapping.value) - 1]
        if not preceding:  # first: before the first key, which may share its line with a list's dash
            first_key = mapping.value[0][0]
            line = first_key.start_mark.line
            text = self._lines[line]
            head = text[:first_key.start_mark.column]
            if head.strip():
                entry[0] = head + entry[0][column:]
                self._splice_lines(line, line + 1, entry + [" " * column + text[column:]])
            else:
                at = self._comment_start(line, column)
                self._splice_lines(at, at, entry)
            return
        _key, last_value = mapping.value[max(preceding)]
        end = self._content_end_line(last_value) if _is_block(last_value) else last_value.end_mark.line + 1
        self._splice_lines(end, end, entry)

    def _delete_key(self, mapping: MappingNode, key: str) -> None:
        index = next(position for position, (key_node, _v) in enumerate(mapping.value) if key_node.value == key)
        key_node, value_node = mapping.value[index]
        if mapping.flow_style:
            start, stop = key_node.start_mark.index, value_node.end_mark.index
            before = self._text[:start].rstrip()
            if index > 0 and before.endswith(","):
                start = len(before) - 1
            elif index < len(mapping.value) - 1:
                following = self._text[stop:]
                stop += len(following) - len(following.lstrip().removeprefix(",").lstrip())
            self._set_text(self._text[:start] + self._text[stop:])
            return
        first = self._comment_start(key_node.start_mark.line, key_node.start_mark.column)
        end = self._content_end_line(value_node) if _is_block(value_node) else value_node.end_mark.line + 1
        self._splice_lines(first, end, [])

    def _delete_item(self, sequence: SequenceNode, index: int) -> None:
        count = len(sequence.value)
        start, stop = self._item_block(sequence, index)
        if index == count - 1:
            # the last item: take the gap before it instead of the one after
            previous_start, previous_stop = self._item_block(sequence, index - 1)
            core_stop = previous_stop
            while core_stop > previous_start + 1 and not self._lines[core_stop - 1].strip():
                core_stop -= 1
            start = core_stop
        self._splice_lines(start, stop, [])

    def _separated(self, sequence: SequenceNode) -> bool:
        """Whether the list's items are kept apart by blank lines (then new items are too)."""
        if len(sequence.value) < 2:
            return False
        start, stop = self._item_block(sequence, 0)
        return not self._lines[stop - 1].strip()

    def _item_first_line(self, sequence: SequenceNode, index: int) -> int:
        item = sequence.value[index]
        dash_line = item.start_mark.line
        return self._comment_start(dash_line, _dash_column(self._lines, item))

    def _item_end_line(self, sequence: SequenceNode, index: int) -> int:
        item = sequence.value[index]
        return self._content_end_line(item) if _is_block(item) else item.end_mark.line + 1

    def _item_block(self, sequence: SequenceNode, index: int) -> tuple[int, int]:
        """The lines of one item (its comments above included) up to the next item's, or to the
        end of its own content for the last."""
        start = self._item_first_line(sequence, index)
        if index + 1 < len(sequence.value):
            return start, self._item_first_line(sequence, index + 1)
        return start, self._item_end_line(sequence, index)

    def _comment_start(self, line: int, column: int) -> int:
        """The first of the comment lines directly above ``line`` indented at ``column`` or more."""
        while line > 0:
            above = self._lines[line - 1]
            if above.strip().startswith("#") and len(above) - len(above.lstrip()) >= column:
                line -= 1
            else:
                break
        return line

    def _content_end_line(self, node: Node) -> int:
        """The line after the last line that holds the node's own text: a block node's end mark
        points past the blank lines and comments that follow it, which belong to what comes next."""
        # a nested block ends where the next, less indented, token starts: not on that token's line
        before_end = self._lines[node.end_mark.line][:node.end_mark.column] if node.end_mark.line < len(self._lines) else ""
        end = node.end_mark.line if not before_end.strip() else node.end_mark.line + 1
        if node.end_mark.index >= len(self._text):
            end = len(self._lines)
        start = node.start_mark.line + 1
        while end > start and (not self._lines[end - 1].strip() or self._lines[end - 1].strip().startswith("#")):
            end -= 1
        return end

    def _owner_column(self, path: Path) -> int:
        """The column of the key (or dash) that owns the node at ``path``."""
        parent = self._node(path[:-1])
        if isinstance(parent, MappingNode):
            key = self._key_node(parent, path[-1])
            return key.start_mark.column if key is not None else 0
        if isinstance(parent, SequenceNode):
            return _dash_column(self._lines, parent.value[path[-1]])
        return 0

    def _offset(self, line: int, column: int) -> int:
        return sum(len(text) + 1 for text in self._lines[:line]) + column

    def _splice_lines(self, start: int, stop: int, lines: list[str]) -> None:
        new_lines = self._lines[:start] + lines + self._lines[stop:]
        self._set_text("\n".join(new_lines))


# ---------------------------------------------------------------------- emitting
def _is_block(node: Node) -> bool:
    if isinstance(node, ScalarNode):
        return node.style in ("|", ">")
    return not node.flow_style


def _is_collection(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple))


def _dash_column(lines: list[str], item: Node) -> int:
    """The column of the ``-`` that starts a block list's item."""
    line = lines[item.start_mark.line]
    column = item.start_mark.column - 1
    while column >= 0 and line[column] != "-":
        column -= 1
    return max(column, 0)


def _same(old: Any, new: Any) -> bool:
    return _plain(old) == _plain(new) and type(_plain(old)) is type(_plain(new))


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _said(path: Path) -> str:
    return " → ".join(str(step) for step in path) or "the top of the file"


def _emit_key(key: str) -> str:
    return key if _plain_ok(key) else json.dumps(key, ensure_ascii=False)


def _emit_scalar(value: Any, style: str | None = None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    if style != '"' and _plain_ok(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str) -> bool:
    """Whether ``text`` can be written without quotes and read back as the same string."""
    if not text or text != text.strip() or "\n" in text or any(mark in text for mark in (": ", " #", "\t")):
        return False
    if text[0] in "!&*-?:,[]{}#|>@`'\"%" or text.endswith(":"):
        return False
    if any(mark in text for mark in ",[]{}"):
        return False
    try:
        return _loader().load(f"value: {text}") == {"value": text}
    except YAMLError:
        return False


def _emit_flow(value: Any, style: str | None = None) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_emit_key(key)}: {_emit_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_emit_flow(item) for item in value) + "]"
    return _emit_scalar(value, style)


def _leaf(value: Any) -> bool:
    """A value written on its key's line: a scalar, a list of scalars, or a mapping of such
    (the house style: ``when: {event: x, where: {funding: true}}``); a list of mappings is a block."""
    if isinstance(value, dict):
        return all(_leaf(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(not _is_collection(item) for item in value)
    return True


def _emit_entry(key: str, value: Any, column: int) -> list[str]:
    pad = " " * column
    if not _is_collection(value) or not value or _leaf(value):
        return [f"{pad}{_emit_key(key)}: {_emit_flow(value)}"]
    return [f"{pad}{_emit_key(key)}:"] + _emit_block(value, column + 2)


def _emit_block(value: Any, column: int) -> list[str]:
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in _emit_entry(key, item, column)]
    return [line for item in value for line in _emit_item(item, column)]


def _emit_item(value: Any, column: int) -> list[str]:
    """One block list item at ``column``: ``- scalar`` or ``- key: value`` with its other keys below."""
    pad = " " * column
    if isinstance(value, dict) and value:
        lines = _emit_block(value, column + 2)
        lines[0] = pad + "- " + lines[0][column + 2:]
        return lines
    return [f"{pad}- {_emit_flow(value)}"]


def apply_all(text: str, edits: Iterable[tuple[str, Path, Any]], file: str = "<text>") -> str:
    """Apply ``(operation, path, value)`` edits in order: ``set``, ``delete`` (value unused)."""
    document = YamlText(text, file)
    for operation, path, value in edits:
        if operation == "set":
            document.set(path, value)
        elif operation == "delete":
            document.delete(path)
        else:
            raise EditError(f"Unknown edit '{operation}'.")
    return document.text
