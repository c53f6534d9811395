"""Logic built-ins (SPEC §5.18): function forms of ``??`` and ``? :``, plus ``switch``.

Arguments are evaluated before the call, so unlike the operators these never
short-circuit; they exist for pipes and for readers who prefer words.
"""

from __future__ import annotations

from typing import Any

from ..values import builtin, text, truthy


@builtin("coalesce")
def coalesce(x: Any, *more: Any) -> Any:
    return next((value for value in (x, *more) if value is not None), None)


@builtin("default")
def default(x: Any, d: Any) -> Any:
    return d if x is None else x


@builtin("if_else")
def if_else(c: Any, a: Any, b: Any) -> Any:
    return a if truthy(c) else b


@builtin("switch")
def switch(x: Any, cases: Any, default: Any = None) -> Any:
    """``cases`` not being an object simply selects the default (a lookup table that came
    back empty from a data source should not fail the node)."""
    if isinstance(cases, dict):
        key = text(x)
        if key in cases:
            return cases[key]
    return default


@builtin("is_truthy")
def is_truthy(x: Any) -> bool:
    return truthy(x)


@builtin("is_falsy")
def is_falsy(x: Any) -> bool:
    return not truthy(x)
