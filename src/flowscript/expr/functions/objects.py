"""Object built-ins (SPEC §5.15).

Objects are insertion-ordered and never mutated: every function that "changes" one returns
a copy, so a value seen by one node or lambda cannot change under another.
"""

from __future__ import annotations

from typing import Any

from ..values import (
    EvalContext,
    argument_error,
    builtin,
    is_number,
    strict_equals,
    text,
    type_name,
)
from . import _paths
from ._args import as_list, as_object, check_list_size


@builtin("keys")
def keys(o: Any) -> list[str]:
    return list(as_object(o, "keys"))


@builtin("values")
def values(o: Any) -> list[Any]:
    return list(as_object(o, "values").values())


@builtin("entries")
def entries(o: Any) -> list[list[Any]]:
    return [[key, value] for key, value in as_object(o, "entries").items()]


@builtin("from_entries")
def from_entries(ctx: EvalContext, items: Any) -> dict[str, Any]:
    """Accepts ``[key, value]`` pairs and ``{key, value}`` objects, the two shapes that
    ``entries`` and hand-written data produce; later duplicates win."""
    pairs = as_list(items, "from_entries")
    ctx.step(len(pairs))
    result: dict[str, Any] = {}
    for pair in pairs:
        if isinstance(pair, list) and len(pair) == 2:
            key, value = pair
        elif isinstance(pair, dict) and "key" in pair:
            key, value = pair["key"], pair.get("value")
        else:
            raise argument_error("from_entries() expects [key, value] pairs or "
                                 f"{{key, value}} objects, got {type_name(pair)}")
        result[text(key)] = value
    return result


@builtin("get")
def get(x: Any, path: Any, default: Any = None) -> Any:
    found = _paths.follow(x, _paths.parse_path(path, "get"))
    return default if found is _paths.MISSING or found is None else found


@builtin("set")
def set_(o: Any, path: Any, value: Any) -> dict[str, Any]:
    base = as_object(o, "set")
    segments = _paths.parse_path(path, "set")
    if not segments:
        raise argument_error("set() expects a non-empty path")
    result: dict[str, Any] = _paths.with_value(base, segments, value)
    check_list_size(len(result))
    return result


@builtin("has")
def has(x: Any, key: Any) -> bool:
    if isinstance(x, dict):
        return text(key) in x
    if isinstance(x, list):
        return is_number(key) and float(key).is_integer() and 0 <= key < len(x)
    return False


def _objects(arguments: tuple[Any, ...], function: str) -> list[dict[str, Any]]:
    """The object arguments of a merge, ``null`` ones skipped."""
    result = []
    for value in arguments:
        if value is not None:
            result.append(as_object(value, function))
    return result


@builtin("merge")
def merge(ctx: EvalContext, o: Any, *more: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for obj in _objects((o, *more), "merge"):
        ctx.step(len(obj))
        result.update(obj)
    check_list_size(len(result))
    return result


@builtin("deep_merge")
def deep_merge(ctx: EvalContext, o: Any, *more: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for obj in _objects((o, *more), "deep_merge"):
        result = _merge_two(ctx, result, obj)
    check_list_size(len(result))
    return result


def _merge_two(ctx: EvalContext, base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Objects on both sides merge recursively; anything else from ``extra`` replaces."""
    ctx.step(len(extra))
    result = dict(base)
    for key, value in extra.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = _merge_two(ctx, current, value)
        else:
            result[key] = value
    return result


def _key_list(keys_value: Any, function: str) -> list[str]:
    return [text(key) for key in as_list(keys_value, function)]


@builtin("pick")
def pick(o: Any, keys: Any) -> dict[str, Any]:
    source = as_object(o, "pick")
    return {key: source[key] for key in _key_list(keys, "pick") if key in source}


@builtin("omit")
def omit(o: Any, keys: Any) -> dict[str, Any]:
    dropped = set(_key_list(keys, "omit"))
    return {key: value for key, value in as_object(o, "omit").items() if key not in dropped}


@builtin("delete")
def delete(o: Any, key: Any) -> dict[str, Any]:
    name = text(key)
    return {k: value for k, value in as_object(o, "delete").items() if k != name}


@builtin("equals")
def equals(a: Any, b: Any) -> bool:
    return strict_equals(a, b)


@builtin("clone")
def clone(x: Any) -> Any:
    """A structural copy: values are never mutated, but a copy keeps that true even for a
    caller outside the language that holds on to the result."""
    if isinstance(x, list):
        return [clone(item) for item in x]
    if isinstance(x, dict):
        return {key: clone(value) for key, value in x.items()}
    return x
