"""The workflow error handlers (SPEC §7.8): ``<on-workflow-error>`` and the API callback.

They run after a run has been marked ``failed`` and persisted: first the
``<on-workflow-error>`` sequence (``$error`` bound, ``$execution`` with ``failed_node`` and
``status``) within its own limit (``timeout``, default 60 s, §3.34), then
``ExecutionOptions.error_handler(error, state)``, each once. A handler that fails is
recorded in ``state.error_handler`` and reported by a ``handler_failed`` event; it never
changes the run's error or status, because the person reading the result needs the
original failure, not the alerting system's. The executor persists the state again after.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..durations import parse_duration
from ..errors import WrapperTimeoutError
from .scope import Scope
from .sequence import SequenceOutcome, run_sequence
from .state import error_object, public_error

if TYPE_CHECKING:
    from .executor import Executor

#: Limit of the ``<on-workflow-error>`` sequence without a ``timeout`` attribute (§3.34).
DEFAULT_HANDLER_TIMEOUT = 60.0


async def run_error_handlers(executor: Executor, error: BaseException,
                             callback: Callable[..., Any] | None) -> None:
    """Run both handlers in order; record how each went."""
    state = executor.state
    record: dict[str, Any] = {}
    if executor.workflow.body.on_workflow_error is not None:
        record["on_workflow_error"] = await _on_workflow_error(executor)
    if callback is not None:
        record["callback"] = await _callback(executor, callback, error)
    if record:
        state.error_handler = record


async def _on_workflow_error(executor: Executor) -> dict[str, Any]:
    handler = executor.workflow.body.on_workflow_error
    assert handler is not None
    state = executor.state
    execution = dict(executor.tables.dollars.get("$execution") or {})
    execution.update(failed_node=(state.error or {}).get("node"), status=state.status)
    scope = Scope(executor.tables, bindings={"$error": public_error(state.error),
                                             "$execution": execution})
    limit = parse_duration(handler.attr_value("timeout") or "") or DEFAULT_HANDLER_TIMEOUT
    try:
        outcome = await _within_limit(executor, handler.body, scope, limit)
    except Exception as exc:
        return _failed(executor, "on-workflow-error",
                       executor.services.clean(error_object(exc, None, None)))
    if outcome.failed is not None:
        return _failed(executor, "on-workflow-error", outcome.failed.error)
    return {"status": "success", "error": None}


async def _within_limit(executor: Executor, body: Any, scope: Scope,
                        limit: float) -> SequenceOutcome:
    """Run the handler's sequence; our own deadline cancels it (its running node is
    recorded ``cancelled``) and becomes a ``TimeoutError`` naming the limit."""
    deadline = asyncio.timeout(limit)
    try:
        async with deadline:
            return await run_sequence(executor.runner, body, scope, None)
    except TimeoutError:
        if not deadline.expired():
            raise
    raise WrapperTimeoutError(f"the <on-workflow-error> handler exceeded its limit of "
                              f"{limit:g}s")


async def _callback(executor: Executor, callback: Callable[..., Any],
                    error: BaseException) -> dict[str, Any]:
    try:
        result = callback(error, executor.state)
        if inspect.isawaitable(result):
            await result
    except Exception as exc:
        return _failed(executor, "callback",
                       executor.services.clean(error_object(exc, None, None)))
    return {"status": "success", "error": None}


def _failed(executor: Executor, handler: str, error: dict[str, Any] | None) -> dict[str, Any]:
    shown = public_error(error)
    executor.services.bus.emit("handler_failed", handler=handler, error=shown)
    return {"status": "failed", "error": shown}


__all__ = ["DEFAULT_HANDLER_TIMEOUT", "run_error_handlers"]
