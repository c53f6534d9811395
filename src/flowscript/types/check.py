"""Checking JSON values against types (SPEC §2.11): readable mismatch paths, no raising."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..durations import parse_duration
from .model import (
    EnumType,
    ListType,
    Nullable,
    ObjectType,
    SchemaRef,
    TypeExpr,
    UnionType,
    same_value,
)

#: Deepest value nesting ``check`` follows (recursive schemas meet deep values here).
MAX_CHECK_DEPTH = 256
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                       r"(?:Z|[+-](\d{2}):?(\d{2}))?)?")


def check(value: Any, type_: TypeExpr, schemas: Mapping[str, TypeExpr] | None = None,
          path: str = "") -> list[str]:
    """Why ``value`` does not match ``type_``: one line per mismatch, each prefixed with
    the path of the offending part (``items[2].score: expected number, got string``).

    Undeclared object keys are allowed. An unknown schema name matches anything: it is
    reported once, statically, as FS-REF-009 rather than at every value.
    """
    problems: list[str] = []
    _check(value, type_, schemas or {}, path, problems, 0)
    return problems


def _check(value: Any, type_: TypeExpr, schemas: Mapping[str, TypeExpr], path: str,
           out: list[str], depth: int) -> None:
    if depth > MAX_CHECK_DEPTH:
        out.append(_at(path) + f"nested more than {MAX_CHECK_DEPTH} levels deep")
    elif isinstance(type_, SchemaRef):
        resolved = schemas.get(type_.name)
        if resolved is not None:
            _check(value, resolved, schemas, path, out, depth + 1)
    elif isinstance(type_, Nullable):
        if value is not None:
            _check(value, type_.inner, schemas, path, out, depth + 1)
    elif isinstance(type_, UnionType):
        _check_union(value, type_, schemas, path, out, depth)
    elif isinstance(type_, ListType | ObjectType):
        _check_container(value, type_, schemas, path, out, depth)
    elif isinstance(type_, EnumType):
        if not any(same_value(value, v) for v in type_.values):
            out.append(_at(path) + f"expected {type_}, got {_shown(value)}")
    elif not _primitive_matches(value, type_.name):
        out.append(_at(path) + f"expected {type_.name}, got {_shown(value)}")


def _check_union(value: Any, type_: UnionType, schemas: Mapping[str, TypeExpr], path: str,
                 out: list[str], depth: int) -> None:
    attempts = []
    for option in type_.options:
        problems: list[str] = []
        _check(value, option, schemas, path, problems, depth + 1)
        if not problems:
            return
        attempts.append((option, problems))
    # When exactly one option has the value's shape (say, the one object type), its
    # detailed problems say more than "expected A | B".
    shaped = [p for option, p in attempts if _same_shape(value, option, schemas)]
    out.extend(shaped[0] if len(shaped) == 1 else
               [_at(path) + f"expected {type_}, got {_shown(value)}"])


def _check_container(value: Any, type_: ListType | ObjectType,
                     schemas: Mapping[str, TypeExpr], path: str, out: list[str],
                     depth: int) -> None:
    if isinstance(type_, ListType):
        if not isinstance(value, list):
            out.append(_at(path) + f"expected {type_}, got {_shown(value)}")
            return
        for index, entry in enumerate(value):
            _check(entry, type_.item, schemas, f"{path}[{index}]", out, depth + 1)
        return
    if not isinstance(value, dict):
        out.append(_at(path) + f"expected an object, got {_shown(value)}")
        return
    for spec in type_.fields:
        where = f"{path}.{spec.name}" if path else spec.name
        if spec.name not in value:
            if spec.required:
                out.append(f"{where}: missing (required {spec.type})")
        else:
            _check(value[spec.name], spec.type, schemas, where, out, depth + 1)


def _same_shape(value: Any, type_: TypeExpr, schemas: Mapping[str, TypeExpr]) -> bool:
    for _ in range(MAX_CHECK_DEPTH):
        if isinstance(type_, SchemaRef) and type_.name in schemas:
            type_ = schemas[type_.name]
        elif isinstance(type_, Nullable):
            type_ = type_.inner
        else:
            break
    if isinstance(type_, ObjectType):
        return isinstance(value, dict)
    return isinstance(type_, ListType) and isinstance(value, list)


def _primitive_matches(value: Any, name: str) -> bool:
    if name == "any":
        return True
    if name in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return name == "number" or isinstance(value, int) or value.is_integer()
    kinds: dict[str, type | tuple[type, ...]] = {
        "string": str, "boolean": bool, "object": dict, "array": list, "null": type(None),
        "datetime": str, "duration": str}
    if not isinstance(value, kinds[name]):
        return False
    if name == "datetime":
        return is_datetime(value)
    return name != "duration" or parse_duration(value) is not None


def is_datetime(text: str) -> bool:
    """An ISO-8601 date or date-time as SPEC §5.19 accepts it."""
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        return False
    year, month, day, hour, minute, second, off_h, off_m = (
        int(g) if g else 0 for g in match.groups())
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return off_h <= 23 and off_m <= 59


def json_kind(value: Any) -> str:
    """The JSON type name of a value, as messages say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _shown(value: Any) -> str:
    kind = json_kind(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"{kind} {text!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{kind} {value}"
    return kind


def _at(path: str) -> str:
    return f"{path}: " if path else ""


__all__ = ["MAX_CHECK_DEPTH", "check", "is_datetime", "json_kind"]
