"""What a run starts from: ``$config``, secrets, ``$env`` and ``$input`` (SPEC §2.5–§2.7).

Everything here runs before the run exists; a problem raises ``ConfigError`` carrying one
FS-RUN diagnostic per problem found, so the caller sees all of them at once (exit 2).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from ..ast import ConfigField, FieldSpec, Workflow
from ..diagnostics import Diagnostic, did_you_mean
from ..errors import ConfigError
from ..parsing.fields import config_type_of

#: Shortest secret value the engine accepts: shorter values cannot be redacted safely.
MIN_SECRET_LENGTH = 4

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True,
             "false": False, "no": False, "off": False, "0": False}
_SECRET_REF = re.compile(
    r"\$secrets\s*(?:\?\.|\.)\s*([A-Za-z_][A-Za-z0-9_]*)"
    r"|\$secrets\s*(?:\?\.)?\[\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]\s*\]"
    r"|(\$secrets)\b(?!\s*(?:\?\.|\.|\[|\?\.\[))")


class _Problems:
    """Collects FS-RUN diagnostics and raises them together."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.items: list[Diagnostic] = []

    def add(self, code: str, message: str, hints: list[str] | tuple[str, ...] = ()) -> None:
        self.items.append(Diagnostic(code, "error", message, self.file, hints=tuple(hints)))

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError("; ".join(d.message for d in self.items), self.items)


# ---------------------------------------------------------------------------------------
# $config (§2.5)

def resolve_config(declared: Mapping[str, ConfigField], given: Mapping[str, Any] | None,
                   *, file: str | None = None) -> dict[str, Any]:
    """``$config``: the defaults, overridden by the caller's (typed) values.

    Raises ``ConfigError`` with FS-RUN-001 (undeclared key), FS-RUN-002 (wrong type or
    outside the enum) or FS-RUN-003 (required key without a value).
    """
    problems = _Problems(file)
    values = {name: _copy(spec.default) if spec.has_default else None
              for name, spec in declared.items()}
    for key, value in (given or {}).items():
        spec = declared.get(key)
        if spec is None:
            problems.add("FS-RUN-001", f'config key "{key}" is not declared',
                         did_you_mean(key, declared))
            continue
        reason = _config_mismatch(spec, value)
        if reason:
            problems.add("FS-RUN-002", f'config "{key}": {reason}')
            continue
        values[key] = _normalise_number(spec, value)
    for name, spec in declared.items():
        if spec.required and values[name] is None:
            problems.add("FS-RUN-003", f'config "{name}" is required but has no value',
                         [f"pass it with --config {name}=VALUE or config={{'{name}': …}}"])
    problems.raise_if_any()
    return values


def convert_config_strings(declared: Mapping[str, ConfigField],
                           strings: Mapping[str, str], *, file: str | None = None
                           ) -> dict[str, Any]:
    """Convert command-line ``KEY=VALUE`` strings to the declared types (SPEC §2.5).

    The result is passed to ``run(config=…)``. Raises ``ConfigError`` (FS-RUN-001/002).
    """
    problems = _Problems(file)
    converted: dict[str, Any] = {}
    for key, text in strings.items():
        spec = declared.get(key)
        if spec is None:
            problems.add("FS-RUN-001", f'config key "{key}" is not declared',
                         did_you_mean(key, declared))
            continue
        ok, value = _convert_string(spec, text)
        if not ok:
            expected = _describe_type(spec)
            problems.add("FS-RUN-002",
                         f'config "{key}": cannot convert "{text}" to {expected}')
            continue
        converted[key] = value
    problems.raise_if_any()
    return converted


def _describe_type(spec: ConfigField) -> str:
    if spec.enum is not None:
        return "one of " + ", ".join(json.dumps(v) for v in spec.enum)
    return spec.type


def _convert_string(spec: ConfigField, text: str) -> tuple[bool, Any]:
    if spec.enum is not None:
        for allowed in spec.enum:
            ok, value = _convert_scalar(config_type_of(allowed), text)
            if ok and _same(value, allowed):
                return True, allowed
        return False, None
    return _convert_scalar(spec.type, text)


