"""The ``ast`` member of ``inspect --format json`` (SPEC §10.8).

Each element becomes ``{"element", "kind", "id", "attributes", "config", "children",
"line", "column"}``; ``kind`` and ``id`` are null for structural elements, ``config`` holds
a data node's configuration keys (block values as loaded JSON), ``children`` the nested
elements in document order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .ast import (
    Action,
    Body,
    BranchNode,
    CheckpointNode,
    ComposeNode,
    ContextNode,
    DataNode,
    Element,
    Field,
    IfNode,
    LoopNode,
    Node,
    OnError,
    ParallelNode,
    Phase,
    Schema,
    TemporalNode,
    Text,
)

JSON = dict[str, Any]


def element_json(element: Element, children: Iterable[JSON] = (), *,
                 attributes: Mapping[str, Any] | None = None) -> JSON:
    node = isinstance(element, Node)
    shown = attributes if attributes is not None else _texts(element.attributes)
    return {
        "element": element.element,
        "kind": element.kind if isinstance(element, Node) else None,
        "id": element.id if isinstance(element, Node) else None,
        "attributes": dict(shown),
        "config": _config(element) if node else {},
        "children": list(children),
        "line": element.span.line if element.span else None,
        "column": element.span.column if element.span else None,
    }


def ast_json(body: Body) -> JSON:
    """The ``<workflow>`` root and everything in it."""
    parts: list[tuple[int, int, JSON]] = []
    for item in body.items:
        parts.append((item.span.line, item.span.column,
                      phase_json(item) if isinstance(item, Phase) else node_json(item)))
    for schema in body.schemas:
        parts.append((schema.span.line, schema.span.column, schema_json(schema)))
    if body.output is not None:
        output = body.output
        fields = [element_json(f) for f in output.fields]
        parts.append((output.span.line, output.span.column, element_json(output, fields)))
    if body.on_workflow_error is not None:
        handler = body.on_workflow_error
        parts.append((handler.span.line, handler.span.column,
                      element_json(handler, (node_json(n) for n in handler.body))))
    parts.sort(key=lambda part: (part[0], part[1]))
    return element_json(body, (part[2] for part in parts))


def phase_json(phase: Phase) -> JSON:
    children = [(n.span.line, n.span.column, node_json(n)) for n in phase.nodes]
    children += [(s.span.line, s.span.column, schema_json(s)) for s in phase.schemas]
    children.sort(key=lambda part: (part[0], part[1]))
    return element_json(phase, (part[2] for part in children))


def schema_json(schema: Schema | None) -> JSON:
    assert schema is not None
    return element_json(schema, (field_json(f) for f in schema.fields))


def field_json(item: Field) -> JSON:
    return element_json(item)


def node_json(node: Node) -> JSON:
    """One node and what it holds: arms, cases, lanes, bodies, actions, on-error."""
    children = list(_node_children(node))
    if node.on_error is not None:
        children.append(on_error_json(node.on_error))
    attributes = _texts(node.attributes)
    if isinstance(node, ComposeNode):
        attributes.setdefault("workflow", node.workflow.value)
    return element_json(node, children, attributes=attributes)


def _node_children(node: Node) -> Iterable[JSON]:
    if isinstance(node, IfNode):
        yield _wrapper("then", node, node.then)
        if node.else_ is not None:
            yield _wrapper("else", node, node.else_)
    elif isinstance(node, BranchNode):
        for case in node.cases:
            yield element_json(case, (node_json(n) for n in case.body))
    elif isinstance(node, ParallelNode):
        for lane in node.lanes:
            attributes = {"name": lane.name} if lane.name else {}
            yield element_json(lane, (node_json(n) for n in lane.body),
                               attributes=attributes)
    elif isinstance(node, LoopNode | TemporalNode):
        yield from (node_json(n) for n in node.body)
    elif isinstance(node, ContextNode):
        yield from (element_json(entry) for entry in node.entries)
    elif isinstance(node, CheckpointNode):
        yield from (_action(action) for action in node.actions)
        if node.timeout_child is not None:
            goto = node.timeout_child.goto
            yield element_json(node.timeout_child, [node_json(goto)] if goto else [])
    elif isinstance(node, ComposeNode):
        tag = "bind" if node.element == "include" else "arg"
        for key, value in node.args.items():
            names = ("key", "value") if tag == "bind" else ("name", "value")
            yield {"element": tag, "kind": None, "id": None,
                   "attributes": {names[0]: key, names[1]: value.value}, "config": {},
                   "children": [], "line": value.span.line, "column": value.span.column}
    elif isinstance(node, DataNode) and node.output_fields is not None:
        yield {"element": "output", "kind": None, "id": None,
               "attributes": {"type": node.output_type.value} if node.output_type else {},
               "config": {}, "children": [field_json(f) for f in node.output_fields],
               "line": node.span.line, "column": node.span.column}


def _wrapper(tag: str, node: Node, body: tuple[Node, ...]) -> JSON:
    first = body[0].span if body else node.span
    return {"element": tag, "kind": None, "id": None, "attributes": {}, "config": {},
            "children": [node_json(n) for n in body], "line": first.line,
            "column": first.column}


def _action(action: Action) -> JSON:
    children: list[JSON] = [element_json(item) for item in action.inputs]
    if action.goto is not None:
        children.append(node_json(action.goto))
    return element_json(action, children)


def on_error_json(on_error: OnError) -> JSON:
    children: list[JSON] = []
    if on_error.retry is not None:
        children.append(element_json(on_error.retry))
    if on_error.fallback is not None:
        fallback = on_error.fallback
        attributes = {**_texts(fallback.attributes), "node": fallback.node.value}
        children.append(element_json(fallback, attributes=attributes))
    breaker = on_error.circuit_breaker
    if breaker is not None:
        inner = [node_json(breaker.on_open)] if breaker.on_open is not None else []
        children.append(element_json(breaker, inner))
    return element_json(on_error, children)


def _texts(attributes: Mapping[str, Text]) -> dict[str, Any]:
    return {name: text.value for name, text in attributes.items()}


def _config(element: Element) -> dict[str, Any]:
    if not isinstance(element, DataNode):
        return {}
    return {key: value.value for key, value in element.config.items()}


__all__ = ["ast_json", "element_json", "node_json", "on_error_json"]
