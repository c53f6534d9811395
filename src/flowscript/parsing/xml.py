"""The tolerant, secure tokenizer of the workflow body (SPEC §1.4, §1.8, §12.1).

It turns the text from ``<workflow`` on into a ``RawElement`` tree with file positions, and
says where the body ends. It is our own on purpose, not lxml: an XML 1.0 parser must reject
the tolerances of §1.4 (a raw ``<`` or ``&`` in text and attribute values, raw-text
elements whose content is not markup), its recovery mode repairs input silently instead of
reporting the §1.4 codes where they occur, and it knows the fragment's lines but not the
columns of the original file. The scanner is linear (regular expressions and ``str.find``
moving forward only, never backtracking over the text), keeps open elements on an explicit
stack (no recursion, so 10 000 nested tags cost no Python stack), enforces the §1.8 limits
before going further, and never defines or expands entities: any ``<!`` declaration stops
the scan at once (FS-SEC-001/002).

Positions are absolute: the scanner reads the whole document text from the body's offset,
and ``LineIndex`` maps offsets onto lines and columns. Decoded values use ``\\n`` for every
line break (as XML does); ``Text.position`` stays correct for them, because it counts
``\\n`` and the distance from the last one, both of which line-break folding preserves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NoReturn

from ..ast import Span
from .limits import MAX_DEPTH, MAX_ELEMENTS, MAX_VALUE_BYTES, utf8_length_exceeds
from .raw import RawAttr, RawElement, RawText
from .xml_text import Positions, collector_paused, decode_references, fold_newlines

if TYPE_CHECKING:
    from ..diagnostics import DiagnosticSink
    from ..document import LineIndex

_MARKUP = re.compile(r"<[A-Za-z_/!?]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_ATTR_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_.:-]*")
_SPACE = re.compile(r"[ \t\r\n]*")
_EQUALS = re.compile(r"[ \t\r\n]*=[ \t\r\n]*")
#: The end of a start tag (group 1) or a well-formed attribute (name 2, value 3 or 4) in one
#: match; anything else takes the diagnosing path of ``_Scanner._malformed_attribute``.
_TAG_PART = re.compile(r"""[ \t\r\n]*(?:(/?>)|([A-Za-z_:][A-Za-z0-9_.:-]*)[ \t\r\n]*=[ \t\r\n]*"""
                       r"""(?:"([^"]*)"|'([^']*)'))""")
_END_TAG = re.compile(r"</([A-Za-z_][A-Za-z0-9_.:-]*)[ \t\r\n]*>")