def _convert_scalar(type_name: str, text: str) -> tuple[bool, Any]:
    stripped = text.strip()
    if type_name == "string":
        return True, text
    if type_name == "number":
        if _NUMBER.fullmatch(stripped):
            number = float(stripped)
            return math.isfinite(number), _integral(number)
        return False, None
    if type_name == "integer":
        if _INTEGER.fullmatch(stripped):
            return True, int(float(stripped))
        return False, None
    if type_name == "boolean":
        flag = _BOOLEANS.get(stripped.lower())
        return flag is not None, flag
    if type_name in ("object", "array", "null"):
        try:
            value = json.loads(stripped)
        except ValueError:
            return False, None
        return config_type_of(value) == type_name, value
    try:
        return True, json.loads(stripped)
    except ValueError:
        return True, text


def _config_mismatch(spec: ConfigField, value: Any) -> str | None:
    if value is None:
        return None
    if spec.enum is not None:
        if any(_same(value, allowed) for allowed in spec.enum):
            return None
        return f"{json.dumps(value)} is not one of " + ", ".join(
            json.dumps(v) for v in spec.enum)
    if spec.type == "any" or _type_matches(spec.type, value):
        return None
    return f"expected {spec.type}, got {config_type_of(value)}"


def _type_matches(type_name: str, value: Any) -> bool:
    actual = config_type_of(value)
    if type_name == "number":
        return actual in ("number", "integer")
    if type_name == "integer":
        return actual == "integer" or (actual == "number" and float(value).is_integer())
    return actual == type_name


def _same(a: Any, b: Any) -> bool:
    """Equality that keeps booleans apart from numbers (``True`` is not ``1``)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _integral(number: float) -> float | int:
    return int(number) if number.is_integer() and abs(number) < 1e21 else number


def _normalise_number(spec: ConfigField, value: Any) -> Any:
    if isinstance(value, float) and spec.type in ("integer", "number"):
        return _integral(value)
    return value


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value)) if isinstance(value, dict | list) else value


# ---------------------------------------------------------------------------------------
# Secrets and $env (§2.6, §12.4)

def resolve_secrets(workflow: Workflow, given: Mapping[str, Any] | None = None,
                    environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Values of the declared secrets: the caller's mapping, else the environment.

    A CLI ``--secrets-file`` is read with ``load_secrets_file`` and passed as ``given``.
    Raises ``ConfigError`` (FS-RUN-004) when a referenced secret has no value, or when any
    value is shorter than ``MIN_SECRET_LENGTH`` characters.
    """
    environ = os.environ if environ is None else environ
    given = given or {}
    problems = _Problems(workflow.path)
    referenced = referenced_secrets(workflow)
    values: dict[str, str] = {}
    for name in workflow.frontmatter.secrets:
        value = given.get(name)
        if value is None:
            value = environ.get(name)
        if value is None:
            if name in referenced:
                problems.add("FS-RUN-004", f'secret "{name}" is used but has no value',
                             [f"pass it with secrets=, --secrets-file, or the "
                              f"environment variable {name}"])
            continue
        value = str(value)
        if len(value) < MIN_SECRET_LENGTH:
            problems.add("FS-RUN-004", f'secret "{name}" is shorter than '
                         f"{MIN_SECRET_LENGTH} characters",
                         ["such short values cannot be redacted safely; use a longer one"])
            continue
        values[name] = value
    problems.raise_if_any()
    return values


def referenced_secrets(workflow: Workflow) -> set[str]:
    """Declared secrets named by ``$secrets.NAME`` anywhere in the body (expressions,
    templates and shorthands alike); a bare ``$secrets`` counts as using all of them."""
    declared = set(workflow.frontmatter.secrets)
    if not declared:
        return set()
    found: set[str] = set()
    for text in iter_strings(workflow.body):
        if "$secrets" not in text:
            continue
        for dotted, indexed, whole in _SECRET_REF.findall(text):
            if whole:
                return declared
            found.add(dotted or indexed)
    return found & declared


