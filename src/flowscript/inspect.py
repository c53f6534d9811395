"""What ``flowscript inspect`` shows (SPEC §10.4, §10.8): the frontmatter summary, phases,
nodes with their dependencies and handler status, the plan's waves and the diagnostics, as
a JSON document, readable text, a Mermaid flowchart or a Graphviz digraph.

Every output is built from the validator's analysis, so it works on invalid workflows
too: a dependency cycle leaves the nodes on it out of the waves, nothing raises.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .ast import Workflow
from .diagnostics import Diagnostic
from .inspect_ast import ast_json
from .planner import kahn_waves
from .validation import Analysis, analyse


@dataclass(frozen=True, slots=True)
class NodeSummary:
    id: str
    kind: str
    phase: str | None
    line: int
    column: int
    depends_on: tuple[str, ...]
    handler: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """The facts every output format shows."""

    analysis: Analysis
    phases: list[str]
    nodes: list[NodeSummary]
    waves: list[list[str]]
    diagnostics: list[Diagnostic]


def summarise(workflow: Workflow, diagnostics: Sequence[Diagnostic] | None = None) -> Summary:
    """Collect the summary; ``diagnostics`` defaults to ``validate(workflow)``."""
    analysis = analyse(workflow)
    graph = analysis.graph
    nodes = [NodeSummary(entry.id, entry.node.kind, entry.phase, entry.node.span.line,
                         entry.node.span.column, tuple(graph.depends_on[entry.id]),
                         entry.id in graph.handlers)
             for entry in analysis.index.top_level]
    waves, _ = kahn_waves(graph.order, graph.depends_on)
    found = list(analysis.diagnostics if diagnostics is None else diagnostics)
    return Summary(analysis, list(analysis.index.phases), nodes, waves, found)


# -- JSON ---------------------------------------------------------------------------------

def inspect_json(workflow: Workflow, diagnostics: Sequence[Diagnostic] | None = None
                 ) -> dict[str, Any]:
    """The ``inspect --format json`` document of §10.8."""
    summary = summarise(workflow, diagnostics)
    return {
        "workflow": workflow_json(workflow),
        "phases": summary.phases,
        "nodes": [{**asdict(node), "depends_on": list(node.depends_on)}
                  for node in summary.nodes],
        "plan": summary.waves,
        "ast": ast_json(workflow.body),
        "diagnostics": [d.to_json() for d in summary.diagnostics],
    }


def workflow_json(workflow: Workflow) -> dict[str, Any]:
    """The frontmatter summary: identity, triggers, declarations and settings."""
    front = workflow.frontmatter
    return {
        "name": front.name, "version": front.version, "description": front.description,
        "author": front.author, "tags": list(front.tags),
        "triggers": [dict(t) for t in front.triggers],
        "config": {name: {"type": spec.type, "default": spec.default,
                          "required": spec.required, "description": spec.description,
                          "enum": list(spec.enum) if spec.enum is not None else None}
                   for name, spec in front.config.items()},
        "secrets": list(front.secrets),
        "input": _fields(front.input), "output": _fields(front.output),
        "runtime": _runtime(front.runtime),
        "evolution": dict(front.evolution) if front.evolution is not None else None,
    }


def _fields(specs: Any) -> dict[str, Any] | None:
    if specs is None:
        return None
    return {name: {"type": spec.type, "required": spec.required, "default": spec.default,
                   "description": spec.description,
                   "enum": list(spec.enum) if spec.enum is not None else None}
            for name, spec in specs.items()}


def _runtime(runtime: Any) -> dict[str, Any]:
    return {"timeout": runtime.timeout, "concurrency": runtime.concurrency,
            "retry": dict(runtime.retry) if runtime.retry is not None else None,
            "max_iterations": runtime.max_iterations,
            "context_budget": runtime.context_budget, "model": runtime.model,
            "models": dict(runtime.models), "log": runtime.log}


# -- text ---------------------------------------------------------------------------------

def inspect_text(workflow: Workflow, diagnostics: Sequence[Diagnostic] | None = None) -> str:
    """A readable summary: frontmatter, phases, nodes, dependencies, handlers, waves."""
    summary = summarise(workflow, diagnostics)
    front = workflow.frontmatter
    lines = [f"workflow {front.name} {front.version}"]
    if front.description:
        lines.append(f"  {front.description}")
    for label, items in (("config", list(front.config)), ("secrets", list(front.secrets)),
                         ("env", list(front.env)), ("phases", summary.phases)):
        if items:
            lines.append(f"{label}: {', '.join(items)}")
    lines.append("")
    lines.append(f"nodes ({len(summary.nodes)}):")
    width = max((len(n.id) for n in summary.nodes), default=0)
    for node in summary.nodes:
        where = f"phase {node.phase}" if node.phase else "top level"
        mark = "  [handler]" if node.handler else ""
        lines.append(f"  {node.id:<{width}}  {node.kind:<20} {where}, line {node.line}{mark}")
        if node.depends_on:
            lines.append(f"  {'':<{width}}  depends on: {', '.join(node.depends_on)}")
    handlers = summary.analysis.graph.edges
    if handlers:
        lines.append("")
        lines.append("transfers of control:")
        lines.extend(f"  {e.source} -{e.label}-> {e.target}"
                     f"{'' if e.forward else ' (backward)'}" for e in handlers)
    lines.append("")
    lines.append("plan:")
    lines.extend(f"  wave {k}: {', '.join(wave)}" for k, wave in enumerate(summary.waves))
    if summary.diagnostics:
        lines.append("")
        lines.extend(d.render() for d in summary.diagnostics)
    return "\n".join(lines) + "\n"


# -- Mermaid ------------------------------------------------------------------------------

def to_mermaid(workflow: Workflow, diagnostics: Sequence[Diagnostic] | None = None) -> str:
    """A ``flowchart TD``: a vertex per top-level node, a subgraph per phase, arrows from
    dependency to dependent, dotted labelled arrows for transfers of control."""
    summary = summarise(workflow, diagnostics)
    vertex = {node.id: f"n{k}" for k, node in enumerate(summary.nodes)}
    lines = ["flowchart TD"]

    def declare(node: NodeSummary, indent: str) -> str:
        label = _mermaid_label(f"{node.id}\n{node.kind}")
        shape = f'(["{label}"])' if node.handler else f'["{label}"]'
        return f"{indent}{vertex[node.id]}{shape}"

    for number, phase in enumerate(summary.phases):
        lines.append(f'  subgraph phase{number}["{_mermaid_label(phase)}"]')
        lines.extend(declare(n, "    ") for n in summary.nodes if n.phase == phase)
        lines.append("  end")
    lines.extend(declare(n, "  ") for n in summary.nodes if n.phase is None)
    for node in summary.nodes:
        lines.extend(f"  {vertex[d]} --> {vertex[node.id]}" for d in node.depends_on)
    for edge in summary.analysis.graph.edges:
        lines.append(f"  {vertex[edge.source]} -. {edge.label} .-> {vertex[edge.target]}")
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes, no raw markup)."""
    out = (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
           .replace(">", "#gt;"))
    return out.replace("\n", "<br/>")


