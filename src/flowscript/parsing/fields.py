"""Field declarations of the frontmatter: ``config`` (SPEC §2.5), ``input``/``output``
(§2.7) and ``schemas`` (§2.10).

``config`` and ``input``/``output`` read alike but mean different things: a config shorthand
is a *default* (``output_dir: ./out``), an input/output shorthand a *type*
(``sent_count: number``). Defaults are checked against their types once every frontmatter
schema is known, so a field may use a schema declared after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..ast import ConfigField, FieldSpec
from ..diagnostics import did_you_mean
from ..types import EnumType, TypeExpr, TypeSyntaxError, check, field_type, parse_type, same_value
from .yaml_reader import YamlReader, describe, name_problem
from .yaml_tree import item, join

CONFIG_TYPES = ("string", "number", "integer", "boolean", "object", "array", "any")
_CONFIG_ALIASES = {"float": "number", "int": "integer"}
SPEC_KEYS = ("type", "default", "required", "description", "enum")
_SCALARS = (str, int, float, bool, type(None))


def read_config(reader: YamlReader, value: Any) -> dict[str, ConfigField]:
    """``config``: each key a field specification or a shorthand default."""
    mapping = reader.mapping(value, "config")
    fields: dict[str, ConfigField] = {}
    for name, spec in (mapping or {}).items():
        path = join("config", name)
        problem = name_problem(name)
        if problem:
            reader.error("FS-ID-002", f"config key {problem}", path, key=True)
        if isinstance(spec, dict) and spec and all(key in SPEC_KEYS for key in spec):
            fields[name] = _config_spec(reader, name, spec, path)
        else:
            fields[name] = _config_shorthand(reader, name, spec, path)
    return fields


def _config_shorthand(reader: YamlReader, name: str, value: Any, path: str) -> ConfigField:
    span = reader.span(path, key=True)
    if value is None:
        return ConfigField(name=name, span=span)
    return ConfigField(name=name, type=_inferred_type(value), default=value, has_default=True,
                       span=span)


def _config_spec(reader: YamlReader, name: str, spec: dict[str, Any], path: str) -> ConfigField:
    enum = read_enum(reader, spec, path)
    type_name = None
    if spec.get("type") is not None:
        type_name, type_enum = _config_type(reader, spec["type"], join(path, "type"))
        if type_enum is not None and enum is not None:
            reader.error("FS-TYPE-003", "the values are given twice: by 'enum' and by the "
                         "type enum[…]", join(path, "enum"))
        enum = enum if type_enum is None else type_enum
    default = spec.get("default")
    has_default = default is not None
    if type_name is None:
        type_name = (_inferred_type(default) if has_default else
                     _inferred_type(enum[0]) if enum and _uniform(enum) else "any")
    if has_default and not _config_matches(default, type_name, enum):
        expected = f"one of {', '.join(map(repr, enum))}" if enum else type_name
        reader.error("FS-TYPE-001", f"the default of config {name!r} must be {expected}, "
                     f"not {reader.source(join(path, 'default'), default)!r}",
                     join(path, "default"))
    return ConfigField(name=name, type=type_name, default=default, has_default=has_default,
                       required=reader.boolean(spec.get("required"), join(path, "required"),
                                               False),
                       description=reader.string(spec.get("description"),
                                                 join(path, "description")),
                       enum=enum, span=reader.span(path, key=True))


def _config_type(reader: YamlReader, value: Any, path: str) -> tuple[str, tuple[Any, ...] | None]:
    """(type name, enum values of an ``enum[…]`` type); ``any`` after an error."""
    if not isinstance(value, str):
        reader.error("FS-TYPE-002", f"a config type is a type name, not {describe(value)}", path)
        return "any", None
    text = value.strip()
    if text.startswith("enum"):
        try:
            parsed = parse_type(text)
        except TypeSyntaxError as exc:
            reader.sink.error("FS-EXPR-008", f"invalid enum type: {exc.message}",
                              *reader.position_in(path, exc.offset + value.find(text)))
            return "any", None
        if isinstance(parsed, EnumType):
            values = parsed.values
            return (_inferred_type(values[0]) if _uniform(values) else "any"), values
    canonical = _CONFIG_ALIASES.get(text, text)
    if canonical in CONFIG_TYPES:
        return canonical, None
    reader.error("FS-TYPE-002", f"unknown config type {text!r} (one of "
                 f"{', '.join(CONFIG_TYPES)} or enum[a, b])", path,
                 hints=did_you_mean(text, CONFIG_TYPES))
    return "any", None


def config_type_of(value: Any) -> str:
    """The config type name (SPEC §2.5) a value has: ``integer`` and ``number`` apart."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def _inferred_type(value: Any) -> str:
    """The type a shorthand default declares (SPEC §2.5): null declares ``any``."""
    kind = config_type_of(value)
    return "any" if kind == "null" else kind


