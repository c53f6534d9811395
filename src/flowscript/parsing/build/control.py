"""Control flow nodes: if, branch, loop, while, foreach, parallel, break, goto
(SPEC §3.19–§3.26)."""

from __future__ import annotations

from dataclasses import replace

from ... import elements as catalogue
from ...ast import (
    BranchNode,
    BreakNode,
    Case,
    GotoNode,
    IfNode,
    Lane,
    LoopNode,
    Node,
    ParallelNode,
    Span,
    Text,
)
from ...elements import ElementSpec
from ..raw import RawElement
from .core import Children, LoopFrame, Place, empty_text, freeze
from .structure import StructureBuilder


class ControlBuilder(StructureBuilder):
    """Builds the control flow nodes."""

    def node_if(self, raw: RawElement, spec: ElementSpec, place: Place) -> IfNode:
        attrs, base = self.begin(raw, spec)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        arm = place.enter("if", goto=True)
        then, other = kids.first("then"), kids.first("else")
        then_body = self.arm(then, spec, arm) if then is not None else ()
        else_body = self.arm(other, spec, arm) if other is not None else None
        condition = attrs.pop("condition", None) or empty_text(raw)
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return IfNode(**base, attributes=freeze(attrs), on_error=on_error,
                      condition=condition, then=then_body, else_=else_body)

    def arm(self, raw: RawElement, parent: ElementSpec, place: Place) -> tuple[Node, ...]:
        """The sequence of a ``<then>``/``<else>`` (no attributes of its own)."""
        spec = parent.children[raw.name]
        self.attributes(raw, spec)
        return self.sequence(self.children(raw, spec).nodes, place)

    def node_branch(self, raw: RawElement, spec: ElementSpec, place: Place) -> BranchNode:
        attrs, base = self.begin(raw, spec)
        kids = self.children(raw, spec)
        arms = [c for c in kids.structural if c.name != "on-error"]
        if not any(arm.name in ("case", "match") for arm in arms):
            self.error("FS-STRUCT-004", "<branch> needs at least one <case> or <match>",
                       raw.span)
        cases = []
        for index, arm in enumerate(arms):
            is_default = arm.name in ("default", "otherwise")
            if is_default and index < len(arms) - 1:
                self.error("FS-STRUCT-005", f"<{arm.name}> must be the last arm of <branch>",
                           arm.span)
                continue
            cases.append(self.case(arm, spec.children[arm.name], place))
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return BranchNode(**base, attributes=freeze(attrs), on_error=on_error,
                          cases=tuple(cases))

    def case(self, raw: RawElement, spec: ElementSpec, place: Place) -> Case:
        attrs = self.attributes(raw, spec)
        self.require(raw, spec, attrs)
        body = self.sequence(self.children(raw, spec).nodes, place.enter(raw.name, goto=True))
        is_default = raw.name in ("default", "otherwise")
        when = attrs.pop("when", None)
        pattern = attrs.pop("pattern", None)
        if raw.name == "case" and when is None:
            when = empty_text(raw)
        if raw.name == "match" and pattern is None:
            pattern = empty_text(raw)
        return Case(element="default" if is_default else raw.name, span=raw.span,
                    attributes=freeze(attrs), when=when, pattern=pattern, is_default=is_default,
                    body=body)

    # -- loops -------------------------------------------------------------------------

    def node_loop(self, raw: RawElement, spec: ElementSpec, place: Place) -> LoopNode:
        return self.loop(raw, spec, place)

    def node_while(self, raw: RawElement, spec: ElementSpec, place: Place) -> LoopNode:
        return self.loop(raw, spec, place)

    def node_foreach(self, raw: RawElement, spec: ElementSpec, place: Place) -> LoopNode:
        return self.loop(raw, spec, place)

    def loop(self, raw: RawElement, spec: ElementSpec, place: Place) -> LoopNode:
        attrs, base = self.begin(raw, spec)
        self.require(raw, spec, attrs)
        kids = self.children(raw, spec)
        frame = LoopFrame(base["id"])
        inner = replace(place, parent=raw.name, goto=raw.name != "foreach",
                        foreach=place.foreach or raw.name == "foreach",
                        loops=(*place.loops, frame))
        body = self.sequence(self.loop_body(raw, spec, kids), inner)
        if raw.name == "loop" and "max" not in attrs and "break" not in attrs \
                and not frame.broken:
            self.warning("FS-STRUCT-010", "<loop> has neither max nor any break: it stops "
                         "only at runtime.max_iterations, with LoopLimitError", raw.span,
                         ['add max="N", break="condition" or a <break> in the body'])
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return LoopNode(**base, attributes=freeze(attrs), on_error=on_error, body=body)

    def loop_body(self, raw: RawElement, spec: ElementSpec, kids: Children
                  ) -> list[RawElement]:
        """The body's elements: direct node children, or those of one ``<do>``."""
        wrapper = kids.first("do")
        if wrapper is None:
            return kids.nodes
        for stray in kids.nodes:
            self.error("FS-STRUCT-005", f"<{stray.name}> is outside the <do> of <{raw.name}>"
                       "; put the whole body inside <do>", stray.span)
        self.attributes(wrapper, spec.children["do"])
        return self.children(wrapper, spec.children["do"]).nodes

    # -- parallel ----------------------------------------------------------------------

    def node_parallel(self, raw: RawElement, spec: ElementSpec, place: Place
                      ) -> ParallelNode:
        attrs, base = self.begin(raw, spec)
        kids = self.children(raw, spec)
        self.parallel_settings(kids, spec, attrs)
        lane_place = place.enter("parallel", goto=False, loops=False, lane=True,
                                 lane_cut=place.lane_cut or bool(place.loops))
        lanes = [self.lane(child, spec, lane_place, kids) for child in kids.ordered
                 if kids.is_node(child) or child.name == "branch"]
        lanes = [lane for lane in lanes if lane is not None]
        if not lanes:
            self.error("FS-STRUCT-004", "<parallel> needs at least one lane: a <branch> or "
                       "a node", raw.span)
        self.check_lanes(lanes)
        self.check_wait(attrs.get("wait"), len(lanes))
        on_error = self.on_error(spec, kids.named("on-error"), attrs)
        return ParallelNode(**base, attributes=freeze(attrs), on_error=on_error,
                            lanes=tuple(lanes))

    def lane(self, raw: RawElement, spec: ElementSpec, place: Place, kids: Children
             ) -> Lane | None:
        if kids.is_node(raw):
            body = self.sequence([raw], place)
            return Lane(element="branch", span=raw.span, body=body) if body else None
        lane_spec = spec.children["branch"]
        attrs = self.attributes(raw, lane_spec)
        name = attrs.get("name")
        body = self.sequence(self.children(raw, lane_spec).nodes, place)
        return Lane(element="branch", span=raw.span, attributes=freeze(attrs),
                    name=name.value if name is not None else None, body=body)

    def check_wait(self, wait: Text | None, lanes: int) -> None:
        """FS-STRUCT-006 for ``n(k)`` with more lanes than the parallel has."""
        k = catalogue.parse_wait(wait.value) if wait is not None else None
        if wait is not None and isinstance(k, int) and lanes and k > lanes:
            self.error("FS-STRUCT-006", f"wait={wait.value!r} waits for {k} lanes, but "
                       f"<parallel> has {lanes}", wait.span)

    def check_lanes(self, lanes: list[Lane]) -> None:
        """FS-ID-004 for two lanes with one key (name, else last node id, else lane-n)."""
        seen: dict[str, Span] = {}
        for number, lane in enumerate(lanes, 1):
            key = lane.name or (lane.body[-1].id if lane.body else f"lane-{number}")
            if key in seen:
                self.error("FS-ID-004", f"two lanes have the key {key!r} (the first at line "
                           f"{seen[key].line})", lane.span)
            seen.setdefault(key, lane.span)

    def parallel_settings(self, kids: Children, spec: ElementSpec,
                          attrs: dict[str, Text]) -> None:
        """Fold ``<wait for>`` and ``<merge strategy>`` children into the attributes."""
        for raw in kids.named("wait"):
            wait = self.attributes(raw, spec.children["wait"])
            self.require(raw, spec.children["wait"], wait)
            self.children(raw, spec.children["wait"])
            if "for" in wait:
                self.fold(attrs, "wait", wait["for"], raw)
        for raw in kids.named("merge"):
            merge = self.merge(raw, spec.children["merge"])
            if merge is not None:
                self.fold(attrs, "merge", merge, raw)

    def merge(self, raw: RawElement, spec: ElementSpec) -> Text | None:
        attrs = self.attributes(raw, spec)
        kids = self.children(raw, spec)
        strategy = attrs.get("strategy")
        held = kids.first("expression")
        expression = self.text(held) if held is not None else None
        text = self.text(raw, kids.texts)
        if text.value:
            if expression is not None:
                self.error("FS-STRUCT-009", "<merge> has both an <expression> and text",
                           text.span)
            expression = expression or text
        if strategy is not None and strategy.value != "custom":
            if expression is not None:
                self.error("FS-STRUCT-009", f"<merge strategy={strategy.value!r}> takes no "
                           "expression", expression.span)
            return strategy
        if expression is None or not expression.value:
            self.error("FS-STRUCT-003", "a custom <merge> needs an expression: an "
                       "<expression> child or text", raw.span)
            return None
        return expression

    def fold(self, attrs: dict[str, Text], name: str, value: Text, raw: RawElement) -> None:
        """Store a setting given by a child element, unless an attribute gave it already."""
        if name in attrs:
            self.error("FS-STRUCT-009", f"{name!r} is given twice: as an attribute and as "
                       f"<{raw.name}>", raw.span)
            return
        attrs[name] = value

    # -- jumps -------------------------------------------------------------------------

    def node_break(self, raw: RawElement, spec: ElementSpec, place: Place) -> Node | None:
        if not place.loops:
            reason = ("a <break> cannot leave a parallel lane" if place.lane_cut else
                      "<break> is only allowed inside a loop, while or foreach body")
            self.error("FS-STRUCT-005", reason, raw.span)
            return None
        attrs, base = self.begin(raw, spec)
        self.children(raw, spec)
        target = attrs.get("loop")
        frames = [f for f in place.loops if target is None or f.id == target.value]
        if frames:
            frames[-1].broken = True
        return BreakNode(**base, attributes=freeze(attrs))

    def node_goto(self, raw: RawElement, spec: ElementSpec, place: Place) -> Node | None:
        if not self.goto_allowed(raw, place):
            return None
        attrs, base = self.begin(raw, spec)
        self.require(raw, spec, attrs)
        self.children(raw, spec)
        target = attrs.pop("node", None) or empty_text(raw)
        return GotoNode(**base, attributes=freeze(attrs), target=target)

    def goto_allowed(self, raw: RawElement, place: Place, *, sequence: bool = True) -> bool:
        """FS-STRUCT-005 for a goto in a lane or foreach body, or outside the sequences
        of §3.26."""
        if place.lane or place.foreach:
            where = "a parallel lane" if place.lane else "a foreach body"
            self.error("FS-STRUCT-005", f"<goto> is not allowed inside {where}, at any "
                       "depth", raw.span)
            return False
        if sequence and not place.goto:
            self.error("FS-STRUCT-005", f"<goto> is not allowed directly in <{place.parent}>"
                       "; it belongs in then/else, a branch arm, a loop or while body, a "
                       "timeout wrapper, or a checkpoint action", raw.span)
            return False
        return True

