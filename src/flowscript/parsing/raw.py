"""The raw element tree the tolerant scanner produces (SPEC §1.4), before any meaning.

Names are as written; values are decoded (references and CDATA resolved) and carry the
position of their first character. ``exact`` says the decoded text still maps character
for character onto the file (no reference was decoded inside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ast import Span


@dataclass(slots=True)
class RawAttr:
    name: str
    value: str
    span: Span          # the attribute name
    value_span: Span    # the first character inside the quotes
    exact: bool = True


@dataclass(slots=True)
class RawText:
    value: str
    span: Span          # the first character of the text (or of the CDATA content)
    exact: bool = True
    cdata: bool = False


@dataclass(slots=True)
class RawElement:
    name: str
    span: Span          # from "<" to the closing ">" of the start tag
    attrs: list[RawAttr] = field(default_factory=list)
    children: list[RawElement | RawText] = field(default_factory=list)
    self_closing: bool = False
    #: content was scanned as raw text (SPEC §1.4 item 4): children are RawText only
    raw_text: bool = False
    end_span: Span | None = None
