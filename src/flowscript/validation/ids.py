"""Names that must be unique or must not collide (SPEC §1.6, §2.10, §4.5).

FS-ID-001: node ids and phase names share one namespace across the whole file, container
bodies and ``<on-workflow-error>`` included; the second occurrence is reported.
FS-ID-003 (warning): a variable or a foreach item/index name equals a node id, or a node id
is a site binding that shadows it. FS-ID-004: a ``<schema>`` repeats a frontmatter schema.
"""

from __future__ import annotations

from ..ast import LoopNode, Span, Text
from ..diagnostics import DiagnosticSink
from .index import SHADOWING_BINDINGS, NodeEntry, WorkflowIndex


def check_ids(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    _unique(index, sink)
    _shadowing(index, sink)
    _schemas(index, sink)


def id_span(entry: NodeEntry) -> Span:
    """Where a node's id is written (its tag when the id is automatic)."""
    text = entry.node.attr("id")
    return text.span if text is not None else entry.node.span


def _unique(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    named: list[tuple[Span, str, str]] = [
        (id_span(entry), entry.id, "node id") for entry in index.entries
        if not entry.node.auto_id]
    for phase in index.workflow.body.phases():
        text = phase.attr("name") or phase.attr("id")
        named.append((text.span if text is not None else phase.span, phase.name, "phase"))
    named.sort(key=lambda item: (item[0].line, item[0].column))
    first: dict[str, tuple[Span, str]] = {}
    for span, name, what in named:
        if not name:
            continue
        if name not in first:
            first[name] = (span, what)
            continue
        earlier, earlier_what = first[name]
        sink.error("FS-ID-001", f'duplicate {what} "{name}": already used as a {earlier_what} '
                   f"at line {earlier.line}", span.line, span.column,
                   end_line=span.line, end_column=span.column + len(name),
                   hints=("node ids and phase names must be unique in the whole file",))


def _shadowing(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    nodes = {entry.id for entry in index.entries if not entry.node.auto_id}
    for name, text in index.variables.items():
        if name in nodes:
            _warn(sink, text, f'variable "{name}" has the name of a node; reading "{name}" '
                  "gives the variable")
    for entry in index.entries:
        node = entry.node
        if isinstance(node, LoopNode) and node.kind == "control:foreach":
            for attribute in ("item", "index"):
                text = node.attr(attribute)
                if text is not None and text.value in nodes:
                    _warn(sink, text, f'foreach {attribute} name "{text.value}" is also a '
                          "node id; inside the body it hides the node")
        if not node.auto_id and node.id in SHADOWING_BINDINGS:
            text = node.attr("id")
            if text is not None:
                _warn(sink, text, f'node id "{node.id}" is hidden by the binding of the same '
                      "name in expressions")


def _warn(sink: DiagnosticSink, text: Text, message: str) -> None:
    sink.warning("FS-ID-003", message, text.span.line, text.span.column,
                 hints=("rename one of them",))


def _schemas(index: WorkflowIndex, sink: DiagnosticSink) -> None:
    declared = index.workflow.frontmatter.schemas
    body = index.workflow.body
    schemas = list(body.schemas)
    for phase in body.phases():
        schemas.extend(phase.schemas)
    for schema in schemas:
        if schema.name in declared:
            text = schema.attr("name")
            span = text.span if text is not None else schema.span
            sink.error("FS-ID-004", f'schema "{schema.name}" is already declared under '
                       "schemas: in the frontmatter", span.line, span.column)


__all__ = ["check_ids", "id_span"]
