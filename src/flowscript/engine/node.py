"""Executing one node (SPEC §6.5), in layers, one concern each (STYLE lesson 8):

    run_node → _run_with_fallback → _run_with_retry → _run_attempt (timeout)
             → dispatcher.dispatch → runtime.run(node, ctx)

``run_node`` records the result and emits events; the fallback and retry layers are the
seams the resilience modules fill (today: no fallback, one attempt); ``_run_attempt``
evaluates the configuration and applies the attempt timeout, turning our own deadline
into ``AttemptTimeoutError``. Every node, top-level or nested, goes through here.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..ast import DataNode, Node
from ..durations import parse_duration
from ..elements.data import DATA_TYPES
from ..errors import AttemptTimeoutError, ExpressionError, InternalError, NodeConfigError
from ..expr.values import Function
from ..runtimes.registry import Runtime, UnknownRuntimeError, get_runtime
from .config_values import ConfigProgram, compile_config, convert
from .context import NodeContext, RunServices
from .dispatch import Dispatcher, LocalDispatcher
from .scope import RunTables, Scope
from .state import NodeResult, error_object


class NodeProgram:
    """What running a node needs, prepared once per node per run."""

    __slots__ = ("config", "input", "problem", "runtime", "timeout")

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        #: Why the node cannot run (unknown runtime, invalid timeout), raised per attempt.
        self.problem: Exception | None = None
        self.config: ConfigProgram | None = None
        #: The compiled ``input`` expression, or None for an implicit input.
        self.input: Any = None
        #: Seconds, a compiled template, or None (no limit).
        self.timeout: Any = None


class NodeRunner:
    """Runs nodes through the layers above and records their results."""

    def __init__(self, services: RunServices, tables: RunTables,
                 dispatcher: Dispatcher | None = None) -> None:
        self.services = services
        self.tables = tables
        self.dispatcher: Dispatcher = dispatcher or LocalDispatcher()
        self._programs: dict[int, NodeProgram] = {}

    # -- preparation ---------------------------------------------------------------------

    def program(self, node: Node) -> NodeProgram:
        program = self._programs.get(id(node))
        if program is None:
            program = self._programs[id(node)] = self._prepare(node)
        return program

    def _prepare(self, node: Node) -> NodeProgram:
        program = NodeProgram()
        try:
            program.runtime = get_runtime(node.kind)
        except UnknownRuntimeError as exc:
            program.problem = InternalError(
                f'the runtime for "{node.kind}" is not available in this engine ({exc})')
            return program
        source = node.input
        if source is not None:
            program.input = self.services.expression(source.value)
        if isinstance(node, DataNode):
            program.config = compile_config(node.config, self._keys(node, program.runtime),
                                            self.services,
                                            deferred=program.runtime.deferred)
        program.timeout = self._timeout(node, program.runtime)
        return program

    @staticmethod
    def _keys(node: DataNode, runtime: Runtime) -> Any:
        element = "transform" if node.element == "ai" else node.element
        data_type = DATA_TYPES.get((element, node.type))
        return data_type.keys if data_type is not None else runtime.keys

    def _timeout(self, node: Node, runtime: Runtime) -> Any:
        written = node.attr_value("timeout")
        if written is None:
            return runtime.timeout
        if "{{" in written:
            return self.services.template(written)
        seconds = parse_duration(written)
        if seconds is None or seconds <= 0:
            raise NodeConfigError(f"timeout must be a duration greater than zero, "
                                  f"got {written!r}")
        return seconds

    # -- the layers --------------------------------------------------------------------------

    async def run_node(self, node: Node, scope: Scope, *, key: str | None = None,
                       implicit_input: Any = None) -> NodeResult:
        """Execute ``node`` in ``scope`` (SPEC §6.5) and record its result under ``key``.

        Never raises for a node failure: the result says ``failed``. Cancellation
        records the node ``cancelled`` and propagates.
        """
        key = key or node.id
        result = NodeResult(node.id, node.kind, key=key, status="running")
        result.started = time.time()
        self.tables.record(result)
        bus = self.services.bus
        if bus.active:
            bus.emit("node_started", key=key, id=node.id, kind=node.kind, attempt=1)
        try:
            program = self.program(node)
            value = implicit_input if program.input is None else program.input.evaluate(scope)
            ctx = NodeContext(node, key, scope.bind({"input": value}), self.services,
                              input=value)
            output = await self._run_with_fallback(program, ctx, result)
        except asyncio.CancelledError as exc:
            self._settle(result, "cancelled", exc)
            raise
        except Exception as exc:
            self._settle(result, "failed", exc)
        else:
            result.output = output
            self._settle(result, "success")
        return result

    def _settle(self, result: NodeResult, status: str,
                exc: BaseException | None = None) -> None:
        result.status = status
        if exc is not None:
            result.exception = exc
            result.error = self.services.clean(error_object(exc, result.key, result.attempts))
        result.completed = time.time()
        self.tables.version += 1
        bus = self.services.bus
        if bus.active:
            bus.emit("node_finished", key=result.key, id=result.id, kind=result.kind,
                     status=status, attempts=result.attempts,
                     duration_ms=result.duration_ms,
                     error=_public(result.error))

    async def _run_with_fallback(self, program: NodeProgram, ctx: NodeContext,
                                 result: NodeResult) -> Any:
        """The fallback layer (SPEC §7.6). The resilience modules add fallback handlers
        here; without them a failure passes through unchanged."""
        return await self._run_with_retry(program, ctx, result)

    async def _run_with_retry(self, program: NodeProgram, ctx: NodeContext,
                              result: NodeResult) -> Any:
        """The retry layer (SPEC §7.2–§7.4): each attempt is counted in the result. The
        resilience modules add the retry policy here; today a node gets one attempt."""
        ctx.attempt = result.attempts = 1
        return await self._run_attempt(program, ctx)

    async def _run_attempt(self, program: NodeProgram, ctx: NodeContext) -> Any:
        """One attempt: configuration, then the runtime under the attempt timeout."""
        if program.problem is not None:
            raise program.problem
        scope = ctx.scope
        scope.bindings["$attempt"] = ctx.attempt
        if program.config is not None:
            ctx.config = program.config.evaluate(scope)
        limit = program.timeout
        if limit is not None and not isinstance(limit, float | int):
            limit = _positive_duration(limit.render(scope))
        call = self.dispatcher.dispatch(program.runtime, ctx.node, ctx)  # type: ignore[arg-type]
        output = await call if limit is None else await within(limit, call)
        if isinstance(output, Function):
            raise ExpressionError("a function cannot be a node output", kind="type")
        return output


async def within(seconds: float, awaitable: Any) -> Any:
    """Await ``awaitable`` for at most ``seconds``; our own deadline becomes
    ``AttemptTimeoutError`` (a ``TimeoutError`` raised inside stays what it is)."""
    deadline = asyncio.timeout(seconds)
    try:
        async with deadline:
            return await awaitable
    except TimeoutError:
        if deadline.expired():
            raise AttemptTimeoutError(f"attempt timed out after {seconds:g}s") from None
        raise


def _positive_duration(value: Any) -> float:
    seconds = convert("timeout", "duration", (), value)
    if seconds is None or seconds <= 0:
        raise NodeConfigError(f"timeout must be a duration greater than zero, got {value!r}")
    return seconds


def _public(error: dict[str, Any] | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {key: value for key, value in error.items() if key != "traceback"}


__all__ = ["NodeProgram", "NodeRunner", "within"]
