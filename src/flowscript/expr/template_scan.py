"""Split template text into literal text and tags (SPEC §5.10), and drop standalone lines.

A tag starts at ``{{`` and ends at the first ``}}`` outside string literals at brace depth
0, so ``{{ {a: 1} }}`` holds an object literal and ``{"a": {{x}}}`` ends with a literal
``}``. ``\\{{`` is a literal ``{{``. Comments (``{{! … }}``, ``{{!-- … --}}``) become tags
too, so the standalone-line rule treats them like block tags; the compiler drops them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ExpressionError
from .values import MAX_PARSE_DEPTH

_BLOCK_OPEN = re.compile(r"#\s*([A-Za-z_]+)\s*")
_ELSE = re.compile(r"else(?:\s+if\b\s*|\s*$)")
_CLOSE = re.compile(r"/\s*([A-Za-z_]+)\s*$")
BLOCK_HELPERS = ("each", "if", "unless")


@dataclass(slots=True)
class Tag:
    """One ``{{ … }}``: ``kind`` is ``expr``, ``open``, ``else``, ``close`` or ``comment``.
    ``start``/``end`` delimit the expression inside (if any); ``offset`` is the ``{{``."""

    kind: str
    offset: int
    start: int = 0
    end: int = 0
    helper: str = ""

    @property
    def has_expression(self) -> bool:
        return self.end > self.start


Segment = str | Tag


def syntax(message: str, source: str, offset: int) -> ExpressionError:
    return ExpressionError(message, kind="syntax", source=source, column=offset + 1)


def scan(source: str) -> list[Segment]:
    """The template as alternating literal strings and tags, standalone lines removed."""
    segments: list[Segment] = []
    text: list[str] = []
    pos = 0
    while True:
        opening = source.find("{{", pos)
        if opening == -1:
            text.append(source[pos:])
            break
        if opening > 0 and source[opening - 1] == "\\":
            text.append(source[pos:opening - 1] + "{{")
            pos = opening + 2
            continue
        text.append(source[pos:opening])
        if any(text):
            segments.append("".join(text))
        text = []
        tag, pos = _read_tag(source, opening)
        segments.append(tag)
    if any(text):
        segments.append("".join(text))
    return _drop_standalone(segments)


def _read_tag(source: str, opening: int) -> tuple[Tag, int]:
    inner = opening + 2
    if source.startswith("!--", inner):
        close = source.find("--}}", inner + 3)
        if close == -1:
            raise syntax("unterminated comment: '{{!--' needs '--}}'", source, opening)
        return Tag("comment", opening), close + 4
    if source.startswith("!", inner):
        close = source.find("}}", inner)
        if close == -1:
            raise syntax("unterminated comment: '{{!' needs '}}'", source, opening)
        return Tag("comment", opening), close + 2
    close = find_tag_end(source, inner)
    if close == -1:
        raise syntax("unterminated tag: '{{' needs a closing '}}'", source, opening)
    return classify(source, opening, inner, close), close + 2


def find_tag_end(source: str, pos: int) -> int:
    """Index of the ``}}`` closing the tag whose content starts at ``pos``, or -1."""
    depth = 0
    length = len(source)
    while pos < length:
        char = source[pos]
        if char in "'\"":
            pos = _skip_string(source, pos)
            if pos == -1:
                return -1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and source.startswith("}", pos + 1):
                return pos
            depth = max(0, depth - 1)
        pos += 1
    return -1


def _skip_string(source: str, pos: int) -> int:
    quote = source[pos]
    pos += 1
    while pos < len(source):
        char = source[pos]
        if char == "\\":
            pos += 2
            continue
        if char == quote:
            return pos + 1
        pos += 1
    return -1


def classify(source: str, opening: int, inner: int, close: int) -> Tag:
    """What the tag between ``inner`` and ``close`` is."""
    content = source[inner:close]
    lead = len(content) - len(content.lstrip())
    body = content.strip()
    start = inner + lead
    if not body:
        raise syntax("empty tag '{{ }}': write an expression inside", source, opening)
    if body[0] == "#":
        match = _BLOCK_OPEN.match(body)
        helper = match.group(1) if match else ""
        if helper not in BLOCK_HELPERS:
            raise syntax(f"unknown block '#{helper}': use #each, #if or #unless",
                         source, opening)
        if match is None or match.end() == len(body):
            raise syntax(f"'{{{{#{helper}}}}}' needs an expression", source, opening)
        return Tag("open", opening, start + match.end(), start + len(body), helper)
    if body[0] == "/":
        match = _CLOSE.match(body)
        if match is None:
            raise syntax("malformed closing tag: write {{/each}}, {{/if}} or {{/unless}}",
                         source, opening)
        return Tag("close", opening, helper=match.group(1))
    match = _ELSE.match(body)
    if match is not None:
        if match.end() == len(body) and body != "else":
            raise syntax("'{{else if}}' needs an expression", source, opening)
        expr_start = start + match.end() if body != "else" else start
        return Tag("else", opening, expr_start, start + len(body) if body != "else"
                   else start)
    return Tag("expr", opening, start, start + len(body))


def check_blocks(segments: list[Segment], source: str) -> None:
    """Raise the first block-structure error (SPEC §5.10, FS-EXPR-002): an ``else``
    outside a block or after the block's ``else``, ``else if`` inside ``#each``, a closing
    tag that closes nothing or the wrong block, a block never closed, blocks nested more
    than MAX_PARSE_DEPTH deep."""
    stack: list[list[Any]] = []  # [open tag, seen a plain else]
    for tag in segments:
        if isinstance(tag, str) or tag.kind in ("expr", "comment"):
            continue
        if tag.kind == "open":
            if len(stack) >= MAX_PARSE_DEPTH:
                raise syntax("blocks nested too deeply", source, tag.offset)
            stack.append([tag, False])
        elif tag.kind == "else":
            _check_else(tag, stack, source)
        else:
            if not stack:
                raise syntax(f"'{{{{/{tag.helper}}}}}' closes no block", source, tag.offset)
            opened = stack.pop()[0]
            if opened.helper != tag.helper:
                raise syntax(f"'{{{{/{tag.helper}}}}}' does not match '{{{{#{opened.helper}"
                             f"}}}}' opened before it; the innermost open block is "
                             f"'{opened.helper}'", source, tag.offset)
    if stack:
        helper = stack[-1][0].helper
        raise syntax(f"'{{{{#{helper}}}}}' is never closed: add '{{{{/{helper}}}}}'", source,
                     stack[-1][0].offset)


def _check_else(tag: Tag, stack: list[list[Any]], source: str) -> None:
    if not stack or stack[-1][1]:
        raise syntax("'{{else}}' outside a block (or after the block's '{{else}}')", source,
                     tag.offset)
    if not tag.has_expression:
        stack[-1][1] = True
    elif stack[-1][0].helper == "each":
        raise syntax("'{{else if}}' cannot be used in '{{#each}}'", source, tag.offset)


def _drop_standalone(segments: list[Segment]) -> list[Segment]:
    """Remove each line holding only whitespace and one block, else or comment tag,
    together with its line break."""
    cut_start = [0] * len(segments)
    cut_end = [0] * len(segments)
    for i, segment in enumerate(segments):
        if not isinstance(segment, Tag) or segment.kind == "expr":
            continue
        before = _blank_tail(segments, i - 1)
        after = _blank_head(segments, i + 1)
        if before is None or after is None:
            continue
        if i > 0:
            cut_end[i - 1] = before
        if i + 1 < len(segments):
            cut_start[i + 1] = after
    out: list[Segment] = []
    for i, segment in enumerate(segments):
        if isinstance(segment, str):
            segment = segment[cut_start[i]:len(segment) - cut_end[i]]
            if not segment:
                continue
        out.append(segment)
    return out


def _blank_tail(segments: list[Segment], i: int) -> int | None:
    """Length of the blank end of the line before a tag, or None if not blank."""
    if i < 0:
        return 0
    text = segments[i]
    if not isinstance(text, str):
        return None
    newline = text.rfind("\n")
    tail = text[newline + 1:]
    if tail.strip(" \t") or (newline == -1 and i > 0):
        return None
    return len(tail)


def _blank_head(segments: list[Segment], i: int) -> int | None:
    """Length of the blank rest of the line after a tag, line break included."""
    if i >= len(segments):
        return 0
    text = segments[i]
    if not isinstance(text, str):
        return None
    newline = text.find("\n")
    head = text if newline == -1 else text[:newline]
    if head.rstrip("\r").strip(" \t") or (newline == -1 and i < len(segments) - 1):
        return None
    return len(head) if newline == -1 else newline + 1
