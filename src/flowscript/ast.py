"""The workflow AST: frozen, slotted dataclasses for every element of SPEC §2–§3.

Every element keeps its ``span`` in the original file. Attribute values stay as source
``Text`` (already §1.7-normalised to canonical kebab-case names, dialects of §3.3 folded
into one canonical form); their *kinds* (int, duration, expr, …) are interpreted by the
validator and the executor, which both read them through the element catalogue.
Structure that the engine walks — sequences, cases, lanes, actions, handlers — is typed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class _EmptyMapping(Mapping[str, Any]):
    """A read-only, hashable empty mapping: a valid dataclass default on Python 3.11, where
    ``MappingProxyType`` is unhashable and so rejected as a "mutable default"."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


EMPTY: Mapping[str, Any] = _EmptyMapping()


@dataclass(frozen=True, slots=True)
class Span:
    """1-based start and end (exclusive column) in the original file (SPEC §1.2)."""

    line: int
    column: int
    end_line: int = 0
    end_column: int = 0


@dataclass(frozen=True, slots=True)
class Text:
    """A decoded attribute value or element text, and where it starts in the file.

    ``exact`` is true when every character of ``value`` sits at the matching place in the
    file (no entity decoding, dedent or CDATA unwrapping moved it), so an offset inside
    the value maps onto a line and column with ``position``.
    """

    value: str
    span: Span
    exact: bool = True

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column in the file of character ``offset`` of the value."""
        if not self.exact:
            return self.span.line, self.span.column
        head = self.value[:offset]
        newlines = head.count("\n")
        if not newlines:
            return self.span.line, self.span.column + offset
        return self.span.line + newlines, offset - head.rfind("\n")


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """One configuration key of a data node (SPEC §3.2.3), whatever form it was written in.

    ``value`` is a ``str`` for an attribute or child element; for a key read from a YAML
    block (``<request>``, ``<headers>``…) it is the loaded YAML value whose string leaves
    are templates. ``block`` names that block, or is ``None``.
    """

    value: Any
    span: Span
    exact: bool = True
    block: str | None = None

    def as_text(self) -> Text:
        return Text(self.value if isinstance(self.value, str) else str(self.value),
                    self.span, self.exact and isinstance(self.value, str))


# ---------------------------------------------------------------------------------------
# Elements and nodes

@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    """Any body element: its tag, start-tag span and canonical attributes."""

    element: str
    span: Span
    attributes: Mapping[str, Text] = EMPTY

    def attr(self, name: str) -> Text | None:
        return self.attributes.get(name)

    def attr_value(self, name: str, default: str | None = None) -> str | None:
        text = self.attributes.get(name)
        return text.value if text is not None else default


@dataclass(frozen=True, slots=True, kw_only=True)
class RetrySpec(Element):
    """``<retry>`` or the ``retry="N"`` shorthand (then ``element`` is ``"retry"`` and the
    attributes hold ``max`` only). Attributes: max, backoff, base, max-delay, jitter,
    timeout, when."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FallbackSpec(Element):
    """``<fallback node when>`` (a ``<goto node>`` child is folded into ``node``)."""

    node: Text
    when: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CircuitBreakerSpec(Element):
    """``<circuit-breaker threshold window cooldown>`` with an optional ``<on-open>`` goto."""

    on_open: GotoNode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OnError(Element):
    retry: RetrySpec | None = None
    fallback: FallbackSpec | None = None
    circuit_breaker: CircuitBreakerSpec | None = None


