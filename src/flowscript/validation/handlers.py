"""Transfers of control, loops, secrets and scopes (SPEC §2.6, §3.14, §3.25, §3.26, §4.5,
§4.8).

FS-REF-002 goto/fallback/on-timeout/on-open targets that are unknown or not top-level;
FS-REF-014 a node used as a forward and a backward goto target; FS-REF-012 a fallback or
on-timeout handler that depends on a node its invoker does not; FS-CYCLE-002 fallback
chains that loop, or a handler that depends on the node it recovers; FS-REF-013 a
``<break loop>`` naming no enclosing loop; FS-REF-015 an AI node whose key secret is not
declared; FS-REF-016 a ``<set>`` in an iteration or lane that assigns an outer variable;
FS-REF-011 a declared secret that nothing uses.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from ..ast import BreakNode, ContextNode, DataNode, SetNode, Text
from ..diagnostics import DiagnosticSink, did_you_mean
from ..planner import find_cycles
from .graph import INLINE_LABELS, DependencyGraph, HandlerEdge
from .index import NodeEntry, WorkflowIndex, variable_name
from .references import Resolver

_DEFAULT_AI_BASE = "https://openrouter.ai/api/v1"


def check_handlers(index: WorkflowIndex, graph: DependencyGraph, resolver: Resolver,
                   sink: DiagnosticSink) -> None:
    _targets(index, sink)
    _directions(graph, sink)
    _inline_dependencies(graph, sink)
    _fallback_cycles(graph, sink)
    for entry in index.entries:
        if isinstance(entry.node, BreakNode):
            _break_target(entry, sink)
    _local_assignments(index, sink)
    used = set(resolver.used_secrets) | _ai_keys(index, sink)
    _unused_secrets(index, used, sink)


def _error_at(sink: DiagnosticSink, code: str, text: Text, message: str,
              hints: list[str] | tuple[str, ...] = ()) -> None:
    sink.error(code, message, text.span.line, text.span.column, end_line=text.span.line,
               end_column=text.span.column + len(text.value), hints=hints)


def _targets(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    top_level = [entry.id for entry in index.top_level]
    for transfer in index.transfers:
        name = transfer.target.value.strip()
        entry = index.by_id.get(name)
        what = "goto" if transfer.label in ("goto", "on-open") else transfer.label
        if entry is None:
            reason = "is a phase, not a node" if name in index.phases else "is not a node"
            _error_at(sink, "FS-REF-002", transfer.target,
                      f'{what} target "{name}" {reason}', did_you_mean(name, top_level))
        elif not entry.is_top_level:
            holder = entry.parents[0] if entry.parents else "on-workflow-error"
            _error_at(sink, "FS-REF-002", transfer.target,
                      f'{what} target "{name}" is nested in "{holder}"; targets must be '
                      "top-level nodes", ("move the target to the top level or to a phase",))


def _directions(graph: DependencyGraph, sink: DiagnosticSink) -> None:
    """FS-REF-014 at the second goto when one target is reached both ways."""
    seen: dict[str, bool] = {}
    for edge in graph.edges:
        if edge.label != "goto":
            continue
        earlier = seen.setdefault(edge.target, edge.forward)
        if earlier != edge.forward:
            way = "forward" if edge.forward else "backward"
            _error_at(sink, "FS-REF-014", edge.transfer.target,
                      f'"{edge.target}" is a {way} goto target here and a '
                      f'{"backward" if edge.forward else "forward"} target elsewhere',
                      ("a node is either a handler run on demand or a point to loop back "
                       "to, not both",))


def _inline_dependencies(graph: DependencyGraph, sink: DiagnosticSink) -> None:
    """§4.8: a fallback or on-timeout handler only depends on what its invoker does."""
    for edge in _inline(graph):
        available = graph.ancestors(edge.source)
        for dependency in graph.depends_on.get(edge.target, ()):
            if dependency == edge.source:
                _error_at(sink, "FS-CYCLE-002", edge.transfer.target,
                          f'handler "{edge.target}" depends on "{edge.source}", the node it '
                          "recovers")
            elif dependency not in available:
                _error_at(sink, "FS-REF-012", edge.transfer.target,
                          f'handler "{edge.target}" depends on "{dependency}", which "'
                          f'{edge.source}" does not depend on: it may not have run',
                          (f'make "{edge.source}" depend on "{dependency}", or drop the '
                           "reference",))


def _fallback_cycles(graph: DependencyGraph, sink: DiagnosticSink) -> None:
    chains: dict[str, list[str]] = {node: [] for node in graph.order}
    first_edge: dict[tuple[str, str], HandlerEdge] = {}
    for edge in _inline(graph):
        chains[edge.source].append(edge.target)
        first_edge.setdefault((edge.source, edge.target), edge)
    for cycle in find_cycles(graph.order, chains):
        edge = first_edge[(cycle[0], cycle[1])]
        _error_at(sink, "FS-CYCLE-002", edge.transfer.target,
                  f"fallback cycle: {' -> '.join(cycle)}",
                  ("a chain of fallbacks must end in a node without one",))


def _inline(graph: DependencyGraph) -> list[HandlerEdge]:
    return [edge for edge in graph.edges if edge.label in INLINE_LABELS[:2]]


def _break_target(entry: NodeEntry, sink: DiagnosticSink) -> None:
    text = entry.node.attr("loop")
    if text is None or text.value.strip() in entry.position.loops:
        return
    loops = list(entry.position.loops)
    hints = did_you_mean(text.value, loops) or (
        [f"enclosing loops: {', '.join(loops)}"] if loops else [])
    _error_at(sink, "FS-REF-013", text, f'<break loop="{text.value}"> names no enclosing '
              "loop, while or foreach", hints)


def _local_assignments(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    """FS-REF-016: inside an iteration or lane, assigning a variable that a node outside
    that iteration or lane declares or assigns."""
    places: dict[str, list[tuple[str, ...]]] = {}
    for entry in index.entries:
        for name in _assigned(entry):
            places.setdefault(name, []).append(entry.position.scopes)
    for entry in index.entries:
        scopes = [s for s in entry.position.scopes if s.startswith(("foreach:", "lane:"))]
        if not scopes or not isinstance(entry.node, SetNode):
            continue
        name = variable_name(entry.node.var.value)
        if any(scopes[-1] not in other for other in places.get(name, ())):
            sink.warning("FS-REF-016", f'<set var="{name}"> assigns a variable of an outer '
                         "scope; inside the iteration or lane the assignment stays local",
                         entry.node.span.line, entry.node.span.column,
                         hints=("collect per-item values in the foreach output instead",))


def _assigned(entry: NodeEntry) -> set[str]:
    node = entry.node
    if isinstance(node, ContextNode):
        return {variable_name(e.var.value) for e in node.entries}
    if isinstance(node, SetNode):
        return {variable_name(node.var.value)}
    return set()


def _ai_keys(index: WorkflowIndex, sink: DiagnosticSink) -> set[str]:
    """The key secret of every AI node (§3.14); FS-REF-015 when it is not declared."""
    declared = set(index.workflow.frontmatter.secrets)
    keys: set[str] = set()
    for entry in index.entries:
        node = entry.node
        if not isinstance(node, DataNode) or node.kind != "transform:ai":
            continue
        configured = node.config.get("key")
        key = configured.value.strip() if configured is not None and isinstance(
            configured.value, str) else default_ai_key()
        keys.add(key)
        if key not in declared:
            sink.warning("FS-REF-015", f'AI node "{node.id}" reads its provider key from '
                         f'secret "{key}", which is not declared; requests go without '
                         "an Authorization header", node.span.line, node.span.column,
                         hints=(f"add {key} under secrets:",))
    return keys


def default_ai_key() -> str:
    """The default key secret for the configured provider base URL (§3.14)."""
    base = os.environ.get("FLOWSCRIPT_AI_BASE_URL") or _DEFAULT_AI_BASE
    host = urlsplit(base).hostname or ""
    return "OPENAI_API_KEY" if host == "api.openai.com" else "OPENROUTER_API_KEY"


def _unused_secrets(index: WorkflowIndex, used: set[str], sink: DiagnosticSink) -> None:
    front = index.workflow.frontmatter
    for number, name in enumerate(front.secrets):
        if name in used:
            continue
        span = front.spans.get(f"secrets[{number}]") or front.spans.get("secrets")
        sink.warning("FS-REF-011", f'secret "{name}" is declared but never used',
                     span.line if span else None, span.column if span else None,
                     hints=("remove it from secrets:, or reference it as $secrets."
                            f"{name}",))


__all__ = ["check_handlers", "default_ai_key"]
