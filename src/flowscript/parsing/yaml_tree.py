"""Safe YAML loading with positions (SPEC §2.1, §12.2): parser events → JSON values.

PyYAML's parser (libyaml when present) yields events with source marks; the values are
built here from those events with an explicit stack, so no tag is ever constructed (a
``!!python/object/apply`` tag is only a string on an event, reported as FS-SEC-004), an
alias is refused before anything could be expanded (FS-SEC-005), and deep nesting costs no
recursion. Scalars are resolved with YAML 1.1 rules, as ``yaml.safe_load`` does. Offsets
are relative to the source; the caller maps them onto file lines (the frontmatter adds its
offset in the file, a body block its own mapping).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from .limits import MAX_YAML_DEPTH

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{n}" for n in ("str", "int", "float", "bool", "null")}
_COLLECTION_TAGS = {yaml.MappingStartEvent: f"{_TAG}map", yaml.SequenceStartEvent: f"{_TAG}seq"}
_CONSTRUCTORS = {
    f"{_TAG}int": _CONSTRUCTOR.construct_yaml_int,
    f"{_TAG}float": _CONSTRUCTOR.construct_yaml_float,
    f"{_TAG}bool": _CONSTRUCTOR.construct_yaml_bool,
    f"{_TAG}timestamp": _CONSTRUCTOR.construct_yaml_timestamp,
}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """One loading problem; ``offset`` is in the source. Frontmatter codes are used; a body
    block reports ``FS-YAML-003`` (syntax) as its own ``FS-STRUCT-006``."""

    code: str
    message: str
    offset: int


@dataclass(slots=True)
class YamlTree:
    """The loaded value (``None`` when ``problems`` is not empty) and where each part is.

    Paths join mapping keys with ``.`` and list indexes with ``[i]`` (``config.mode.enum[0]``);
    the root's path is ``""``. Offsets are ``(start, end)`` in the source.
    """

    value: Any = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Source text of each scalar that resolved to something other than a string.
    sources: dict[str, str] = field(default_factory=dict)
    #: Offset of the first content character of each scalar whose characters map one to one
    #: onto the source (a plain or quoted scalar on one line without escapes).
    exact: dict[str, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    #: Whether the source held a document at all (an empty one holds none).
    has_document: bool = False


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def tag_name(tag: str) -> str:
    """``!!str`` for a standard tag URI, the tag as written otherwise."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def load_yaml(source: str, max_depth: int = MAX_YAML_DEPTH) -> YamlTree:
    """Load ``source`` safely. Never raises for bad input: problems are in the result."""
    builder = _Builder(max_depth)
    try:
        for event in yaml.parse(source, Loader=_LOADER):
            if not builder.feed(event):
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        offset = mark.index if mark else 0
        if "nesting depth" in (exc.problem or ""):
            # libyaml looks ahead through flow collections and stops at its own depth limit
            # before our events reach ours: the same limit, at the position libyaml saw.
            builder.problem("FS-SEC-007", f"the YAML nests more than {max_depth} levels deep",
                            offset)
        else:
            builder.problem("FS-YAML-003", f"YAML syntax error: {message}", offset)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        builder.problem("FS-YAML-003", f"YAML syntax error: {reason}",
                        int(getattr(exc, "position", 0) or 0))
    return builder.result()


@dataclass(slots=True)
class _Frame:
    container: dict[str, Any] | list[Any]
    path: str
    key: str | None = None
    #: The pending key repeats an earlier one: build its value, then drop it.
    discard: bool = False


