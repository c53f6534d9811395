"""Executing one node (SPEC §6.5), in layers, one concern each (STYLE lesson 8):

    run_node → _run_with_fallback → _run_with_retry → _run_guarded (circuit breaker)
             → _run_attempt (timeout) → dispatcher.dispatch → runtime.run(node, ctx)

``run_node`` records the result and emits events; the fallback layer runs a handler node
inline when the node fails for good (§7.6); the retry layer attempts again under the
node's policy (§7.2–§7.4); the breaker layer refuses attempts while the node's circuit is
open (§7.7); ``_run_attempt`` evaluates the configuration and applies the attempt timeout,
turning our own deadline into ``AttemptTimeoutError`` (§7.5). What protects a node is
decided once per node per run (``engine.resilience``); a node with no protection goes
straight to its one attempt. Every node, top-level or nested, goes through here.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from ..ast import DataNode, Node, Workflow
from ..durations import parse_duration
from ..elements.data import DATA_TYPES
from ..errors import AttemptTimeoutError, ExpressionError, InternalError, NodeConfigError
from ..expr.values import Function, truthy
from ..runtimes.registry import Runtime, UnknownRuntimeError, get_runtime
from .config_values import ConfigProgram, compile_config, convert
from .context import NodeContext, RunServices
from .dispatch import Dispatcher, LocalDispatcher
from .resilience import UNPROTECTED, Fallback, Protection, Resilience
from .retry import RetryPolicy, retry_loop
from .scope import RunTables, Scope
from .state import NodeResult, error_object

if TYPE_CHECKING:
    from .state import RunState

#: The fields of the primary error a fallback handler sees as ``$primaryError`` (§7.6).
PRIMARY_ERROR_FIELDS = ("type", "message", "status", "attempts", "node")


class NodeProgram:
    """What running a node needs, prepared once per node per run."""

    __slots__ = ("config", "input", "problem", "protection", "runtime", "timeout")

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        #: Why the node cannot run (unknown runtime, invalid timeout), raised per attempt.
        self.problem: Exception | None = None
        self.config: ConfigProgram | None = None
        #: The compiled ``input`` expression, or None for an implicit input.
        self.input: Any = None
        #: Seconds, a compiled template, or None (no limit).
        self.timeout: Any = None
        #: Retry policy, fallback and circuit breaker (SPEC §7.3–§7.7).
        self.protection: Protection = UNPROTECTED


class NodeRunner:
    """Runs nodes through the layers above and records their results."""

    def __init__(self, services: RunServices, tables: RunTables,
                 dispatcher: Dispatcher | None = None) -> None:
        self.services = services
        self.tables = tables
        self.dispatcher: Dispatcher = dispatcher or LocalDispatcher()
        #: Default policies, fallback handlers and breakers of the run (SPEC §7).
        self.resilience = Resilience(services)
        self._programs: dict[int, NodeProgram] = {}

    def attach(self, workflow: Workflow, state: RunState) -> None:
        """Take the run's resilience settings from ``workflow`` and ``state``: the default
        retry policy (§7.3), the handler nodes, the breakers of a resumed state.

        The executor calls it once it holds the state. Raises ``ConfigError`` for an
        invalid default retry policy, before anything runs.
        """
        self.resilience.configure(workflow, state)
        self._programs.clear()

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
        program.protection = self.resilience.protection(node, program.runtime, self._render)
        program.timeout = self._timeout(node, program.runtime, program.protection.policy)
        return program

    def _render(self, source: str) -> Any:
        """Render a templated ``<retry>``/``<circuit-breaker>`` attribute, once per run, in
        the run-level scope (``$config``, ``$input``, ``$env``, settled nodes)."""
        return self.services.template(source).render(Scope(self.tables))

    @staticmethod
    def _keys(node: DataNode, runtime: Runtime) -> Any:
        element = "transform" if node.element == "ai" else node.element
        data_type = DATA_TYPES.get((element, node.type))
        return data_type.keys if data_type is not None else runtime.keys

    def _timeout(self, node: Node, runtime: Runtime, policy: RetryPolicy | None) -> Any:
        """The attempt limit (§7.5): the node's ``timeout``, its policy's, the kind's."""
        written = node.attr_value("timeout")
        if written is None:
            if policy is not None and policy.timeout is not None:
                return policy.timeout
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
            ctx.meta = result.meta
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
        """The fallback layer (SPEC §7.6): a node that fails for good may be recovered by
        its handler node; without a fallback a failure passes through unchanged."""
        fallback = program.protection.fallback
        if fallback is None:
            return await self._run_with_retry(program, ctx, result)
        try:
            return await self._run_with_retry(program, ctx, result)
        except Exception as primary:  # cancellation is not an Exception: never handled
            return await self._fall_back(fallback, primary, ctx, result)

    async def _fall_back(self, fallback: Fallback, primary: Exception, ctx: NodeContext,
                         result: NodeResult) -> Any:
        """Run the handler once, inline, in a throw-away child scope, under its own
        ``<on-error>`` only; its success recovers the node, its failure is recorded as
        ``fallback_error`` and the node fails with its primary error."""
        error = self.services.clean(error_object(primary, result.key, result.attempts,
                                                 with_traceback=False))
        if fallback.when is not None and not truthy(self._evaluate_when(
                fallback.when, _when_bindings(error, result.attempts), ctx)):
            raise primary
        handler = self.resilience.handler(fallback.node)
        # A fresh frame makes the child scope copy-on-write: the handler's <set>s land in
        # it and are discarded, so concurrent fallbacks never see each other's variables.
        scope = ctx.scope.enter(frame={}, bindings={
            "$primaryError": {field: error[field] for field in PRIMARY_ERROR_FIELDS},
            "$primaryInput": ctx.input})
        handled = await self.run_node(handler, scope, key=scope.prefixes[0] + handler.id,
                                      implicit_input=ctx.input)
        if handled.status != "success":
            result.fallback_error = handled.error
            raise primary
        result.error = self.services.clean(error_object(primary, result.key,
                                                        result.attempts))
        result.recovered_by = handler.id
        return handled.output

    async def _run_with_retry(self, program: NodeProgram, ctx: NodeContext,
                              result: NodeResult) -> Any:
        """The retry layer (SPEC §7.2–§7.4): attempts are counted in the result; each
        retry emits ``node_retrying``.

        The first attempt of a node without a breaker runs inline, so a node that succeeds
        first time pays nothing for its policy; the retry loop takes over at a failure.
        """
        protection = program.protection
        ctx.attempt = result.attempts = 1
        if protection.breaker is not None:
            return await self._retry(program, ctx, result, None)
        if protection.policy is None:
            return await self._run_attempt(program, ctx)
        try:
            return await self._run_attempt(program, ctx)
        except Exception as first:  # classification decides; cancellation propagates
            return await self._retry(program, ctx, result, first)

    async def _retry(self, program: NodeProgram, ctx: NodeContext, result: NodeResult,
                     first: Exception | None) -> Any:
        """``retry_loop`` over the breaker layer; a first attempt that already failed
        inline is replayed as attempt 1, so the loop classifies it like any other."""

        async def attempt(number: int) -> Any:
            if number == 1 and first is not None:
                raise first
            ctx.attempt = result.attempts = number
            return await self._run_guarded(program, ctx)

        services = self.services
        output, _ = await retry_loop(
            attempt, program.protection.policy, services.clock, services.rng,
            on_retry=lambda number, wait, exc: self._retrying(ctx, number, wait, exc),
            evaluate_when=lambda source, bindings: self._evaluate_when(source, bindings, ctx),
            describe=lambda exc: self._describe(exc, ctx.key, result.attempts))
        return output

    async def _run_guarded(self, program: NodeProgram, ctx: NodeContext) -> Any:
        """The breaker layer (SPEC §7.7): an open circuit fails the attempt at once with
        ``CircuitOpenError``; every outcome is recorded and saved in the state."""
        breaker = program.protection.breaker
        if breaker is None:
            return await self._run_attempt(program, ctx)
        try:
            with breaker.attempt():
                return await self._run_attempt(program, ctx)
        finally:
            self.resilience.save(breaker)

    def _retrying(self, ctx: NodeContext, attempt: int, wait: float,
                  exc: BaseException) -> None:
        bus = self.services.bus
        if bus.active:
            bus.emit("node_retrying", key=ctx.key, id=ctx.node.id, kind=ctx.node.kind,
                     attempt=attempt, delay_s=wait,
                     error=_public(self._describe(exc, ctx.key, attempt)))

    def _describe(self, exc: BaseException, key: str, attempts: int) -> dict[str, Any]:
        """The error object (§7.1) that ``when`` and ``node_retrying`` see, redacted."""
        return self.services.clean(error_object(exc, key, attempts, with_traceback=False))

    def _evaluate_when(self, source: str, bindings: dict[str, Any], ctx: NodeContext) -> Any:
        """A retry or fallback ``when`` (§7.2) in the node's scope; ``$error`` is bound
        too (§4.6). An ``ExpressionError`` propagates and fails the node."""
        scope = ctx.scope.bind({**bindings, "$error": bindings["error"]})
        return self.services.expression(source).evaluate(scope)

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


def _when_bindings(error: dict[str, Any], attempt: int) -> dict[str, Any]:
    """The bare names of §7.2 for a fallback ``when`` (retry ``should_retry`` builds its
    own, the same way)."""
    return {"error": error, "status": error.get("status"), "message": error.get("message"),
            "type": error.get("type"), "retryable": bool(error.get("retryable")),
            "attempt": attempt}


def _public(error: dict[str, Any] | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {key: value for key, value in error.items() if key != "traceback"}


__all__ = ["NodeProgram", "NodeRunner", "within"]
