"""Turn expression text into tokens (SPEC §5.2), with 0-based offsets into the source.

Names follow the hyphenated-name rule: a run ``w0-w1-…`` is one name when one of its
prefixes is a declared name (the longest wins), otherwise ``w0`` is the name and the ``-``
is a minus. The lexer can work on a slice of a larger text (a template tag), so offsets
and error columns always refer to the whole source. ``TokenStream`` gives the parser its
vocabulary: ``current``, ``look``, ``next``, ``next_if``, ``expect``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn

from ..errors import ExpressionError
from .values import normalize

#: Reserved words and the token type each spelling produces (SPEC §5.2).
KEYWORDS: dict[str, str] = {
    "true": "true", "false": "false", "null": "null", "undefined": "undefined",
    "and": "and", "AND": "and", "or": "or", "OR": "or", "not": "not", "NOT": "not",
    "in": "in", "IN": "in", "typeof": "typeof", "this": "this",
}
#: The ``@`` names of template blocks.
AT_NAMES = frozenset({"@index", "@first", "@last", "@key"})

_SCANNER = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
  | (?P<dollar>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<at>@[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\?\.\[|\?\.(?![0-9])|\.\.\.|===|!==|=>|\?\?|==|!=|<=|>=|&&|\|\|
              |[()\[\]{},:.?+\-*/%!<>|])
  | (?P<quote>['"])
""", re.VERBOSE)

