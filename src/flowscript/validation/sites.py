"""Every place of a workflow where an expression, template, pattern or type is written
(SPEC §3.2.2, §5.9).

A ``Site`` is one such value with what the place binds: the bare names (``input``,
``item``, ``error``…) and ``$`` names available there. Sites are listed per node, in
document order, from the element catalogue: an attribute of kind ``expr`` is an
expression, ``pattern`` a ``<match>`` pattern, ``type-expr`` a type; any other value that
contains ``{{`` is a template. Configuration values read from YAML blocks contribute one
site per string leaf.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..ast import (
    Action,
    BranchNode,
    CheckpointNode,
    ComposeNode,
    ConfigValue,
    ContextNode,
    DataNode,
    Field,
    IfNode,
    LoopNode,
    Node,
    OnError,
    ParallelNode,
    SetNode,
    Text,
    Workflow,
)
from ..elements import ELEMENTS, MERGE_KEYWORDS, data_type
from ..parsing.text import config_texts as located_texts
from .index import ERROR_BINDINGS, ITEM_DOLLARS, NodeEntry, WorkflowIndex

#: Attributes that never hold an expression or template, whatever the catalogue says.
_LITERAL_ATTRIBUTES = frozenset({"id", "description", "type"})
#: Value kinds that are names or literal words: never evaluated.
_NAME_KINDS = frozenset({"name", "ref", "wait"})
_ERROR_DOLLARS = frozenset({"$error"})


@dataclass(frozen=True, slots=True)
class Site:
    """One evaluated value and what its place binds."""

    text: Text
    #: "expr", "template", "pattern" or "type"
    form: str
    #: the node whose value it is (None for the workflow ``<output>`` and ``<schema>``)
    owner: NodeEntry | None
    #: attribute or configuration key ("input", "condition", "url", "when"…)
    key: str
    #: bare names bound here, besides variables and node ids
    names: frozenset[str] = frozenset()
    #: ``$`` names available here, besides those available everywhere
    dollars: frozenset[str] = frozenset()
    #: a configuration value of a data node (``query`` templates draw FS-SEC-006)
    config: bool = False

    @property
    def is_input(self) -> bool:
        return self.key == "input" and self.owner is not None


def node_sites(entry: NodeEntry, index: WorkflowIndex) -> Iterator[Site]:
    """Every site of one node (not of the nodes nested in it), in document order."""
    node = entry.node
    names = entry.position.names | {"input"}
    dollars = entry.position.dollars | {"$attempt"}
    base = _Builder(entry, names, dollars)
    yield from base.attributes(node)
    yield from base.typed_fields(node)
    if isinstance(node, DataNode):
        yield from base.config(node)
        yield from base.output_fields(node)
    if node.on_error is not None:
        yield from base.on_error(node.on_error)


def workflow_sites(workflow: Workflow) -> Iterator[Site]:
    """The sites outside nodes: the workflow ``<output>`` and the ``<schema>`` fields."""
    output = workflow.body.output
    if output is not None:
        if output.value is not None:
            yield from _valued(output.value, "value", None, frozenset(), frozenset(),
                               "tmpl")
        for entry in output.fields:
            yield from _valued(entry.value, "value", None, frozenset(), frozenset(),
                               "value")
    schemas = list(workflow.body.schemas)
    for phase in workflow.body.phases():
        schemas.extend(phase.schemas)
    for schema in schemas:
        for item in schema.fields:
            yield from field_sites(item, None)


def field_sites(item: Field, owner: NodeEntry | None) -> Iterator[Site]:
    type_text = item.attr("type")
    if type_text is not None:
        yield Site(type_text, "type", owner, "type")


def _valued(text: Text, key: str, owner: NodeEntry | None, names: frozenset[str],
            dollars: frozenset[str], kind: str, config: bool = False) -> Iterator[Site]:
    """The site of a value of ``kind``, if it is evaluated at all."""
    if kind in _NAME_KINDS:
        return
    if kind == "expr":
        if text.value.strip():
            yield Site(text, "expr", owner, key, names, dollars, config)
    elif kind == "pattern":
        yield Site(text, "pattern", owner, key, names, dollars, config)
    elif kind == "type-expr":
        yield Site(text, "type", owner, key, names, dollars, config)
    elif kind == "merge":
        if text.value.strip() not in MERGE_KEYWORDS and text.value.strip() != "custom":
            yield Site(text, "expr", owner, key, names, dollars | {"$branches"}, config)
    elif "{{" in text.value:
        yield Site(text, "template", owner, key, names, dollars, config)


class _Builder:
    """Sites of one node: its attributes, typed fields, configuration and on-error."""

    def __init__(self, entry: NodeEntry, names: frozenset[str],
                 dollars: frozenset[str]) -> None:
        self.entry = entry
        self.names = names
        self.dollars = dollars
        self.seen: set[tuple[int, int, str]] = set()

    def site(self, text: Text | None, key: str, kind: str, *,
             names: frozenset[str] = frozenset(), dollars: frozenset[str] = frozenset(),
             config: bool = False) -> Iterator[Site]:
        if text is None:
            return
        mark = (text.span.line, text.span.column, text.value)
        if mark in self.seen:
            return
        self.seen.add(mark)
        yield from _valued(text, key, self.entry, self.names | names,
                           self.dollars | dollars, kind, config)

    def attributes(self, node: Node) -> Iterator[Site]:
        spec = ELEMENTS.get(node.element)
        for name, text in node.attributes.items():
            if name in _LITERAL_ATTRIBUTES:
                continue
            setting = spec.attribute(name) if spec is not None else None
            if setting is None and isinstance(node, DataNode):
                found = data_type(node.element, node.type)
                setting = found.key(name) if found is not None else None
            if setting is None:
                kind = "value" if isinstance(node, ComposeNode) else "text"
            else:
                kind = setting.kind
            yield from self.site(text, name, kind, **_special(node, name))

    def typed_fields(self, node: Node) -> Iterator[Site]:
        if isinstance(node, IfNode):
            yield from self.site(node.condition, "condition", "expr")
        elif isinstance(node, CheckpointNode):
            yield from self.site(node.prompt, "prompt", "text")
            yield from self.site(node.condition, "condition", "expr")
            yield from self.actions(node.actions)
        elif isinstance(node, SetNode):
            yield from self.site(node.value, "value", "value")
        elif isinstance(node, ContextNode):
            for entry in node.entries:
                yield from self.site(entry.value, "value", "value")
        elif isinstance(node, BranchNode):
            for case in node.cases:
                yield from self.site(case.when, "when", "expr")
                yield from self.site(case.pattern, "pattern", "pattern")
        elif isinstance(node, ComposeNode):
            yield from self.site(node.workflow, "workflow", "text")
            for key, value in node.args.items():
                yield from self.site(value, key, "value")

    def actions(self, actions: tuple[Action, ...]) -> Iterator[Site]:
        for action in actions:
            for item in action.inputs:
                for name in ("label", "default", "options"):
                    yield from self.site(item.attr(name), name, "text")

    def on_error(self, on_error: OnError) -> Iterator[Site]:
        errors = {"names": ERROR_BINDINGS, "dollars": _ERROR_DOLLARS}
        if on_error.retry is not None:
            for name, text in on_error.retry.attributes.items():
                kind = "expr" if name == "when" else "text"
                yield from self.site(text, name, kind, **(errors if kind == "expr" else {}))
        if on_error.fallback is not None:
            yield from self.site(on_error.fallback.when, "when", "expr", **errors)
        breaker = on_error.circuit_breaker
        if breaker is not None:
            for name, text in breaker.attributes.items():
                yield from self.site(text, name, "text")

    def config(self, node: DataNode) -> Iterator[Site]:
        found = data_type(node.element, node.type)
        for key, value in node.config.items():
            setting = found.key(key) if found is not None else None
            kind = setting.kind if setting is not None else "text"
            extra = _config_bindings(node, key)
            for text in config_texts(value):
                yield from self.site(text, key, kind if isinstance(value.value, str)
                                     else "tmpl", config=True, **extra)

    def output_fields(self, node: DataNode) -> Iterator[Site]:
        for item in node.output_fields or ():
            yield from field_sites(item, self.entry)


def _special(node: Node, name: str) -> dict[str, frozenset[str]]:
    """Extra bindings of a node's own attribute (§4.6, §5.9)."""
    if isinstance(node, LoopNode):
        if node.kind == "control:foreach" and name == "collection":
            return {"dollars": ITEM_DOLLARS}
        if name in ("break", "condition"):
            return {"dollars": frozenset({"$iteration"})}
    if isinstance(node, ParallelNode) and name == "merge":
        return {"dollars": frozenset({"$branches"})}
    return {}


