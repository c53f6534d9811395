"""``<foreach>``: run the body once per item of a collection (SPEC §3.23).

Every iteration is a nested sequence run through ``ctx.run_children``, so its nodes go
through the full node procedure (§6.5): a ``<circuit-breaker>`` on a body node is the
node's one breaker, shared by every iteration. Each iteration gets its own variable frame
(``<set>`` stays local, §4.5) and the result-key prefix ``<foreach-key>[<index>]/`` (§4.1).

Iterations are pulled in index order by at most ``concurrency`` workers, so they *start*
in index order whatever order they finish in; outputs are kept by index.

Each successful iteration is an iteration checkpoint (§8.2): its index joins the node's
``progress`` entry ``{iteration, completed}``, which the run persists. A resumed run
(§8.6 step 5) takes the recorded completed iterations' outputs from their recorded body
results and runs only the other iterations, so the output is that of an uninterrupted run.
"""

from __future__ import annotations

import asyncio
import bisect
from dataclasses import dataclass, field
from typing import Any

from ..engine.sequence import NOT_CHAINED
from ..engine.state import public_error
from ..errors import InternalError, NodeConfigError
from .registry import Runtime

#: The ``on-item-error`` modes (§3.23).
MODES = ("fail", "skip", "collect")


@dataclass(slots=True)
class Settings:
    """The foreach's attributes, read once per attempt."""

    item: str = "item"
    index: str = "index"
    concurrency: int = 1
    mode: str = "fail"


@dataclass(slots=True)
class Progress:
    """Shared by the workers: the next index to start, whether to stop starting, and
    each iteration's outcome by index (``None`` for iterations never started)."""

    outcomes: list[Any]
    next_index: int = 0
    stopped: bool = False
    #: The ``progress`` entry of the state (§8.4), updated in place as iterations end.
    entry: dict[str, Any] = field(default_factory=lambda: {"iteration": 0, "completed": []})

    def complete(self, index: int) -> None:
        """Count a successful iteration into the checkpoint entry (indices kept sorted)."""
        completed = self.entry["completed"]
        bisect.insort(completed, index)
        self.entry["iteration"] = len(completed)


@dataclass(slots=True)
class Recorded:
    """An iteration a resumed run does not run again: its recorded output (§8.6)."""

    output: Any
    ok: bool = True
    failed: Any = None


def as_collection(value: Any) -> list[Any]:
    """Coerce the collection: a list as is; an object → ``[{key, value}]`` in key order;
    ``null`` → ``[]``; anything else → a one-element list."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [{"key": key, "value": item} for key, item in value.items()]
    return [] if value is None else [value]


def read_settings(node: Any, ctx: Any) -> Settings:
    """Attributes may be templates (``concurrency="{{ $config.n }}"``); a bad value is a
    ``NodeConfigError`` so the node fails rather than the engine."""
    settings = Settings(item=node.attr_value("item") or "item",
                        index=node.attr_value("index") or "index")
    written = node.attr_value("concurrency") or "1"
    value = ctx.render(written) if "{{" in written else written
    try:
        settings.concurrency = int(value)
    except (TypeError, ValueError):
        raise NodeConfigError(f"concurrency must be an integer, got {value!r}") from None
    if settings.concurrency < 1:
        raise NodeConfigError(f"concurrency must be at least 1, got {settings.concurrency}")
    settings.mode = node.attr_value("on-item-error") or "fail"
    if settings.mode not in MODES:
        raise NodeConfigError(f"on-item-error must be one of {', '.join(MODES)}, "
                              f"got {settings.mode!r}")
    return settings


async def run_iteration(node: Any, ctx: Any, items: list[Any], index: int,
                        settings: Settings) -> Any:
    """One iteration: the body in a fresh frame holding the item and index names, with
    the ``$`` names of §4.6 bound and the item as the first node's implicit input."""
    item = items[index]
    bindings = {"$item": item, "$index": index, "$first": index == 0,
                "$last": index == len(items) - 1, "$items": items}
    frame = {settings.item: item, settings.index: index}
    return await ctx.run_children(node.body, input=item, bindings=bindings, frame=frame,
                                  prefix=f"{ctx.key}[{index}]/")


