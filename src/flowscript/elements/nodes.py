"""The node elements of the body and their structural children (SPEC §3.1, §3.6–§3.36).

Every node spec lists all the attributes it accepts, the common ones of §3.2.1 included,
so ``spec.attribute(name)`` answers for any attribute written on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .specs import ElementSpec, Setting, mapping
from .structure import (
    AI_OUTPUT,
    CASE,
    COMMON,
    DEFAULT,
    DO,
    ELSE,
    GOTO_IN_HANDLER,
    LANE,
    MATCH,
    ON_ERROR,
    ON_WORKFLOW_ERROR,
    OTHERWISE,
    PHASE,
    RESILIENCE,
    SCHEMA,
    SET_ENTRY,
    THEN,
    VALUE,
    VAR,
    WORKFLOW_OUTPUT,
)


def node(name: str, kind: str | None, section: str, *attributes: Setting,
         children: Iterable[ElementSpec] = (), resilient: bool = True,
         category: str = "node", sequence: bool = False, text: str | None = None,
         required_children: tuple[str, ...] = (), unique_children: tuple[str, ...] = (),
         reserved_attributes: tuple[str, ...] = (), doc: str = "") -> ElementSpec:
    """A node spec: the common attributes, then ``attributes`` (which override them);
    a resilient node also takes one ``<on-error>``."""
    own = {a.name for a in attributes}
    base = [*COMMON, *(RESILIENCE if resilient else ())]
    merged = (*[a for a in base if a.name not in own], *attributes)
    kids = [*children, *([ON_ERROR] if resilient else [])]
    unique = (*unique_children, *(("on-error",) if resilient else ()))
    return ElementSpec(name, category, kind=kind, section=section, attributes=merged,
                       children=mapping(kids), sequence=sequence, common=True,
                       resilient=resilient, text=text, required_children=required_children,
                       unique_children=unique, reserved_attributes=reserved_attributes,
                       doc=doc)


CONTEXT = node("context", "state:context", "§3.6",
               Setting("scope", "enum", default="global", choices=("global", "phase")),
               children=[SET_ENTRY], resilient=False, required_children=("set",),
               reserved_attributes=("inherit",))

SET = node("set", "state:set", "§3.6", VAR, VALUE, resilient=False, text="value")


def _data(name: str, section: str) -> ElementSpec:
    type_ = () if name == "ai" else (Setting("type", "text", required=True),)
    kids = [AI_OUTPUT] if name in ("ai", "transform") else []
    return node(name, None, section, *type_, children=kids, category="data",
                unique_children=("output",),
                text="prompt" if name == "ai" else None)


SOURCE = _data("source", "§3.7–§3.9")
TRANSFORM = _data("transform", "§3.10–§3.14")
SINK = _data("sink", "§3.15–§3.18")
AI = _data("ai", "§3.14")

IF = node("if", "control:if", "§3.19", Setting("condition", "expr", required=True),
          children=[THEN, ELSE], required_children=("then",), unique_children=("then", "else"))

BRANCH = node("branch", "control:branch", "§3.20",
              children=[CASE, MATCH, DEFAULT, OTHERWISE])

_MAX_ITERATIONS = Setting("max", "int", default="runtime.max_iterations", minimum=1)

LOOP = node("loop", "control:loop", "§3.21", _MAX_ITERATIONS, Setting("break", "expr"),
            children=[DO], sequence=True, unique_children=("do",))

WHILE = node("while", "control:while", "§3.22", Setting("condition", "expr", required=True),
             _MAX_ITERATIONS, children=[DO], sequence=True, unique_children=("do",))

FOREACH = node(
    "foreach", "control:foreach", "§3.23",
    Setting("collection", "expr", default="the node's input"),
    Setting("item", "name", default="item"),
    Setting("index", "name", default="index"),
    Setting("concurrency", "int", default="1", minimum=1, aliases=("max-concurrency", "max")),
    Setting("on-item-error", "enum", default="fail", choices=("fail", "skip", "collect")),
    children=[DO], sequence=True, unique_children=("do",))

WAIT = ElementSpec("wait", "structure", section="§3.24",
                   attributes=(Setting("for", "wait", required=True),))
MERGE_EXPRESSION = ElementSpec("expression", "structure", section="§3.24", text="expression",
                               doc="The custom merge expression (raw text).")
MERGE = ElementSpec("merge", "structure", section="§3.24",
                    attributes=(Setting("strategy", "enum", default="custom", choices=(
                        "array", "concat", "object", "keyed", "first", "custom")),),
                    children=mapping([MERGE_EXPRESSION]), text="expression",
                    unique_children=("expression",))

PARALLEL = node("parallel", "control:parallel", "§3.24",
                Setting("wait", "wait", default="all"),
                Setting("merge", "merge", default="array (first when wait is any)"),
                Setting("max", "int", minimum=1, doc="Lanes running at once."),
                children=[LANE, WAIT, MERGE], sequence=True, unique_children=("wait", "merge"))

BREAK = node("break", "control:break", "§3.25",
             Setting("when", "expr", default="true"),
             Setting("loop", "ref", doc="An enclosing loop, while or foreach."),
             resilient=False)

GOTO = node("goto", "control:goto", "§3.26", *GOTO_IN_HANDLER.attributes, resilient=False)

CHECKPOINT_INPUT = ElementSpec("input", "structure", section="§3.27", attributes=(
    Setting("name", "name", required=True),
    Setting("type", "enum", default="text", choices=("text", "number", "boolean", "choice")),
    Setting("label", "text"),
    Setting("required", "bool", default="false"),
    Setting("default", "value"),
    Setting("options", "list", doc="Comma-separated, for choice."),
))
ACTION = ElementSpec("action", "structure", section="§3.27", attributes=(
    Setting("id", "name", required=True), Setting("label", "text"),
    Setting("goto", "ref", doc="Same as a <goto node> child."),
), children=mapping([CHECKPOINT_INPUT, GOTO_IN_HANDLER]), unique_children=("goto",))
ACTIONS = ElementSpec("actions", "structure", section="§3.27", children=mapping([ACTION]))
CHECKPOINT_TIMEOUT = ElementSpec("timeout", "structure", section="§3.27", attributes=(
    Setting("duration", "duration", required=True, minimum=0, exclusive_minimum=True),
    Setting("action", "name", doc="Action taken on timeout (the checkpoint default)."),
), children=mapping([GOTO_IN_HANDLER]), unique_children=("goto",))
CHECKPOINT_PROMPT = ElementSpec("prompt", "structure", section="§3.27", text="prompt")
CHECKPOINT_CONDITION = ElementSpec("condition", "structure", section="§3.27",
                                   text="condition")

CHECKPOINT = node(
    "checkpoint", "checkpoint", "§3.27",
    Setting("prompt", "text", required=True, doc="Or a <prompt> child."),
    Setting("condition", "expr", doc="Or a <condition> child."),
    Setting("type", "enum", default="required", choices=("required", "optional")),
    Setting("timeout", "duration", minimum=0, exclusive_minimum=True,
            doc="How long to wait for an answer."),
    Setting("default", "name", default="reject (approve when type is optional)"),
    children=[CHECKPOINT_PROMPT, CHECKPOINT_CONDITION, ACTIONS, ACTION, CHECKPOINT_TIMEOUT],
    unique_children=("prompt", "condition", "actions", "timeout"))

DELAY = node("delay", "temporal:delay", "§3.28",
             Setting("duration", "duration", required=True, minimum=0))
TIMEOUT_WRAPPER = node("timeout", "temporal:timeout", "§3.29",
                       Setting("duration", "duration", required=True, minimum=0,
                               exclusive_minimum=True),
                       Setting("on-timeout", "ref"), sequence=True)
THROTTLE = node("throttle", "temporal:throttle", "§3.30",
                Setting("rate", "rate", required=True), sequence=True)
BATCH = node("batch", "temporal:batch", "§3.31",
             Setting("size", "int", required=True, minimum=1, aliases=("max-size",)),
             Setting("interval", "duration", default="0", minimum=0, aliases=("delay",)),
             sequence=True, reserved_attributes=("window", "flush-on"))
DEBOUNCE = node("debounce", "temporal:debounce", "§3.32",
                Setting("quiet", "duration", required=True, minimum=0), sequence=True)

BIND = ElementSpec("bind", "structure", section="§3.35", attributes=(
    Setting("key", "text", required=True), Setting("value", "value", required=True),
), doc="Also <bind input.NAME=\"value\"/>.")
ARG = ElementSpec("arg", "structure", section="§3.36", attributes=(
    Setting("name", "text", required=True), Setting("value", "value", required=True),
))

INCLUDE = node("include", "compose:include", "§3.35",
               Setting("workflow", "text", required=True, aliases=("src",)),
               Setting("id", "name", aliases=("as",)),
               children=[BIND])
CALL = node("call", "compose:call", "§3.36", Setting("workflow", "text", required=True),
            children=[ARG], doc="Any other attribute is an argument (kind value).")

#: Every node element, by tag.
NODES = mapping([CONTEXT, SET, SOURCE, TRANSFORM, SINK, AI, IF, BRANCH, LOOP, WHILE,
                 FOREACH, PARALLEL, BREAK, GOTO, CHECKPOINT, DELAY, TIMEOUT_WRAPPER,
                 THROTTLE, BATCH, DEBOUNCE, INCLUDE, CALL])

WORKFLOW = ElementSpec("workflow", "root", section="§3.4",
                       children=mapping([PHASE, SCHEMA, WORKFLOW_OUTPUT, ON_WORKFLOW_ERROR]),
                       sequence=True, unique_children=("output", "on-workflow-error"))

__all__ = ["ACTION", "ACTIONS", "BIND", "CHECKPOINT_TIMEOUT", "NODES", "WORKFLOW"]
