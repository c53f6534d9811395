"""The shapes of the element catalogue: settings, elements and data node types (SPEC §3.2).

A ``Setting`` describes one attribute or configuration key: its canonical kebab-case name,
its value kind (§3.2.2), whether it is required, its default as written in the SPEC, and the
other spellings it accepts. An ``ElementSpec`` says which settings and children an element
takes; a ``DataType`` lists the configuration keys and blocks of one data node type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Every value kind of SPEC §3.2.2, plus the few special shapes some attributes have.
KINDS = frozenset({
    "name", "ref", "expr", "tmpl", "text", "int", "number", "bool", "duration", "value",
    "block", "list", "enum", "rate", "type-expr",
    # special shapes: §3.24 wait / merge, §3.33 jitter, §2.12 token counts, §5.11 patterns
    "wait", "merge", "jitter", "tokens", "pattern",
})

#: Kinds whose literal may also be a template (``{{ … }}``), checked only when literal.
TEMPLATABLE = frozenset({"int", "number", "bool", "duration", "enum", "rate", "jitter",
                         "tokens", "list", "value", "tmpl", "text"})

#: Kinds whose string values take the shorthand variables of §3.2.2 in data node config.
SHORTHAND_KINDS = frozenset({"text", "tmpl", "block"})


def normalise(name: str) -> str:
    """SPEC §1.7: lower-case and drop every ``-`` and ``_`` (``maxTokens`` → ``maxtokens``)."""
    return name.lower().replace("-", "").replace("_", "")


@dataclass(frozen=True, slots=True)
class Setting:
    """One attribute or configuration key."""

    name: str
    kind: str
    required: bool = False
    #: the default as the SPEC writes it ("3", "1s", "GET"), or None
    default: str | None = None
    #: other accepted spellings (``max-concurrency`` for ``concurrency``), canonical form
    aliases: tuple[str, ...] = ()
    #: the words of an ``enum`` kind
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: the value must be strictly greater than ``minimum`` (timeouts, jitter)
    exclusive_minimum: bool = False
    #: a ``name`` that may be dotted (``<set var="stats.count">``)
    dotted: bool = False
    #: blocks (``request``, ``message``…) that may hold this configuration key
    blocks: tuple[str, ...] = ()
    #: the key is stored as the node attribute of the same name, not in ``config``
    #: (``timeout`` inside ``<request>``)
    node_attribute: bool = False
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown value kind {self.kind!r} for {self.name!r}")

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Setting:
        """A setting from a plugin's plain description ``{name, kind, required, default}``."""
        choices = tuple(str(c) for c in data.get("choices", ()))
        default = data.get("default")
        return cls(name=str(data["name"]), kind=str(data.get("kind", "text")),
                   required=bool(data.get("required", False)),
                   default=None if default is None else str(default),
                   aliases=tuple(str(a) for a in data.get("aliases", ())), choices=choices,
                   doc=str(data.get("doc", data.get("description", ""))))


def settings_index(settings: Iterable[Setting]) -> Mapping[str, Setting]:
    """Normalised spelling (name and aliases) → setting."""
    index: dict[str, Setting] = {}
    for setting in settings:
        for spelling in setting.spellings:
            index[normalise(spelling)] = setting
    return MappingProxyType(index)


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One element of the body in one context (``<timeout>`` is a wrapper node at the top
    and a structural child inside ``<checkpoint>``: two specs)."""

    name: str
    #: "root", "node", "data" (source/transform/sink/ai) or "structure"
    category: str
    #: registry key (§3.1) of a node, or None for structure; data nodes build theirs
    kind: str | None = None
    section: str = ""
    attributes: tuple[Setting, ...] = ()
    #: structural children accepted here, by tag
    children: Mapping[str, ElementSpec] = field(default_factory=lambda: MappingProxyType({}))
    #: node children form a sequence (or lanes, for ``parallel``)
    sequence: bool = False
    #: accepts the common node attributes id, input, description (§3.2.1)
    common: bool = False
    #: accepts timeout, retry and one ``<on-error>`` child (§3.2.1)
    resilient: bool = False
    #: the setting that the element's text content gives (``value`` for ``<set>``)
    text: str | None = None
    #: structural children that must be present (FS-STRUCT-004)
    required_children: tuple[str, ...] = ()
    #: structural children that may appear at most once (FS-STRUCT-005 for a second)
    unique_children: tuple[str, ...] = ()
    #: attributes of earlier designs that are reserved (FS-STRUCT-007)
    reserved_attributes: tuple[str, ...] = ()
    doc: str = ""
    _index: Mapping[str, Setting] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", settings_index(self.attributes))
        if not isinstance(self.children, MappingProxyType):
            object.__setattr__(self, "children", MappingProxyType(dict(self.children)))

    def attribute(self, written: str) -> Setting | None:
        """The setting an attribute written ``written`` names (§1.7), or None."""
        return self._index.get(normalise(written))

    def attribute_names(self) -> tuple[str, ...]:
        return tuple(setting.name for setting in self.attributes)

    @property
    def is_node(self) -> bool:
        return self.category in ("node", "data")


@dataclass(frozen=True, slots=True)
class DataType:
    """The configuration of one data node type (``source:http``…, §3.7–§3.18, §3.40)."""

    element: str
    type: str
    keys: tuple[Setting, ...]
    #: block element → the YAML keys it accepts, as written there (aliases included)
    blocks: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    #: configuration-like attributes of earlier designs (FS-STRUCT-007)
    reserved: tuple[str, ...] = ()
    section: str = ""
    #: declared by a runtime plugin rather than by the SPEC
    plugin: bool = False
    _index: Mapping[str, Setting] = field(init=False, repr=False, compare=False)
    _exact: Mapping[str, Setting] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", settings_index(self.keys))
        exact = {spelling: key for key in self.keys for spelling in key.spellings}
        object.__setattr__(self, "_exact", MappingProxyType(exact))
        if not isinstance(self.blocks, MappingProxyType):
            object.__setattr__(self, "blocks", MappingProxyType(dict(self.blocks)))

    @property
    def kind(self) -> str:
        """The registry key: ``source:http``; both AI forms are ``transform:ai``."""
        return f"{self.element}:{self.type}"

    def key(self, written: str) -> Setting | None:
        """The key an attribute or child element written ``written`` names (§1.7)."""
        return self._index.get(normalise(written))

    def block_key(self, block: str, written: str) -> Setting | None:
        """The key a YAML key of ``block`` names: exact spelling, no normalisation (§1.7)."""
        if written not in self.blocks.get(block, ()):
            return None
        return self._exact.get(written)

    def key_names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    def required(self) -> tuple[Setting, ...]:
        return tuple(key for key in self.keys if key.required)


def mapping(items: Iterable[ElementSpec]) -> Mapping[str, ElementSpec]:
    return MappingProxyType({spec.name: spec for spec in items})
