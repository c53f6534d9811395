"""Structural elements: workflow, phase, schema, output, on-error (SPEC §3.4, §3.5,
§3.33, §3.34, §3.37, §3.38)."""

from __future__ import annotations

from ... import elements as catalogue
from ...ast import (
    Body,
    CircuitBreakerSpec,
    FallbackSpec,
    Field,
    GotoNode,
    Node,
    OnError,
    OnWorkflowError,
    Phase,
    RetrySpec,
    Schema,
    SetNode,
    Span,
    Text,
    WorkflowOutput,
)
from ...elements import ElementSpec
from ...elements.nodes import WORKFLOW
from ..raw import RawElement
from .core import BuilderCore, Place, empty_text, freeze


class StructureBuilder(BuilderCore):
    """Builds the root and the structural elements that are not nodes."""

    _schema_names: dict[str, Span]

    def workflow(self, root: RawElement) -> Body:
        self._schema_names = {}
        self.attributes(root, WORKFLOW)
        kids = self.children(root, WORKFLOW)
        place = Place("workflow")
        items: list[Node | Phase] = []
        schemas: list[Schema] = []
        output: WorkflowOutput | None = None
        handler: OnWorkflowError | None = None
        for child in kids.ordered:
            if kids.is_node(child):
                items.extend(self.sequence([child], place))
            elif child.name == "phase":
                items.append(self.phase(child))
            elif child.name == "schema":
                schemas.append(self.schema(child))
            elif child.name == "output":
                output = self.workflow_output(child)
            else:
                handler = self.on_workflow_error(child)
        return Body(element="workflow", span=root.span, items=tuple(items),
                    schemas=tuple(schemas), output=output, on_workflow_error=handler)

    def phase(self, raw: RawElement) -> Phase:
        spec = catalogue.ELEMENTS["phase"]
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        name = attrs.get("name", empty_text(raw))
        kids = self.children(raw, spec)
        place = Place("phase", phase=name.value)
        schemas = tuple(self.schema(child) for child in kids.named("schema"))
        return Phase(element="phase", span=raw.span, attributes=freeze(attrs), name=name.value,
                     nodes=self.sequence(kids.nodes, place), schemas=schemas)

    def schema(self, raw: RawElement) -> Schema:
        spec = catalogue.ELEMENTS["schema"]
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        name = attrs.get("name", empty_text(raw))
        if name.value:
            first = self._schema_names.setdefault(name.value, name.span)
            if first is not name.span:
                self.error("FS-ID-004", f"schema {name.value!r} is already defined at line "
                           f"{first.line}", name.span)
        fields = self.fields(self.children(raw, spec).named("field"), spec)
        return Schema(element="schema", span=raw.span, attributes=freeze(attrs), name=name.value,
                      fields=fields)

    def fields(self, raws: list[RawElement], parent: ElementSpec) -> tuple[Field, ...]:
        """``<field>`` children, each name once (FS-ID-004)."""
        spec = parent.children["field"]
        out: list[Field] = []
        seen: dict[str, Span] = {}
        for raw in raws:
            attrs = self.attributes(raw, spec)
            self.require(raw, spec, attrs)
            self.children(raw, spec)
            name = attrs.get("name", empty_text(raw))
            if name.value in seen:
                self.error("FS-ID-004", f"field {name.value!r} is already defined at line "
                           f"{seen[name.value].line}", name.span)
                continue
            seen[name.value] = name.span
            out.append(Field(element="field", span=raw.span, attributes=freeze(attrs),
                             name=name.value))
        return tuple(out)

    def workflow_output(self, raw: RawElement) -> WorkflowOutput:
        spec = catalogue.ELEMENTS["output"]
        attrs = self.attributes(raw, spec)
        kids = self.children(raw, spec)
        entries = self.set_entries(kids.named("set"), spec, "output field")
        value = attrs.get("value")
        text = self.text(raw, kids.texts)
        if text.value:
            if value is not None:
                self.error("FS-STRUCT-009", "<output> has both a value attribute and text "
                           "content", text.span)
            else:
                value = text
        if value is not None and entries:
            self.error("FS-STRUCT-009", "<output> is either <set> fields or one value, not "
                       "both", entries[0].span)
        return WorkflowOutput(element="output", span=raw.span, fields=entries, value=value)

    def set_entries(self, raws: list[RawElement], parent: ElementSpec, what: str
                    ) -> tuple[SetNode, ...]:
        """``<set>`` entries of ``<context>`` or ``<output>``, each key once (FS-ID-004)."""
        spec = parent.children["set"]
        out: list[SetNode] = []
        seen: dict[str, Span] = {}
        for raw in raws:
            var, value = self.assignment(raw, spec)
            if var.value in seen:
                self.error("FS-ID-004", f"{what} {var.value!r} is already set at line "
                           f"{seen[var.value].line}", var.span)
                continue
            seen[var.value] = var.span
            out.append(SetNode(element="set", span=raw.span, id=self.auto_id("set", raw.span),
                               kind="state:set", auto_id=True, var=var, value=value))
        return tuple(out)

    def assignment(self, raw: RawElement, spec: ElementSpec,
                   attrs: dict[str, Text] | None = None) -> tuple[Text, Text]:
        """The variable and value of a ``<set>``: ``value`` attribute or text content."""
        if attrs is None:
            attrs = self.attributes(raw, spec)
        text = self.text(raw)
        value = attrs.pop("value", None)
        if value is not None and text.value:
            self.error("FS-STRUCT-009", "<set> has both a value attribute and text content",
                       text.span)
        elif value is None and text.value:
            value = text
        self.require(raw, spec, attrs, given=["value"] if value is not None else [])
        var = attrs.pop("var", None) or empty_text(raw)
        return var, value if value is not None else empty_text(raw)

    def on_workflow_error(self, raw: RawElement) -> OnWorkflowError:
        spec = catalogue.ELEMENTS["on-workflow-error"]
        attrs = self.attributes(raw, spec)
        kids = self.children(raw, spec)
        body = self.sequence(kids.nodes, Place("on-workflow-error"))
        return OnWorkflowError(element="on-workflow-error", span=raw.span,
                               attributes=freeze(attrs),
                               body=body)

    # -- <on-error> ----------------------------------------------------------------------

    def on_error(self, spec: ElementSpec, raws: list[RawElement], attrs: dict[str, Text]
                 ) -> OnError | None:
        """The node's ``<on-error>`` with the ``retry="N"`` shorthand folded in."""
        shorthand = attrs.pop("retry", None)
        retry = None
        if shorthand is not None:
            retry = RetrySpec(element="retry", span=shorthand.span,
                              attributes=freeze({"max": shorthand}))
        if not raws:
            if retry is None:
                return None
            return OnError(element="on-error", span=shorthand.span, retry=retry)
        raw = raws[0]
        on_error = spec.children["on-error"]
        self.attributes(raw, on_error)
        kids = self.children(raw, on_error)
        for child in kids.named("retry"):
            if retry is not None:
                self.error("FS-STRUCT-009", "the retry policy is given twice: retry=\"…\" "
                           "attribute and <retry>", child.span)
                continue
            retry = RetrySpec(element="retry", span=child.span,
                              attributes=freeze(self._plain(child, on_error.children["retry"])))
        fallback = kids.first("fallback")
        breaker = kids.first("circuit-breaker")
        return OnError(element="on-error", span=raw.span, retry=retry,
                       fallback=self.fallback(fallback, on_error) if fallback else None,
                       circuit_breaker=self.breaker(breaker, on_error) if breaker else None)

    def _plain(self, raw: RawElement, spec: ElementSpec) -> dict[str, Text]:
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        self.children(raw, spec)
        return attrs

    def fallback(self, raw: RawElement, on_error: ElementSpec) -> FallbackSpec:
        spec = on_error.children["fallback"]
        attrs = self.attributes(raw, spec)
        goto = self.children(raw, spec).first("goto")
        node = attrs.pop("node", None)
        if goto is not None:
            target = self.handler_goto(goto, spec).target
            if node is not None:
                self.error("FS-STRUCT-009", "<fallback> names its node twice: node=\"…\" "
                           "and a <goto> child", goto.span)
            node = target
        self.require(raw, spec, attrs, given=["node"] if node is not None else [])
        return FallbackSpec(element="fallback", span=raw.span, node=node or empty_text(raw),
                            when=attrs.pop("when", None), attributes=freeze(attrs))

    def breaker(self, raw: RawElement, on_error: ElementSpec) -> CircuitBreakerSpec:
        spec = on_error.children["circuit-breaker"]
        attrs = self.attributes(raw, spec)
        on_open = self.children(raw, spec).first("on-open")
        goto = None
        if on_open is not None:
            open_spec = spec.children["on-open"]
            self.attributes(on_open, open_spec)
            held = self.children(on_open, open_spec).first("goto")
            goto = self.handler_goto(held, open_spec) if held is not None else None
        return CircuitBreakerSpec(element="circuit-breaker", span=raw.span,
                                  attributes=freeze(attrs),
                                  on_open=goto)

    def handler_goto(self, raw: RawElement, parent: ElementSpec) -> GotoNode:
        """A ``<goto>`` held by a fallback, on-open, action or checkpoint timeout."""
        spec = parent.children["goto"]
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        self.children(raw, spec)
        target = attrs.pop("node", None) or empty_text(raw)
        return GotoNode(element="goto", span=raw.span, attributes=freeze(attrs),
                        id=self.auto_id("goto", raw.span), kind="control:goto", auto_id=True,
                        target=target)

