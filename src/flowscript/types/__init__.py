"""The type-expression language of SPEC §2.11: parse it, check values against it, and turn
it into JSON Schema.

A type is a small frozen object (``Primitive``, ``EnumType``, ``ListType``, ``Nullable``,
``UnionType``, ``ObjectType``, ``SchemaRef``) whose ``str`` is its canonical source.
``parse_type`` raises ``TypeSyntaxError`` with the offset of the problem, which callers
report as FS-EXPR-008 at the exact column; named schemas are resolved only when checking,
so an unknown name (FS-REF-009, listed by ``references``) never stops a parse.
"""

from __future__ import annotations

from .check import MAX_CHECK_DEPTH, check, is_datetime, json_kind
from .model import (
                    ALIASES,
                    ANY,
                    MAX_TYPE_DEPTH,
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
from .parser import parse_type
from .schema import field_type, object_type, references, schema_types, to_json_schema

__all__ = ["ALIASES", "ANY", "MAX_CHECK_DEPTH", "MAX_TYPE_DEPTH", "PRIMITIVES", "EnumType",
           "ListType", "Nullable", "ObjectField", "ObjectType", "Primitive", "SchemaRef",
           "TypeExpr", "TypeSyntaxError", "UnionType", "check", "field_type", "is_datetime",
           "json_kind", "object_type", "parse_type", "references", "same_value",
           "schema_types", "to_json_schema"]
