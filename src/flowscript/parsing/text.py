"""Values with their place in the file: §1.5 text derivation and position maps (SPEC §1.2).

A ``Located`` string is a run of ``Piece``s, each a slice of text that starts at a known line
and column and either maps character for character onto the file (``exact``) or not (text
with decoded references: every character then points at the piece's start). Slicing,
joining, dedenting and the shorthand expansion of §3.2.2 keep the map, so a diagnostic
inside a dedented ``<condition>`` or a ``<request>`` block still points at the right line
and column. ``Located.to_text`` gives a plain ``ast.Text`` when the value sits in the file
as one contiguous exact run, else a ``MappedText`` whose ``position`` reads the map.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..ast import EMPTY, ConfigValue, Span, Text
from .raw import RawAttr, RawText

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class MappedText(Text):
    """A ``Text`` whose characters do not sit in one contiguous run of the file (dedented,
    joined or expanded text). ``runs`` holds ``(value offset, line, column, exact)`` for
    each run in order; ``exact`` (inherited) is true when every run is exact, so that
    ``position`` is exact everywhere."""

    runs: tuple[tuple[int, int, int, bool], ...] = ()

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column in the file of character ``offset`` of the value."""
        if not self.runs:
            return self.span.line, self.span.column
        index = max(0, bisect_right(self.runs, (offset, 1 << 62)) - 1)
        start, line, column, exact = self.runs[index]
        if not exact:
            return line, column
        return _advance(self.value[start:offset], line, column)


@dataclass(frozen=True, slots=True)
class MappedConfigValue(ConfigValue):
    """A ``ConfigValue`` that keeps the located text of each of its strings: ``texts[()]``
    for a string value, ``texts[path]`` for each string leaf of a block value (a path of
    keys and indexes, as in ``("headers", "Authorization")``)."""

    texts: Mapping[tuple[str | int, ...], Text] = EMPTY

    def as_text(self) -> Text:
        text = self.texts.get(())
        if text is not None and isinstance(self.value, str):
            return text
        return ConfigValue.as_text(self)


def config_texts(value: ConfigValue) -> Mapping[tuple[str | int, ...], Text]:
    """Every string of a configuration value with its place in the file, by path."""
    if isinstance(value, MappedConfigValue):
        return value.texts
    return {(): value.as_text()} if isinstance(value.value, str) else {}


def _advance(text: str, line: int, column: int) -> tuple[int, int]:
    """The position just after ``text`` when it starts at ``(line, column)``."""
    newlines = text.count("\n")
    if not newlines:
        return line, column + len(text)
    return line + newlines, len(text) - text.rfind("\n")


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    line: int
    column: int
    exact: bool = True

    def position(self, offset: int) -> tuple[int, int]:
        if not self.exact:
            return self.line, self.column
        return _advance(self.text[:offset], self.line, self.column)

    def cut(self, start: int, end: int) -> Piece:
        line, column = self.position(start)
        return Piece(self.text[start:end], line, column, self.exact)


class Located:
    """An immutable string whose characters know where they are in the file."""

    __slots__ = ("_starts", "pieces", "value")

    def __init__(self, pieces: Iterable[Piece] = ()) -> None:
        self.pieces = tuple(p for p in pieces if p.text)
        self.value = "".join([p.text for p in self.pieces])
        self._starts = list(accumulate((len(p.text) for p in self.pieces[:-1]), initial=0)) \
            if self.pieces else []

    @classmethod
    def exact(cls, text: str, line: int, column: int) -> Located:
        return cls([Piece(text, line, column, True)])

    @classmethod
    def from_raw(cls, segment: RawText) -> Located:
        """A scanned text segment. A segment with decoded references is inexact; when its
        line count still matches the file, each of its lines at least starts right."""
        span, value = segment.span, segment.value
        if segment.exact or segment.cdata:
            return cls.exact(value, span.line, span.column)
        if span.end_line and value.count("\n") == span.end_line - span.line:
            lines = value.split("\n")
            return cls(Piece(text + ("\n" if k < len(lines) - 1 else ""),
                             span.line + k, span.column if k == 0 else 1, False)
                       for k, text in enumerate(lines))
        return cls([Piece(value, span.line, span.column, False)])

    @classmethod
    def from_attribute(cls, attr: RawAttr) -> Located:
        span = attr.value_span
        return cls([Piece(attr.value, span.line, span.column, attr.exact)])

    def __len__(self) -> int:
        return len(self.value)

    def __add__(self, other: Located) -> Located:
        return Located((*self.pieces, *other.pieces))

    def __repr__(self) -> str:
        return f"Located({self.value!r})"

    def position(self, offset: int) -> tuple[int, int]:
        """File position of character ``offset`` (the end of the value for ``len``)."""
        if not self.pieces:
            return 0, 0
        index = max(0, bisect_right(self._starts, offset) - 1)
        piece = self.pieces[index]
        return piece.position(offset - self._starts[index])

    def slice(self, start: int, end: int | None = None) -> Located:
        end = len(self.value) if end is None else end
        out = []
        for piece, first in zip(self.pieces, self._starts, strict=True):
            last = first + len(piece.text)
            if last <= start or first >= end:
                continue
            out.append(piece.cut(max(start, first) - first, min(end, last) - first))
        return Located(out)

    def strip(self) -> Located:
        text = self.value
        start = len(text) - len(text.lstrip(_SPACE))
        return self.slice(start, len(text.rstrip(_SPACE)))

    def to_text(self, where: tuple[int, int] = (0, 0)) -> Text:
        """The value as an ``ast.Text``; ``where`` places an empty value."""
        runs = self._runs()
        if not runs:
            return Text("", Span(where[0], where[1], where[0], where[1]), True)
        exact = all(run[3] for run in runs)
        end_line, end_column = self.position(len(self.value)) if runs[-1][3] else (0, 0)
        span = Span(runs[0][1], runs[0][2], end_line, end_column)
        if len(runs) == 1:
            return Text(self.value, span, exact)
        return MappedText(self.value, span, exact, runs=tuple(runs))

    def _runs(self) -> list[tuple[int, int, int, bool]]:
        """Pieces merged while they continue one another exactly in the file."""
        runs: list[tuple[int, int, int, bool]] = []
        follows: tuple[int, int] | None = None
        for piece, start in zip(self.pieces, self._starts, strict=True):
            here = (piece.line, piece.column)
            if not (piece.exact and runs and runs[-1][3] and follows == here):
                runs.append((start, piece.line, piece.column, piece.exact))
            follows = _advance(piece.text, *here) if piece.exact else None
        return runs


