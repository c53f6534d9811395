"""The builder's machinery: places, automatic ids, attributes, children and sequences.

Everything an element builder needs to read a ``RawElement`` against its catalogue spec and
report what does not fit (SPEC §3.2.1, §11.3): unknown or reserved attributes and
elements, settings given twice, invalid literals and names, misplaced children, stray text.
Element builders (the mixins of ``control``, ``data``, ``nodes`` and ``structure``) turn
what is left into AST objects; ``node`` dispatches to them by tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from types import MappingProxyType
from typing import Any, TypeVar

from ... import elements as catalogue
from ...ast import EMPTY, BreakNode, GotoNode, Node, Span, Text
from ...diagnostics import DiagnosticSink, did_you_mean
from ...elements import ElementSpec, ExtraTypes, Setting
from ..raw import RawAttr, RawElement, RawText
from ..text import attribute_text, text_of

T = TypeVar("T")

#: Called for an attribute the spec does not know; True when it was handled.
AttributeHook = Callable[[RawAttr], bool]

_MISPLACED = {
    "phase": "phases sit directly in <workflow> and do not nest",
    "schema": "<schema> sits directly in <workflow> or a <phase>",
    "on-workflow-error": "<on-workflow-error> sits directly in <workflow>",
    "on-error": "<on-error> belongs to a node other than break, goto, set and context",
}


@dataclass(slots=True)
class LoopFrame:
    """An enclosing loop, while or foreach that a ``<break>`` may leave."""

    id: str
    broken: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where an element sits: what its enclosing sequences allow (SPEC §3.25, §3.26)."""

    #: tag of the element that holds the sequence, for messages
    parent: str
    #: loops a ``<break>`` here may leave (cut at a lane and at batch/debounce/handlers)
    loops: tuple[LoopFrame, ...] = ()
    #: the immediate sequence allows ``<goto>``
    goto: bool = False
    #: inside a parallel lane, at any depth
    lane: bool = False
    #: inside a foreach body, at any depth
    foreach: bool = False
    #: the enclosing phase, if any
    phase: str | None = None
    #: a break here was cut off from an outer loop by a lane boundary
    lane_cut: bool = False

    def enter(self, parent: str, *, goto: bool, loops: bool = True, **changes: Any) -> Place:
        """The place of a nested sequence; ``loops=False`` cuts the breakable loops."""
        kept = self.loops if loops else ()
        return replace(self, parent=parent, goto=goto, loops=kept, **changes)


@dataclass(slots=True)
class Children:
    """An element's children, sorted: structural ones, nodes, and text segments."""

    structural: list[RawElement] = field(default_factory=list)
    nodes: list[RawElement] = field(default_factory=list)
    texts: list[RawText] = field(default_factory=list)
    #: structural and node children together, in document order
    ordered: list[RawElement] = field(default_factory=list)

    _node_ids: set[int] = field(default_factory=set)

    def is_node(self, raw: RawElement) -> bool:
        return id(raw) in self._node_ids

    def named(self, *names: str) -> list[RawElement]:
        return [child for child in self.structural if child.name in names]

    def first(self, name: str) -> RawElement | None:
        return next((child for child in self.structural if child.name == name), None)


def freeze(values: dict[str, T]) -> Mapping[str, T]:
    """A read-only view of attributes or configuration, for the frozen AST."""
    return MappingProxyType(values) if values else EMPTY


def empty_text(raw: RawElement) -> Text:
    """A placeholder value for a missing required setting (already reported)."""
    span = raw.span
    return Text("", Span(span.line, span.column, span.line, span.column), False)


