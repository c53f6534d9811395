"""Data nodes: source, transform, sink and ai, and their configuration (SPEC §3.2.3,
§3.7–§3.18, §3.40).

A configuration key may be an attribute, a child element or a key of one of the node's YAML
blocks; all three land in ``DataNode.config`` under the canonical name, and one key given
twice is FS-STRUCT-009. Text, tmpl and block values get the shorthand variables of §3.2.2
expanded here, with their positions kept (``MappedConfigValue.texts``).
"""

from __future__ import annotations

from collections.abc import Callable

from ... import elements as catalogue
from ...ast import DataNode, Field, Span, Text
from ...diagnostics import did_you_mean
from ...elements import DataType, ElementSpec, Setting
from ..blocks import (
    BlockEntry,
    BlockError,
    BlockValue,
    entries_value,
    expand_located,
    load_mapping,
)
from ..raw import RawAttr, RawElement, RawText
from ..text import Located, MappedConfigValue, derive
from .core import Place, freeze
from .structure import StructureBuilder


class DataBuilder(StructureBuilder):
    """Builds data nodes."""

    def node_source(self, raw: RawElement, spec: ElementSpec, place: Place) -> DataNode:
        return self.data_node(raw, spec)

    def node_transform(self, raw: RawElement, spec: ElementSpec, place: Place) -> DataNode:
        return self.data_node(raw, spec)

    def node_sink(self, raw: RawElement, spec: ElementSpec, place: Place) -> DataNode:
        return self.data_node(raw, spec)

    def node_ai(self, raw: RawElement, spec: ElementSpec, place: Place) -> DataNode:
        return self.data_node(raw, spec)

    def data_node(self, raw: RawElement, spec: ElementSpec) -> DataNode:
        type_name, dtype = self.data_type(raw)
        config = ConfigReader(self, raw, dtype)
        attrs, base = self.begin(raw, spec, config.attribute, config.attribute_names())
        self.require(raw, spec, attrs)
        attrs.pop("type", None)
        on_error, output = config.children(spec)
        for name, text in config.node_attributes.items():
            if name in attrs:
                self.error("FS-STRUCT-009", f"{name!r} is given twice on <{raw.name}>",
                           text.span)
            else:
                attrs[name] = text
        fields, output_type = self.ai_output(output, spec, config) if output else (None, None)
        config.finish()
        is_ai = dtype is not None and dtype.kind == "transform:ai"
        base.update(element="ai" if is_ai else raw.name,
                    kind=dtype.kind if dtype else f"{raw.name}:{type_name or ''}")
        handlers = self.on_error(spec, on_error, attrs)
        return DataNode(**base, attributes=freeze(attrs), on_error=handlers,
                        type=dtype.type if dtype else (type_name or ""),
                        config=freeze(config.values),
                        output_fields=fields, output_type=output_type)

    def data_type(self, raw: RawElement) -> tuple[str | None, DataType | None]:
        """The node's ``type`` and its configuration, reporting FS-STRUCT-006/-007."""
        if raw.name == "ai":
            return "ai", catalogue.data_type("ai", None)
        attr = next((a for a in raw.attrs if catalogue.normalise(a.name) == "type"), None)
        if attr is None:
            return None, None
        value, span = attr.value, attr.value_span
        if "{{" in value:
            self.error("FS-STRUCT-006", f"the type of <{raw.name}> must be written literally",
                       span)
        elif (raw.name, value) in catalogue.RESERVED_TYPES:
            self.error("FS-STRUCT-007", f"<{raw.name} type=\"{value}\"> is not supported in "
                       "this version of FlowScript", span)
        else:
            found = catalogue.data_type(raw.name, value, self.extra_types)
            if found is not None:
                return value, found
            known = catalogue.known_types(raw.name, self.extra_types)
            self.error("FS-STRUCT-006", f"unknown <{raw.name}> type {value!r}", span,
                       [*did_you_mean(value, known), "known types: " + ", ".join(known)])
        return value, None

    def ai_output(self, raw: RawElement, spec: ElementSpec, config: ConfigReader
                  ) -> tuple[tuple[Field, ...] | None, Text | None]:
        """An AI ``<output>``: ``<field>`` children or ``type="Name"`` (§3.14)."""
        out_spec = spec.children["output"]
        attrs = self.attributes(raw, out_spec)
        fields = self.fields(self.children(raw, out_spec).named("field"), out_spec)
        output_type = attrs.get("type")
        if output_type is not None and fields:
            self.error("FS-STRUCT-009", "<output> has both type=\"…\" and <field> children",
                       fields[0].span)
        for key in ("output-schema", "schema"):
            if key in config.values:
                self.error("FS-STRUCT-009", f"the output schema is given twice: {key!r} and "
                           "<output>", raw.span)
        return (fields or None), output_type


