"""``<match pattern>`` patterns (SPEC §5.11): parse once into matcher closures.

A matcher is ``match(value, variables) -> bool``. Objects match field by field (dotted
paths, absent → null), arrays element by element with ``*`` for any run, comparisons use
the operators of §5.5, regex literals search strings within the §5.8 limits, and
``AND``/``OR``/``NOT`` combine with short-circuit. ``$config.x`` operands are read from the
variables at match time. Field values and array items accept a whole pattern (a superset
of the grammar, which allows only a term there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from ..errors import ExpressionError
from . import runtime
from .context import bounded, check_subject, compile_regex
from .lexer import read_number, read_string
from .values import REGEX_TIMEOUT, compare, loose_equals, type_name

Matcher = Callable[[Any, Mapping[str, Any] | None], bool]
Operand = Callable[[Mapping[str, Any] | None], Any]

_SCANNER = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
  | (?P<dollar>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>>=|<=|==|!=|&&|\|\||[{}\[\](),:.*<>!])
  | (?P<quote>['"])
  | (?P<regex>/)
""", re.VERBOSE)
_WORDS = {"AND": "and", "and": "and", "OR": "or", "or": "or", "NOT": "not", "not": "not",
          "typeof": "typeof", "true": "true", "false": "false", "null": "null", "_": "_"}
_SYMBOLS = {"&&": "and", "||": "or", "!": "not"}
_CONSTANTS = {"true": True, "false": False, "null": None}
_COMPARISONS = (">", ">=", "<", "<=", "==", "!=")
#: Deepest pattern nesting. Lower than the expression limit: real patterns nest a few
#: levels, and each level costs several Python frames to parse and to match.
MAX_PATTERN_DEPTH = 100
#: Tokens that may name an object field: names, quoted strings and the pattern words.
_FIELD_TOKENS = frozenset({"name", "string", "_", *_WORDS.values()})

Token = tuple[str, Any, int]  # (type, value, offset)


