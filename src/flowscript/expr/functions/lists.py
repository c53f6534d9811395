"""List built-ins (SPEC §5.14).

A ``null`` list is ``[]`` everywhere, so pipelines over optional data need no guards.
Callbacks receive ``(item, index)``; every visited element is counted with ``ctx.step`` so
the evaluation step limit also bounds work done inside built-ins.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import ExpressionError
from ..values import (
    EvalContext,
    Function,
    argument_error,
    builtin,
    is_number,
    loose_equals,
    normalize,
    text,
    to_json,
    truthy,
    type_name,
)
from . import _paths
from ._args import (
    MISSING,
    as_function,
    as_integer,
    as_list,
    as_number,
    check_list_size,
)


@builtin("length", "len", "size")
def length(x: Any) -> int:
    if x is None:
        return 0
    if isinstance(x, list | str | dict):
        return len(x)
    raise argument_error(f"length() expects a list, string or object, got {type_name(x)}")


def _sequence(x: Any, function: str) -> list[Any] | str:
    if x is None:
        return []
    if isinstance(x, list | str):
        return x
    raise argument_error(f"{function}() expects a list or string, got {type_name(x)}")


@builtin("first")
def first(x: Any) -> Any:
    items = _sequence(x, "first")
    return items[0] if items else None


@builtin("last")
def last(x: Any) -> Any:
    items = _sequence(x, "last")
    return items[-1] if items else None


@builtin("at")
def at(items: Any, i: Any) -> Any:
    values = as_list(items, "at")
    index = _paths.list_index(as_integer(i, "at", "index"), len(values))
    return None if index is None else values[index]


@builtin("take")
def take(items: Any, n: Any) -> list[Any]:
    return as_list(items, "take")[:max(0, as_integer(n, "take"))]


@builtin("skip")
def skip(items: Any, n: Any) -> list[Any]:
    return as_list(items, "skip")[max(0, as_integer(n, "skip")):]


@builtin("flatten")
def flatten(ctx: EvalContext, items: Any, depth: Any = 1) -> list[Any]:
    levels = as_integer(depth, "flatten", "depth")
    if levels < 0:
        raise argument_error("flatten() expects a depth of 0 or more")
    result: list[Any] = []
    _flatten_into(ctx, as_list(items, "flatten"), levels, result)
    return result


def _flatten_into(ctx: EvalContext, items: list[Any], levels: int, out: list[Any]) -> None:
    ctx.step(len(items))
    for item in items:
        if isinstance(item, list) and levels > 0:
            _flatten_into(ctx, item, levels - 1, out)
        else:
            out.append(item)
    check_list_size(len(out))


def identity_key(value: Any) -> Any:
    """A hashable key equal for exactly the values ``===`` finds equal (deep), so ``unique``
    runs in linear time: ``1`` and ``1.0`` share a key, ``1``, ``"1"`` and ``true`` do not."""
    if isinstance(value, bool):
        return ("b", value)
    if is_number(value):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("l", tuple(identity_key(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((key, identity_key(item)) for key, item in value.items()))
    return ("x", id(value))


@builtin("unique")
def unique(ctx: EvalContext, items: Any) -> list[Any]:
    values = as_list(items, "unique")
    ctx.step(len(values))
    seen: set[Any] = set()
    result = []
    for value in values:
        key = identity_key(value)
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


@builtin("reverse")
def reverse(x: Any) -> list[Any] | str:
    return _sequence(x, "reverse")[::-1]


_TYPE_RANK = {"number": 0, "string": 1, "boolean": 2, "array": 3, "object": 4}


def order_key(value: Any) -> tuple[int, Any]:
    """The §5.14 order: numbers < strings < booleans < lists < objects, lists and objects by
    their compact JSON text."""
    rank = _TYPE_RANK.get(type_name(value), 5)
    if rank >= 3:
        return rank, to_json(value) if rank < 5 else ""
    return rank, value


def _key_function(key: Any, function: str) -> Any:
    """Turn a ``key`` argument (null, a path or a function) into ``f(item, index)``."""
    if key is None:
        return lambda item, _index: item
    if isinstance(key, Function):
        return key
    segments = _paths.parse_path(key, function)

    def by_path(item: Any, _index: int) -> Any:
        found = _paths.follow(item, segments)
        return None if found is _paths.MISSING else found

    return by_path


@builtin("sort")
def sort(ctx: EvalContext, items: Any, key: Any = None, direction: Any = "asc") -> list[Any]:
    """Stable; null keys always last, whichever the direction."""
    values = as_list(items, "sort")
    if direction is None:
        direction = "asc"
    if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
        raise argument_error('sort() expects the direction "asc" or "desc"')
    ctx.step(len(values))
    key_of = _key_function(key, "sort")
    keyed = [(key_of(item, index), item) for index, item in enumerate(values)]
    present = [(order_key(k), item) for k, item in keyed if k is not None]
    present.sort(key=lambda pair: pair[0], reverse=direction.lower() == "desc")
    return [item for _, item in present] + [item for k, item in keyed if k is None]


@builtin("sort_by")
def sort_by(ctx: EvalContext, items: Any, key: Any, direction: Any = "asc") -> list[Any]:
    return sort(ctx, items, key, direction)


@builtin("compact")
def compact(ctx: EvalContext, items: Any) -> list[Any]:
    values = as_list(items, "compact")
    ctx.step(len(values))
    return [item for item in values if item is not None]


@builtin("count")
def count(ctx: EvalContext, items: Any, test: Any = MISSING) -> int:
    """Without ``test``, the length; ``count(list, null)`` counts the nulls."""
    values = as_list(items, "count")
    if test is MISSING:
        return len(values)
    ctx.step(len(values))
    if isinstance(test, Function):
        return sum(1 for index, item in enumerate(values) if truthy(test(item, index)))
    return sum(1 for item in values if loose_equals(item, test))


@builtin("every")
def every(ctx: EvalContext, items: Any, pred: Any) -> bool:
    values, predicate = as_list(items, "every"), as_function(pred, "every")
    for index, item in enumerate(values):
        ctx.step()
        if not truthy(predicate(item, index)):
            return False
    return True


@builtin("some")
def some(ctx: EvalContext, items: Any, pred: Any) -> bool:
    return _first_index(ctx, as_list(items, "some"), pred, "some") != -1


@builtin("find")
def find(ctx: EvalContext, items: Any, pred: Any) -> Any:
    values = as_list(items, "find")
    index = _first_index(ctx, values, pred, "find")
    return None if index == -1 else values[index]


@builtin("find_index")
def find_index(ctx: EvalContext, items: Any, pred: Any) -> int:
    return _first_index(ctx, as_list(items, "find_index"), pred, "find_index")


def _first_index(ctx: EvalContext, values: list[Any], pred: Any, function: str) -> int:
    """The index of the first element with a truthy predicate, stopping there."""
    predicate = as_function(pred, function)
    for index, item in enumerate(values):
        ctx.step()
        if truthy(predicate(item, index)):
            return index
    return -1


@builtin("map")
def map_(ctx: EvalContext, items: Any, fn: Any) -> list[Any]:
    values, function = as_list(items, "map"), as_function(fn, "map")
    ctx.step(len(values))
    return [function(item, index) for index, item in enumerate(values)]


@builtin("filter")
def filter_(ctx: EvalContext, items: Any, pred: Any) -> list[Any]:
    values, predicate = as_list(items, "filter"), as_function(pred, "filter")
    ctx.step(len(values))
    return [item for index, item in enumerate(values) if truthy(predicate(item, index))]


@builtin("flat_map")
def flat_map(ctx: EvalContext, items: Any, fn: Any) -> list[Any]:
    mapped = map_(ctx, items, fn)
    result: list[Any] = []
    for value in mapped:
        if isinstance(value, list):
            check_list_size(len(result) + len(value))
            result.extend(value)
        else:
            result.append(value)
    check_list_size(len(result))
    return result


@builtin("reduce")
def reduce(ctx: EvalContext, items: Any, fn: Any, initial: Any = MISSING) -> Any:
    values, function = as_list(items, "reduce"), as_function(fn, "reduce")
    if initial is MISSING:
        if not values:
            return None
        accumulator, start = values[0], 1
    else:
        accumulator, start = initial, 0
    for index in range(start, len(values)):
        ctx.step()
        accumulator = function(accumulator, values[index], index)
    return accumulator


@builtin("group_by")
def group_by(ctx: EvalContext, items: Any, key: Any) -> dict[str, list[Any]]:
    if key is None:
        raise argument_error("group_by() expects a path or a function as key")
    values = as_list(items, "group_by")
    ctx.step(len(values))
    key_of = _key_function(key, "group_by")
    groups: dict[str, list[Any]] = {}
    for index, item in enumerate(values):
        groups.setdefault(text(key_of(item, index)), []).append(item)
    return groups


@builtin("pluck")
def pluck(ctx: EvalContext, items: Any, path: Any) -> list[Any]:
    values = as_list(items, "pluck")
    segments = _paths.parse_path(path, "pluck")
    ctx.step(len(values))
    found = (_paths.follow(item, segments) for item in values)
    return [None if value is _paths.MISSING else value for value in found]


@builtin("chunk")
def chunk(ctx: EvalContext, items: Any, size: Any) -> list[list[Any]]:
    values = as_list(items, "chunk")
    width = as_integer(size, "chunk", "size")
    if width < 1:
        raise argument_error("chunk() expects a size of 1 or more")
    ctx.step(len(values))
    return [values[i:i + width] for i in range(0, len(values), width)]


@builtin("zip")
def zip_(ctx: EvalContext, items: Any, *more: Any) -> list[list[Any]]:
    lists = [as_list(value, "zip") for value in (items, *more)]
    shortest = min(len(values) for values in lists)
    ctx.step(shortest * len(lists))
    return [list(row) for row in zip(*lists, strict=False)]


@builtin("range")
def range_(ctx: EvalContext, start_or_end: Any, end: Any = None, step: Any = 1) -> list[Any]:
    """``range(end)`` or ``range(start, end, [step])``; the size is checked before any
    element is built, so ``range(1e12)`` fails fast instead of exhausting memory."""
    if end is None:
        start, stop = 0, as_number(start_or_end, "range", "number as end")
    else:
        start = as_number(start_or_end, "range", "number as start")
        stop = as_number(end, "range", "number as end")
    stride = as_number(step, "range", "number as step")
    if stride == 0:
        raise argument_error("range() step must not be 0")
    size = _range_size(start, stop, stride)
    check_list_size(size)
    ctx.step(size)
    return [normalize(start + i * stride) for i in range(size)]


def _range_size(start: float, stop: float, stride: float) -> int:
    if all(isinstance(n, int) for n in (start, stop, stride)):
        return max(0, -((start - stop) // stride))  # exact ceiling division for integers
    quotient = (stop - start) / stride
    if not math.isfinite(quotient):
        raise ExpressionError("range() would have too many elements", kind="limit")
    return max(0, math.ceil(quotient))


@builtin("array_concat")
def array_concat(ctx: EvalContext, first: Any, *rest: Any) -> list[Any]:
    values = (first, *rest)
    size = sum(len(v) if isinstance(v, list) else 1 for v in values if v is not None)
    check_list_size(size)
    ctx.step(size)
    result: list[Any] = []
    for value in values:
        if isinstance(value, list):
            result.extend(value)
        elif value is not None:
            result.append(value)
    return result
