"""``<delay>``: wait, then pass the input on unchanged (SPEC §3.28).

The wait goes through the run's clock, so it is cancelled with the run (timeouts,
SIGINT) and tests can make it instant with a fake clock.
"""

from __future__ import annotations

from typing import Any

from ..durations import parse_duration
from ..errors import NodeConfigError
from .registry import Runtime


def rendered_duration(ctx: Any, name: str) -> float:
    """A duration attribute (literal or template; a number means seconds), ≥ 0."""
    text = ctx.node.attr_value(name) or ""
    value = ctx.render(text) if "{{" in text else text
    seconds = parse_duration(value)
    if seconds is None:
        raise NodeConfigError(f"<{ctx.node.element}> {name}={value!r} is not a duration")
    return seconds


async def delay(node: Any, ctx: Any) -> Any:
    await ctx.services.clock.sleep(rendered_duration(ctx, "duration"))
    return ctx.input


DELAY = Runtime(run=delay, leaf=False, summary="Wait, then pass the input on.")

__all__ = ["DELAY", "delay", "rendered_duration"]
