"""``<transform type="template|map|filter|reduce">`` (SPEC §3.10–§3.13).

The per-item expressions are evaluated by the runtime itself (they are *deferred*
configuration keys): one binding dict is updated in place per item, so a thousand items
cost a thousand evaluations and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import FormatError, NodeConfigError
from ..expr.values import Function, text, truthy
from .registry import Runtime


async def template(node: Any, ctx: Any) -> Any:
    """Render ``template``; shape the result by ``format`` (auto, text, json)."""
    compiled = ctx.template(_source(ctx, "template"))
    value = compiled.render(ctx.scope)
    single = compiled.single
    fmt = ctx.config.get("format") or "auto"
    if fmt == "text":
        return text(value)
    if single:
        return value
    if fmt == "json":
        try:
            return json.loads(value)
        except ValueError as exc:
            raise FormatError(f"the rendered template is not valid JSON: {exc}") from None
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _source(ctx: Any, key: str) -> str:
    source = ctx.config_source(key)
    if source is None:
        raise NodeConfigError(f"{key} is required")
    return source


def as_items(value: Any) -> list[Any]:
    """The input coerced to a list: a list as is, ``null`` → ``[]``, else ``[value]``."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _each(ctx: Any, key: str) -> Any:
    """Yield ``(item, index, value)`` for every input item, ``value`` being the per-item
    expression's result (a function result is called with ``(item, index)``)."""
    compiled = ctx.expression(_source(ctx, key))
    items = as_items(ctx.input)
    last = len(items) - 1
    bindings = dict(ctx.scope.bindings)
    scope = ctx.scope.bind(bindings)
    bindings = scope.bindings
    bindings["$items"] = items
    for index, item in enumerate(items):
        bindings["item"] = bindings["$item"] = item
        bindings["index"] = bindings["$index"] = index
        bindings["$first"] = index == 0
        bindings["$last"] = index == last
        value = compiled.evaluate(scope, allow_function=True)
        if isinstance(value, Function):
            value = value.invoke(item, index)
        yield item, value


async def map_items(node: Any, ctx: Any) -> list[Any]:
    """The expression's value for every item, in order."""
    return [value for _, value in _each(ctx, "expression")]


async def filter_items(node: Any, ctx: Any) -> list[Any]:
    """The items for which the condition is truthy, in order."""
    return [item for item, keep in _each(ctx, "condition") if truthy(keep)]


async def reduce_items(node: Any, ctx: Any) -> Any:
    """Fold the items with ``reducer`` from ``initial``; apply ``finalize`` at the end."""
    reducer = ctx.expression(_source(ctx, "reducer"))
    acc = ctx.config.get("initial")
    bindings = dict(ctx.scope.bindings)
    scope = ctx.scope.bind(bindings)
    bindings = scope.bindings
    items = as_items(ctx.input)
    bindings["$items"] = items
    for index, item in enumerate(items):
        bindings["acc"] = bindings["$acc"] = acc
        bindings["item"] = bindings["$item"] = item
        bindings["index"] = bindings["$index"] = index
        value = reducer.evaluate(scope, allow_function=True)
        acc = value.invoke(acc, item, index) if isinstance(value, Function) else value
    finalize = ctx.config_source("finalize")
    if finalize is None:
        return acc
    for name in ("item", "$item", "index", "$index"):
        bindings.pop(name, None)
    bindings["acc"] = bindings["$acc"] = bindings["result"] = acc
    value = ctx.expression(finalize).evaluate(scope, allow_function=True)
    return value.invoke(acc) if isinstance(value, Function) else value


TEMPLATE = Runtime(run=template, deferred=frozenset({"template"}),
                   summary="Render a template.")
MAP = Runtime(run=map_items, deferred=frozenset({"expression"}),
              summary="Evaluate an expression per item.")
FILTER = Runtime(run=filter_items, deferred=frozenset({"condition"}),
                 summary="Keep the items for which a condition holds.")
REDUCE = Runtime(run=reduce_items, deferred=frozenset({"reducer", "finalize"}),
                 summary="Fold the items into one value.")

__all__ = ["FILTER", "MAP", "REDUCE", "TEMPLATE", "as_items", "filter_items", "map_items",
           "reduce_items", "template"]