class BuilderCore:
    """Shared state and helpers of the body builder."""

    def __init__(self, sink: DiagnosticSink, extra_types: ExtraTypes | None) -> None:
        self.sink = sink
        self.extra_types = extra_types
        self._auto: dict[tuple[str, int], int] = {}

    # -- diagnostics -------------------------------------------------------------------

    def error(self, code: str, message: str, span: Span, hints: Iterable[str] = ()) -> None:
        self.sink.error(code, message, span.line, span.column, hints=list(hints),
                        **_ends(span))

    def warning(self, code: str, message: str, span: Span, hints: Iterable[str] = ()) -> None:
        self.sink.warning(code, message, span.line, span.column, hints=list(hints),
                          **_ends(span))

    # -- ids and names -----------------------------------------------------------------

    def auto_id(self, tag: str, span: Span) -> str:
        """``<element>@<line>``, then ``.2``, ``.3``… on the same line (SPEC §3.2.1)."""
        key = (tag, span.line)
        count = self._auto.get(key, 0) + 1
        self._auto[key] = count
        return f"{tag}@{span.line}" + (f".{count}" if count > 1 else "")

    def node_id(self, raw: RawElement, attrs: dict[str, Text]) -> tuple[str, bool]:
        given = attrs.get("id")
        if given is not None:
            return given.value, False
        return self.auto_id(raw.name, raw.span), True

    def check_name(self, text: Text, what: str, *, dotted: bool = False) -> bool:
        """FS-ID-002 for an invalid name (§1.6); templates are FS-STRUCT-006 elsewhere."""
        if "{{" in text.value:
            return False
        problem = catalogue.name_problem(text.value, dotted=dotted)
        if problem is None:
            return True
        self.error("FS-ID-002", f"invalid {what} {text.value!r}: {problem}", text.span)
        return False

    def check_value(self, setting: Setting, value: Any, span: Span, where: str) -> bool:
        """FS-STRUCT-006 for a literal that is invalid for the setting's kind."""
        problem = catalogue.literal_problem(setting, value)
        if problem is not None:
            self.error("FS-STRUCT-006", f"invalid {setting.name} {value!r} on {where}: "
                       f"{problem}", span)
            return False
        if setting.kind == "name" and isinstance(value, str):
            return self.check_name(Text(value, span), setting.name, dotted=setting.dotted)
        return True

    # -- attributes --------------------------------------------------------------------

    def attributes(self, raw: RawElement, spec: ElementSpec,
                   hook: AttributeHook | None = None,
                   candidates: Iterable[str] = ()) -> dict[str, Text]:
        """Canonical name → value of the attributes ``spec`` accepts, checked (§3.2.1)."""
        out: dict[str, Text] = {}
        written: dict[str, str] = {}
        for attr in raw.attrs:
            setting = spec.attribute(attr.name)
            if setting is None:
                self._unknown_attribute(raw, spec, attr, hook, candidates)
                continue
            if setting.name in out:
                self.error("FS-STRUCT-009", f"{setting.name!r} is given twice on <{raw.name}>"
                           f" (as {written[setting.name]!r} and {attr.name!r})", attr.span)
                continue
            text = attribute_text(attr)
            self.check_value(setting, text.value, text.span, f"<{raw.name}>")
            out[setting.name] = text
            written[setting.name] = attr.name
        return out

    def _unknown_attribute(self, raw: RawElement, spec: ElementSpec, attr: RawAttr,
                           hook: AttributeHook | None, candidates: Iterable[str]) -> None:
        reserved = catalogue.normalise(attr.name) in {
            catalogue.normalise(name) for name in spec.reserved_attributes}
        if reserved:
            self.error("FS-STRUCT-007", f"attribute {attr.name!r} of <{raw.name}> is not "
                       "supported in this version of FlowScript", attr.span)
        elif hook is None or not hook(attr):
            names = [*spec.attribute_names(), *candidates]
            self.error("FS-STRUCT-002", f"<{raw.name}> does not accept the attribute "
                       f"{attr.name!r}", attr.span, did_you_mean(attr.name, names))

    def require(self, raw: RawElement, spec: ElementSpec, attrs: dict[str, Text],
                given: Iterable[str] = ()) -> None:
        """FS-STRUCT-003 for each required attribute that is neither in ``attrs`` nor
        ``given`` by another form (a child element or the text content)."""
        present = {*attrs, *given}
        for setting in spec.attributes:
            if setting.required and setting.name not in present:
                self.error("FS-STRUCT-003", f"<{raw.name}> needs the attribute "
                           f"{setting.name!r}", raw.span)

    def begin(self, raw: RawElement, spec: ElementSpec, hook: AttributeHook | None = None,
              candidates: Iterable[str] = ()) -> tuple[dict[str, Text], dict[str, Any]]:
        """A node's attributes, and the constructor arguments every node shares (its id
        is assigned here, in document order, before any nested node's)."""
        attrs = self.attributes(raw, spec, hook, candidates)
        node_id, auto = self.node_id(raw, attrs)
        return attrs, {"element": raw.name, "span": raw.span, "id": node_id,
                       "kind": spec.kind, "auto_id": auto}

    # -- children ----------------------------------------------------------------------

    def children(self, raw: RawElement, spec: ElementSpec) -> Children:
        """Sort ``raw``'s children, reporting text, unknown, reserved, misplaced, repeated
        and missing children (FS-STRUCT-001/-004/-005/-007/-008)."""
        out = Children()
        seen: dict[str, RawElement] = {}
        for child in raw.children:
            if isinstance(child, RawText):
                self._text_child(raw, spec, child, out)
            elif child.name in spec.children:
                if child.name in spec.unique_children and child.name in seen:
                    self.error("FS-STRUCT-005", f"<{raw.name}> takes one <{child.name}>; "
                               f"the first is at line {seen[child.name].span.line}",
                               child.span)
                    continue
                seen.setdefault(child.name, child)
                out.structural.append(child)
                out.ordered.append(child)
            elif spec.sequence and child.name in catalogue.NODES:
                out.nodes.append(child)
                out.ordered.append(child)
                out._node_ids.add(id(child))
            else:
                self.stray(raw, spec, child)
        for name in spec.required_children:
            if name not in seen:
                self.error("FS-STRUCT-004", f"<{raw.name}> needs a <{name}> child", raw.span)
        return out

    def _text_child(self, raw: RawElement, spec: ElementSpec, text: RawText,
                    out: Children) -> None:
        if spec.text is not None or raw.raw_text:
            out.texts.append(text)
        elif text.value.strip(" \t\r\n"):
            where = _first_visible(text)
            self.error("FS-STRUCT-008", f"text is not allowed directly in <{raw.name}>",
                       where, ["put it in an element, or in a comment <!-- … -->"])

    def stray(self, parent: RawElement, spec: ElementSpec, child: RawElement) -> None:
        """Report a child that has no place in ``parent``."""
        name = child.name
        if name in catalogue.RESERVED_ELEMENTS:
            self.error("FS-STRUCT-007", f"<{name}> is not supported in this version of "
                       "FlowScript", child.span)
        elif name in catalogue.ALL_ELEMENT_NAMES:
            reason = _MISPLACED.get(name, f"<{name}> is not allowed in <{parent.name}>")
            self.error("FS-STRUCT-005", reason, child.span)
        else:
            allowed = [*spec.children, *(catalogue.NODES if spec.sequence else ())]
            hints = did_you_mean(name, allowed)
            if ":" in name:
                hints.append("namespaced forms are not part of the language: write "
                             f"<{name.split(':')[0]} type=\"{name.split(':')[-1]}\">")
            self.error("FS-STRUCT-001", f"unknown element <{name}>", child.span, hints)

    def text(self, raw: RawElement, segments: list[RawText] | None = None) -> Text:
        """The §1.5 value of ``raw``'s text (or of ``segments``)."""
        span = raw.span
        where = (span.end_line or span.line, span.end_column or span.column)
        parts = segments if segments is not None else [
            child for child in raw.children if isinstance(child, RawText)]
        return text_of(parts, where)

    # -- sequences ---------------------------------------------------------------------

    def sequence(self, raws: Iterable[RawElement], place: Place) -> tuple[Node, ...]:
        """The nodes of a sequence, with FS-STRUCT-011 after an unconditional jump."""
        nodes = [node for raw in raws if (node := self.node(raw, place)) is not None]
        for before, after in pairwise(nodes):
            unconditional = isinstance(before, GotoNode) or (
                isinstance(before, BreakNode) and "when" not in before.attributes)
            if unconditional:
                self.warning("FS-STRUCT-011", f"{after.id!r} can never run: it follows an "
                             f"unconditional <{before.element}>", after.span)
                break
        return tuple(nodes)

    def node(self, raw: RawElement, place: Place) -> Node | None:
        spec = catalogue.NODES[raw.name]
        builder: Callable[[RawElement, ElementSpec, Place], Node | None] = getattr(
            self, "node_" + raw.name.replace("-", "_"))
        return builder(raw, spec, place)


def _ends(span: Span) -> dict[str, int]:
    if span.end_line:
        return {"end_line": span.end_line, "end_column": span.end_column}
    return {}


def _first_visible(text: RawText) -> Span:
    """The position of the first non-whitespace character of a text segment."""
    value = text.value
    offset = len(value) - len(value.lstrip(" \t\r\n"))
    head = value[:offset]
    if text.exact and "\n" in head:
        line = text.span.line + head.count("\n")
        return Span(line, offset - head.rfind("\n"))
    return Span(text.span.line, text.span.column + (offset if text.exact else 0))