def tokenize(source: str) -> list[Token]:
    """The tokens of a pattern; ``/…/flags`` is a regex literal wherever it appears, as
    patterns have no division."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _SCANNER.match(source, pos)
        if match is None:
            raise _syntax(f"unexpected character {source[pos]!r} in pattern", source, pos)
        kind, text = match.lastgroup, match.group()
        if kind == "quote":
            value, end = read_string(source, pos, len(source))
            tokens.append(("string", value, pos))
            pos = end
            continue
        if kind == "regex":
            body, flags, end = _read_regex(source, pos)
            tokens.append(("regex", (body, flags), pos))
            pos = end
            continue
        if kind == "number":
            tokens.append(("number", read_number(text.lstrip("-"), source, pos)
                           * (-1 if text.startswith("-") else 1), pos))
        elif kind == "name":
            tokens.append((_WORDS.get(text, "name"), text, pos))
        elif kind in ("punct", "dollar"):
            tokens.append((_SYMBOLS.get(text, text) if kind == "punct" else "dollar", text,
                           pos))
        pos = match.end()
    tokens.append(("eof", "", len(source)))
    return tokens


def _read_regex(source: str, start: int) -> tuple[str, str, int]:
    """The body and flags of the regex literal starting at ``start`` (a ``/``)."""
    pos, in_class = start + 1, False
    while pos < len(source):
        char = source[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            flags = re.match(r"[A-Za-z]*", source[pos + 1:])
            letters = flags.group() if flags else ""
            if any(flag not in "ims" for flag in letters) or len(set(letters)) != len(letters):
                raise _syntax(f"invalid regular expression flags {letters!r} (use i, m, s)",
                              source, pos + 1)
            return source[start + 1:pos], letters, pos + 1 + len(letters)
        pos += 1
    raise _syntax("unterminated regular expression: add the closing '/'", source, start)


def _syntax(message: str, source: str, offset: int) -> ExpressionError:
    return ExpressionError(message, kind="syntax", source=source, column=offset + 1)


class PatternParser:
    """Recursive descent over the pattern grammar, bounded to MAX_PATTERN_DEPTH levels."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0
        self.depth = 0

    def parse(self) -> Matcher:
        if self._peek()[0] == "eof":
            self._fail("empty pattern: write a pattern such as { type: 'a' } or _")
        try:
            matcher = self.pattern()
        except RecursionError:
            self._fail("pattern nested too deeply", 0)
        if self._peek()[0] != "eof":
            self._fail(f"unexpected {self._describe(self._peek())} after a complete pattern")
        return matcher

    # -- token helpers -------------------------------------------------------------------

    def _peek(self) -> Token:
        return self.tokens[self.pos]

    def _next(self) -> Token:
        token = self.tokens[self.pos]
        if token[0] != "eof":
            self.pos += 1
        return token

    def _accept(self, kind: str) -> Token | None:
        return self._next() if self._peek()[0] == kind else None

    def _expect(self, kind: str, what: str) -> Token:
        if self._peek()[0] != kind:
            self._fail(f"expected {what}, got {self._describe(self._peek())}")
        return self._next()

    def _describe(self, token: Token) -> str:
        return "end of pattern" if token[0] == "eof" else repr(str(token[1]))

    def _fail(self, message: str, offset: int | None = None) -> NoReturn:
        raise _syntax(message, self.source, self._peek()[2] if offset is None else offset)

    # -- grammar -------------------------------------------------------------------------

    def pattern(self) -> Matcher:
        self.depth += 1
        if self.depth > MAX_PATTERN_DEPTH:
            self._fail(f"pattern nested more than {MAX_PATTERN_DEPTH} levels deep")
        options = [self._alternative()]
        while self._accept("or"):
            options.append(self._alternative())
        self.depth -= 1
        if len(options) == 1:
            return options[0]
        return lambda value, names: any(option(value, names) for option in options)

    def _alternative(self) -> Matcher:
        parts = [self._negation()]
        while self._accept("and"):
            parts.append(self._negation())
        if len(parts) == 1:
            return parts[0]
        return lambda value, names: all(part(value, names) for part in parts)

    def _negation(self) -> Matcher:
        if self._accept("not"):
            self.depth += 1
            if self.depth > MAX_PATTERN_DEPTH:
                self._fail(f"pattern nested more than {MAX_PATTERN_DEPTH} levels deep")
            inner = self._negation()
            self.depth -= 1
            return lambda value, names: not inner(value, names)
        return self._term()

    def _term(self) -> Matcher:
        kind, value, offset = self._peek()
        if kind == "(":
            self._next()
            inner = self.pattern()
            self._expect(")", "')'")
            return inner
        if kind == "{":
            return self._object()
        if kind == "[":
            return self._array()
        if kind in _COMPARISONS:
            self._next()
            return _comparison(kind, self._operand())
        if kind == "regex":
            self._next()
            return self._regex(value, offset)
        if kind == "typeof":
            self._next()
            name = self._expect("string", "a type name in quotes, as typeof 'string'")[1]
            return lambda subject, names: type_name(subject) == name
        if kind == "_":
            self._next()
            return lambda subject, names: True
        operand = self._operand()
        return lambda subject, names: loose_equals(subject, operand(names))

    def _operand(self) -> Operand:
        kind, value, _ = self._next()
        if kind in ("string", "number"):
            return lambda names: value
        if kind in _CONSTANTS:
            constant = _CONSTANTS[kind]
            return lambda names: constant
        if kind == "dollar":
            keys: list[str] = []
            while self._accept("."):
                keys.append(self._expect("name", "a name after '.'")[1])
            return _dollar_path(value, tuple(keys))
        self.pos -= 1
        hint = " (put text in quotes)" if kind == "name" else ""
        self._fail(f"expected a pattern, got {self._describe(self._peek())}{hint}")

    def _object(self) -> Matcher:
        self._next()
        fields: list[tuple[tuple[str, ...], Matcher]] = []
        while self._peek()[0] != "}":
            path = [self._field_name()]
            while self._accept("."):
                path.append(self._field_name())
            self._expect(":", "':' after the field name")
            fields.append((tuple(path), self.pattern()))
            if not self._accept(","):
                break
        self._expect("}", "',' or '}'")

        def match_object(value: Any, names: Mapping[str, Any] | None) -> bool:
            if not isinstance(value, Mapping):
                return False
            return all(matcher(_at(value, path), names) for path, matcher in fields)
        return match_object

    def _field_name(self) -> str:
        if self._peek()[0] in _FIELD_TOKENS:
            return str(self._next()[1])
        self._fail(f"expected a field name, got {self._describe(self._peek())}")

    def _array(self) -> Matcher:
        self._next()
        items: list[Matcher | None] = []
        while self._peek()[0] != "]":
            items.append(None if self._accept("*") else self.pattern())
            if not self._accept(","):
                break
        self._expect("]", "',' or ']'")
        return lambda value, names: (value.__class__ is list
                                     and _match_sequence(items, value, names))

    def _regex(self, literal: tuple[str, str], offset: int) -> Matcher:
        body, flags = literal
        try:
            compiled = compile_regex(body, flags)
        except ExpressionError as error:
            error.source, error.column = self.source, offset + 1
            raise
        source = self.source

        def search(value: Any, names: Mapping[str, Any] | None) -> bool:
            if value.__class__ is not str:
                return False
            try:
                check_subject(value)
                return bounded(lambda: compiled.search(value, timeout=REGEX_TIMEOUT)
                               ) is not None
            except ExpressionError as error:
                error.source, error.column = source, offset + 1
                raise
        return search


def _comparison(op: str, operand: Operand) -> Matcher:
    if op == "==":
        return lambda value, names: loose_equals(value, operand(names))
    if op == "!=":
        return lambda value, names: not loose_equals(value, operand(names))
    return lambda value, names: compare(op, value, operand(names))


def _dollar_path(name: str, keys: tuple[str, ...]) -> Operand:
    def read(names: Mapping[str, Any] | None) -> Any:
        value = names.get(name) if names is not None else None
        for key in keys:
            value = runtime.member(value, key)
        return value
    return read


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        value = runtime.member(value, key)
    return value


def _match_sequence(items: list[Matcher | None], values: list[Any],
                    names: Mapping[str, Any] | None) -> bool:
    """Match elements against items where ``None`` (``*``) matches any run; the classic
    wildcard algorithm, linear in practice and O(len(items)·len(values)) at worst."""
    i = j = 0
    star, mark = -1, 0
    while i < len(values):
        if j < len(items) and items[j] is None:
            star, mark, j = j, i, j + 1
        elif j < len(items) and items[j](values[i], names):  # type: ignore[misc]
            i, j = i + 1, j + 1
        elif star != -1:
            j, mark = star + 1, mark + 1
            i = mark
        else:
            return False
    while j < len(items) and items[j] is None:
        j += 1
    return j == len(items)


class CompiledPattern:
    """A compiled pattern: ``match(value, variables)`` says whether ``value`` matches."""

    __slots__ = ("_matcher", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._matcher = PatternParser(source).parse()

    def match(self, value: Any, variables: Mapping[str, Any] | None = None) -> bool:
        return bool(self._matcher(value, variables))


__all__ = ["CompiledPattern", "PatternParser"]
