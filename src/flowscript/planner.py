"""The execution plan: Kahn waves over the dependency graph (SPEC §4.7, §6.2).

``plan(workflow)`` validates the workflow, builds the graph of §4.7 and returns an
``ExecutionPlan``: its ``waves`` (wave 0 holds the nodes without dependencies, wave *k*
those whose dependencies all lie in earlier waves, each wave in document order), one
``PlannedNode`` per top-level node, and the graphlib-style protocol the executor drives::

    plan = flowscript.plan(workflow).copy()
    while plan.is_active():
        for node_id in plan.get_ready():
            ...                      # run it (or skip it: handlers, the skip rule)
        plan.done(*finished)

The protocol is the graph alone: handler nodes are returned like any other node, and the
caller decides whether to run, activate or skip them (§6.3). ``reset`` puts nodes back to
pending for a backward goto. A cycle makes ``plan`` raise ``CycleError`` with the path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ValidationError

if TYPE_CHECKING:
    from .ast import Node, Workflow
    from .diagnostics import Diagnostic
    from .validation.graph import DependencyGraph, HandlerEdge


class CycleError(ValidationError):
    """The dependency graph has a cycle (FS-CYCLE-001). ``cycle`` is its path, first node
    repeated at the end (``["a", "c", "b", "a"]``); ``diagnostics`` lists every error of
    the workflow. Fix the references that form the cycle."""

    def __init__(self, message: str, cycle: list[str],
                 diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message, diagnostics)
        self.cycle = cycle


@dataclass(frozen=True, slots=True)
class PlannedNode:
    """One top-level node in the plan."""

    id: str
    kind: str
    phase: str | None
    #: direct dependencies, in document order
    depends_on: tuple[str, ...]
    #: runs only when control is transferred to it (§4.8)
    handler: bool
    node: Node | None = None
    #: the transfers that make it a handler: "goto", "fallback", "on-timeout", "on-open"
    handler_labels: tuple[str, ...] = ()
    #: node ids (top-level or nested) that the node and its nested nodes reference
    references: tuple[str, ...] = ()
    #: node ids its ``input`` attribute references (the skip rule of §6.3)
    input_references: tuple[str, ...] = ()
    wave: int = 0
    #: position among the top-level nodes, in document order
    order: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "phase": self.phase, "depends_on": list(self.depends_on),
                "handler": self.handler}


@dataclass(slots=True)
class ExecutionPlan:
    """Waves, planned nodes and the get_ready/done/is_active protocol (STYLE lesson 9)."""

    waves: list[list[str]]
    nodes: dict[str, PlannedNode]
    #: node id → direct dependencies, document order
    dependencies: dict[str, tuple[str, ...]]
    #: node id → direct dependents, document order
    dependents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: transfers of control between top-level nodes (goto, fallback, on-timeout, on-open)
    transfers: list[HandlerEdge] = field(default_factory=list)
    _waiting: dict[str, int] = field(default_factory=dict, repr=False)
    _ready: list[str] = field(default_factory=list, repr=False)
    _out: set[str] = field(default_factory=set, repr=False)
    _done: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.dependents:
            self.dependents = _invert(self.dependencies, self.nodes)
        self._restart()

    @classmethod
    def from_dependencies(cls, dependencies: Mapping[str, Iterable[str]], *,
                          handlers: Iterable[str] = ()) -> ExecutionPlan:
        """A plan over a plain graph, nodes in the mapping's order (raises CycleError)."""
        handler_set = set(handlers)
        deps = {node: tuple(d for d in dependencies[node] if d != node)
                for node in dependencies}
        order = {node: k for k, node in enumerate(deps)}
        nodes = {node: PlannedNode(node, "", None, deps[node], node in handler_set,
                                   order=order[node]) for node in deps}
        return _assemble(nodes, deps, [])

    # -- the protocol -------------------------------------------------------------------

    def get_ready(self) -> tuple[str, ...]:
        """Nodes whose dependencies are all done and that were not returned yet, in
        document order. Each node is returned once (until ``reset``)."""
        ready = sorted(self._ready, key=lambda n: self.nodes[n].order)
        self._ready.clear()
        self._out.update(ready)
        return tuple(ready)

    def done(self, *node_ids: str) -> None:
        """Mark nodes returned by ``get_ready`` as settled (success, failure or skip)."""
        for node_id in node_ids:
            if node_id not in self.nodes:
                raise ValueError(f"node {node_id!r} is not in the plan")
            if node_id in self._done:
                raise ValueError(f"node {node_id!r} was already marked done")
            if node_id not in self._out:
                raise ValueError(f"node {node_id!r} was not passed out by get_ready()")
            self._out.discard(node_id)
            self._done.add(node_id)
            for dependent in self.dependents.get(node_id, ()):
                self._waiting[dependent] -= 1
                if self._waiting[dependent] == 0:
                    self._ready.append(dependent)

    def is_active(self) -> bool:
        """True while some node is ready or has been returned and is not done yet."""
        return bool(self._ready or self._out)

    def reset(self, *node_ids: str) -> None:
        """Put settled nodes back to pending (a backward goto, §3.26); they become ready
        again once their dependencies are done. Pass the target and the downstream nodes
        to re-run (``downstream``)."""
        for node_id in node_ids:
            if node_id not in self.nodes:
                raise ValueError(f"node {node_id!r} is not in the plan")
            self._done.discard(node_id)
            self._out.discard(node_id)
        self._recount()

    def downstream(self, node_id: str) -> list[str]:
        """Every node that depends on ``node_id`` directly or transitively, in document
        order."""
        seen: set[str] = set()
        stack = list(self.dependents.get(node_id, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.dependents.get(current, ()))
        return sorted(seen, key=lambda n: self.nodes[n].order)

    def static_order(self) -> list[str]:
        """Every node, wave by wave (the order of a dry run)."""
        return [node_id for wave in self.waves for node_id in wave]

    def copy(self) -> ExecutionPlan:
        """The same plan with fresh progress, for one run."""
        return ExecutionPlan(self.waves, self.nodes, self.dependencies, self.dependents,
                             self.transfers)

    @property
    def handlers(self) -> list[str]:
        return [n for n, planned in self.nodes.items() if planned.handler]

    def to_json(self) -> dict[str, Any]:
        """The ``--dry-run`` document of §10.8 (without the workflow name)."""
        return {"plan": [list(wave) for wave in self.waves],
                "nodes": {n: planned.to_json() for n, planned in self.nodes.items()}}

    def _restart(self) -> None:
        self._out.clear()
        self._done.clear()
        self._recount()

    def _recount(self) -> None:
        self._ready = [n for n in self.nodes if n not in self._done and n not in self._out
                       and not any(d not in self._done for d in self.dependencies[n])]
        self._waiting = {n: sum(d not in self._done for d in self.dependencies[n])
                         for n in self.nodes}


def plan(workflow: Workflow) -> ExecutionPlan:
    """The execution plan of ``workflow`` (SPEC §6.2).

    Raises ``ValidationError`` (``CycleError`` for a dependency cycle) when the workflow
    has error diagnostics; its ``diagnostics`` say what to fix.
    """
    from .validation import analyse

    analysis = analyse(workflow)
    errors = [d for d in analysis.diagnostics if d.is_error]
    if errors:
        cycle = next((d for d in errors if d.code == "FS-CYCLE-001"), None)
        if cycle is not None:
            path = analysis.cycles[0] if analysis.cycles else []
            raise CycleError(cycle.message, path, errors)
        raise ValidationError(f"the workflow has {len(errors)} error"
                              f"{'s' * (len(errors) != 1)}: {errors[0].message}", errors)
    return plan_from_graph(analysis.graph, analysis.index)


def plan_from_graph(graph: DependencyGraph, index: Any) -> ExecutionPlan:
    """Assemble the plan of an already built graph (no validation)."""
    nodes: dict[str, PlannedNode] = {}
    for order, entry in enumerate(index.top_level):
        node_id = entry.id
        labels = tuple(graph.handlers.get(node_id, ()))
        nodes[node_id] = PlannedNode(
            node_id, entry.node.kind, entry.phase, tuple(graph.depends_on[node_id]),
            bool(labels), entry.node, labels, graph.references.get(node_id, ()),
            graph.input_references.get(node_id, ()), order=order)
    deps = {n: planned.depends_on for n, planned in nodes.items()}
    return _assemble(nodes, deps, list(graph.edges))


def _assemble(nodes: dict[str, PlannedNode], deps: dict[str, tuple[str, ...]],
              transfers: list[HandlerEdge]) -> ExecutionPlan:
    waves, rest = kahn_waves(list(nodes), deps)
    if rest:
        cycle = find_cycles(list(nodes), deps)[0]
        raise CycleError(f"dependency cycle: {' -> '.join(cycle)}", cycle)
    wave_of = {n: k for k, wave in enumerate(waves) for n in wave}
    planned = {n: _with_wave(p, wave_of[n]) for n, p in nodes.items()}
    return ExecutionPlan(waves, planned, deps, transfers=transfers)


def _with_wave(node: PlannedNode, wave: int) -> PlannedNode:
    return PlannedNode(node.id, node.kind, node.phase, node.depends_on, node.handler,
                       node.node, node.handler_labels, node.references,
                       node.input_references, wave, node.order)


def _invert(dependencies: Mapping[str, Iterable[str]], order: Iterable[str]
            ) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {n: [] for n in order}
    for node in out:
        for dependency in dependencies.get(node, ()):
            out.setdefault(dependency, []).append(node)
    return {n: tuple(d) for n, d in out.items()}


def kahn_waves(order: list[str], deps: Mapping[str, Iterable[str]]
               ) -> tuple[list[list[str]], list[str]]:
    """Kahn's algorithm by levels; each wave in ``order``. Returns the waves and the
    nodes left over (on or behind a cycle)."""
    position = {n: k for k, n in enumerate(order)}
    waiting = {n: len(set(deps.get(n, ()))) for n in order}
    dependents = _invert({n: set(deps.get(n, ())) for n in order}, order)
    wave = [n for n in order if waiting[n] == 0]
    waves: list[list[str]] = []
    while wave:
        waves.append(wave)
        following: list[str] = []
        for node in wave:
            for dependent in dependents.get(node, ()):
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    following.append(dependent)
        wave = sorted(following, key=position.__getitem__)
    placed = {n for w in waves for n in w}
    return waves, [n for n in order if n not in placed]


def find_cycles(order: list[str], deps: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of nodes, each starting (and ending) at
    its first node in document order and following dependencies: ``a -> c -> b -> a``
    means a depends on c, c on b, b on a. Cycles are listed in document order."""
    _, rest = kahn_waves(order, deps)
    remaining = set(rest)
    position = {n: k for k, n in enumerate(order)}
    cycles: list[list[str]] = []
    for start in rest:
        if start not in remaining:
            continue
        path = _shortest_cycle(start, deps, remaining, position)
        if path is None:
            continue
        cycles.append(path)
        remaining -= _component(start, deps, remaining)
    return cycles


def _shortest_cycle(start: str, deps: Mapping[str, Iterable[str]], allowed: set[str],
                    position: Mapping[str, int]) -> list[str] | None:
    """Breadth-first from ``start`` along dependencies back to ``start``."""
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for dependency in sorted(set(deps.get(node, ())) & allowed,
                                     key=position.__getitem__):
                if dependency == start:
                    path = [start]
                    current = node
                    while current != start:
                        path.append(current)
                        current = parent[current]
                    return [start, *reversed(path[1:]), start]
                if dependency not in parent:
                    parent[dependency] = node
                    following.append(dependency)
        frontier = following
    return None


def _component(start: str, deps: Mapping[str, Iterable[str]], allowed: set[str]) -> set[str]:
    """The nodes that reach ``start`` and are reached from it (its strong component)."""
    forward = _reach(start, lambda n: deps.get(n, ()), allowed)
    reverse_deps: dict[str, list[str]] = {}
    for node in allowed:
        for dependency in deps.get(node, ()):
            reverse_deps.setdefault(dependency, []).append(node)
    backward = _reach(start, lambda n: reverse_deps.get(n, ()), allowed)
    return forward & backward


def _reach(start: str, step: Any, allowed: set[str]) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for following in step(stack.pop()):
            if following in allowed and following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


__all__ = ["CycleError", "ExecutionPlan", "PlannedNode", "find_cycles", "kahn_waves", "plan"]
