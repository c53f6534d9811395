"""Where every node of a workflow sits: one walk of the body (SPEC §4.1, §4.2, §4.5).

The index records, for each node, the top-level node that contains it, its phase, its
document position, the scopes that limit its visibility (foreach iterations, parallel
lanes, ``<on-workflow-error>``), the bare names and ``$`` names its position binds, and
the enclosing loops. It also lists the workflow's declared names (the hyphen rule of
§5.2), its variables and every goto-like transfer of control. Validation and planning
read the workflow through it, so the body is walked once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..ast import (
    BranchNode,
    CheckpointNode,
    ContextNode,
    GotoNode,
    IfNode,
    LoopNode,
    Node,
    ParallelNode,
    SetNode,
    TemporalNode,
    Text,
    Workflow,
)

#: The ``$`` names bound for every item of map, filter, foreach and batch (§4.6).
ITEM_DOLLARS = frozenset({"$item", "$index", "$first", "$last", "$items"})
#: The ``$`` names available everywhere (§4.6).
GLOBAL_DOLLARS = frozenset({"$config", "$secrets", "$env", "$input", "$context", "$nodes",
                            "$execution"})
#: Every ``$`` name of the language (§4.6); anything else is FS-REF-007.
ALL_DOLLARS = GLOBAL_DOLLARS | ITEM_DOLLARS | frozenset({
    "$attempt", "$acc", "$iteration", "$branch", "$branches", "$primaryError",
    "$primaryInput", "$goto", "$error"})
#: The bare names of retry and fallback ``when`` (§7.2).
ERROR_BINDINGS = frozenset({"error", "status", "message", "type", "retryable", "attempt"})
#: Site bindings that shadow a node id of the same name (FS-ID-003).
SHADOWING_BINDINGS = frozenset({"input", "item", "index", "acc", "result", "response"})


@dataclass(frozen=True, slots=True)
class Position:
    """What a place in the body binds: inherited by every node nested there."""

    #: visibility scopes, outermost first: "foreach:<id>", "lane:<id>:<k>", "on-error"
    scopes: tuple[str, ...] = ()
    #: bare names bound here besides ``input`` (foreach item/index, action inputs…)
    names: frozenset[str] = frozenset()
    #: ``$`` names bound here besides the global ones
    dollars: frozenset[str] = frozenset()
    #: ids of the enclosing loop, while and foreach nodes, innermost last
    loops: tuple[str, ...] = ()
    #: a goto may not sit here (a parallel lane or a foreach body, §3.26)
    no_goto: bool = False
    #: a break may not sit here: across a parallel lane boundary (§3.25)
    lane_boundary: bool = False

    def enter(self, *, scope: str | None = None, names: frozenset[str] = frozenset(),
              dollars: frozenset[str] = frozenset(), loop: str | None = None,
              no_goto: bool = False, lane: bool = False) -> Position:
        return Position(
            scopes=self.scopes + ((scope,) if scope else ()),
            names=self.names | names, dollars=self.dollars | dollars,
            loops=() if lane else self.loops + ((loop,) if loop else ()),
            no_goto=self.no_goto or no_goto, lane_boundary=self.lane_boundary or lane)


@dataclass(frozen=True, slots=True)
class NodeEntry:
    """One node of the body and its place."""

    node: Node
    #: id of the containing top-level node (itself when top-level); None inside
    #: ``<on-workflow-error>``
    top: str | None
    phase: str | None
    #: document order among all nodes
    order: int
    position: Position
    #: ids of the enclosing nodes, outermost first
    parents: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def is_top_level(self) -> bool:
        return self.top == self.node.id and not self.parents


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer of control to a handler node: a goto, a fallback, an on-timeout or an
    on-open goto (§4.8). ``source`` is the top-level node that holds it."""

    label: str          # "goto", "fallback", "on-timeout" or "on-open"
    target: Text
    source: str | None
    #: the element that names the target (the goto node, or the node with the fallback)
    holder: Node


@dataclass(slots=True)
class WorkflowIndex:
    workflow: Workflow
    entries: list[NodeEntry] = field(default_factory=list)
    #: id → first entry with that id (automatic ids included)
    by_id: dict[str, NodeEntry] = field(default_factory=dict)
    #: entries whose id repeats an earlier node id or phase name (FS-ID-001)
    duplicates: list[NodeEntry] = field(default_factory=list)
    #: top-level entries in document order
    top_level: list[NodeEntry] = field(default_factory=list)
    #: phase name → ids of its top-level nodes, in document order
    phases: dict[str, list[str]] = field(default_factory=dict)
    #: variable name → first ``Text`` that declares or assigns it
    variables: dict[str, Text] = field(default_factory=dict)
    transfers: list[Transfer] = field(default_factory=list)

    def entry(self, node_id: str) -> NodeEntry | None:
        return self.by_id.get(node_id)

    def referable(self, name: str) -> NodeEntry | None:
        """The node an expression can name ``name`` (automatic ids cannot be named)."""
        entry = self.by_id.get(name)
        return entry if entry is not None and not entry.node.auto_id else None

    def declared_names(self) -> frozenset[str]:
        """The declared names of §5.2 for the hyphen rule of the lexer."""
        front = self.workflow.frontmatter
        names: set[str] = {e.id for e in self.entries if not e.node.auto_id}
        names.update(self.phases)
        names.update(self.variables)
        names.update(front.config)
        names.update(front.secrets)
        names.update(front.input or {})
        names.update(front.output or {})
        for entry in self.entries:
            names.update(entry.position.names)
        return frozenset(names)