_HYPHEN_RUN = re.compile(r"(?<![A-Za-z0-9_$@])[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+")

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v",
                   "0": "\0"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``span`` is (start, end) in the source, ``type`` its kind (``name``,
    ``number``, ``string``, ``dollar``, ``at``, a keyword, a punctuator, ``eof``) and
    ``value`` the name, the decoded literal or the text as written."""

    span: tuple[int, int]
    type: str
    value: Any

    @property
    def offset(self) -> int:
        return self.span[0]


def describe_token(token: Token) -> str:
    """How an error message names a token: ``name 'x'``, ``'+'``, ``end of expression``."""
    if token.type == "eof":
        return "end of expression"
    if token.type == "name":
        return f"name '{token.value}'"
    if token.type == "string":
        return "a string"
    if token.type == "number":
        return f"number {token.value}"
    if token.type in ("dollar", "at"):
        return f"'{token.value}'"
    return f"'{token.value}'"


def syntax_error(message: str, source: str, offset: int,
                 hints: list[str] | None = None) -> ExpressionError:
    return ExpressionError(message, kind="syntax", source=source, column=offset + 1,
                           hints=hints)


@lru_cache(maxsize=8192)
def hyphen_prefixes(source: str) -> frozenset[str]:
    """Every hyphenated name that could change how ``source`` lexes (a superset). The
    compile caches key on the declared names among these, not on all declared names."""
    found: set[str] = set()
    for run in _HYPHEN_RUN.findall(source):
        words = run.split("-")
        found.update("-".join(words[:k + 1]) for k in range(1, len(words)))
    return frozenset(found)


def tokenize(source: str, declared: Collection[str] = (), start: int = 0,
             end: int | None = None) -> list[Token]:
    """The tokens of ``source[start:end]``, ending with an ``eof`` token."""
    stop = len(source) if end is None else end
    tokens: list[Token] = []
    pos = start
    while pos < stop:
        match = _SCANNER.match(source, pos, stop)
        if match is None:
            _unexpected_character(source, pos)
        kind = match.lastgroup
        text = match.group()
        if kind == "space":
            pos = match.end()
            continue
        if kind == "quote":
            value, pos_after = read_string(source, pos, stop)
            tokens.append(Token((pos, pos_after), "string", value))
            pos = pos_after
            continue
        if kind == "name":
            text = _hyphenated(text, declared)
            tokens.append(Token((pos, pos + len(text)), KEYWORDS.get(text, "name"), text))
            pos += len(text)
            continue
        tokens.append(_simple_token(kind, text, source, pos))
        pos = match.end()
    tokens.append(Token((stop, stop), "eof", ""))
    return tokens


def _simple_token(kind: str | None, text: str, source: str, pos: int) -> Token:
    span = (pos, pos + len(text))
    if kind == "number":
        return Token(span, "number", read_number(text, source, pos))
    if kind == "at":
        if text not in AT_NAMES:
            raise syntax_error(f"unknown name '{text}'", source, pos,
                               ["@index, @first, @last and @key exist inside {{#each}}"])
        return Token(span, "at", text)
    if kind == "dollar":
        return Token(span, "dollar", text)
    return Token(span, text, text)


def _hyphenated(run: str, declared: Collection[str]) -> str:
    """The longest declared prefix ``w0-…-wk`` (k ≥ 1) of ``run``, else ``w0``."""
    if "-" not in run:
        return run
    words = run.split("-")
    if declared:
        for k in range(len(words), 1, -1):
            candidate = "-".join(words[:k])
            if candidate in declared:
                return candidate
    return words[0]


def _unexpected_character(source: str, pos: int) -> NoReturn:
    char = source[pos]
    hints: list[str] = []
    if char == "=":
        hints.append("use == or === to compare; expressions cannot assign")
    elif char == "&":
        hints.append("use && (or and) for a logical and")
    elif char == "`":
        hints.append("template literals are not supported; use + or a template")
    raise syntax_error(f"unexpected character {char!r}", source, pos, hints)


def read_number(text: str, source: str, pos: int) -> int | float:
    """The value of a number literal: integers exact, other values as doubles (§5.1)."""
    if text.isdigit():
        return int(text)
    try:
        return normalize(float(text))
    except ExpressionError:
        raise syntax_error(f"number {text} is out of range", source, pos) from None


def read_string(source: str, pos: int, stop: int) -> tuple[str, int]:
    """Decode the string literal whose quote is at ``pos``; returns (value, end offset)."""
    quote = source[pos]
    out: list[str] = []
    i = pos + 1
    while i < stop:
        char = source[i]
        if char == quote:
            return "".join(out), i + 1
        if char != "\\":
            chunk_end = _chunk_end(source, i, stop, quote)
            out.append(source[i:chunk_end])
            i = chunk_end
            continue
        if i + 1 >= stop:
            break
        decoded, i = _escape(source, i, stop)
        out.append(decoded)
    raise syntax_error("unterminated string", source, pos)


def _chunk_end(source: str, i: int, stop: int, quote: str) -> int:
    """End of the run of plain characters starting at ``i``."""
    backslash = source.find("\\", i, stop)
    closing = source.find(quote, i, stop)
    ends = [e for e in (backslash, closing) if e != -1]
    return min(ends) if ends else stop


def _escape(source: str, i: int, stop: int) -> tuple[str, int]:
    """Decode the escape whose backslash is at ``i``; returns (text, next offset)."""
    char = source[i + 1]
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], i + 2
    if char == "x":
        return chr(_hex(source, i, i + 2, i + 4, stop)), i + 4
    if char != "u":
        return char, i + 2
    if source.startswith("{", i + 2):
        close = source.find("}", i + 3, stop)
        if close == -1 or close - (i + 3) > 6:
            raise syntax_error("invalid \\u{…} escape", source, i)
        code, after = _hex(source, i, i + 3, close, stop), close + 1
    else:
        code, after = _hex(source, i, i + 2, i + 6, stop), i + 6
    if 0xD800 <= code <= 0xDBFF and source.startswith("\\u", after):
        low = _hex(source, after, after + 2, after + 6, stop)
        if 0xDC00 <= low <= 0xDFFF:
            return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), after + 6
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise syntax_error("escape does not name a Unicode character", source, i)
    return chr(code), after


def _hex(source: str, escape_at: int, start: int, end: int, stop: int) -> int:
    digits = source[start:end]
    if end > stop or not digits or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise syntax_error("invalid escape: expected hexadecimal digits", source, escape_at)
    return int(digits, 16)


class TokenStream:
    """The parser's view of the tokens: one current token, look-ahead, and ``expect``."""

    __slots__ = ("_pos", "source", "tokens")

    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self._pos = 0

    @property
    def current(self) -> Token:
        return self.tokens[self._pos]

    def look(self, ahead: int = 1) -> Token:
        """The token ``ahead`` places after the current one (``eof`` past the end)."""
        return self.tokens[min(self._pos + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        """Consume and return the current token."""
        token = self.tokens[self._pos]
        if token.type != "eof":
            self._pos += 1
        return token

    def next_if(self, type_: str) -> Token | None:
        """Consume the current token when it has type ``type_``."""
        if self.tokens[self._pos].type == type_:
            return self.next()
        return None

    def expect(self, type_: str, what: str | None = None) -> Token:
        """Consume a token of type ``type_`` or fail naming what was expected."""
        token = self.tokens[self._pos]
        if token.type != type_:
            self.fail(f"expected {what or repr(type_)}, got {describe_token(token)}", token)
        return self.next()

    def fail(self, message: str, token: Token | None = None,
             hints: list[str] | None = None) -> NoReturn:
        raise syntax_error(message, self.source, (token or self.current).offset, hints)
