"""Running a planned workflow (SPEC §6.1–§6.4, §6.7, §6.11): waves of top-level nodes.

The scheduler repeats: take the ready nodes in document order, apply the skip rule, run
the wave with at most ``max_concurrency`` nodes in flight, let every node of the wave
settle, persist, and stop at the first wave with a failure. When scheduling ends without
failure, the workflow output is evaluated and checked. Node work goes through
``NodeRunner`` (one procedure for every node) and its ``Dispatcher``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..ast import Node, Workflow
from ..errors import NodeError, OutputSchemaError, RunError, WorkflowTimeoutError
from .context import RunServices
from .node import NodeRunner
from .output import check_output, evaluate_output
from .planning import PlanFacts
from .scope import RunTables, Scope
from .state import NodeResult, RunState, error_object, public_error


class Persistence(Protocol):
    """Where the state goes when it changes (SPEC §8.2); the store fills these in."""

    def on_run_started(self, state: RunState) -> None: ...

    def on_wave_finished(self, state: RunState) -> None: ...

    def on_run_finished(self, state: RunState) -> None: ...


class NoPersistence:
    """The state is kept in memory only (no ``persistence_path``)."""

    def on_run_started(self, state: RunState) -> None:
        return None

    def on_wave_finished(self, state: RunState) -> None:
        return None

    def on_run_finished(self, state: RunState) -> None:
        return None


class Executor:
    """Runs one workflow run from start to finish; see the module docstring."""

    def __init__(self, workflow: Workflow, state: RunState, facts: PlanFacts, *,
                 services: RunServices, tables: RunTables, runner: NodeRunner,
                 max_concurrency: int, timeout: float | None,
                 persistence: Persistence | None = None,
                 error_handler: Callable[..., Any] | None = None) -> None:
        self.workflow = workflow
        self.state = state
        self.facts = facts
        self.services = services
        self.tables = tables
        self.runner = runner
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.persistence = persistence or NoPersistence()
        #: The API ``error_handler`` callback (SPEC §7.8).
        self.error_handler = error_handler
        #: The run's secret redactor (set by ``prepare``), for writers of state and output.
        self.redactor: Any = None
        self.nodes: dict[str, Node] = {}
        self._scopes: dict[str | None, Scope] = {}
        self._phase_of: dict[str, str | None] = {}
        for node, phase in workflow.body.top_level():
            self.nodes[node.id] = node
            self._phase_of[node.id] = phase.name if phase else None
        #: This run's progress through the plan (get_ready/done/is_active).
        self.plan = facts.plan.copy()
        #: Handler nodes handed out by the plan but not activated (SPEC §4.8).
        self._held: list[str] = []
        # Resilience hook: default retry policy, fallback handlers, breakers (SPEC §7).
        runner.attach(workflow, state)
        #: Top-level nodes whose success a resumed run keeps: settled without running
        #: when the plan hands them out (SPEC §8.6 step 4).
        self.kept: set[str] = set()

    # -- lifecycle (§6.1) ----------------------------------------------------------------

    async def execute(self) -> RunState:
        """Run to the end. Returns the state of a completed run; raises ``RunError``
        (``NodeError``, ``WorkflowTimeoutError``, ``OutputSchemaError``) carrying the
        final state; cancellation of the caller propagates after recording it."""
        state, bus = self.state, self.services.bus
        state.status, state.started = "running", time.time()
        state.updated = state.started
        self.persistence.on_run_started(state)
        bus.emit("run_started", workflow=self.workflow.name, resumed=state.resume_count > 0)
        try:
            await self._run_with_limit()
            self._complete()
        except asyncio.CancelledError:
            self._settle_run("cancelled")
            self._announce()
            raise
        except RunError as error:
            error.state = state
            self._settle_run("failed")
            from .handlers import run_error_handlers

            await run_error_handlers(self, error, self.error_handler)
            if state.error_handler is not None:
                self.persistence.on_run_finished(state)
            self._announce()
            raise
        self._settle_run("completed")
        self._announce()
        return state

    async def _run_with_limit(self) -> None:
        if self.timeout is None:
            return await self._schedule()
        deadline = asyncio.timeout(self.timeout)
        try:
            async with deadline:
                return await self._schedule()
        except TimeoutError:
            if not deadline.expired():
                raise
        error = WorkflowTimeoutError(f"the run exceeded its time limit of {self.timeout:g}s")
        self.state.error = self.services.clean(error_object(error, None, None))
        self.state.errors = [self.state.error]
        raise error

    def _settle_run(self, status: str) -> None:
        state = self.state
        state.status = status
        state.completed = state.updated = time.time()
        self.persistence.on_run_finished(state)

    def _announce(self) -> None:
        state = self.state
        self.services.bus.emit("run_finished", status=state.status,
                               duration_ms=state.duration_ms, error=public_error(state.error))

    # -- scheduling (§6.3) ---------------------------------------------------------------

    async def _schedule(self) -> None:
        """Run waves until nothing is ready; raise ``NodeError`` after a failed wave."""
        wave_number = self.state.current_wave + 1
        bus = self.services.bus
        while True:
            wave = self._next_wave()
            if not wave:
                if not self._held:
                    return None
                held, self._held = self._held, []
                self._skip(held)
                continue
            self.state.current_wave = wave_number
            ids = [node.id for node in wave]
            if bus.active:
                bus.emit("wave_started", wave=wave_number, nodes=ids)
            results = await self._run_wave(wave)
            self.plan.done(*ids)
            self.state.updated = time.time()
            self.persistence.on_wave_finished(self.state)
            if bus.active:
                bus.emit("wave_finished", wave=wave_number, nodes=ids)
            wave_number += 1
            failed = [result for result in results if result.status == "failed"]
            if failed:
                raise self._node_error(failed)

    def _next_wave(self) -> list[Node]:
        """The ready nodes (handler nodes held back) after the skip rule, applied until
        nothing more is skipped (SPEC §6.3 steps 1–2), in document order."""
        chosen: list[str] = []
        while True:
            ready = self.plan.get_ready()
            if not ready:
                break
            skipped: list[str] = []
            kept = [node_id for node_id in ready if node_id in self.kept]
            for node_id in ready:
                if node_id in self.kept:
                    self.kept.discard(node_id)
                elif self.facts.is_handler(node_id):
                    self._held.append(node_id)
                elif self._skip_rule(node_id):
                    skipped.append(node_id)
                else:
                    chosen.append(node_id)
            if not skipped and not kept:
                break
            self.plan.done(*kept)
            self._skip(skipped)
        return [self.nodes[node_id] for node_id in chosen]

    def _skip_rule(self, node_id: str) -> bool:
        """SPEC §6.3 step 2: every node the ``input`` attribute references is skipped, or
        (without such references) every dependency is."""
        watched = self.facts.input_references(node_id) or self.facts.dependencies(node_id)
        if not watched:
            return False
        results = self.tables.results
        return all(getattr(results.get(ref), "status", None) == "skipped" for ref in watched)

    def _skip(self, node_ids: Sequence[str]) -> None:
        """Record nodes (and everything nested in them) as ``skipped``; a handler node
        that already ran as a fallback keeps its result (SPEC §4.8, §7.6)."""
        results = self.tables.results
        for node_id in node_ids:
            if self.facts.is_handler(node_id) and getattr(
                    results.get(node_id), "status", "pending") != "pending":
                continue
            for node in self.nodes[node_id].walk():
                self.tables.record(NodeResult(node.id, node.kind, status="skipped"))
        self.plan.done(*node_ids)

    # -- waves (§6.4) --------------------------------------------------------------------

    async def _run_wave(self, wave: list[Node]) -> list[NodeResult]:
        """Start the wave's nodes in document order, at most ``max_concurrency`` at once,
        and wait until every one of them settles (a failure cancels none of the others)."""
        if len(wave) == 1:
            return [await self._run_top(wave[0])]
        results: list[Any] = [None] * len(wave)
        queue = iter(enumerate(wave))

        async def worker() -> None:
            for position, node in queue:
                results[position] = await self._run_top(node)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.max_concurrency, len(wave))):
                group.create_task(worker())
        return results

    async def _run_top(self, node: Node) -> NodeResult:
        phase = self._phase_of[node.id]
        scope = self._scopes.get(phase)
        if scope is None:
            scope = self._scopes[phase] = Scope(self.tables, phase=phase)
        return await self.runner.run_node(node, scope, key=node.id)

    # -- endings (§6.7, §6.11) -------------------------------------------------------------

    def _node_error(self, failed: list[NodeResult]) -> NodeError:
        state = self.state
        first = failed[0]
        state.error = first.error
        state.errors = [result.error for result in failed if result.error is not None]
        cause = first.exception or RuntimeError(f"node {first.key} failed")
        message = (first.error or {}).get("message", "failed")  # already redacted
        return NodeError(f'node "{first.key}" failed: {message}', node_id=first.key,
                         attempts=first.attempts, cause=cause, state=state)

    def _complete(self) -> None:
        """Evaluate ``<output>`` and check it against the frontmatter schema."""
        scope = Scope(self.tables)
        try:
            output = evaluate_output(self.workflow, scope, self.services)
        except Exception as exc:
            self.state.error = self.services.clean(error_object(exc, None, None))
            self.state.errors = [self.state.error]
            raise RunError("the workflow output could not be evaluated: "
                           + self.state.error["message"]) from exc
        self.state.output = output
        problems = check_output(self.workflow, output, self.services.schemas)
        if problems:
            error = OutputSchemaError(self.services.clean(
                "the workflow output does not match the output schema: " + "; ".join(problems)))
            self.state.error = error_object(error, None, None)
            self.state.errors = [self.state.error]
            raise error

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self.services.aclose()
        close = getattr(self.persistence, "close", None)
        if close is not None:
            close()  # releases the state's lock (SPEC §8.3)


__all__ = ["Executor", "NoPersistence", "Persistence"]
