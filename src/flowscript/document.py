"""Read a ``.flow.md`` file and split it into frontmatter, preamble, body and footer (SPEC §1).

The split is positional: the frontmatter is found by its delimiter lines, the body start by
a comment-aware search of the preamble, and the body end by the XML scanner of
``parse/xml.py`` — never by a text search, so a ``</workflow>`` inside a comment, CDATA or
attribute cannot cut the body short. Every offset in a ``Document`` indexes ``text`` (the
decoded file without its byte-order mark); ``lines`` turns one into a line and column.
"""

from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_right
from dataclasses import dataclass

from .ast import Span
from .diagnostics import DiagnosticSink
from .parsing.limits import MAX_FILE_BYTES
from .parsing.raw import RawElement
from .parsing.xml import scan_body

_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DELIMITER = re.compile(r"---[ \t]*(?=\r|\n|\Z)")
_CLOSING = re.compile(r"(?:\r\n|\r|\n)(---[ \t]*)(?=\r|\n|\Z)")
_PREAMBLE_MARKUP = re.compile(r"<(?:!--|workflow(?=[ \t\r\n>]|/>)|![A-Za-z]|[A-Za-z])")


class LineIndex:
    """Line-start offsets of a text: offset → (line, column) in O(log n) (SPEC §1.2).

    LF, CRLF and a lone CR each end one line; columns count code points, a tab counts 1.
    """

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    @property
    def line_count(self) -> int:
        return len(self._starts)

    @property
    def starts(self) -> list[int]:
        """Offset of each line's first character (read-only by convention)."""
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of the character at ``offset``."""
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """The span from ``start`` to ``end`` (exclusive)."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line``."""
        return self._starts[line - 1]


@dataclass(frozen=True, slots=True)
class Document:
    """A workflow file split into its sections (SPEC §1.3).

    ``root`` is the scanned ``<workflow>`` element when the body was found and closed (it may
    still carry recoverable XML diagnostics in the sink); ``None`` otherwise.
    """

    path: str | None
    #: The decoded file without its byte-order mark.
    text: str
    #: The file's bytes as read, byte-order mark included.
    data: bytes
    lines: LineIndex
    bom: bool
    #: The YAML between the delimiter lines, or ``None`` when they are missing.
    frontmatter: str | None
    #: Offset in ``text`` of the first character of ``frontmatter``.
    frontmatter_offset: int
    #: File line of the first line of ``frontmatter`` (2).
    frontmatter_line: int
    body_start: int | None
    #: Offset just after the body's last character (``>`` of ``</workflow>``).
    body_end: int | None
    #: Offset where the footer starts: ``body_end``, or the end of the text without a body.
    footer_offset: int
    root: RawElement | None
    #: ``sha256:<hex>`` of the bytes from the file start through the body, or ``None``.
    hash: str | None

    def byte_offset(self, offset: int) -> int:
        """Offset in ``data`` of the character at ``offset`` of ``text`` (for rewriting the
        footer while keeping every other byte as it was)."""
        return len(_BOM) * self.bom + len(self.text[:offset].encode("utf-8"))

    @property
    def footer(self) -> str:
        return self.text[self.footer_offset:]


