"""Named schemas, field specifications and JSON Schema output for types (SPEC §2.10,
§2.11, §3.14)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..ast import FieldSpec
from .check import json_kind
from .model import (
    ANY,
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
)
from .parser import parse_type


def references(type_: TypeExpr) -> list[SchemaRef]:
    """Every schema name ``type_`` uses, in source order (for FS-REF-009)."""
    return [node for node in _walk(type_) if isinstance(node, SchemaRef)]


def _walk(type_: TypeExpr) -> Iterator[TypeExpr]:
    pending = [type_]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ListType):
            pending.append(node.item)
        elif isinstance(node, Nullable):
            pending.append(node.inner)
        elif isinstance(node, UnionType):
            pending.extend(reversed(node.options))
        elif isinstance(node, ObjectType):
            pending.extend(reversed([f.type for f in node.fields]))


def field_type(spec: FieldSpec) -> TypeExpr:
    """The type a field specification stands for (its ``enum`` narrows the type); an
    unparsable type stands for ``any`` (its syntax error is reported where it was read)."""
    try:
        declared = parse_type(spec.type)
    except TypeSyntaxError:
        declared = ANY
    if spec.enum is None:
        return declared
    narrowed = EnumType(tuple(spec.enum))
    return Nullable(narrowed) if isinstance(declared, Nullable) else narrowed


def object_type(specs: Mapping[str, FieldSpec]) -> ObjectType:
    """The object type of a mapping of field specifications (frontmatter input/output and
    field-mapping schemas, where a field is optional unless ``required``)."""
    return ObjectType(tuple(ObjectField(name, field_type(spec), spec.required)
                            for name, spec in specs.items()))


def schema_types(schemas: Mapping[str, Any]) -> dict[str, TypeExpr]:
    """Named schemas (a type expression source, a mapping of FieldSpec, or already a type)
    as types; sources that do not parse are left out (reported where they were read)."""
    result: dict[str, TypeExpr] = {}
    for name, schema in schemas.items():
        if isinstance(schema, str):
            try:
                result[name] = parse_type(schema)
            except TypeSyntaxError:
                continue
        elif isinstance(schema, Mapping):
            result[name] = object_type(schema)
        else:
            result[name] = schema
    return result


_JSON_PRIMITIVES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "number": {"type": "number"},
    "integer": {"type": "integer"}, "boolean": {"type": "boolean"}, "null": {"type": "null"},
    "any": {}, "object": {"type": "object"}, "array": {"type": "array"},
    "datetime": {"type": "string", "description": "ISO-8601 date or date-time"},
    "duration": {"type": "string", "description": "duration such as 90s, 1h30m or PT5M"},
}


def to_json_schema(type_: TypeExpr, schemas: Mapping[str, TypeExpr] | None = None
                   ) -> dict[str, Any]:
    """JSON Schema for ``type_`` (for structured AI output, SPEC §3.14): object types close
    with ``additionalProperties: false`` and list their required fields. Named schemas are
    inlined; one that refers to itself goes to ``$defs`` and is referenced there."""
    defs: dict[str, Any] = {}
    schema = _json(type_, schemas or {}, defs, ())
    return {**schema, "$defs": defs} if defs else schema


def _json(type_: TypeExpr, schemas: Mapping[str, TypeExpr], defs: dict[str, Any],
          expanding: tuple[str, ...]) -> dict[str, Any]:
    def sub(inner: TypeExpr) -> dict[str, Any]:
        return _json(inner, schemas, defs, expanding)

    if isinstance(type_, Primitive):
        return dict(_JSON_PRIMITIVES[type_.name])
    if isinstance(type_, EnumType):
        kinds = {json_kind(v) for v in type_.values}
        return {"type": kinds.pop(), "enum": list(type_.values)} if len(kinds) == 1 else {
            "enum": list(type_.values)}
    if isinstance(type_, ListType):
        return {"type": "array", "items": sub(type_.item)}
    if isinstance(type_, Nullable):
        return {"anyOf": [sub(type_.inner), {"type": "null"}]}
    if isinstance(type_, UnionType):
        return {"anyOf": [sub(option) for option in type_.options]}
    if isinstance(type_, ObjectType):
        return {"type": "object", "properties": {f.name: sub(f.type) for f in type_.fields},
                "required": [f.name for f in type_.fields if f.required],
                "additionalProperties": False}
    resolved = schemas.get(type_.name)
    if resolved is None:
        return {}
    if type_.name in expanding:
        if type_.name not in defs:
            defs[type_.name] = {}
            defs[type_.name] = _json(resolved, schemas, defs, (type_.name,))
        return {"$ref": f"#/$defs/{type_.name}"}
    return _json(resolved, schemas, defs, (*expanding, type_.name))


__all__ = ["field_type", "object_type", "references", "schema_types", "to_json_schema"]