def _uniform(values: tuple[Any, ...]) -> bool:
    return len({_inferred_type(v) for v in values}) == 1


def _config_matches(value: Any, type_name: str, enum: tuple[Any, ...] | None) -> bool:
    if enum is not None and not any(same_value(value, v) for v in enum):
        return False
    return type_name == "any" or not check(value, parse_type(type_name))


def read_enum(reader: YamlReader, spec: dict[str, Any], path: str) -> tuple[Any, ...] | None:
    """An ``enum`` list: non-empty, scalars only, no value twice (FS-TYPE-003)."""
    if "enum" not in spec:
        return None
    where = join(path, "enum")
    values = spec["enum"]
    if not isinstance(values, list) or not values:
        reader.error("FS-TYPE-003", "enum must be a non-empty list of values", where)
        return None
    for index, value in enumerate(values):
        if not isinstance(value, _SCALARS):
            reader.error("FS-TYPE-003", f"enum values are scalars, not {describe(value)}",
                         item(where, index))
            return None
        if any(same_value(value, earlier) for earlier in values[:index]):
            reader.error("FS-TYPE-003", f"the enum value {value!r} appears twice",
                         item(where, index))
            return None
    return tuple(values)


def read_fields(reader: YamlReader, value: Any, path: str) -> dict[str, FieldSpec] | None:
    """``input``/``output`` or a field-mapping schema: name → specification or type string."""
    mapping = reader.mapping(value, path)
    if mapping is None:
        return None
    fields: dict[str, FieldSpec] = {}
    for name, spec in mapping.items():
        where = join(path, name)
        span = reader.span(where, key=True)
        if isinstance(spec, str):
            check_type_source(reader, spec, where)
            fields[name] = FieldSpec(name=name, type=spec, span=span)
        elif isinstance(spec, dict):
            fields[name] = _field_spec(reader, name, spec, where)
        else:
            reader.error("FS-YAML-014", f"field {name!r} must be a type (such as string) or a "
                         f"specification mapping, not {describe(spec)}", where)
    return fields


def _field_spec(reader: YamlReader, name: str, spec: dict[str, Any], path: str) -> FieldSpec:
    reader.unknown_keys(spec, path, SPEC_KEYS, "FS-YAML-015", "a field specification")
    type_source = spec.get("type", "any")
    if not isinstance(type_source, str):
        reader.error("FS-YAML-014", f"the type of field {name!r} must be a type expression",
                     join(path, "type"))
        type_source = "any"
    elif "type" in spec:
        check_type_source(reader, type_source, join(path, "type"))
    return FieldSpec(name=name, type=type_source,
                     required=reader.boolean(spec.get("required"), join(path, "required"),
                                             False),
                     default=spec.get("default"), has_default=spec.get("default") is not None,
                     description=reader.string(spec.get("description"),
                                               join(path, "description")),
                     enum=read_enum(reader, spec, path), span=reader.span(path, key=True))


def check_type_source(reader: YamlReader, source: str, path: str) -> TypeExpr | None:
    """Parse a type expression; FS-EXPR-008 at the exact column when it does not parse."""
    try:
        return parse_type(source)
    except TypeSyntaxError as exc:
        reader.sink.error("FS-EXPR-008", f"invalid type expression {source!r}: {exc.message}",
                          *reader.position_in(path, exc.offset))
        return None


def read_schemas(reader: YamlReader, value: Any) -> dict[str, Any]:
    """``schemas``: name → type expression source, or name → {field: FieldSpec}."""
    mapping = reader.mapping(value, "schemas")
    schemas: dict[str, Any] = {}
    for name, schema in (mapping or {}).items():
        path = join("schemas", name)
        problem = name_problem(name)
        if problem:
            reader.error("FS-ID-002", f"schema name {problem}", path, key=True)
        if isinstance(schema, str):
            check_type_source(reader, schema, path)
            schemas[name] = schema
        elif isinstance(schema, dict):
            schemas[name] = read_fields(reader, schema, path) or {}
        else:
            reader.error("FS-YAML-014", f"schema {name!r} must be a type expression or a "
                         f"mapping of fields, not {describe(schema)}", path)
    return schemas


def check_defaults(reader: YamlReader, fields: dict[str, FieldSpec], path: str,
                   schemas: dict[str, TypeExpr]) -> None:
    """FS-TYPE-004 for each default that does not match its field's type."""
    for name, spec in fields.items():
        if not spec.has_default:
            continue
        problems = check(spec.default, field_type(spec), schemas)
        if problems:
            reader.error("FS-TYPE-004", f"the default of {path}.{name} does not match its type "
                         f"{spec.type}: {problems[0]}", join(join(path, name), "default"))


__all__ = ["CONFIG_TYPES", "SPEC_KEYS", "check_defaults", "check_type_source", "read_config",
           "read_enum", "read_fields", "read_schemas"]