class _Builder:
    """Turns the event stream into values; ``feed`` returns False to stop reading."""

    def __init__(self, max_depth: int) -> None:
        self.tree = YamlTree()
        self.stack: list[_Frame] = []
        self.max_depth = max_depth
        self.documents = 0

    def problem(self, code: str, message: str, offset: int) -> None:
        self.tree.problems.append(YamlProblem(code, message, offset))

    def result(self) -> YamlTree:
        if self.tree.problems:
            self.tree.value = None
        return self.tree

    def feed(self, event: yaml.Event) -> bool:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            self.tree.has_document = True
            if self.documents > 1:
                self.problem("FS-YAML-003", "YAML syntax error: only one YAML document is "
                             "allowed", event.start_mark.index)
                return False
            return True
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.stack.pop()
            return True
        if not isinstance(event, yaml.NodeEvent):
            return True
        start = event.start_mark.index
        if isinstance(event, yaml.AliasEvent):
            self.problem("FS-SEC-005", f"YAML aliases (*{event.anchor}) are not allowed", start)
        elif event.anchor is not None:
            self.problem("FS-SEC-005", f"YAML anchors (&{event.anchor}) are not allowed", start)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            return self._key(top, event)
        return self._value(top, event)

    def _key(self, frame: _Frame, event: yaml.NodeEvent) -> bool:
        start, end = event.start_mark.index, event.end_mark.index
        if not isinstance(event, yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent):
                frame.key, frame.discard = "*", True
                return True
            self.problem("FS-YAML-003", "YAML syntax error: a mapping key must be a plain "
                         "value, not a list or mapping", start)
            return False
        self._check_scalar_tag(event)
        key = event.value
        if event.tag is None and event.implicit[0] and key == "<<":
            self.problem("FS-SEC-005", "YAML merge keys (<<) are not allowed", start)
        assert isinstance(frame.container, dict)
        frame.discard = key in frame.container
        if frame.discard:
            self.problem("FS-YAML-005", f"the key {key!r} appears twice in this mapping", start)
        else:
            self.tree.key_spans[join(frame.path, key)] = (start, end)
        frame.key = key
        return True

    def _value(self, frame: _Frame | None, event: yaml.NodeEvent) -> bool:
        path = self._place(frame)
        start = event.start_mark.index
        if isinstance(event, yaml.AliasEvent):
            value: Any = None
        elif isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, path)
        else:
            expected = _COLLECTION_TAGS[type(event)]
            if event.tag is not None and event.tag != expected:
                self.problem("FS-SEC-004", f"the YAML tag {tag_name(event.tag)} is not "
                             "allowed", start)
            if len(self.stack) >= self.max_depth:
                self.problem("FS-SEC-007", f"the YAML nests more than {self.max_depth} levels "
                             "deep", start)
                return False
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.tree.spans[path] = (start, event.end_mark.index)
        self._attach(frame, value)
        if isinstance(value, dict | list) and not isinstance(event, yaml.AliasEvent):
            self.stack.append(_Frame(value, path))
        return True

    def _place(self, frame: _Frame | None) -> str:
        if frame is None:
            return ""
        if isinstance(frame.container, list):
            return item(frame.path, len(frame.container))
        assert frame.key is not None
        key = f"{frame.key}#duplicate" if frame.discard else frame.key
        return join(frame.path, key)

    def _attach(self, frame: _Frame | None, value: Any) -> None:
        if frame is None:
            self.tree.value = value
        elif isinstance(frame.container, list):
            frame.container.append(value)
        else:
            if not frame.discard:
                frame.container[frame.key] = value  # type: ignore[index]
            frame.key, frame.discard = None, False

    def _check_scalar_tag(self, event: yaml.ScalarEvent) -> bool:
        if event.tag is None or event.tag in _SCALAR_TAGS:
            return True
        self.problem("FS-SEC-004", f"the YAML tag {tag_name(event.tag)} is not allowed "
                     "(only !!str !!int !!float !!bool !!null)", event.start_mark.index)
        return False

    def _scalar(self, event: yaml.ScalarEvent, path: str) -> Any:
        if not self._check_scalar_tag(event):
            return None
        text = event.value
        tag = event.tag or _RESOLVER.resolve(yaml.ScalarNode, text, event.implicit)
        self._record_exact(event, path)
        if tag == f"{_TAG}str" or (tag not in _CONSTRUCTORS and tag != f"{_TAG}null"):
            return text
        self.tree.sources[path] = text
        if tag == f"{_TAG}null":
            if event.tag is not None and text not in ("", "~", "null", "Null", "NULL"):
                self.problem("FS-YAML-003", f"{text!r} is not a valid !!null",
                             event.start_mark.index)
            return None
        return self._construct(tag, event)

    def _construct(self, tag: str, event: yaml.ScalarEvent) -> Any:
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            value = _CONSTRUCTORS[tag](node)
        except (ValueError, KeyError, TypeError, OverflowError):
            if tag == f"{_TAG}timestamp":
                return event.value  # date-shaped but not a date (2024-02-30): keep the text
            if tag == f"{_TAG}int" and event.tag is None:
                self.problem("FS-YAML-007", f"the integer {event.value[:20]}… is too large",
                             event.start_mark.index)
                return None
            self.problem("FS-YAML-003", f"{event.value!r} is not a valid {tag_name(tag)}",
                         event.start_mark.index)
            return None
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            self.problem("FS-YAML-007", f"{event.value} is not representable in JSON (NaN and "
                         "infinities are not allowed)", event.start_mark.index)
            return None
        return value

    def _record_exact(self, event: yaml.ScalarEvent, path: str) -> None:
        start, end, text = event.start_mark.index, event.end_mark.index, event.value
        if event.start_mark.line != event.end_mark.line:
            return
        quoted = event.style in ("'", '"')
        if end - start == len(text) + 2 * quoted:
            self.tree.exact[path] = start + quoted


__all__ = ["YamlProblem", "YamlTree", "item", "join", "load_yaml", "tag_name"]
