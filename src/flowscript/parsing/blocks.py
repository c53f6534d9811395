"""YAML value blocks and the shorthand variables of node configuration (SPEC §3.2.2).

A block (``<request>``, ``<headers>``, ``<message>``…) is a YAML mapping whose string leaves
are templates. Before loading, every ``{{ … }}`` tag (delimited as in §5.10) is swapped
for an opaque placeholder, so ``url: {{$config.url}}/x`` and ``body: {{input}}`` need no
quoting; the loader is PyYAML's safe loader with no tags (FS-SEC-004), anchors or aliases
(FS-SEC-005) and no duplicate keys; afterwards the placeholders are put back. Every string
leaf keeps its place in the file, so the validator can point inside the block.

Shorthand variables (``$secrets.NAME`` outside ``{{ }}`` → ``{{ $secrets.NAME }}``) are
expanded when the AST is built, for text, tmpl and block values of data node configuration:
the engine then sees only templates, while the position map of each value still points at
what the author wrote (``expand_located``). ``expand_shorthands`` is the same rule on a
plain string, for callers outside the parser.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from ..ast import Span, Text
from ..diagnostics import DiagnosticSink
from .limits import MAX_YAML_DEPTH
from .text import Located, Piece, join

Path = tuple[str | int, ...]

_SHORTHAND = re.compile(r"(\\?)\$(?:secrets|config|env)(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{t}"
                           for t in ("str", "int", "float", "bool", "null", "seq", "map"))
#: libyaml's parser when present (same events and character offsets, much faster).
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_SAFE = yaml.constructor.SafeConstructor()
_CONSTRUCTORS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SAFE.construct_yaml_null,
    "tag:yaml.org,2002:timestamp": _SAFE.construct_yaml_timestamp,
}


# ---------------------------------------------------------------------------------------
# Templates and shorthands

def _tag_end(text: str, start: int) -> int | None:
    """End (exclusive) of the tag opening at ``text[start:start+2] == "{{"`` (§5.10)."""
    if text.startswith("{{!--", start):
        end = text.find("--}}", start + 5)
        return None if end < 0 else end + 4
    if text.startswith("{{!", start):
        end = text.find("}}", start + 3)
        return None if end < 0 else end + 2
    depth, quote, k = 0, "", start + 2
    while k < len(text):
        char = text[k]
        if quote:
            if char == "\\":
                k += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and text.startswith("}}", k):
                return k + 2
            depth = max(0, depth - 1)
        k += 1
    return None


def template_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every ``{{ … }}`` tag in ``text``, per §5.10 delimiting.

    ``\\{{`` is a literal ``{{``; an unterminated tag ends the search (the template parser
    reports it as FS-EXPR-002).
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        if start > 0 and text[start - 1] == "\\":
            pos = start + 2
            continue
        end = _tag_end(text, start)
        if end is None:
            break
        spans.append((start, end))
        pos = end
    return spans


def expand_located(text: Located) -> Located:
    """§3.2.2 shorthand variables: ``$secrets.NAME``, ``$config.NAME`` and ``$env.NAME``
    outside ``{{ }}`` become ``{{ $secrets.NAME }}``…; ``\\$secrets.NAME`` is the literal
    text. The added braces point at the shorthand they wrap."""
    value = text.value
    if "$" not in value:
        return text
    parts: list[Located] = []
    pos = 0
    outside = _outside(value)
    for start, end in outside:
        for match in _SHORTHAND.finditer(value, start, end):
            parts.append(text.slice(pos, match.start()))
            if match.group(1):
                pos = match.start() + 1
                continue
            here, after = text.position(match.start()), text.position(match.end())
            parts += [Located([Piece("{{ ", *here, exact=False)]),
                      text.slice(match.start(), match.end()),
                      Located([Piece(" }}", *after, exact=False)])]
            pos = match.end()
    if not parts:
        return text
    parts.append(text.slice(pos))
    return join(parts)


def _outside(value: str) -> list[tuple[int, int]]:
    """The regions of ``value`` that are not template tags."""
    regions, pos = [], 0
    for start, end in template_spans(value):
        regions.append((pos, start))
        pos = end
    regions.append((pos, len(value)))
    return regions


def expand_shorthands(text: str) -> str:
    """``expand_located`` on a plain string: ``"Bearer $secrets.T"`` →
    ``"Bearer {{ $secrets.T }}"``."""
    return expand_located(Located.exact(text, 1, 1)).value


# ---------------------------------------------------------------------------------------
# Loading

@dataclass(frozen=True, slots=True)
class BlockValue:
    """A loaded YAML value: JSON data whose string leaves are templates, with the file
    position of the value and of every string leaf (by path from this value)."""

    value: Any
    span: Span
    leaves: dict[Path, Text] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BlockEntry:
    """One top-level key of a block mapping."""

    key: str
    key_span: Span
    value: BlockValue


class BlockError(Exception):
    """A block that cannot be loaded; already reported to the sink."""


def _markers(value: str) -> tuple[str, str] | None:
    """Two private-use characters that do not occur in ``value``: the placeholder
    delimiters, so that no text of the block can pass for a placeholder. None only for a
    block that holds thousands of private-use characters."""
    present = set(value)
    for code in range(0xE000, 0xF8FF, 2):
        if chr(code) not in present and chr(code + 1) not in present:
            return chr(code), chr(code + 1)
    return None


class _Placeheld:
    """``text`` with every template tag swapped for a placeholder, and the way back."""

    def __init__(self, text: Located, markers: tuple[str, str]) -> None:
        self.original = text
        self.templates: list[str] = []
        self._anchors: list[tuple[int, int, int]] = []  # (sub start, sub end, orig start)
        value, out, pos, shift = text.value, [], 0, 0
        self._open, self._close = markers
        self._token = re.compile(re.escape(self._open) + "([0-9]+)" + re.escape(self._close))
        for start, end in template_spans(value):
            token = f"{self._open}{len(self.templates)}{self._close}"
            self.templates.append(value[start:end])
            out.append(value[pos:start])
            self._anchors.append((start + shift, start + shift + len(token), start))
            out.append(token)
            shift += len(token) - (end - start)
            pos = end
        out.append(value[pos:])
        self.text = "".join(out)

    def original_offset(self, offset: int) -> int:
        """Offset in the original text of ``offset`` in the placeholder text."""
        index = bisect_right(self._anchors, (offset, 1 << 62, 0)) - 1
        if index < 0:
            return offset
        _, sub_end, orig_start = self._anchors[index]
        if offset < sub_end:
            return orig_start
        orig_end = orig_start + len(self.templates[index])
        return orig_end + (offset - sub_end)

    def restore(self, value: str) -> str:
        if self._open not in value:
            return value
        return self._token.sub(lambda m: self.templates[int(m.group(1))], value)

    def position(self, offset: int) -> tuple[int, int]:
        return self.original.position(self.original_offset(offset))

    def span_of(self, start: int, end: int) -> Span:
        """File span of placeholder-text offsets ``start``…``end``."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def leaf(self, start: int, end: int, style: str | None, value: str) -> Located:
        """The located text of a string scalar: exact when it is written as is."""
        start, end = self.original_offset(start), self.original_offset(end)
        if style in ("'", '"'):
            start, end = start + 1, end - 1
        candidate = self.original.slice(start, max(start, end))
        if candidate.value == value:
            return candidate
        return Located([Piece(value, *self.original.position(start), exact=False)])


