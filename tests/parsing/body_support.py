"""Shared helpers of the body-builder tests: build a body from XML text, compare ASTs
without positions, and pick diagnostics."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flowscript.ast import Body, ConfigValue, Node, Span, Text
from flowscript.diagnostics import Diagnostic, DiagnosticSink
from flowscript.document import LineIndex
from flowscript.parsing.body import build_body
from flowscript.parsing.xml import scan_body

_POSITIONS = {"span", "exact", "runs", "texts", "block"}


def build(xml: str, **kw: Any) -> tuple[Body, list[Diagnostic]]:
    """Scan ``xml`` (a ``<workflow>`` element; its line 1 is line 1) and build the body."""
    sink = DiagnosticSink("test.flow.md")
    result = scan_body(xml, xml.index("<workflow"), LineIndex(xml), sink)
    assert result.root is not None, [str(d) for d in sink.items]
    body = build_body(result.root, sink, **kw)
    return body, sink.items


def clean(xml: str, **kw: Any) -> Body:
    """Build ``xml`` and assert that it gave no diagnostics at all."""
    body, diagnostics = build(xml, **kw)
    assert diagnostics == [], [str(d) for d in diagnostics]
    return body


def only(xml: str) -> Node:
    """The single top-level node of a workflow built without diagnostics."""
    body = clean(xml)
    assert len(body.items) == 1
    node = body.items[0]
    assert isinstance(node, Node)
    return node


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, int | None]]:
    return [(d.code, d.line) for d in diagnostics]


def shape(value: Any) -> Any:
    """An AST as plain data without positions: texts become their values, automatic ids
    are dropped (they name the line), ``ConfigValue``s become their values."""
    if isinstance(value, Text):
        return value.value
    if isinstance(value, ConfigValue):
        return shape(value.value)
    if isinstance(value, Span):
        return None
    if dataclasses.is_dataclass(value):
        out = {f.name: shape(getattr(value, f.name)) for f in dataclasses.fields(value)
               if f.name not in _POSITIONS}
        if getattr(value, "auto_id", False):
            out["id"] = None
        return (type(value).__name__, out)
    if isinstance(value, Mapping):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [shape(item) for item in value]
    return value