def recorded_iterations(node: Any, ctx: Any, items: list[Any]) -> dict[int, Any]:
    """Index → output of the iterations an interrupted run recorded as completed, when
    this is a resumed run; an iteration whose result is no longer kept (failed, redacted:
    §8.6 step 4) is not among them and runs again. The output is the recorded result of
    the last chained body node, exactly what the iteration's sequence returned."""
    entry = ctx.services.resumed_progress.pop(ctx.key, None)
    if not isinstance(entry, dict):
        return {}
    last = next((child for child in reversed(list(node.body))
                 if child.kind not in NOT_CHAINED), None)
    results = ctx.scope.tables.results
    outputs: dict[int, Any] = {}
    for index in entry.get("completed") or ():
        if type(index) is not int or not 0 <= index < len(items):
            continue
        if last is None:
            outputs[index] = items[index]
            continue
        result = results.get(f"{ctx.key}[{index}]/{last.id}")
        if result is not None and result.status == "success" and not result.redacted:
            outputs[index] = result.output
    return outputs


async def run_all(node: Any, ctx: Any, items: list[Any], settings: Settings) -> Progress:
    """Run the iterations not recorded as completed, at most ``concurrency`` in flight.
    In ``fail`` mode the first failure stops new starts; iterations in flight settle
    (they are not cancelled). Every success is checkpointed; the last write is forced."""
    progress = Progress(outcomes=[None] * len(items))
    for index, output in recorded_iterations(node, ctx, items).items():
        progress.outcomes[index] = Recorded(output)
        progress.complete(index)

    async def worker() -> None:
        while not progress.stopped and progress.next_index < len(items):
            index = progress.next_index
            progress.next_index += 1
            if progress.outcomes[index] is not None:
                continue
            outcome = await run_iteration(node, ctx, items, index, settings)
            progress.outcomes[index] = outcome
            if outcome.ok:
                progress.complete(index)
                ctx.services.checkpoint(ctx.key, progress.entry)
            elif settings.mode == "fail":
                progress.stopped = True

    async with asyncio.TaskGroup() as group:
        for _ in range(min(settings.concurrency, len(items))):
            group.create_task(worker())
    ctx.services.checkpoint(ctx.key, progress.entry, final=True)
    return progress


def iteration_errors(items: list[Any], progress: Progress) -> list[dict[str, Any]]:
    """``[{index, item, error}]`` of the failed iterations, by index; ``error`` is the
    innermost failing node's error object (without traceback)."""
    return [{"index": index, "item": items[index], "error": public_error(outcome.failed.error)}
            for index, outcome in enumerate(progress.outcomes)
            if outcome is not None and not outcome.ok]


async def foreach(node: Any, ctx: Any) -> Any:
    """Iterate, then shape the output by ``on-item-error``; ``meta`` gets the counts and,
    when anything failed, the iteration errors."""
    settings = read_settings(node, ctx)
    source = node.attr_value("collection")
    items = as_collection(ctx.input if source is None else ctx.evaluate(source))
    progress = await run_all(node, ctx, items, settings)
    errors = iteration_errors(items, progress)
    results = [outcome.output for outcome in progress.outcomes
               if outcome is not None and outcome.ok]
    meta = ctx.meta
    meta.update(items=len(items), completed=len(results), failed=len(errors))
    if errors:
        meta["errors"] = errors
    if settings.mode == "collect":
        return {"results": results, "errors": errors}
    if errors and settings.mode == "fail":
        raise first_failure(progress)
    return results


def first_failure(progress: Progress) -> BaseException:
    """The exception of the lowest-index failed iteration (§6.7: the container fails with
    the same error as its innermost failing node)."""
    for outcome in progress.outcomes:
        if outcome is not None and not outcome.ok:
            exc = outcome.failed.exception
            if isinstance(exc, BaseException):
                return exc
            return InternalError(f"iteration failed at {outcome.failed.key} without an error")
    return InternalError("no failed iteration")


FOREACH = Runtime(run=foreach, leaf=False, summary="Run the body once per item.")

__all__ = ["FOREACH", "as_collection", "foreach"]