def iter_strings(value: Any) -> Iterator[str]:
    """Every string held anywhere in an AST value (attribute values, config, text)."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            if item.name != "span":
                yield from iter_strings(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from iter_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from iter_strings(item)


def load_secrets_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Secrets from a file: a JSON object, or ``NAME=VALUE`` lines (blank lines and
    ``#`` comments skipped; one pair of surrounding quotes removed)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _secrets_file_error(f"cannot read secrets file {path}: {exc}") from exc
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _secrets_file_error(f"secrets file {path} is not valid JSON: {exc}")
        if not isinstance(data, dict):
            raise _secrets_file_error(f"secrets file {path} must hold a JSON object")
        return {str(k): str(v) for k, v in data.items() if v is not None}
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip():
            raise _secrets_file_error(f"secrets file {path}, line {number}: "
                                      "expected NAME=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def _secrets_file_error(message: str) -> ConfigError:
    return ConfigError(message, [Diagnostic("FS-RUN-004", "error", message)])


def resolve_env(workflow: Workflow, environ: Mapping[str, str] | None = None
                ) -> dict[str, str | None]:
    """``$env``: the declared variables only; an unset one is ``None``."""
    environ = os.environ if environ is None else environ
    return {name: environ.get(name) for name in workflow.frontmatter.env}


# ---------------------------------------------------------------------------------------
# $input (§2.7)

def resolve_input(schema: Mapping[str, FieldSpec] | None, given: Any, *,
                  schemas: Mapping[str, Any] | None = None, file: str | None = None) -> Any:
    """``$input``: ``{}`` when nothing is given; checked against the ``input`` schema.

    Declared fields are type-checked, defaults applied, missing required fields rejected;
    undeclared fields are kept. Raises ``ConfigError`` (FS-RUN-005).
    """
    if given is None:
        given = {}
    if schema is None:
        return given
    problems = _Problems(file)
    if not isinstance(given, Mapping):
        problems.add("FS-RUN-005", f"input must be a JSON object, got {config_type_of(given)}")
        problems.raise_if_any()
    value = dict(given)
    for name, spec in schema.items():
        if value.get(name) is None:
            if spec.has_default:
                value[name] = _copy(spec.default)
            elif spec.required:
                problems.add("FS-RUN-005", f'input field "{name}" is required')
            continue
        reason = _field_mismatch(spec, value[name], schemas or {})
        if reason:
            problems.add("FS-RUN-005", f'input field "{name}": {reason}')
    problems.raise_if_any()
    return value


def _field_mismatch(spec: FieldSpec, value: Any, schemas: Mapping[str, Any]) -> str | None:
    """Why ``value`` does not fit the field's type expression and enum, else None."""
    from ..types import check, field_type

    errors = check(value, field_type(spec), schemas)
    return "; ".join(errors) if errors else None


def workflow_schemas(workflow: Workflow) -> dict[str, Any]:
    """Every named schema of the workflow as a type: frontmatter ``schemas`` and the
    ``<schema>`` elements of the body and its phases (SPEC §2.10, §3.37)."""
    from ..elements.values import parse_bool
    from ..types import ANY, ObjectField, ObjectType, TypeSyntaxError, parse_type, schema_types

    types = schema_types(workflow.frontmatter.schemas)
    elements = list(workflow.body.schemas)
    for phase in workflow.body.phases():
        elements.extend(phase.schemas)
    for schema in elements:
        fields_: list[Any] = []
        for item in schema.fields:
            source = (item.attr_value("type") or "any").strip()
            try:
                declared = parse_type(source)
            except TypeSyntaxError:
                declared = ANY
            written = item.attr_value("required")
            required = parse_bool(written) if written is not None else not (
                source.endswith("?") or item.attr("default") is not None)
            fields_.append(ObjectField(item.name, declared, bool(required)))
        types[schema.name] = ObjectType(tuple(fields_))
    return types


__all__ = ["MIN_SECRET_LENGTH", "convert_config_strings", "iter_strings",
           "load_secrets_file", "referenced_secrets", "resolve_config", "resolve_env",
           "resolve_input", "resolve_secrets", "workflow_schemas"]