def build_index(workflow: Workflow) -> WorkflowIndex:
    """Walk the body once, in document order."""
    index = WorkflowIndex(workflow)
    body = workflow.body
    for node, phase in body.top_level():
        if phase is not None and phase.name not in index.phases:
            index.phases[phase.name] = []
        entry = _visit(index, node, node.id, phase.name if phase else None, Position(), ())
        index.top_level.append(entry)
        if phase is not None:
            index.phases[phase.name].append(node.id)
    for phase in body.phases():
        index.phases.setdefault(phase.name, [])
    if body.on_workflow_error is not None:
        position = Position(scopes=("on-workflow-error",),
                            dollars=frozenset({"$error"}), no_goto=True)
        for node in body.on_workflow_error.body:
            _visit(index, node, None, None, position, ())
    return index


def _visit(index: WorkflowIndex, node: Node, top: str | None, phase: str | None,
           position: Position, parents: tuple[str, ...], on_open: bool = False
           ) -> NodeEntry:
    entry = NodeEntry(node, top, phase, len(index.entries), position, parents)
    index.entries.append(entry)
    if node.id in index.by_id:
        index.duplicates.append(entry)
    else:
        index.by_id[node.id] = entry
    _record_variables(index, node)
    _record_transfers(index, node, top, on_open)
    inner = (*parents, node.id)
    for child_position, sequence in _child_sequences(node, position):
        for child in sequence:
            _visit(index, child, top, phase, child_position, inner)
    if node.on_error is not None and node.on_error.circuit_breaker is not None:
        goto = node.on_error.circuit_breaker.on_open
        if goto is not None:
            _visit(index, goto, top, phase, position, inner, on_open=True)
    return entry


def _child_sequences(node: Node, here: Position
                     ) -> Iterator[tuple[Position, tuple[Node, ...]]]:
    """Each sequence nested in ``node`` with the position its nodes are in."""
    if isinstance(node, LoopNode):
        yield _loop_position(node, here), node.body
    elif isinstance(node, ParallelNode):
        for number, lane in enumerate(node.lanes):
            yield here.enter(scope=f"lane:{node.id}:{number}", no_goto=True, lane=True,
                             dollars=frozenset({"$branch"})), lane.body
    elif isinstance(node, CheckpointNode):
        for action in node.actions:
            if action.goto is not None:
                names = frozenset({"response", *(i.name for i in action.inputs)})
                yield here.enter(names=names), (action.goto,)
        if node.timeout_child is not None and node.timeout_child.goto is not None:
            yield here, (node.timeout_child.goto,)
    elif isinstance(node, TemporalNode) and node.kind == "temporal:batch":
        yield here.enter(names=frozenset({"item", "index"}), dollars=ITEM_DOLLARS), node.body
    elif isinstance(node, IfNode | BranchNode | TemporalNode):
        for sequence in node.sequences():
            yield here, sequence


def _loop_position(node: LoopNode, here: Position) -> Position:
    if node.kind != "control:foreach":
        return here.enter(dollars=frozenset({"$iteration"}), loop=node.id)
    names = frozenset({node.attr_value("item", "item") or "item",
                       node.attr_value("index", "index") or "index"})
    return here.enter(scope=f"foreach:{node.id}", names=names, dollars=ITEM_DOLLARS,
                      loop=node.id, no_goto=True)


def variable_name(var: str) -> str:
    """The variable a (possibly dotted) ``<set var>`` assigns: ``stats.count`` → ``stats``."""
    return var.split(".", 1)[0].strip()


def _record_variables(index: WorkflowIndex, node: Node) -> None:
    sets: tuple[SetNode, ...] = ()
    if isinstance(node, ContextNode):
        sets = node.entries
    elif isinstance(node, SetNode):
        sets = (node,)
    for entry in sets:
        name = variable_name(entry.var.value)
        if name:
            index.variables.setdefault(name, entry.var)


def _record_transfers(index: WorkflowIndex, node: Node, top: str | None,
                      on_open: bool) -> None:
    if isinstance(node, GotoNode):
        label = "on-open" if on_open else "goto"
        index.transfers.append(Transfer(label, node.target, top, node))
    on_error = node.on_error
    if on_error is not None and on_error.fallback is not None:
        index.transfers.append(Transfer("fallback", on_error.fallback.node, top, node))
    if node.kind == "temporal:timeout":
        target = node.attr("on-timeout")
        if target is not None:
            index.transfers.append(Transfer("on-timeout", target, top, node))


__all__ = ["ALL_DOLLARS", "ERROR_BINDINGS", "GLOBAL_DOLLARS", "ITEM_DOLLARS",
           "SHADOWING_BINDINGS", "NodeEntry", "Position", "Transfer", "WorkflowIndex",
           "build_index", "variable_name"]
