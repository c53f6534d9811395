"""Character-level helpers of the body scanner: references, line breaks, positions.

Kept apart from the tokenizer in ``xml.py`` so that module reads as the grammar of §1.4.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..ast import Span

if TYPE_CHECKING:
    from ..document import LineIndex

#: A well-formed reference (§1.4 item 3); any other ``&`` is literal text.
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|([A-Za-z][A-Za-z0-9._-]*));")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}

#: ``report(code, message, offset, hints)``
Report = Callable[[str, str, int, tuple[str, ...]], None]


def fold_newlines(text: str) -> str:
    """Every line break as ``\\n``, as XML reads them."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_references(text: str, start: int, end: int, report: Report) -> tuple[str, bool]:
    """Decode the references in ``text[start:end]``; ``exact`` when none was decoded. A bad
    reference is reported (FS-SEC-003, FS-XML-007) and kept as written."""
    raw = text[start:end]
    if "&" not in raw:
        return fold_newlines(raw), True
    parts: list[str] = []
    last, exact = 0, True
    for match in _REFERENCE.finditer(raw):
        parts.append(fold_newlines(raw[last:match.start()]))
        decoded = _reference(match, start + match.start(), report)
        parts.append(match.group() if decoded is None else decoded)
        exact = exact and decoded is None
        last = match.end()
    parts.append(fold_newlines(raw[last:]))
    return "".join(parts), exact


def _reference(match: re.Match[str], at: int, report: Report) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name in _PREDEFINED:
            return _PREDEFINED[name]
        report("FS-SEC-003", f"&{name}; is not defined: only &lt; &gt; &amp; &quot; &apos; "
               "and character references are", at,
               ("write the character itself, or a character reference such as &#160;",))
        return None
    digits = (decimal or hexadecimal).lstrip("0") or "0"
    code = int(digits, 10 if decimal else 16) if len(digits) <= 8 else -1
    if code <= 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        report("FS-XML-007", f"{match.group()} is not a valid character", at, ())
        return None
    return chr(code)


class Positions:
    """Offset → (line, column) for offsets that mostly move forward, as a scanner's do:
    a short step forward walks the line table, anything else bisects it."""

    def __init__(self, lines: LineIndex) -> None:
        self.starts = lines.starts
        self.last = len(self.starts) - 1
        self.line = 0

    def __call__(self, offset: int) -> tuple[int, int]:
        starts, line, last = self.starts, self.line, self.last
        if starts[line] <= offset and (line == last or offset < starts[line + 1]):
            return line + 1, offset - starts[line] + 1
        for _ in range(8):
            if line < last and starts[line + 1] <= offset:
                line += 1
            else:
                break
        if offset < starts[line] or (line < last and starts[line + 1] <= offset):
            line = bisect_right(starts, offset) - 1
        self.line = line
        return line + 1, offset - starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self(start)
        end_line, end_column = self(end)
        return Span(line, column, end_line, end_column)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the tree grows. The tree holds no cycles
    (children never point back), so reference counting frees all of it; left running, the
    collector re-traverses the ever larger tree and doubles the scan time, super-linearly."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["Positions", "collector_paused", "decode_references", "fold_newlines"]