# -- Graphviz -----------------------------------------------------------------------------

def to_dot(workflow: Workflow, diagnostics: Sequence[Diagnostic] | None = None) -> str:
    """A ``digraph``: ``cluster_<phase>`` subgraphs, solid dependency edges, dashed
    labelled edges for transfers of control."""
    summary = summarise(workflow, diagnostics)
    lines = [f"digraph {_dot_id(workflow.frontmatter.name or 'workflow')} {{",
             "  rankdir=TB;", "  node [shape=box];"]

    def declare(node: NodeSummary, indent: str) -> str:
        style = ", style=rounded" if node.handler else ""
        return f"{indent}{_dot_id(node.id)} [label={_dot_id(node.id + chr(10) + node.kind)}" \
               f"{style}];"

    for phase in summary.phases:
        lines.append(f"  subgraph {_dot_id('cluster_' + phase)} {{")
        lines.append(f"    label={_dot_id(phase)};")
        lines.extend(declare(n, "    ") for n in summary.nodes if n.phase == phase)
        lines.append("  }")
    lines.extend(declare(n, "  ") for n in summary.nodes if n.phase is None)
    for node in summary.nodes:
        lines.extend(f"  {_dot_id(d)} -> {_dot_id(node.id)};" for d in node.depends_on)
    for edge in summary.analysis.graph.edges:
        lines.append(f"  {_dot_id(edge.source)} -> {_dot_id(edge.target)} "
                     f"[style=dashed, label={_dot_id(edge.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_id(text: str) -> str:
    """A double-quoted DOT string (ids with hyphens, dots or spaces stay one id)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render(workflow: Workflow, format: str = "text",
           diagnostics: Sequence[Diagnostic] | None = None) -> str:
    """The inspection of ``workflow`` in one of the formats of §10.4."""
    if format == "json":
        return json.dumps(inspect_json(workflow, diagnostics), ensure_ascii=False,
                          indent=2) + "\n"
    makers = {"text": inspect_text, "mermaid": to_mermaid, "dot": to_dot}
    if format not in makers:
        raise ValueError(f"unknown inspect format {format!r}: one of json, "
                         f"{', '.join(makers)}")
    return makers[format](workflow, diagnostics)


__all__ = ["Summary", "inspect_json", "inspect_text", "render", "summarise", "to_dot",
           "to_mermaid", "workflow_json"]