#: Elements whose every child except these is raw text (§1.4 item 4).
_DATA_ELEMENTS = frozenset({"source", "transform", "sink", "ai"})
_STRUCTURED_CHILDREN = frozenset({"on-error", "output"})
#: Where an attribute name is compared as written, not normalised (§1.7).
_EXACT_ATTRIBUTE_ELEMENTS = frozenset({"call", "bind"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The body's root element and the offset just after it.

    ``root`` is ``None`` unless the root element was closed and no fatal error stopped the
    scan; recoverable errors (a duplicate attribute, a bad reference, a mismatched end tag)
    are in the sink and still leave a complete tree. ``end`` is ``None`` when the root never
    closed.
    """

    root: RawElement | None
    end: int | None


def scan_body(text: str, start: int, lines: LineIndex, sink: DiagnosticSink) -> ScanResult:
    """Scan the element starting at ``text[start]`` (the body's ``<workflow``) to its end."""
    with collector_paused():
        return _Scanner(text, lines, sink).run(start)


def is_raw_text(name: str, parent: str | None) -> bool:
    """Whether an element's content is raw text rather than markup (§1.4 item 4)."""
    if name == "set":
        return True
    if parent in _DATA_ELEMENTS:
        return name not in _STRUCTURED_CHILDREN
    if parent == "checkpoint":
        return name in ("prompt", "condition")
    return parent == "merge" and name == "expression"


def normalise_name(name: str) -> str:
    """Attribute and config-key comparison form (§1.7): lower case, no ``-`` or ``_``."""
    return name.lower().replace("-", "").replace("_", "")


class _Fatal(Exception):
    """Stops the scan after a reported error past which the text cannot be read."""


class _Malformed(Exception):
    """A malformed tag: reported, then the scanner skips to the tag's ``>``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@lru_cache(maxsize=64)
def _raw_end(name: str) -> re.Pattern[str]:
    return re.compile(r"<!\[CDATA\[|</" + re.escape(name) + r"[ \t\r\n]*>")


class _Scanner:
    """One scan of one body: the open elements, the element count and the position cursor.
    Errors past which nothing can be read raise ``_Fatal``; the others are reported and the
    scan goes on, so one file shows every problem that does not hide the rest."""

    def __init__(self, text: str, lines: LineIndex, sink: DiagnosticSink) -> None:
        self.text = text
        self.lines = lines
        self.at = Positions(lines)
        self.sink = sink
        self.stack: list[RawElement] = []
        self.root: RawElement | None = None
        self.count = 0

    # -- driver ------------------------------------------------------------------------

    def run(self, start: int) -> ScanResult:
        text, pos = self.text, start
        try:
            while True:
                match = _MARKUP.search(text, pos)
                stop = match.start() if match else len(text)
                if stop > pos and self.stack:
                    self._add_text(self.stack[-1], pos, stop)
                if match is None:
                    self._unclosed()
                    return ScanResult(None, None)
                pos = self._markup(stop)
                if self.root is not None and not self.stack:
                    return ScanResult(self.root, pos)
        except _Fatal:
            return ScanResult(None, None)

    def _markup(self, at: int) -> int:
        kind = self.text[at + 1]
        if kind == "/":
            return self._end_tag(at)
        if kind == "!":
            return self._declaration(at)
        if kind == "?":
            self._error("FS-XML-008", "processing instructions (<? … ?>) are not allowed in "
                        "the body", at)
            end = self.text.find("?>", at + 2)
            if end < 0:
                raise _Fatal
            return end + 2
        return self._start_tag(at)

    def _error(self, code: str, message: str, at: int, hints: tuple[str, ...] = ()) -> None:
        self.sink.error(code, message, *self.at(at), hints=hints)

    def _fatal(self, code: str, message: str, at: int,
               hints: tuple[str, ...] = ()) -> NoReturn:
        self._error(code, message, at, hints)
        raise _Fatal

    def _unclosed(self) -> None:
        if not self.stack:
            return
        inner = self.stack[-1]
        outer = ", ".join(f"<{e.name}> (line {e.span.line})" for e in reversed(self.stack[:-1]))
        message = f"<{inner.name}> opened at line {inner.span.line} is never closed"
        self.sink.error("FS-XML-002", message + (f"; also still open: {outer}" if outer else ""),
                        inner.span.line, inner.span.column, hints=[f"add </{inner.name}>"])

    # -- declarations, comments, CDATA -----------------------------------------------

    def _declaration(self, at: int) -> int:
        text = self.text
        if text.startswith("<!--", at):
            end = text.find("-->", at + 4)
            if end < 0:
                self._fatal("FS-XML-006", "unterminated comment: '<!--' has no '-->'", at)
            return end + 3
        if text.startswith("<![CDATA[", at):
            end = text.find("]]>", at + 9)
            if end < 0:
                self._fatal("FS-XML-006", "unterminated CDATA section: no ']]>'", at)
            if self.stack:
                self._add_text(self.stack[-1], at + 9, end, cdata=True)
            return end + 3
        if text[at + 2:at + 9].upper() == "DOCTYPE":
            self._fatal("FS-SEC-001", "a <!DOCTYPE> declaration is not allowed (no DTDs, no "
                        "entity definitions)", at)
        self._fatal("FS-SEC-002", "a <! declaration (such as <!ENTITY>) is not allowed", at)

    # -- tags --------------------------------------------------------------------------

    def _start_tag(self, at: int) -> int:
        name_match = _NAME.match(self.text, at + 1)
        assert name_match is not None  # _MARKUP only stops at "<" + letter or "_" here
        name = name_match.group()
        self.count += 1
        if self.count > MAX_ELEMENTS:
            self._fatal("FS-SEC-007", f"the body has more than {MAX_ELEMENTS} elements", at)
        if len(self.stack) >= MAX_DEPTH:
            self._fatal("FS-SEC-007", f"elements nest more than {MAX_DEPTH} levels deep", at)
        line, column = self.at(at)  # before the attributes, so positions move forward
        attrs, end, self_closing = self._attributes(name, name_match.end(), at)
        element = RawElement(name, Span(line, column, *self.at(end)), attrs,
                             self_closing=self_closing)
        parent = self.stack[-1] if self.stack else None
        if parent is not None:
            parent.children.append(element)
        else:
            self.root = element
        if self_closing:
            return end
        if is_raw_text(name, parent.name if parent is not None else None):
            element.raw_text = True
            return self._raw_content(element, end)
        self.stack.append(element)
        return end

    def _attributes(self, name: str, pos: int, at: int) -> tuple[list[RawAttr], int, bool]:
        text = self.text
        attrs: list[RawAttr] = []
        seen: dict[str, RawAttr] = {}
        exact = name in _EXACT_ATTRIBUTE_ELEMENTS
        while True:
            part = _TAG_PART.match(text, pos)
            if part is not None and part.group(1):
                return attrs, part.end(), part.group(1) == "/>"
            try:
                attr, pos = (self._attribute(part) if part is not None else
                             self._malformed_attribute(name, pos, at))
            except _Malformed as exc:
                self._error("FS-XML-004", f"malformed <{name}> tag: {exc}", exc.offset)
                return attrs, *self._skip_tag(exc.offset)
            key = attr.name if exact else normalise_name(attr.name)
            first = seen.get(key)
            if first is not None:
                self.sink.error("FS-XML-005", f"attribute {attr.name!r} is given twice on "
                                f"<{name}> (first as {first.name!r} at line {first.span.line})",
                                attr.span.line, attr.span.column)
                continue
            seen[key] = attr
            attrs.append(attr)

    def _attribute(self, part: re.Match[str]) -> tuple[RawAttr, int]:
        """A well-formed attribute, matched in one go (the common case)."""
        group = 3 if part.group(3) is not None else 4
        start, close = part.span(group)
        self._check_size(start, close, "an attribute value")
        raw = part.group(group)
        value, exact = (raw, True) if "&" not in raw and "\r" not in raw else self._decode(
            start, close)
        return RawAttr(part.group(2), value, self.at.span(*part.span(2)),
                       self.at.span(start, close), exact), close + 1

    def _malformed_attribute(self, element: str, pos: int, at: int) -> tuple[RawAttr, int]:
        """Say what is wrong where ``_TAG_PART`` did not match; raises ``_Malformed`` (or
        stops the scan when nothing after it can be read)."""
        text = self.text
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            self._fatal("FS-XML-004", f"the start tag <{element}> is never terminated by '>'",
                        at)
        name_match = _ATTR_NAME.match(text, pos)
        if name_match is None:
            raise _Malformed(f"unexpected {text[pos]!r} where an attribute name belongs", pos)
        name = name_match.group()
        equals = _EQUALS.match(text, name_match.end())
        if equals is None:
            raise _Malformed(f"attribute {name!r} has no value (write {name}=\"…\")", pos)
        quote_at = equals.end()
        quote = text[quote_at:quote_at + 1]
        if quote not in ('"', "'"):
            raise _Malformed(f"the value of {name!r} must be in quotes", quote_at)
        self._fatal("FS-XML-004", f"the value of attribute {name!r} is never closed by "
                    f"{quote}", quote_at)

    def _skip_tag(self, pos: int) -> tuple[int, bool]:
        """Resume after a malformed tag at its ``>`` (the tag stays, with the attributes
        read so far), so one typo gives one diagnostic rather than a cascade."""
        close = self.text.find(">", pos)
        if close < 0:
            raise _Fatal
        return close + 1, self.text[pos:close].rstrip(" \t\r\n").endswith("/")

    def _raw_content(self, element: RawElement, pos: int) -> int:
        """Read a raw-text element's content: text and CDATA parts up to its end tag. The
        parts are located first, so the size limit holds for the whole text before any of
        it is decoded."""
        text, start = self.text, pos
        pattern = _raw_end(element.name)
        parts: list[tuple[int, int, bool]] = []
        while True:
            match = pattern.search(text, pos)
            if match is None:
                self._fatal("FS-XML-002", f"<{element.name}> opened at line "
                            f"{element.span.line} is never closed",
                            self._offset_of(element), (f"add </{element.name}>",))
            if match.start() > pos:
                parts.append((pos, match.start(), False))
            if not match.group().startswith("<!"):
                break
            end = text.find("]]>", match.end())
            if end < 0:
                self._fatal("FS-XML-006", "unterminated CDATA section: no ']]>'", match.start())
            parts.append((match.end(), end, True))
            pos = end + 3
        self._check_size(start, match.start(), "an element text")
        for part_start, part_end, cdata in parts:
            self._add_text(element, part_start, part_end, cdata)
        element.end_span = self.at.span(match.start(), match.end())
        return match.end()

    def _offset_of(self, element: RawElement) -> int:
        return self.lines.line_start(element.span.line) + element.span.column - 1

    def _end_tag(self, at: int) -> int:
        match = _END_TAG.match(self.text, at)
        if match is not None:
            name, end = match.group(1), match.end()
        else:
            self._error("FS-XML-004", "malformed end tag (expected </name>)", at)
            close = self.text.find(">", at)
            if close < 0:
                raise _Fatal
            name_match = _NAME.match(self.text, at + 2)
            if name_match is None or name_match.end() > close:
                return close + 1
            name, end = name_match.group(), close + 1
        self._close(name, at, end)
        return end

    def _close(self, name: str, at: int, end: int) -> None:
        span = self.at.span(at, end)
        if not self.stack:
            self._error("FS-XML-010", f"</{name}> closes nothing: no element is open", at)
            return
        top = self.stack[-1]
        if top.name != name:
            index = next((k for k in range(len(self.stack) - 1, -1, -1)
                          if self.stack[k].name == name), None)
            if index is None:
                # Read as a misspelt end tag of the open element: one diagnostic, not a cascade.
                self._error("FS-XML-003", f"</{name}> does not match <{top.name}> opened at "
                            f"line {top.span.line}", at, (f"write </{top.name}>",))
                index = len(self.stack) - 1
            else:
                self._error("FS-XML-003", f"</{name}> closes <{name}>, but <{top.name}> "
                            f"opened at line {top.span.line} is still open", at,
                            (f"close <{top.name}> first with </{top.name}>",))
            del self.stack[index + 1:]
            top = self.stack[-1]
        self.stack.pop()
        top.end_span = span

    # -- text and references -----------------------------------------------------------

    def _check_size(self, start: int, end: int, what: str) -> None:
        # Up to a quarter of the limit in code points cannot exceed it in bytes: no slicing.
        if end - start > MAX_VALUE_BYTES // 4 and utf8_length_exceeds(
                self.text[start:end], MAX_VALUE_BYTES):
            self._fatal("FS-SEC-007", f"{what} is larger than 1 MiB", start)

    def _decode(self, start: int, end: int) -> tuple[str, bool]:
        return decode_references(self.text, start, end, self._error)

    def _add_text(self, parent: RawElement, start: int, end: int, cdata: bool = False) -> None:
        self._check_size(start, end, "a CDATA section" if cdata else "an element text")
        if cdata:
            value, exact = fold_newlines(self.text[start:end]), True
        else:
            value, exact = self._decode(start, end)
        parent.children.append(RawText(value, self.at.span(start, end), exact, cdata))


__all__ = ["ScanResult", "is_raw_text", "normalise_name", "scan_body"]
