"""The dependency graph of top-level nodes (SPEC §4.7) and the handler nodes (§4.8).

Edges come from three sources, added in this order: node references anywhere in a
top-level node (a nested node counts as the top-level node that contains it), variable
writers and readers in document order, and phase barriers. Transfers of control (goto,
fallback, on-timeout, on-open) add no edge; they make their target a handler node — for a
goto only when the target is *forward*, i.e. not the source itself nor one of its
dependencies (§3.26). Handler nodes take no part in phase barriers. Every list is in
document order, so nothing depends on hash order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..ast import ContextNode, SetNode
from .index import Transfer, WorkflowIndex, variable_name
from .references import Reads

#: Labels of transfers whose target is always a handler node (§4.8).
INLINE_LABELS = ("fallback", "on-timeout", "on-open")

_Add = Callable[[str, str, str], None]


@dataclass(slots=True)
class _TopReads:
    """What one top-level node and the nodes nested in it read."""

    nodes: list[str] = field(default_factory=list)
    variables: set[str] = field(default_factory=set)
    everything: bool = False
    inputs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HandlerEdge:
    """A transfer of control from a top-level node to a top-level handler or target."""

    source: str
    target: str
    label: str            # goto, fallback, on-timeout or on-open
    forward: bool
    transfer: Transfer


@dataclass(slots=True)
class DependencyGraph:
    #: top-level ids in document order
    order: list[str] = field(default_factory=list)
    #: top-level id → its dependencies, in document order
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    #: (node, dependency) → why: "reference", "variable" or "phase"
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    #: handler id → the labels of the transfers that make it one
    handlers: dict[str, list[str]] = field(default_factory=dict)
    edges: list[HandlerEdge] = field(default_factory=list)
    #: top-level id → node ids its sites (and its nested nodes' sites) reference
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: top-level id → node ids its ``input`` attribute references
    input_references: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ancestors(self, node_id: str) -> set[str]:
        """Every node ``node_id`` depends on, directly or transitively."""
        seen: set[str] = set()
        stack = list(self.depends_on.get(node_id, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.depends_on.get(current, ()))
        return seen


def build_graph(index: WorkflowIndex, reads: Mapping[int, Reads]) -> DependencyGraph:
    """The graph of §4.7 over the top-level nodes of ``index``."""
    graph = DependencyGraph(order=[entry.id for entry in index.top_level])
    position = {node_id: k for k, node_id in enumerate(graph.order)}
    edges: dict[str, set[str]] = {node_id: set() for node_id in graph.order}

    def add(node: str, dependency: str, reason: str) -> None:
        if node != dependency and dependency not in edges[node]:
            edges[node].add(dependency)
            graph.reasons[(node, dependency)] = reason

    grouped = _group_reads(index, reads)
    for top, found in grouped.items():
        graph.references[top] = tuple(dict.fromkeys(found.nodes))
        graph.input_references[top] = tuple(dict.fromkeys(found.inputs))
        for target in found.nodes:
            owner = index.by_id[target].top
            if owner is not None:
                add(top, owner, "reference")
    _variable_edges(index, grouped, add)
    _classify_transfers(index, graph, edges, position, add)
    for node_id in graph.order:
        graph.depends_on[node_id] = sorted(edges[node_id], key=position.__getitem__)
    return graph


def _group_reads(index: WorkflowIndex, reads: Mapping[int, Reads]) -> dict[str, _TopReads]:
    grouped: dict[str, _TopReads] = {}
    for entry in index.entries:
        if entry.top is None:
            continue
        top = grouped.setdefault(entry.top, _TopReads())
        found = reads.get(entry.order)
        if found is None:
            continue
        top.nodes.extend(read.target for read in found.nodes)
        top.variables.update(found.variables)
        top.everything = top.everything or found.all_variables
        if entry.is_top_level:
            top.inputs.extend(found.input_nodes)
    return grouped


def _writes(index: WorkflowIndex) -> dict[str, set[str]]:
    """Top-level id → the variables its ``<set>`` and ``<context>`` entries assign."""
    out: dict[str, set[str]] = {}
    for entry in index.entries:
        if entry.top is None:
            continue
        node = entry.node
        sets = node.entries if isinstance(node, ContextNode) else \
            (node,) if isinstance(node, SetNode) else ()
        for item in sets:
            out.setdefault(entry.top, set()).add(variable_name(item.var.value))
    return out


def _variable_edges(index: WorkflowIndex, grouped: Mapping[str, _TopReads],
                    add: _Add) -> None:
    """§4.7 item 2: readers depend on the last earlier writer; a writer depends on the
    previous writer and on every reader in between."""
    writes = _writes(index)
    every = set().union(*writes.values()) if writes else set()
    last_writer: dict[str, str] = {}
    readers: dict[str, list[str]] = {}
    for entry in index.top_level:
        node_id = entry.id
        found = grouped.get(node_id, _TopReads())
        read = every if found.everything else found.variables & every
        written = writes.get(node_id, set())
        for name in sorted(read | written):
            previous = last_writer.get(name)
            if previous is not None:
                add(node_id, previous, "variable")
            if name in written:
                for reader in readers.pop(name, []):
                    add(node_id, reader, "variable")
                last_writer[name] = node_id
            else:
                readers.setdefault(name, []).append(node_id)


def _classify_transfers(index: WorkflowIndex, graph: DependencyGraph,
                        edges: dict[str, set[str]], position: Mapping[str, int],
                        add: _Add) -> None:
    """Handlers first (inline ones always; gotos when forward), then phase barriers,
    which skip handlers."""
    top_level = set(graph.order)
    inline = {t.target.value.strip() for t in index.transfers if t.label in INLINE_LABELS}
    _phase_edges(index, inline, add)
    graph.depends_on = {node_id: list(deps) for node_id, deps in edges.items()}
    for transfer in index.transfers:
        target = transfer.target.value.strip()
        if transfer.source is None or target not in top_level:
            continue
        forward = True
        if transfer.label == "goto":
            forward = target != transfer.source and \
                target not in graph.ancestors(transfer.source)
        graph.edges.append(HandlerEdge(transfer.source, target, transfer.label, forward,
                                       transfer))
        if forward:
            labels = graph.handlers.setdefault(target, [])
            if transfer.label not in labels:
                labels.append(transfer.label)
    goto_handlers = set(graph.handlers) - inline
    if goto_handlers:
        _remove_phase_edges(graph, edges, goto_handlers)
    graph.handlers = dict(sorted(graph.handlers.items(),
                                 key=lambda item: position[item[0]]))


def _phase_edges(index: WorkflowIndex, handlers: set[str], add: _Add) -> None:
    """§4.7 item 3: every non-handler node of a phase depends on every non-handler node
    of every earlier phase."""
    earlier: list[str] = []
    for members in index.phases.values():
        current = [m for m in members if m not in handlers]
        for node_id in current:
            for dependency in earlier:
                add(node_id, dependency, "phase")
        earlier.extend(current)


def _remove_phase_edges(graph: DependencyGraph, edges: dict[str, set[str]],
                        handlers: Iterable[str]) -> None:
    """Forward-goto handlers found after the barriers were drawn leave them again."""
    handlers = set(handlers)
    for (node, dependency), reason in list(graph.reasons.items()):
        if reason == "phase" and (node in handlers or dependency in handlers):
            edges[node].discard(dependency)
            del graph.reasons[(node, dependency)]


__all__ = ["DependencyGraph", "HandlerEdge", "build_graph"]
