"""FS-TYPE-005 (warning): an expression reads a field that the producing AI node's
structured-output schema does not define (SPEC §3.14, §11.3).

Only literal member paths are checked (``review.output.score``, ``review.score``), and only
when the node's schema is an object type whose fields are known: an ``<output>`` with
``<field>`` children, an ``output-schema``, or a named schema (frontmatter ``schemas`` or
a ``<schema>`` element).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..ast import DataNode
from ..diagnostics import DiagnosticSink, did_you_mean
from ..types import ObjectType, TypeSyntaxError, parse_type
from .index import WorkflowIndex
from .references import Reads


def check_ai_fields(index: WorkflowIndex, reads: Mapping[int, Reads],
                    sink: DiagnosticSink) -> None:
    known: dict[str, frozenset[str] | None] = {}
    for found in reads.values():
        for read in found.nodes:
            if read.target not in known:
                known[read.target] = _fields_of(index, read.target)
            fields = known[read.target]
            path = read.path[1:] if read.path[:1] == ("output",) else read.path
            if fields is None or not path or not isinstance(path[0], str):
                continue
            if path[0] not in fields:
                sink.warning("FS-TYPE-005", f'"{read.target}" has no field "{path[0]}" in its '
                             f"output schema (fields: {', '.join(sorted(fields))})",
                             read.line, read.column, hints=did_you_mean(path[0], fields))


def _fields_of(index: WorkflowIndex, node_id: str) -> frozenset[str] | None:
    entry = index.by_id.get(node_id)
    node = entry.node if entry is not None else None
    if not isinstance(node, DataNode) or node.kind != "transform:ai":
        return None
    if node.output_fields:
        return frozenset(item.name for item in node.output_fields)
    schema = node.config.get("output-schema")
    if schema is not None and isinstance(schema.value, str):
        return _object_fields(schema.value)
    name = node.config.get("schema")
    named = name.value if name is not None else (
        node.output_type.value if node.output_type is not None else None)
    return _named_fields(index, named.strip()) if isinstance(named, str) else None


def _object_fields(source: str) -> frozenset[str] | None:
    try:
        parsed = parse_type(source)
    except TypeSyntaxError:
        return None
    if isinstance(parsed, ObjectType):
        return frozenset(item.name for item in parsed.fields)
    return None


def _named_fields(index: WorkflowIndex, name: str) -> frozenset[str] | None:
    body = index.workflow.body
    for schema in (*body.schemas, *(s for p in body.phases() for s in p.schemas)):
        if schema.name == name:
            return frozenset(item.name for item in schema.fields)
    declared = index.workflow.frontmatter.schemas.get(name)
    if isinstance(declared, str):
        return _object_fields(declared)
    if isinstance(declared, Mapping):
        return frozenset(str(key) for key in declared)
    return None


__all__ = ["check_ai_fields"]