Sequence = tuple["Node", ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node(Element):
    """An element that executes and records a result (SPEC §0.1)."""

    id: str
    kind: str                       # registry key: "source:http", "control:if", …
    auto_id: bool = False           # ``<element>@<line>`` ids cannot be referenced
    on_error: OnError | None = None  # also holds the ``retry="N"`` shorthand

    @property
    def input(self) -> Text | None:
        return self.attributes.get("input")

    def sequences(self) -> Iterator[Sequence]:
        """Every sequence of nested nodes this node holds, in document order."""
        return iter(())

    def walk(self) -> Iterator[Node]:
        """This node and every node nested in it, depth first, in document order."""
        yield self
        for sequence in self.sequences():
            for child in sequence:
                yield from child.walk()


@dataclass(frozen=True, slots=True, kw_only=True)
class DataNode(Node):
    """``source``, ``transform``, ``sink`` and ``ai`` (``element`` says which; for ``<ai>``
    ``type`` is ``"ai"``). ``config`` maps canonical key → value from any of the three forms.
    ``output_fields``/``output_type`` hold an AI ``<output>`` child (SPEC §3.14)."""

    type: str
    config: Mapping[str, ConfigValue] = EMPTY
    output_fields: tuple[Field, ...] | None = None
    output_type: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNode(Node):
    """``<set var value>``: standalone it is a node; inside ``<context>``/``<output>`` an entry.
    ``var`` may be dotted (``stats.count``)."""

    var: Text
    value: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextNode(Node):
    """``<context scope>`` with its ``<set>`` entries, evaluated in order."""

    entries: tuple[SetNode, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class IfNode(Node):
    condition: Text
    then: Sequence = ()
    else_: Sequence | None = None

    def sequences(self) -> Iterator[Sequence]:
        yield self.then
        if self.else_ is not None:
            yield self.else_


@dataclass(frozen=True, slots=True, kw_only=True)
class Case(Element):
    """A ``branch`` arm: ``<case when>``, ``<match pattern>``, ``<default>``/``<otherwise>``."""

    when: Text | None = None
    pattern: Text | None = None
    is_default: bool = False
    body: Sequence = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BranchNode(Node):
    cases: tuple[Case, ...] = ()

    def sequences(self) -> Iterator[Sequence]:
        return (case.body for case in self.cases)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopNode(Node):
    """``loop`` (attributes max, break), ``while`` (condition, max) and ``foreach``
    (collection, item, index, concurrency, on-item-error); ``kind`` tells them apart."""

    body: Sequence = ()

    def sequences(self) -> Iterator[Sequence]:
        yield self.body


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane(Element):
    """A parallel lane: a ``<branch name>`` child, or one direct node child (``name`` None)."""

    name: str | None = None
    body: Sequence = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelNode(Node):
    """Attributes wait, merge, max (``<wait for>``/``<merge strategy>`` children folded in;
    a custom merge expression from ``<merge>`` text lands in ``merge``)."""

    lanes: tuple[Lane, ...] = ()

    def sequences(self) -> Iterator[Sequence]:
        return (lane.body for lane in self.lanes)


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakNode(Node):
    """``<break when loop>``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GotoNode(Node):
    """``<goto node with max>`` (``target`` folded into ``node``)."""

    target: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionInput(Element):
    """``<input name type label required default options>`` of a checkpoint action."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Action(Element):
    id: str
    goto: GotoNode | None = None
    inputs: tuple[ActionInput, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointTimeout(Element):
    """``<timeout duration action>`` child of a checkpoint, optionally holding a goto."""

    goto: GotoNode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointNode(Node):
    """Attributes type, timeout, default; ``prompt``/``condition`` from attribute or child."""

    prompt: Text | None = None
    condition: Text | None = None
    actions: tuple[Action, ...] = ()
    timeout_child: CheckpointTimeout | None = None

    def sequences(self) -> Iterator[Sequence]:
        for action in self.actions:
            if action.goto is not None:
                yield (action.goto,)
        if self.timeout_child is not None and self.timeout_child.goto is not None:
            yield (self.timeout_child.goto,)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemporalNode(Node):
    """``delay`` (duration), ``timeout`` (duration, on-timeout), ``throttle`` (rate),
    ``batch`` (size, interval), ``debounce`` (quiet); wrappers hold a ``body``."""

    body: Sequence = ()

    def sequences(self) -> Iterator[Sequence]:
        if self.body:
            yield self.body


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposeNode(Node):
    """``<include workflow>`` with ``binds`` and ``<call workflow>`` with ``args``."""

    workflow: Text
    args: Mapping[str, Text] = EMPTY


# ---------------------------------------------------------------------------------------
# Structural elements

@dataclass(frozen=True, slots=True, kw_only=True)
class Field(Element):
    """``<field name type required default description format>`` (SPEC §3.37)."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema(Element):
    name: str
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase(Element):
    name: str
    nodes: Sequence = ()
    schemas: tuple[Schema, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowOutput(Element):
    """``<output>``: ``fields`` of ``<set field value>``, or one ``value`` template."""

    fields: tuple[SetNode, ...] = ()
    value: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OnWorkflowError(Element):
    """``<on-workflow-error timeout>`` and its sequence (SPEC §3.34)."""

    body: Sequence = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Body(Element):
    """``<workflow>``: top-level nodes and phases in document order, plus the rest."""

    items: tuple[Node | Phase, ...] = ()
    schemas: tuple[Schema, ...] = ()
    output: WorkflowOutput | None = None
    on_workflow_error: OnWorkflowError | None = None

    def top_level(self) -> Iterator[tuple[Node, Phase | None]]:
        """Every top-level node with its phase, in document order."""
        for item in self.items:
            if isinstance(item, Phase):
                for node in item.nodes:
                    yield node, item
            else:
                yield item, None

    def phases(self) -> Iterator[Phase]:
        return (item for item in self.items if isinstance(item, Phase))

    def walk(self) -> Iterator[Node]:
        """Every node of the body (``<on-workflow-error>`` included), in document order."""
        for node, _ in self.top_level():
            yield from node.walk()
        if self.on_workflow_error is not None:
            for node in self.on_workflow_error.body:
                yield from node.walk()


# ---------------------------------------------------------------------------------------
# Frontmatter

@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigField:
    """One ``config`` key (SPEC §2.5); ``type`` is a plain type name (enum folded into
    ``enum``)."""

    name: str
    type: str = "any"
    default: Any = None
    has_default: bool = False
    required: bool = False
    description: str | None = None
    enum: tuple[Any, ...] | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """One ``input``/``output``/schema field (SPEC §2.7); ``type`` is a §2.11 type
    expression source."""

    name: str
    type: str = "any"
    required: bool = False
    default: Any = None
    has_default: bool = False
    description: str | None = None
    enum: tuple[Any, ...] | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    """``runtime`` settings (SPEC §2.8); durations in seconds, ``retry`` as RetryPolicy
    fields (``{"max_retries": n, …}``) or ``None``."""

    timeout: float | None = None
    concurrency: int | None = None
    retry: Mapping[str, Any] | None = None
    max_iterations: int = 1000
    context_budget: int | None = None
    model: str | None = None
    models: Mapping[str, str] = EMPTY
    log: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Frontmatter:
    name: str = ""
    version: str = ""
    description: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    license: str | None = None
    triggers: tuple[Mapping[str, Any], ...] = ()
    config: Mapping[str, ConfigField] = EMPTY
    secrets: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    input: Mapping[str, FieldSpec] | None = None
    output: Mapping[str, FieldSpec] | None = None
    runtime: Runtime = field(default_factory=Runtime)
    evolution: Mapping[str, Any] | None = None
    #: name → a type expression source (str) or a mapping of FieldSpec
    schemas: Mapping[str, Any] = EMPTY
    #: the loaded YAML mapping as written (JSON values)
    data: Mapping[str, Any] = EMPTY
    #: dotted key path ("config.retries.default") → span of its value, for diagnostics
    spans: Mapping[str, Span] = EMPTY


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """A parsed workflow file. ``diagnostics`` are those found while parsing (a workflow
    with parse errors is never returned by ``load``; ``parse`` may return one with
    non-fatal structure diagnostics)."""

    path: str | None
    source: str
    frontmatter: Frontmatter
    body: Body
    hash: str
    #: offset in ``source`` where the footer starts (just after the body)
    footer_offset: int = 0
    diagnostics: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.frontmatter.name

    @property
    def version(self) -> str:
        return self.frontmatter.version
