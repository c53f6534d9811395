"""The catalogue of the FlowScript language, as data (SPEC §3).

Which elements exist, which attributes and children each accepts, with what value kinds and
defaults, and which configuration keys and blocks each data node type takes. The body
builder, the validator and ``inspect`` all read the language from here::

    ELEMENTS["foreach"].attribute("max-concurrency").name   # "concurrency"
    canonical_attribute("source", "maxTokens", type="ai")     # None: not an http key
    config_keys("source", "http")["params"].aliases           # ("query",)
    element_spec("timeout", parent="checkpoint").attributes   # duration, action

Runtime plugins (SPEC §3.40) add data node types through ``extra``: a mapping of
``(element, type)`` to the keys they declare (``Setting`` objects or plain mappings with
``name``, ``kind``, ``required``, ``default``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .data import DATA_ELEMENTS, DATA_TYPES, RESERVED_TYPES
from .nodes import NODES, WORKFLOW
from .specs import KINDS, SHORTHAND_KINDS, DataType, ElementSpec, Setting, normalise
from .structure import COMMON, ON_WORKFLOW_ERROR, PHASE, RESILIENCE, SCHEMA, WORKFLOW_OUTPUT
from .values import (
    MERGE_KEYWORDS,
    RESERVED_WORDS,
    is_template,
    literal_problem,
    name_problem,
    parse_bool,
    parse_int,
    parse_number,
    parse_wait,
)

#: Declarations of plugin data node types: (element, type) → their configuration keys.
ExtraTypes = Mapping[tuple[str, str], Iterable[Setting | Mapping[str, Any]]]

#: The elements that may appear directly in ``<workflow>`` or in a sequence, by tag.
ELEMENTS: Mapping[str, ElementSpec] = MappingProxyType({
    "workflow": WORKFLOW, "phase": PHASE, "schema": SCHEMA, "output": WORKFLOW_OUTPUT,
    "on-workflow-error": ON_WORKFLOW_ERROR, **NODES,
})

#: Nodes that accept neither timeout, retry nor ``<on-error>`` (§3.2.1).
NO_RESILIENCE = frozenset(name for name, spec in NODES.items() if not spec.resilient)

#: Elements of earlier designs that are not part of language version 1 (§3.39);
#: ``merge`` is reserved only outside ``<parallel>``.
RESERVED_ELEMENTS = frozenset({"dlq", "compensate", "alert", "snapshot", "state", "schedule",
                               "flow", "node", "decision", "routes", "merge", "log"})
#: Reserved attributes (§3.39), by element (and data node type for ``watch``).
RESERVED_ATTRIBUTES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "batch": ("window", "flush-on"), "context": ("inherit",), "source:file": ("watch",)})
#: Reserved ``$`` variables (§3.39; FS-REF-007, checked by the validator).
RESERVED_VARIABLES = frozenset({"$state", "$output"})


def _index_specs() -> Mapping[str, ElementSpec]:
    """Every spec by tag, breadth first from the top, so a tag that means several things
    (``timeout``, ``output``, ``branch``, ``set``) keeps its top-level meaning."""
    found: dict[str, ElementSpec] = {}
    pending = list(ELEMENTS.values())
    while pending:
        spec = pending.pop(0)
        if spec.name in found and found[spec.name] is not spec:
            continue
        found.setdefault(spec.name, spec)
        pending.extend(c for c in spec.children.values() if c.name not in found)
    return MappingProxyType(found)


_SPECS = _index_specs()


def _collect_names() -> frozenset[str]:
    names = set(_SPECS)
    for data_type in DATA_TYPES.values():
        names.update(data_type.key_names())
        names.update(alias for key in data_type.keys for alias in key.aliases)
        names.update(data_type.blocks)
    return frozenset(names)


#: Every tag of the language in some context (structural children and config keys too).
ALL_ELEMENT_NAMES = _collect_names()


def element_spec(name: str, parent: str | ElementSpec | None = None) -> ElementSpec | None:
    """The spec of ``<name>`` as a child of ``parent``, or of the top level when ``parent``
    is None. ``parent`` is a spec, or a tag (a tag used in several places means its
    top-level element: pass the spec to reach ``<checkpoint><timeout>``'s children).
    Node elements are found under any sequence parent."""
    if parent is None:
        return ELEMENTS.get(name)
    parent_spec = parent if isinstance(parent, ElementSpec) else _SPECS.get(parent)
    if parent_spec is None:
        return None
    if name in parent_spec.children:
        return parent_spec.children[name]
    if parent_spec.sequence:
        return NODES.get(name)
    return None


def plugin_types(extra: ExtraTypes | None) -> dict[tuple[str, str], DataType]:
    """Data types declared by runtime plugins, as ``DataType`` objects (§3.40)."""
    out: dict[tuple[str, str], DataType] = {}
    for (element, type_), keys in (extra or {}).items():
        settings = tuple(k if isinstance(k, Setting) else Setting.from_mapping(k) for k in keys)
        out[(element, type_)] = DataType(element, type_, settings, plugin=True,
                                         section="§3.40")
    return out


def data_type(element: str, type_: str | None, extra: ExtraTypes | None = None
              ) -> DataType | None:
    """The configuration of ``<element type=…>``: built-in, else declared by a plugin.
    ``<ai>`` is ``transform:ai`` whatever ``type_`` says."""
    if element == "ai":
        return DATA_TYPES[("transform", "ai")]
    if type_ is None:
        return None
    builtin = DATA_TYPES.get((element, type_))
    if builtin is not None:
        return builtin
    return plugin_types(extra).get((element, type_)) if extra else None


def config_keys(element: str, type_: str | None, extra: ExtraTypes | None = None
                ) -> Mapping[str, Setting]:
    """Canonical name → setting of every configuration key of a data node type
    (empty for an unknown type)."""
    found = data_type(element, type_, extra)
    if found is None:
        return MappingProxyType({})
    return MappingProxyType({key.name: key for key in found.keys})


def known_types(element: str, extra: ExtraTypes | None = None) -> tuple[str, ...]:
    """The types ``<element type>`` accepts, built-in first, then plugin types."""
    builtin = [t for (e, t) in DATA_TYPES if e == element]
    plugins = [t for (e, t) in (extra or {}) if e == element and t not in builtin]
    return (*builtin, *sorted(plugins))


def canonical_attribute(element: str, written: str, *, parent: str | None = None,
                        type: str | None = None, extra: ExtraTypes | None = None
                        ) -> str | None:
    """The canonical name of attribute ``written`` on ``<element>`` (§1.7), counting the
    configuration keys of data node ``type``; None when the element does not accept it.
    Block-kind keys are returned too: they are keys, though never valid as attributes."""
    spec = element_spec(element, parent)
    if spec is None:
        return None
    setting = spec.attribute(written)
    if setting is None and spec.category == "data":
        found = data_type(element, type, extra)
        setting = found.key(written) if found is not None else None
    return setting.name if setting is not None else None


def registry_key(element: str, type_: str | None = None) -> str | None:
    """The registry key (§3.1) of a node element: ``control:if``, ``source:http``…"""
    if element in DATA_ELEMENTS:
        return "transform:ai" if element == "ai" else f"{element}:{type_}"
    spec = NODES.get(element)
    return spec.kind if spec is not None else None


__all__ = [
    "ALL_ELEMENT_NAMES", "COMMON", "DATA_ELEMENTS", "DATA_TYPES", "ELEMENTS", "KINDS",
    "MERGE_KEYWORDS", "NODES", "NO_RESILIENCE", "RESERVED_ATTRIBUTES", "RESERVED_ELEMENTS",
    "RESERVED_TYPES", "RESERVED_VARIABLES", "RESERVED_WORDS", "RESILIENCE",
    "SHORTHAND_KINDS", "DataType", "ElementSpec", "ExtraTypes", "Setting",
    "canonical_attribute", "config_keys", "data_type", "element_spec", "is_template",
    "known_types", "literal_problem", "name_problem", "normalise", "parse_bool",
    "parse_int", "parse_number", "parse_wait", "plugin_types", "registry_key",
]
