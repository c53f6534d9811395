"""Recursive-descent parser of type expressions (SPEC §2.11), depth-bounded so a hostile
``((((…))))`` is a syntax error rather than a RecursionError."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NoReturn

from .model import (
    ALIASES,
    BARE_WORD,
    MAX_TYPE_DEPTH,
    NAME,
    NUMBER,
    PRIMITIVES,
    EnumType,
    ListType,
    Nullable,
    ObjectField,
    ObjectType,
    Primitive,
    SchemaRef,
    TypeExpr,
    TypeSyntaxError,
    UnionType,
    same_value,
)

_SPACE = re.compile(r"\s*")


@lru_cache(maxsize=1024)
def parse_type(source: str) -> TypeExpr:
    """Parse a type expression. Raises ``TypeSyntaxError`` (FS-EXPR-008 for callers)."""
    return _Parser(source).parse()



class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, at: int | None = None) -> NoReturn:
        raise TypeSyntaxError(message, self.pos if at is None else at)

    def peek(self) -> str:
        self.pos = _SPACE.match(self.source, self.pos).end()  # type: ignore[union-attr]
        return self.source[self.pos:self.pos + 1]

    def eat(self, token: str) -> bool:
        if self.peek() == token:
            self.pos += 1
            return True
        return False

    def expect(self, token: str, context: str) -> None:
        if not self.eat(token):
            found = self.source[self.pos:self.pos + 1]
            self.fail(f"expected {token!r} {context}, found "
                      + (repr(found) if found else "the end"))

    def parse(self) -> TypeExpr:
        if not self.peek():
            self.fail("a type expression cannot be empty")
        result = self.union()
        if self.peek():
            self.fail(f"unexpected {self.source[self.pos]!r} after the type")
        return result

    def union(self) -> TypeExpr:
        self.depth += 1
        if self.depth > MAX_TYPE_DEPTH:
            self.fail(f"the type nests more than {MAX_TYPE_DEPTH} levels deep")
        options = [self.postfix()]
        while self.eat("|"):
            options.append(self.postfix())
        self.depth -= 1
        return options[0] if len(options) == 1 else UnionType(tuple(options))

    def postfix(self) -> TypeExpr:
        result = self.primary()
        while self.eat("["):
            self.expect("]", "to make a list type ('T[]')")
            result = ListType(result)
        if self.eat("?"):
            result = Nullable(result)
        return result

    def primary(self) -> TypeExpr:
        start = self.pos if self.peek() else len(self.source)
        if self.eat("("):
            inner = self.union()
            self.expect(")", f"to close the '(' at column {start + 1}")
            return inner
        if self.peek() == "{":
            return self.object()
        match = NAME.match(self.source, self.pos)
        if match is None:
            found = self.source[self.pos:self.pos + 1]
            self.fail("expected a type" + (f", found {found!r}" if found else " at the end"))
        self.pos = match.end()
        word = match.group()
        if word == "enum":
            return self.enum()
        if word in ALIASES:
            return Primitive(ALIASES[word])
        return Primitive(word) if word in PRIMITIVES else SchemaRef(word, start)

    def object(self) -> ObjectType:
        start = self.pos
        self.pos += 1
        self.depth += 1
        if self.depth > MAX_TYPE_DEPTH:
            self.fail(f"the type nests more than {MAX_TYPE_DEPTH} levels deep", start)
        fields: list[ObjectField] = []
        while not self.eat("}"):
            at = self.pos if self.peek() else len(self.source)
            name = self.key()
            if any(f.name == name for f in fields):
                self.fail(f"the field {name!r} appears twice", at)
            optional = self.eat("?")
            self.expect(":", f"after the field name {name!r}")
            kind = self.union()
            fields.append(ObjectField(name, kind, not optional and not isinstance(kind, Nullable)))
            if not self.eat(","):
                self.expect("}", f"or ',' in the object type opened at column {start + 1}")
                break
        self.depth -= 1
        return ObjectType(tuple(fields))

    def key(self) -> str:
        if self.peek() in ("'", '"'):
            return self.quoted()
        match = NAME.match(self.source, self.pos)
        if match is None:
            self.fail("expected a field name")
        self.pos = match.end()
        return match.group()

    def quoted(self) -> str:
        start, quote = self.pos, self.source[self.pos]
        chars: list[str] = []
        pos = start + 1
        while pos < len(self.source):
            char = self.source[pos]
            if char == quote:
                self.pos = pos + 1
                return "".join(chars)
            if char == "\\" and pos + 1 < len(self.source):
                pos += 1
                char = self.source[pos]
            chars.append(char)
            pos += 1
        self.fail("unterminated quoted string", start)

    def enum(self) -> EnumType:
        if not self.eat("["):
            self.fail("expected '[' after enum (enum[a, b, c])")
        values: list[Any] = []
        while True:
            if self.peek() == "]":
                if not values:
                    self.fail("an enum needs at least one value")
                self.pos += 1
                break
            at = self.pos
            value = self.enum_value()
            if any(same_value(value, v) for v in values):
                self.fail(f"the enum value {value!r} appears twice", at)
            values.append(value)
            if not self.eat(","):
                self.expect("]", "to close the enum")
                break
        return EnumType(tuple(values))

    def enum_value(self) -> Any:
        if self.peek() in ("'", '"'):
            return self.quoted()
        match = BARE_WORD.match(self.source, self.pos)
        if match is None:
            self.fail("expected an enum value")
        self.pos = match.end()
        word = match.group()
        if word in ("true", "false"):
            return word == "true"
        if NUMBER.fullmatch(word):
            return float(word) if any(c in word for c in ".eE") else int(word)
        return word



__all__ = ["parse_type"]
