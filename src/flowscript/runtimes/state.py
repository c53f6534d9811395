"""``<context>`` and standalone ``<set>``: workflow variables (SPEC §3.6, §4.5).

Values are of kind *value*: a template when the text holds ``{{``, else a YAML flow
literal (``value="0"`` is the number 0). Writes go through the scope, which applies the
scope rules of §4.5 (nearest declaring scope; iteration and lane frames stay local).
"""

from __future__ import annotations

from typing import Any

from .registry import Runtime


def entry_value(ctx: Any, source: str) -> Any:
    """Evaluate a ``<set>`` value in the node's scope."""
    if "{{" in source:
        return ctx.render(source)
    return ctx.literal(source)


async def set_variable(node: Any, ctx: Any) -> Any:
    """Assign ``var`` (dotted names set nested keys); the output is the value."""
    value = entry_value(ctx, node.value.value)
    ctx.scope.assign(node.var.value, value)
    return value


async def declare_context(node: Any, ctx: Any) -> dict[str, Any]:
    """Declare and initialise the entries in order (later ones see earlier ones), in the
    global scope or, with ``scope="phase"``, the phase's; the output is the pairs."""
    phase_scope = (node.attr_value("scope") or "global") == "phase"
    assigned: dict[str, Any] = {}
    for entry in node.entries:
        value = entry_value(ctx, entry.value.value)
        name = entry.var.value
        if "." in name:
            ctx.scope.assign(name, value)
        else:
            ctx.scope.declare(name, value, phase_scope=phase_scope)
        assigned[name] = value
    return assigned


CONTEXT = Runtime(run=declare_context, leaf=False, summary="Declare and initialise variables.")
SET = Runtime(run=set_variable, leaf=False, summary="Assign a variable.")

__all__ = ["CONTEXT", "SET", "declare_context", "entry_value", "set_variable"]
