"""Variables, checkpoints, temporal wrappers and composition (SPEC §3.6, §3.27–§3.32,
§3.35, §3.36)."""

from __future__ import annotations

from typing import Any

from ...ast import (
    EMPTY,
    Action,
    ActionInput,
    CheckpointNode,
    CheckpointTimeout,
    ComposeNode,
    ContextNode,
    GotoNode,
    SetNode,
    Span,
    TemporalNode,
    Text,
)
from ...elements import ElementSpec
from ..raw import RawAttr, RawElement
from ..text import attribute_text
from .control import ControlBuilder
from .core import Children, Place, empty_text, freeze


class NodesBuilder(ControlBuilder):
    """Builds context/set, checkpoint, temporal and composition nodes."""

    # -- variables ---------------------------------------------------------------------

    def node_context(self, raw: RawElement, spec: ElementSpec, place: Place) -> ContextNode:
        attrs, base = self.begin(raw, spec)
        kids = self.children(raw, spec)
        scope = attrs.get("scope")
        if scope is not None and scope.value == "phase" and place.phase is None:
            self.error("FS-STRUCT-006", 'scope="phase" is only valid inside a <phase>',
                       scope.span)
        entries = self.set_entries(kids.named("set"), spec, "context key")
        return ContextNode(**base, attributes=freeze(attrs), entries=entries)

    def node_set(self, raw: RawElement, spec: ElementSpec, place: Place) -> SetNode:
        attrs, base = self.begin(raw, spec)
        var, value = self.assignment(raw, spec, attrs)
        return SetNode(**base, attributes=freeze(attrs), var=var, value=value)

    # -- checkpoint --------------------------------------------------------------------

    def node_checkpoint(self, raw: RawElement, spec: ElementSpec, place: Place
                        ) -> CheckpointNode:
        attrs, base = self.begin(raw, spec)
        kids = self.children(raw, spec)
        prompt = self.folded_text(attrs, "prompt", kids.first("prompt"), spec)
        condition = self.folded_text(attrs, "condition", kids.first("condition"), spec)
        self.require(raw, spec, attrs, given=["prompt"] if prompt is not None else [])
        actions = self.actions(kids, spec, place)
        timeout = kids.first("timeout")
        timeout_child = self.checkpoint_timeout(timeout, spec, attrs, place) if timeout \
            else None
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return CheckpointNode(**base, attributes=freeze(attrs), on_error=on_error,
                              prompt=prompt, condition=condition, actions=actions,
                              timeout_child=timeout_child)

    def folded_text(self, attrs: dict[str, Text], name: str, child: RawElement | None,
                    spec: ElementSpec) -> Text | None:
        """A setting given as an attribute or as a raw-text child (FS-STRUCT-009 both)."""
        value = attrs.pop(name, None)
        if child is None:
            return value
        self.attributes(child, spec.children[name])
        text = self.text(child)
        if value is not None:
            self.error("FS-STRUCT-009", f"{name!r} is given twice: as an attribute and as "
                       f"<{name}>", child.span)
            return value
        return text

    def actions(self, kids: Children, spec: ElementSpec, place: Place) -> tuple[Action, ...]:
        """``<action>`` children, directly or inside ``<actions>``; ids unique."""
        raws: list[RawElement] = []
        for child in kids.ordered:
            if child.name == "action":
                raws.append(child)
            elif child.name == "actions":
                wrapper = spec.children["actions"]
                self.attributes(child, wrapper)
                raws.extend(self.children(child, wrapper).named("action"))
        out: list[Action] = []
        seen: dict[str, Span] = {}
        for raw in raws:
            action = self.action(raw, spec.children["action"], place)
            if action.id in seen:
                self.error("FS-ID-004", f"action {action.id!r} is already defined at line "
                           f"{seen[action.id].line}", raw.span)
                continue
            seen[action.id] = raw.span
            out.append(action)
        return tuple(out)

    def action(self, raw: RawElement, spec: ElementSpec, place: Place) -> Action:
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        goto = self.attribute_goto(attrs.pop("goto", None))
        held = kids.first("goto")
        if held is not None:
            if goto is not None:
                self.error("FS-STRUCT-009", "the action's goto is given twice: goto=\"…\" and "
                           "<goto>", held.span)
            else:
                goto = self.handler_goto(held, spec)
        if goto is not None and not self.goto_allowed(raw, place, sequence=False):
            goto = None
        inputs = self.action_inputs(kids.named("input"), spec)
        return Action(element="action", span=raw.span, attributes=freeze(attrs),
                      id=attrs["id"].value if "id" in attrs else "", goto=goto,
                      inputs=inputs)

    def attribute_goto(self, target: Text | None) -> GotoNode | None:
        """The goto of a ``goto="x"`` attribute, shaped like a ``<goto node="x"/>``."""
        if target is None:
            return None
        return GotoNode(element="goto", span=target.span, attributes=EMPTY,
                        id=self.auto_id("goto", target.span), kind="control:goto",
                        auto_id=True, target=target)

    def action_inputs(self, raws: list[RawElement], parent: ElementSpec
                      ) -> tuple[ActionInput, ...]:
        spec = parent.children["input"]
        out: list[ActionInput] = []
        seen: dict[str, Span] = {}
        for raw in raws:
            attrs = self.attributes(raw, spec)
            self.require(raw, spec, attrs)
            self.children(raw, spec)
            name = attrs["name"].value if "name" in attrs else ""
            if name in seen:
                self.error("FS-ID-004", f"input {name!r} is already defined at line "
                           f"{seen[name].line}", raw.span)
                continue
            seen[name] = raw.span
            out.append(ActionInput(element="input", span=raw.span, attributes=freeze(attrs),
                                   name=name))
        return tuple(out)

    def checkpoint_timeout(self, raw: RawElement, spec: ElementSpec, attrs: dict[str, Text],
                           place: Place) -> CheckpointTimeout | None:
        """``<timeout duration action>``: folded into the checkpoint's ``timeout`` and
        ``default``; kept as ``timeout_child`` only when it holds a goto."""
        child_spec = spec.children["timeout"]
        own = self.attributes(raw, child_spec)
        self.require(raw, child_spec, own)
        held = self.children(raw, child_spec).first("goto")
        if "duration" in own:
            self.fold(attrs, "timeout", own["duration"], raw)
        if "action" in own:
            if held is not None:
                self.error("FS-STRUCT-009", "the timeout of a checkpoint takes an action or a "
                           "<goto>, not both", held.span)
                held = None
            self.fold(attrs, "default", own["action"], raw)
        if held is None or not self.goto_allowed(held, place, sequence=False):
            return None
        return CheckpointTimeout(element="timeout", span=raw.span, attributes=freeze(own),
                                 goto=self.handler_goto(held, child_spec))

    # -- temporal ----------------------------------------------------------------------

    def node_delay(self, raw: RawElement, spec: ElementSpec, place: Place) -> TemporalNode:
        return self.temporal(raw, spec, place.enter("delay", goto=False))

    def node_timeout(self, raw: RawElement, spec: ElementSpec, place: Place) -> TemporalNode:
        return self.temporal(raw, spec, place.enter("timeout", goto=True))

    def node_throttle(self, raw: RawElement, spec: ElementSpec, place: Place
                      ) -> TemporalNode:
        return self.temporal(raw, spec, place.enter("throttle", goto=False))

    def node_batch(self, raw: RawElement, spec: ElementSpec, place: Place) -> TemporalNode:
        return self.temporal(raw, spec, place.enter("batch", goto=False, loops=False))

    def node_debounce(self, raw: RawElement, spec: ElementSpec, place: Place
                      ) -> TemporalNode:
        return self.temporal(raw, spec, place.enter("debounce", goto=False, loops=False))

    def temporal(self, raw: RawElement, spec: ElementSpec, inner: Place) -> TemporalNode:
        attrs, base = self.begin(raw, spec)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        body = self.sequence(kids.nodes, inner)
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return TemporalNode(**base, attributes=freeze(attrs), on_error=on_error, body=body)

    # -- composition -------------------------------------------------------------------

    def node_include(self, raw: RawElement, spec: ElementSpec, place: Place) -> ComposeNode:
        attrs, base = self.begin(raw, spec)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        args: dict[str, Text] = {}
        for bind in kids.named("bind"):
            for key, value in self.bindings(bind, spec.children["bind"]):
                self.argument(args, key, value, "bind key")
        return self.compose(raw, spec, base, attrs, args, kids)

    def bindings(self, raw: RawElement, spec: ElementSpec) -> list[tuple[str, Text]]:
        """``key``/``value`` and ``input.NAME="value"`` pairs of one ``<bind>``."""
        pairs: list[tuple[str, Text]] = []

        def shorthand(attr: RawAttr) -> bool:
            if attr.name.startswith("input.") and len(attr.name) > len("input."):
                pairs.append((attr.name[len("input."):], attribute_text(attr)))
                return True
            return False

        attrs = self.attributes(raw, spec, shorthand, ["input.NAME"])
        self.children(raw, spec)
        if attrs or not pairs:
            self.require(raw, spec, attrs)
            if "key" in attrs and "value" in attrs:
                pairs.insert(0, (attrs["key"].value, attrs["value"]))
        return pairs

    def node_call(self, raw: RawElement, spec: ElementSpec, place: Place) -> ComposeNode:
        args: dict[str, Text] = {}

        def argument(attr: RawAttr) -> bool:
            self.argument(args, attr.name, attribute_text(attr), "argument")
            return True

        attrs, base = self.begin(raw, spec, argument)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        arg_spec = spec.children["arg"]
        for child in kids.named("arg"):
            own = self.attributes(child, arg_spec)
            self.require(child, arg_spec, own)
            self.children(child, arg_spec)
            if "name" in own and "value" in own:
                self.argument(args, own["name"].value, own["value"], "argument")
        return self.compose(raw, spec, base, attrs, args, kids)

    def argument(self, args: dict[str, Text], name: str, value: Text, what: str) -> None:
        if name in args:
            self.error("FS-ID-004", f"{what} {name!r} is given twice", value.span)
            return
        args[name] = value

    def compose(self, raw: RawElement, spec: ElementSpec, base: dict[str, Any],
                attrs: dict[str, Text], args: dict[str, Text], kids: Children
                ) -> ComposeNode:
        workflow = attrs.pop("workflow", None) or empty_text(raw)
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return ComposeNode(**base, attributes=freeze(attrs), on_error=on_error,
                           workflow=workflow, args=freeze(args))


__all__ = ["NodesBuilder"]
