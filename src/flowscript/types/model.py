"""Type objects of the type-expression language (SPEC §2.11); ``str`` gives the canonical
source of each, so a parsed type prints back as it would be written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

#: Deepest nesting of brackets, braces and parentheses in one type expression.
MAX_TYPE_DEPTH = 64

PRIMITIVES = frozenset({"string", "number", "integer", "boolean", "null", "any", "object",
                        "array", "datetime", "duration"})
ALIASES = {"float": "number", "int": "integer"}

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
BARE_WORD = re.compile(r"[^\s,\[\]\"']+")


class TypeSyntaxError(ValueError):
    """A type expression that does not parse; ``offset`` is 0-based in its source."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Primitive:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class EnumType:
    values: tuple[Any, ...]

    def __str__(self) -> str:
        return "enum[" + ", ".join(_enum_literal(v) for v in self.values) + "]"


@dataclass(frozen=True, slots=True)
class ListType:
    item: TypeExpr

    def __str__(self) -> str:
        return f"{_operand(self.item)}[]"


@dataclass(frozen=True, slots=True)
class Nullable:
    inner: TypeExpr

    def __str__(self) -> str:
        return f"{_operand(self.inner)}?"


@dataclass(frozen=True, slots=True)
class UnionType:
    options: tuple[TypeExpr, ...]

    def __str__(self) -> str:
        return " | ".join(map(str, self.options))


@dataclass(frozen=True, slots=True)
class ObjectField:
    name: str
    type: TypeExpr
    required: bool = True


@dataclass(frozen=True, slots=True)
class ObjectType:
    fields: tuple[ObjectField, ...] = ()

    def __str__(self) -> str:
        parts = (f"{_key_literal(f.name)}{'' if f.required else '?'}: {f.type}"
                 for f in self.fields)
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True, slots=True)
class SchemaRef:
    """A named schema; ``offset`` (not compared) is where the name stands in the source."""

    name: str
    offset: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return self.name


TypeExpr = Union[Primitive, EnumType, ListType, Nullable, UnionType, ObjectType, SchemaRef]  # noqa: UP007
ANY = Primitive("any")


def _operand(inner: TypeExpr) -> str:
    return f"({inner})" if isinstance(inner, UnionType | Nullable) else str(inner)


def _enum_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and (not BARE_WORD.fullmatch(value) or NUMBER.fullmatch(value)
                                   or value in ("true", "false")):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _key_literal(name: str) -> str:
    return name if NAME.fullmatch(name) else '"' + name.replace('"', '\\"') + '"'


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps booleans apart from numbers (``true`` is not ``1``)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b



__all__ = ["ALIASES", "ANY", "MAX_TYPE_DEPTH", "PRIMITIVES", "EnumType", "ListType",
           "Nullable", "ObjectField", "ObjectType", "Primitive", "SchemaRef", "TypeExpr",
           "TypeSyntaxError", "UnionType", "same_value"]