class _Frame:
    """An open mapping or sequence while reading events."""

    __slots__ = ("key", "key_start", "path", "skip", "start", "value")

    def __init__(self, value: dict[str, Any] | list[Any], path: Path, start: int) -> None:
        self.value, self.path, self.start = value, path, start
        self.key: str | None = None
        self.key_start = 0
        self.skip = False

    def child_path(self) -> Path:
        if isinstance(self.value, list):
            return (*self.path, len(self.value))
        return (*self.path, self.key or "")


class _Reader:
    """Turns YAML events into JSON values with an explicit stack (no recursion), checking
    tags, anchors, depth and duplicate keys on the way, and collecting located leaves."""

    def __init__(self, held: _Placeheld, sink: DiagnosticSink, what: str,
                 expand: Callable[[Path], bool]) -> None:
        self.held, self.sink, self.what, self.expand = held, sink, what, expand
        self.leaves: dict[Path, Text] = {}
        self.entries: list[BlockEntry] = []
        self.stack: list[_Frame] = []
        self.root_read = False

    def fail(self, offset: int, message: str, code: str = "FS-STRUCT-006") -> BlockError:
        self.sink.error(code, f"{self.what}: {message}", *self.held.position(offset))
        return BlockError(message)

    def read(self) -> list[BlockEntry]:
        for event in yaml.parse(self.held.text, Loader=_LOADER):
            if isinstance(event, yaml.NodeEvent):
                self.check(event)
            if isinstance(event, yaml.ScalarEvent):
                self.scalar(event)
            elif isinstance(event, yaml.CollectionStartEvent):
                self.open(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = self.stack.pop()
                if self.stack:
                    self.attach(frame.value, frame.start, event.end_mark.index)
                self.root_read = not self.stack
        return self.entries

    def check(self, event: yaml.NodeEvent) -> None:
        """FS-SEC-005 for anchors and aliases, FS-SEC-004 for tags, depth limit."""
        at = event.start_mark.index
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise self.fail(at, "YAML anchors and aliases are not allowed", "FS-SEC-005")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _STANDARD_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.sink.error("FS-SEC-004", f"{self.what}: the YAML tag {shown} is not allowed",
                            *self.held.position(at),
                            hints=["remove the tag; block values are plain YAML"])
            raise BlockError(tag)
        if isinstance(event, yaml.CollectionStartEvent) and len(self.stack) >= MAX_YAML_DEPTH:
            raise self.fail(at, f"nested deeper than {MAX_YAML_DEPTH} levels")

    def open(self, event: yaml.CollectionStartEvent) -> None:
        at = event.start_mark.index
        is_map = isinstance(event, yaml.MappingStartEvent)
        if not self.stack and (not is_map or self.root_read):
            raise self.fail(at, "must be one YAML mapping of keys to values")
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None:
            raise self.fail(at, "a key must be a plain string")
        path = self.stack[-1].child_path() if self.stack else ()
        self.stack.append(_Frame({} if is_map else [], path, at))

    def scalar(self, event: yaml.ScalarEvent) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        if not self.stack:
            raise self.fail(start, "must be one YAML mapping of keys to values")
        top = self.stack[-1]
        if isinstance(top.value, dict) and top.key is None:
            key = self.held.restore(event.value)
            top.skip = key in top.value
            if top.skip:
                self.sink.error("FS-STRUCT-009", f"{self.what}: key {key!r} is given twice",
                                *self.held.position(start))
            top.key, top.key_start = key, start
            return
        self.attach(self.value(event, top.child_path()), start, end)

    def value(self, event: yaml.ScalarEvent, path: Path) -> Any:
        tag = event.tag or _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        construct = _CONSTRUCTORS.get(tag)
        if construct is None:
            text = self.held.leaf(event.start_mark.index, event.end_mark.index, event.style,
                                  self.held.restore(event.value))
            if self.expand(path):
                text = expand_located(text)
            self.leaves[path] = text.to_text(self.held.position(event.start_mark.index))
            return text.value
        value = construct(yaml.ScalarNode(tag, event.value))
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(event.start_mark.index,
                            f"{event.value} cannot be represented in JSON")
        return value

    def attach(self, value: Any, start: int, end: int) -> None:
        """Put a finished value into its parent; a top-level one becomes an entry."""
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        key, skip = top.key or "", top.skip
        top.key, top.skip = None, False
        if skip:
            return
        top.value[key] = value
        if len(self.stack) == 1:
            leaves = {path[1:]: leaf for path, leaf in self.leaves.items() if path[0] == key}
            key_span = self.held.span_of(top.key_start, top.key_start + len(key))
            self.entries.append(BlockEntry(key, key_span, BlockValue(
                value, self.held.span_of(start, end), leaves)))


def load_mapping(text: Located, sink: DiagnosticSink, *, what: str,
                 where: tuple[int, int], expand: Callable[[Path], bool] = lambda p: False
                 ) -> list[BlockEntry]:
    """The top-level entries of the YAML mapping in ``text`` (empty text: no entries).

    ``what`` names the block in messages (``"<request>"``); ``where`` is the position of an
    empty block; ``expand(path)`` says which string leaves take shorthand variables.
    Raises ``BlockError`` after reporting FS-STRUCT-006 (invalid YAML, not a mapping),
    FS-SEC-004 or FS-SEC-005; reports FS-STRUCT-009 for a duplicate key and goes on.
    """
    markers = _markers(text.value)
    if markers is None:
        sink.error("FS-STRUCT-006", f"{what} holds too many private-use characters", *where)
        raise BlockError("private-use characters")
    held = _Placeheld(text, markers)
    reader = _Reader(held, sink, what, expand)
    try:
        return reader.read()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = held.position(mark.index) if mark is not None else where
        problem = exc.problem or exc.context or "invalid YAML"
        sink.error("FS-STRUCT-006", f"{what} is not valid YAML: {problem}", *at)
        raise BlockError(problem) from None
    except yaml.YAMLError as exc:
        sink.error("FS-STRUCT-006", f"{what} is not valid YAML: {exc}", *where)
        raise BlockError(str(exc)) from None


def entries_value(entries: list[BlockEntry], span: Span) -> BlockValue:
    """A whole block as one mapping value (a ``<headers>`` child block)."""
    leaves = {(entry.key, *path): leaf for entry in entries
              for path, leaf in entry.value.leaves.items()}
    return BlockValue({entry.key: entry.value.value for entry in entries}, span, leaves)


__all__ = ["BlockEntry", "BlockError", "BlockValue", "entries_value", "expand_located",
           "expand_shorthands", "load_mapping", "template_spans"]