def join(parts: Iterable[Located]) -> Located:
    return Located(piece for part in parts for piece in part.pieces)


def _common_indent(lines: Sequence[str]) -> str:
    indents = [line[:len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    if not indents:
        return ""
    prefix = indents[0]
    for indent in indents[1:]:
        while not indent.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _split_lines(text: Located) -> list[list[Piece]]:
    """The pieces of each line, each line but the last ending with its ``\n``. One pass:
    positions advance with the text instead of being recounted for every line."""
    lines: list[list[Piece]] = [[]]
    for piece in text.pieces:
        value, line, column, start = piece.text, piece.line, piece.column, 0
        while (end := value.find("\n", start)) >= 0:
            lines[-1].append(Piece(value[start:end + 1], line, column, piece.exact))
            lines.append([])
            start = end + 1
            if piece.exact:
                line, column = line + 1, 1
        if start < len(value):
            lines[-1].append(Piece(value[start:], line, column, piece.exact))
    return lines


def _drop_front(pieces: list[Piece], count: int) -> list[Piece]:
    """``pieces`` without their first ``count`` characters (never a line break)."""
    out: list[Piece] = []
    for piece in pieces:
        if count >= len(piece.text):
            count -= len(piece.text)
            continue
        if count:
            column = piece.column + count if piece.exact else piece.column
            piece = Piece(piece.text[count:], piece.line, column, piece.exact)
            count = 0
        out.append(piece)
    return out


def dedent(text: Located) -> Located:
    """§1.5 rule 2 after decoding: remove the common leading whitespace of the non-blank
    lines, join with ``\n`` and strip (``\r\n`` and ``\r`` count as line breaks)."""
    if "\r" in text.value:
        text = _fold_breaks(text)
    lines = _split_lines(text)
    contents = ["".join(p.text for p in line).rstrip("\n") for line in lines]
    prefix = _common_indent(contents)
    pieces: list[Piece] = []
    for line, content in zip(lines, contents, strict=True):
        if content.startswith(prefix):
            pieces.extend(_drop_front(line, len(prefix)))
        elif not content.strip():
            pieces.extend(_drop_front(line, len(content)))
        else:
            pieces.extend(line)
    return Located(pieces).strip()


def _fold_breaks(text: Located) -> Located:
    """``\r\n`` and a lone ``\r`` as ``\n`` (the scanner already folds file text)."""
    parts, pos = [], 0
    for match in _LINE_BREAK.finditer(text.value):
        if match.group() != "\n":
            line, column = text.position(match.start())
            parts += [text.slice(pos, match.start()), Located([Piece("\n", line, column)])]
            pos = match.end()
    parts.append(text.slice(pos))
    return join(parts)


def derive(segments: Sequence[RawText]) -> Located:
    """SPEC §1.5: the value of a value element from its text segments (comments dropped).

    Exactly one CDATA section, ignoring whitespace around it, is taken verbatim; anything
    else is decoded, dedented and stripped.
    """
    meaningful = [s for s in segments if s.cdata or s.value.strip(_SPACE)]
    if len(meaningful) == 1 and meaningful[0].cdata:
        return Located.from_raw(meaningful[0])
    return dedent(join(Located.from_raw(s) for s in segments))


def text_of(segments: Sequence[RawText], where: tuple[int, int]) -> Text:
    """``derive`` as an ``ast.Text``; ``where`` places an empty value."""
    return derive(segments).to_text(where)


def attribute_text(attr: RawAttr) -> Text:
    """An attribute value as an ``ast.Text`` (values are not whitespace-normalised)."""
    span = attr.value_span
    return Text(attr.value, Span(span.line, span.column, span.end_line, span.end_column),
                attr.exact)


__all__ = ["Located", "MappedConfigValue", "MappedText", "Piece", "attribute_text",
           "config_texts", "dedent", "derive", "join", "text_of"]