def read_document(path: str | os.PathLike[str], sink: DiagnosticSink) -> Document | None:
    """Read and split the file at ``path``; ``None`` (with FS-FILE-*) when it cannot be."""
    name = os.fspath(path)
    try:
        if os.path.isdir(name):
            raise IsADirectoryError(name)
        if os.path.getsize(name) > MAX_FILE_BYTES:
            sink.error("FS-FILE-004", f"{name}: the file is larger than 10 MiB")
            return None
        with open(name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        sink.error("FS-FILE-001", f"{name}: no such file")
        return None
    except IsADirectoryError:
        sink.error("FS-FILE-001", f"{name}: is a directory, not a workflow file")
        return None
    except OSError as exc:
        sink.error("FS-FILE-001", f"{name}: cannot be read ({exc.strerror or exc})")
        return None
    return split_document(data, sink, path=name)


def split_text(text: str, sink: DiagnosticSink, path: str | None = None) -> Document | None:
    """Split workflow source given as a string (the API's ``parse(text)``)."""
    return split_document(text.encode("utf-8", "surrogatepass"), sink, path=path)


def split_document(data: bytes, sink: DiagnosticSink, path: str | None = None
                   ) -> Document | None:
    """Decode ``data`` and split it into sections; ``None`` when the file-level checks of
    §1.1 fail. Section problems are reported to ``sink`` and leave the parts found so far."""
    if len(data) > MAX_FILE_BYTES:
        sink.error("FS-FILE-004", "the file is larger than 10 MiB")
        return None
    bom = data.startswith(_BOM)
    text = _decode(data[len(_BOM) * bom:], sink)
    if text is None:
        return None
    if not text.strip():
        sink.error("FS-FILE-003", "the file is empty" if not text else
                   "the file holds only whitespace", hints=["a workflow starts with '---'"])
        return None
    lines = LineIndex(text)
    front, front_offset, preamble_start = _split_frontmatter(text, lines, sink)
    body_start = _find_body(text, preamble_start, lines, sink, front is not None)
    root, body_end = None, None
    if body_start is not None:
        scan = scan_body(text, body_start, lines, sink)
        root, body_end = scan.root, scan.end
    digest = None
    if body_end is not None:
        end_byte = len(_BOM) * bom + len(text[:body_end].encode("utf-8"))
        digest = "sha256:" + hashlib.sha256(data[:end_byte]).hexdigest()
    return Document(path=path, text=text, data=data, lines=lines, bom=bom, frontmatter=front,
                    frontmatter_offset=front_offset, frontmatter_line=2,
                    body_start=body_start, body_end=body_end,
                    footer_offset=len(text) if body_end is None else body_end,
                    root=root, hash=digest)


def _decode(data: bytes, sink: DiagnosticSink) -> str | None:
    """The UTF-8 text of ``data``, or ``None`` after FS-FILE-002 at the first bad byte."""
    bad = data.find(b"\x00")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start if bad < 0 else min(bad, exc.start)
        reason = "is not valid UTF-8"
    else:
        if bad < 0:
            return text
        reason = "contains a NUL character"
    prefix = data[:bad].decode("utf-8")
    line, column = LineIndex(prefix).position(len(prefix))
    if data[bad:bad + 1] == b"\x00":
        reason = "contains a NUL character"
    sink.error("FS-FILE-002", f"the file {reason} (byte {bad + 1})", line, column,
               hints=["save the file as UTF-8"])
    return None


def _split_frontmatter(text: str, lines: LineIndex, sink: DiagnosticSink
                       ) -> tuple[str | None, int, int]:
    """(YAML source or None, its offset, offset where the preamble starts)."""
    if not _DELIMITER.match(text):
        sink.error("FS-YAML-001", "the file must start with a '---' line opening the "
                   "frontmatter", 1, 1, hints=["add '---', name, version and '---' on top"])
        return None, 0, 0
    first_end = lines.line_start(2) if lines.line_count > 1 else len(text)
    # Searching from line 1's own line break lets an empty frontmatter ("---" on line 2)
    # match too; the match cannot start earlier, so it is never line 1 itself.
    closing = _CLOSING.search(text, first_end - 1) if lines.line_count > 1 else None
    if closing is None:
        sink.error("FS-YAML-002", "the frontmatter opened on line 1 is never closed by a "
                   "'---' line", 1, 1)
        return None, first_end, first_end
    source = text[first_end:closing.start(1)]
    after = _LINE_BREAK.match(text, closing.end(1))
    return source, first_end, after.end() if after else closing.end(1)


def _find_body(text: str, start: int, lines: LineIndex, sink: DiagnosticSink,
               has_frontmatter: bool) -> int | None:
    """Offset of the body's ``<workflow``; reports preamble markup (§1.3 items 3–4)."""
    pos = start
    while (match := _PREAMBLE_MARKUP.search(text, pos)) is not None:
        at = match.start()
        token = match.group()
        if token.startswith("<workflow"):
            return at
        if token == "<!--":
            end = text.find("-->", at + 4)
            if end < 0:
                sink.error("FS-XML-006", "unterminated comment: '<!--' has no '-->'",
                           *lines.position(at))
                return None
            pos = end + 3
        elif token.startswith("<!"):
            _declaration(text, at, lines, sink)
            return None
        else:
            sink.warning("FS-XML-009", "element-like text before <workflow> is ignored",
                         *lines.position(at), hints=["move it into the body or remove it"])
            pos = at + 1
    at = lines.line_start(lines.position(start - 1)[0]) if has_frontmatter and start else 0
    sink.error("FS-XML-001", "no <workflow> element after the frontmatter",
               *lines.position(at), hints=["add the body: <workflow> … </workflow>"])
    return None


def _declaration(text: str, at: int, lines: LineIndex, sink: DiagnosticSink) -> None:
    """Report a ``<!`` declaration in the preamble; nothing after it is read (§12.1)."""
    if text[at + 2:at + 9].upper() == "DOCTYPE":
        sink.error("FS-SEC-001", "a <!DOCTYPE> declaration is not allowed (no DTDs, no "
                   "entity definitions)", *lines.position(at))
    else:
        sink.error("FS-SEC-002", "a <! declaration (such as <!ENTITY>) is not allowed",
                   *lines.position(at))


__all__ = ["Document", "LineIndex", "read_document", "split_document", "split_text"]
