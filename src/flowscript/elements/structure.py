"""Structural elements: error handling, schemas, outputs, sequences (SPEC §3.19–§3.38).

These are not nodes; they shape the nodes they belong to. Several tags mean different
things in different places (``<output>``, ``<timeout>``, ``<branch>``, ``<set>``), so each
context has its own spec, reached through its parent's ``children``.
"""

from __future__ import annotations

from .specs import ElementSpec, Setting, mapping

ID = Setting("id", "name", doc="Node id (§4.1); automatic when absent.")
INPUT = Setting("input", "expr", doc="The node's input (§4.3).")
DESCRIPTION = Setting("description", "text", doc="Documentation, shown by inspect.")
TIMEOUT = Setting("timeout", "duration", minimum=0, exclusive_minimum=True,
                  doc="Limit for one attempt (§7.5).")
RETRY = Setting("retry", "int", minimum=0, doc="Shorthand for <on-error><retry max=N/>.")
#: The attributes every node accepts (§3.2.1).
COMMON = (ID, INPUT, DESCRIPTION)
#: The attributes every node but break, goto, set and context accepts (§3.2.1).
RESILIENCE = (TIMEOUT, RETRY)

GOTO_IN_HANDLER = ElementSpec(
    "goto", "structure", section="§3.26",
    attributes=(Setting("node", "ref", required=True, aliases=("target",)),
                Setting("with", "expr"), Setting("max", "int", default="10", minimum=1)),
    doc="A goto held by an action, a checkpoint timeout, a fallback or an on-open.")

RETRY_SPEC = ElementSpec("retry", "structure", section="§3.33", attributes=(
    Setting("max", "int", default="3", minimum=0, aliases=("max-retries",)),
    Setting("backoff", "enum", default="exponential",
            choices=("exponential", "linear", "fixed")),
    Setting("base", "duration", default="1s"),
    Setting("max-delay", "duration", default="32s"),
    Setting("jitter", "jitter", default="full for exponential, none otherwise"),
    Setting("timeout", "duration", minimum=0, exclusive_minimum=True),
    Setting("when", "expr", doc="Default classification (§7.2) when absent."),
))

FALLBACK = ElementSpec("fallback", "structure", section="§3.33", attributes=(
    Setting("node", "ref", required=True, aliases=("ref",),
            doc="Handler node; or a <goto node> child."),
    Setting("when", "expr", default="true"),
), children=mapping([GOTO_IN_HANDLER]), unique_children=("goto",))

ON_OPEN = ElementSpec("on-open", "structure", section="§3.33",
                      children=mapping([GOTO_IN_HANDLER]), required_children=("goto",),
                      unique_children=("goto",))

CIRCUIT_BREAKER = ElementSpec("circuit-breaker", "structure", section="§3.33", attributes=(
    Setting("threshold", "int", default="5", minimum=1),
    Setting("window", "duration", default="1m", minimum=0, exclusive_minimum=True),
    Setting("cooldown", "duration", default="5m", minimum=0, exclusive_minimum=True),
), children=mapping([ON_OPEN]), unique_children=("on-open",))

ON_ERROR = ElementSpec(
    "on-error", "structure", section="§3.33",
    children=mapping([RETRY_SPEC, FALLBACK, CIRCUIT_BREAKER]),
    unique_children=("retry", "fallback", "circuit-breaker"))

FIELD = ElementSpec("field", "structure", section="§3.37", attributes=(
    Setting("name", "text", required=True),
    Setting("type", "type-expr", default="any"),
    Setting("required", "bool", default="true, or false when the type ends in ? or a "
                                          "default is given"),
    Setting("default", "value"),
    Setting("description", "text"),
    Setting("format", "text"),
))

SCHEMA = ElementSpec("schema", "structure", section="§3.37",
                     attributes=(Setting("name", "name", required=True),),
                     children=mapping([FIELD]))

AI_OUTPUT = ElementSpec("output", "structure", section="§3.14",
                        attributes=(Setting("type", "name", doc="A named schema."),),
                        children=mapping([FIELD]))

VAR = Setting("var", "name", required=True, dotted=True, aliases=("key",))
VALUE = Setting("value", "value", required=True, doc="Or the text content.")

SET_ENTRY = ElementSpec("set", "structure", section="§3.6", attributes=(VAR, VALUE),
                        text="value", doc="An entry of <context>.")

OUTPUT_SET = ElementSpec(
    "set", "structure", section="§3.38",
    attributes=(Setting("var", "name", required=True, dotted=True, aliases=("key", "field")),
                VALUE),
    text="value", doc="A field of the workflow <output>.")

WORKFLOW_OUTPUT = ElementSpec("output", "structure", section="§3.38",
                              attributes=(Setting("value", "tmpl", doc="Or text content."),),
                              children=mapping([OUTPUT_SET]), text="value")


def sequence(name: str, section: str, *attributes: Setting, doc: str = "") -> ElementSpec:
    """A structural element that holds a sequence of nodes."""
    return ElementSpec(name, "structure", section=section, attributes=attributes,
                       sequence=True, doc=doc)


THEN = sequence("then", "§3.19")
ELSE = sequence("else", "§3.19")
CASE = sequence("case", "§3.20", Setting("when", "expr", required=True))
MATCH = sequence("match", "§3.20", Setting("pattern", "pattern", required=True))
DEFAULT = sequence("default", "§3.20", doc="Must be the last arm.")
OTHERWISE = sequence("otherwise", "§3.20", doc="Same as <default>.")
DO = sequence("do", "§3.21", doc="Optional wrapper of a loop body.")
LANE = sequence("branch", "§3.24", Setting("name", "name", aliases=("id",)),
                doc="A lane of <parallel>.")

ON_WORKFLOW_ERROR = sequence(
    "on-workflow-error", "§3.34",
    Setting("timeout", "duration", default="60s", minimum=0, exclusive_minimum=True))

PHASE = ElementSpec("phase", "structure", section="§3.5", attributes=(
    Setting("name", "name", required=True, aliases=("id",)), DESCRIPTION,
), children=mapping([SCHEMA]), sequence=True)
