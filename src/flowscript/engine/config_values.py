"""Evaluating a data node's configuration values by kind (SPEC §3.2.2, §3.2.3).

Each node's configuration is compiled once into a ``ConfigProgram``: literal values are
converted up front, templates and expressions are compiled, and each attempt then only
runs what depends on the scope. A value that cannot be converted to its kind fails the
node with ``ConfigError`` (``NodeConfigError``, not retryable).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import yaml

from ..durations import parse_duration, parse_token_count
from ..elements.values import parse_bool, parse_int, parse_number
from ..errors import NodeConfigError
from ..expr.values import normalize, text

if TYPE_CHECKING:
    from .context import RunServices
    from .scope import Scope

Evaluator = Callable[["Scope"], Any]
_MISSING: Any = object()
#: Defaults the SPEC describes in words; the runtime supplies them.
_DESCRIBED_DEFAULTS = ("the input", "runtime.")
_ENUM_KIND = re.compile(r"enum\((.*)\)")


class ConfigProgram:
    """A node's configuration, compiled: constants plus per-scope evaluators."""

    __slots__ = ("constants", "dynamic")

    def __init__(self, constants: dict[str, Any], dynamic: list[tuple[str, Evaluator]]):
        self.constants = constants
        self.dynamic = dynamic

    def evaluate(self, scope: Scope) -> dict[str, Any]:
        """The configuration values for one attempt, by canonical key."""
        config = dict(self.constants)
        for key, evaluate in self.dynamic:
            config[key] = evaluate(scope)
        return config


def compile_config(written: Mapping[str, Any], keys: Iterable[Any],
                   services: RunServices, *, deferred: frozenset[str] = frozenset()
                   ) -> ConfigProgram:
    """Compile the configuration of one node.

    ``written`` maps canonical keys to ``ast.ConfigValue``; ``keys`` are the catalogue's
    settings (``elements.specs.Setting``) or a plugin's ``ConfigKey``s. Keys in
    ``deferred`` are left to the runtime; absent keys take their defaults.
    """
    constants: dict[str, Any] = {}
    dynamic: list[tuple[str, Evaluator]] = []
    for key in keys:
        name = key.name
        if name in deferred:
            continue
        kind, choices = _kind_of(key)
        config_value = written.get(name)
        if config_value is None:
            constants[name] = _default(key, kind, choices)
            continue
        constant, evaluate = compile_value(name, kind, choices, config_value.value, services)
        if evaluate is None:
            constants[name] = constant
        else:
            dynamic.append((name, evaluate))
    return ConfigProgram(constants, dynamic)


def _kind_of(key: Any) -> tuple[str, tuple[str, ...]]:
    match = _ENUM_KIND.fullmatch(key.kind)
    if match:
        return "enum", tuple(word.strip() for word in match.group(1).split("|"))
    return key.kind, tuple(getattr(key, "choices", ()) or ())


def _default(key: Any, kind: str, choices: tuple[str, ...]) -> Any:
    """The default of ``key`` as a value (cached: catalogue settings are shared)."""
    try:
        return _DEFAULTS[key]
    except (KeyError, TypeError):
        pass
    value = _convert_default(key, kind, choices)
    try:
        _DEFAULTS[key] = value
    except TypeError:  # an unhashable plugin description
        pass
    return value


#: Converted defaults by setting; values are treated as read-only.
_DEFAULTS: dict[Any, Any] = {}


def _convert_default(key: Any, kind: str, choices: tuple[str, ...]) -> Any:
    default = key.default
    if not isinstance(default, str):
        return default
    if default.startswith(_DESCRIBED_DEFAULTS) or (kind == "enum" and default not in choices):
        return None
    if kind == "expr":
        return None if default == "null" else default
    if kind in ("block", "value", "list"):
        return _yaml_literal(default)
    return convert(key.name, kind, choices, default)