def _config_bindings(node: DataNode, key: str) -> dict[str, frozenset[str]]:
    """The bindings of map, filter and reduce bodies (§3.11–§3.13, §5.9)."""
    if node.type in ("map", "filter") and key in ("expression", "condition"):
        return {"names": frozenset({"item", "index"}), "dollars": ITEM_DOLLARS}
    if node.type == "reduce" and key == "reducer":
        return {"names": frozenset({"acc", "item", "index"}),
                "dollars": ITEM_DOLLARS | {"$acc"}}
    if node.type == "reduce" and key == "finalize":
        return {"names": frozenset({"acc", "result"}), "dollars": frozenset({"$acc"})}
    return {}


def config_texts(value: ConfigValue) -> Iterator[Text]:
    """The string values of one configuration key as located ``Text``: the value itself,
    or every string leaf of a block value (positions from the builder's map when it kept
    one; otherwise inexact, and ``SourceLocator`` finds them in the file)."""
    texts = located_texts(value)
    if texts:
        yield from (text for text in texts.values() if isinstance(text.value, str))
        return
    for leaf in _string_leaves(value.value):
        yield Text(leaf, value.span, exact=False)


def _string_leaves(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for item in data.values():
            yield from _string_leaves(item)
    elif isinstance(data, list):
        for item in data:
            yield from _string_leaves(item)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceLocator:
    """Maps an offset of a value to the file. Exact values map themselves; a block leaf
    the AST kept no position for is found in the file: the template tag around the
    offset (or the leaf) at or after the block's line."""

    def __init__(self, source: str) -> None:
        self.source = source.lstrip("\ufeff")
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.source)]

    def position(self, text: Text, offset: int) -> tuple[int, int]:
        if text.exact or not self.source:
            return text.position(offset)
        value = text.value
        start = value.rfind("{{", 0, offset + 1)
        if start < 0:
            start = 0
        end = value.find("}}", start)
        needle = value[start:end + 2] if end >= 0 else value[start:]
        line = min(max(text.span.line, 1), len(self.starts))
        found = self.source.find(needle, self.starts[line - 1]) if needle else -1
        if found < 0:
            return text.position(offset)
        found += min(offset - start, len(needle))
        line_no = _bisect(self.starts, found)
        return line_no, found - self.starts[line_no - 1] + 1


def _bisect(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts)
    while low < high:
        middle = (low + high) // 2
        if starts[middle] <= offset:
            low = middle + 1
        else:
            high = middle
    return low


__all__ = ["Site", "SourceLocator", "config_texts", "field_sites", "node_sites",
           "workflow_sites"]