class ConfigReader:
    """Collects the configuration keys of one data node from its three forms."""

    def __init__(self, builder: DataBuilder, raw: RawElement, dtype: DataType | None) -> None:
        self.builder, self.raw, self.dtype = builder, raw, dtype
        self.values: dict[str, MappedConfigValue] = {}
        self.forms: dict[str, str] = {}
        self.node_attributes: dict[str, Text] = {}
        self._blocks: set[str] = set()

    def attribute_names(self) -> list[str]:
        keys = self.dtype.keys if self.dtype is not None else ()
        return [key.name for key in keys if key.kind != "block"]

    def attribute(self, attr: RawAttr) -> bool:
        """The attribute hook: a configuration key written as an attribute."""
        dtype = self.dtype
        if dtype is None:
            return True  # an unknown type is reported once; its keys cannot be checked
        key = dtype.key(attr.name)
        if key is None:
            if catalogue.normalise(attr.name) in map(catalogue.normalise, dtype.reserved):
                self.builder.error("FS-STRUCT-007", f"attribute {attr.name!r} is not "
                                   "supported in this version of FlowScript", attr.span)
                return True
            return False
        if key.kind == "block":
            self.builder.error("FS-STRUCT-002", f"{key.name!r} is a block and cannot be an "
                               f"attribute of <{self.raw.name}>", attr.span,
                               [f"write it as a child element: <{key.name}>…</{key.name}>"])
            return True
        self.put(key, Located.from_attribute(attr), attr.span, "an attribute")
        return True

    def children(self, spec: ElementSpec) -> tuple[list[RawElement], RawElement | None]:
        """Read the child elements; returns the ``<on-error>`` children and the output."""
        on_error: list[RawElement] = []
        output: RawElement | None = None
        texts: list[RawText] = []
        for child in self.raw.children:
            if isinstance(child, RawText):
                texts.append(child)
            elif child.name == "on-error" and not on_error:
                on_error.append(child)
            elif child.name == "output" and output is None:
                output = child if self._takes_output(child) else None
            elif child.name in ("on-error", "output"):
                self.builder.error("FS-STRUCT-005", f"<{self.raw.name}> takes one "
                                   f"<{child.name}>", child.span)
            elif self.dtype is not None:
                self.child(child)
        self.text_content(texts)
        return on_error, output

    def _takes_output(self, child: RawElement) -> bool:
        if self.dtype is None or self.dtype.kind == "transform:ai":
            return self.dtype is not None
        self.builder.error("FS-STRUCT-005", "<output> belongs to AI nodes only", child.span)
        return False

    def text_content(self, texts: list[RawText]) -> None:
        """Text directly in the node: the prompt of ``<ai>``, an error elsewhere."""
        visible = [t for t in texts if t.value.strip(" \t\r\n") or t.cdata]
        if not visible:
            return
        prompt = self.dtype.key("prompt") if self.dtype is not None else None
        text = derive(texts)
        where = Span(*text.position(0))
        if self.raw.name == "ai" and prompt is not None:
            self.put(prompt, text, where, "text content")
        else:
            self.builder.error("FS-STRUCT-008", f"text is not allowed directly in "
                               f"<{self.raw.name}>", where,
                               ["configuration goes in attributes or child elements"])

    def child(self, child: RawElement) -> None:
        dtype = self.dtype
        assert dtype is not None
        if child.name in dtype.blocks:
            self.block(child)
            return
        key = dtype.key(child.name)
        if key is None:
            names = [*dtype.key_names(), *dtype.blocks, "on-error"]
            self.builder.error("FS-STRUCT-002", f"<{self.raw.name} type=\"{dtype.type}\"> has "
                               f"no configuration key {child.name!r}", child.span,
                               did_you_mean(child.name, names))
            return
        text = self._text(child)
        if key.kind == "block":
            entries = self._load(text, child, lambda path: True)
            if entries is not None:
                value = entries_value(entries, _start(text, child))
                self.put(key, value, child.span, f"<{child.name}>", block=child.name)
        else:
            self.put(key, text, child.span, f"<{child.name}>")

    def block(self, child: RawElement) -> None:
        """A YAML block (``<request>``…): each entry is a key of that block."""
        dtype = self.dtype
        assert dtype is not None
        if child.name in self._blocks:
            self.builder.error("FS-STRUCT-005", f"<{self.raw.name}> takes one <{child.name}>",
                               child.span)
            return
        self._blocks.add(child.name)

        def expand(path: tuple[str | int, ...]) -> bool:
            key = dtype.block_key(child.name, str(path[0]))
            return key is not None and key.kind in catalogue.SHORTHAND_KINDS

        entries = self._load(self._text(child), child, expand)
        for entry in entries or ():
            key = dtype.block_key(child.name, entry.key)
            if key is None:
                self.builder.error("FS-STRUCT-002", f"<{child.name}> does not accept the key "
                                   f"{entry.key!r}", entry.key_span,
                                   did_you_mean(entry.key, dtype.blocks[child.name]))
            elif key.node_attribute:
                self.node_attribute(key, entry.value)
            else:
                self.put(key, entry.value, entry.key_span, f"in <{child.name}>",
                         block=child.name)

    def node_attribute(self, key: Setting, value: BlockValue) -> None:
        text = value.leaves.get(()) or Text(str(value.value), value.span, False)
        self.builder.check_value(key, value.value, value.span, f"<{self.raw.name}>")
        self.node_attributes[key.name] = text

    def _text(self, child: RawElement) -> Located:
        return derive([c for c in child.children if isinstance(c, RawText)])

    def _load(self, text: Located, child: RawElement,
              expand: Callable[[tuple[str | int, ...]], bool]) -> list[BlockEntry] | None:
        try:
            return load_mapping(text, self.builder.sink, what=f"<{child.name}>",
                                where=(child.span.end_line, child.span.end_column),
                                expand=expand)
        except BlockError:
            return None

    def put(self, key: Setting, value: Located | BlockValue, span: Span, form: str,
            block: str | None = None) -> None:
        """Store one key, reporting FS-STRUCT-009 when another form gave it already."""
        if key.name in self.values:
            self.builder.error("FS-STRUCT-009", f"configuration key {key.name!r} is given "
                               f"twice: {self.forms[key.name]} and {form}", span)
            return
        self.forms[key.name] = form
        where = f"<{self.raw.name}>"
        if isinstance(value, Located):
            if key.kind in catalogue.SHORTHAND_KINDS:
                value = expand_located(value)
            text = value.to_text((span.line, span.column))
            self.builder.check_value(key, text.value, text.span, where)
            self.values[key.name] = MappedConfigValue(text.value, text.span, text.exact, None,
                                                      texts={(): text})
            return
        if self._shape_problem(key, value):
            return
        self.builder.check_value(key, value.value, value.span, where)
        leaf = value.leaves.get(())
        self.values[key.name] = MappedConfigValue(
            value.value, value.span, leaf.exact if leaf is not None else False, block,
            texts=value.leaves)

    def _shape_problem(self, key: Setting, value: BlockValue) -> bool:
        """FS-STRUCT-006 for a block value of the wrong shape: a mapping where one value
        belongs, or a scalar where a block (mapping) belongs."""
        nested = isinstance(value.value, dict | list)
        if key.kind == "block" and not isinstance(value.value, dict):
            problem = "must be a mapping of keys to values"
        elif nested and key.kind not in ("tmpl", "value", "list", "block"):
            problem = "must be a single value, not a mapping or a list"
        else:
            return False
        self.builder.error("FS-STRUCT-006", f"{key.name!r} {problem}", value.span)
        return True

    def finish(self) -> None:
        """Required keys (FS-STRUCT-003, FS-STRUCT-004 for an AI prompt) and conflicts."""
        dtype = self.dtype
        if dtype is None:
            return
        for key in dtype.required():
            if key.name in self.values:
                continue
            if key.name == "prompt":
                self.builder.error("FS-STRUCT-004", "the AI node has no prompt: add <prompt>, "
                                   "<user>, prompt=\"…\" or text content", self.raw.span)
            else:
                self.builder.error("FS-STRUCT-003", f"<{self.raw.name} type=\"{dtype.type}\">"
                                   f" needs the configuration key {key.name!r}",
                                   self.raw.span, [f"write {key.name}=\"…\" or "
                                                   f"<{key.name}>…</{key.name}>"])
        self._conflicts(dtype)

    def _conflicts(self, dtype: DataType) -> None:
        values = self.values
        if "body" in values and "form" in values:
            self.builder.error("FS-STRUCT-009", "body and form are exclusive", values[
                "form"].span)
        if "output-schema" in values and "schema" in values:
            self.builder.error("FS-STRUCT-009", "the output schema is given twice: "
                               "'output-schema' and 'schema'", values["schema"].span)
        operation = values.get("operation")
        if dtype.kind == "sink:database" and operation is not None \
                and operation.value in ("upsert", "update") and "conflict-columns" not in values:
            self.builder.error("FS-STRUCT-003", f"operation {operation.value!r} needs the "
                               "configuration key 'conflict-columns'", self.raw.span)


def _start(text: Located, child: RawElement) -> Span:
    line, column = text.position(0) if len(text) else (child.span.end_line,
                                                       child.span.end_column)
    return Span(line, column)