def compile_value(name: str, kind: str, choices: tuple[str, ...], raw: Any,
                  services: RunServices) -> tuple[Any, Evaluator | None]:
    """``(constant, None)`` for a value known now, else ``(None, evaluator)``."""
    if not isinstance(raw, str):
        if not _has_template(raw):
            return convert(name, kind, choices, raw), None
        walker = _block_walker(raw, services)
        return None, lambda scope: convert(name, kind, choices, walker(scope))
    if kind == "expr":
        compiled = services.expression(raw)
        return None, compiled.evaluate
    if kind in ("name", "ref", "type-expr", "pattern", "merge", "wait"):
        return raw, None
    if "{{" not in raw:
        literal = _yaml_literal(raw) if kind in ("value", "block", "list") else raw
        return convert(name, kind, choices, literal), None
    template = services.template(raw)
    if kind == "text":
        return None, lambda scope: text(template.render(scope))
    if kind in ("tmpl", "value"):
        return None, template.render
    return None, lambda scope: convert(name, kind, choices, template.render(scope))


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(_has_template(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_template(item) for item in value)
    return False


def _block_walker(value: Any, services: RunServices) -> Evaluator:
    """An evaluator of a loaded YAML value whose string leaves are templates (tmpl)."""
    if isinstance(value, str):
        if "{{" not in value:
            return lambda scope: value
        return services.template(value).render
    if isinstance(value, dict):
        parts = [(key, _block_walker(item, services)) for key, item in value.items()]
        return lambda scope: {key: walk(scope) for key, walk in parts}
    if isinstance(value, list):
        items = [_block_walker(item, services) for item in value]
        return lambda scope: [walk(scope) for walk in items]
    return lambda scope: value


# ---------------------------------------------------------------------------------------
# Conversions

def convert(name: str, kind: str, choices: tuple[str, ...], value: Any) -> Any:
    """Convert an evaluated value to its kind; ``None`` stays ``None`` (unset)."""
    if value is None:
        return None
    converter = _CONVERTERS.get(kind)
    if converter is None:
        return value
    result = converter(value, choices)
    if result is _MISSING:
        raise NodeConfigError(f'configuration "{name}": {_describe(kind, choices, value)}')
    return result


def _describe(kind: str, choices: tuple[str, ...], value: Any) -> str:
    shown = text(value) if not isinstance(value, dict | list) else type(value).__name__
    expected = {"int": "an integer", "number": "a number", "bool": "a boolean",
                "duration": "a duration", "tokens": "a token count", "list": "a list",
                "block": "a mapping"}.get(kind, "one of " + ", ".join(choices))
    return f"expected {expected}, got {shown!r}"


def _to_int(value: Any, _: tuple[str, ...]) -> Any:
    number = parse_int(value)
    return _MISSING if number is None else number


def _to_number(value: Any, _: tuple[str, ...]) -> Any:
    number = parse_number(value)
    return _MISSING if number is None else normalize(number)


def _to_bool(value: Any, _: tuple[str, ...]) -> Any:
    flag = parse_bool(value)
    return _MISSING if flag is None else flag


def _to_duration(value: Any, _: tuple[str, ...]) -> Any:
    seconds = parse_duration(value)
    return _MISSING if seconds is None else seconds


def _to_tokens(value: Any, _: tuple[str, ...]) -> Any:
    count = parse_token_count(value)
    return _MISSING if count is None else count


def _to_enum(value: Any, choices: tuple[str, ...]) -> Any:
    word = text(value).strip()
    if word in choices:
        return word
    folded = {choice.lower(): choice for choice in choices}
    return folded.get(word.lower(), _MISSING)


def _to_list(value: Any, _: tuple[str, ...]) -> Any:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return _MISSING


def _to_block(value: Any, _: tuple[str, ...]) -> Any:
    return value if isinstance(value, dict) else _MISSING


def _to_text(value: Any, _: tuple[str, ...]) -> Any:
    return value if isinstance(value, dict | list) else text(value)


_CONVERTERS: dict[str, Callable[[Any, tuple[str, ...]], Any]] = {
    "int": _to_int, "number": _to_number, "bool": _to_bool, "duration": _to_duration,
    "tokens": _to_tokens, "enum": _to_enum, "list": _to_list, "block": _to_block,
    "text": _to_text,
}


def _yaml_literal(source: str) -> Any:
    """A YAML flow value (JSON is a subset); text that does not parse stays a string."""
    try:
        value = yaml.safe_load(source)
    except yaml.YAMLError:
        return source
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return source


def literal_value(source: str) -> Any:
    """A ``value``-kind literal (``<set value="0">`` is the number 0)."""
    return _yaml_literal(source)


__all__ = ["ConfigProgram", "compile_config", "compile_value", "convert", "literal_value"]
