"""Reading a loaded YAML tree key by key, with diagnostics that point into the file.

The frontmatter sections (identity, triggers, config, fields, runtime) share this one
reporter: it turns tree paths into file positions, falls back to the nearest enclosing
value when a key is missing, and phrases the shape checks every section needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..ast import Span
from ..diagnostics import DiagnosticSink, did_you_mean
from .yaml_tree import YamlTree

Locate = Callable[[int], tuple[int, int]]

#: A name (SPEC §1.6): node ids, config keys, schema names, …
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
RESERVED_WORDS = frozenset({"true", "false", "null", "undefined", "and", "or", "not", "in",
                            "typeof", "this", "AND", "OR", "NOT", "IN"})
MAX_NAME_LENGTH = 128


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid name (§1.6), or ``None`` when it is."""
    if not NAME.fullmatch(name):
        return (f"{name!r} is not a valid name (letters, digits and '_', with single '-' "
                "between them; not starting with a digit)")
    if name in RESERVED_WORDS:
        return f"{name!r} is a reserved word"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name is at most {MAX_NAME_LENGTH} characters"
    return None


def describe(value: Any) -> str:
    """A value's kind in messages: ``a string``, ``a list``, …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


class YamlReader:
    """Positions and diagnostics for one loaded tree. ``root`` is where problems with no
    better place point (the frontmatter's line 1)."""

    def __init__(self, tree: YamlTree, locate: Locate, sink: DiagnosticSink,
                 root: tuple[int, int] = (1, 1)) -> None:
        self.tree = tree
        self.locate = locate
        self.sink = sink
        self.root = root

    # -- positions ---------------------------------------------------------------------

    def span(self, path: str, *, key: bool = False) -> Span | None:
        offsets = (self.tree.key_spans if key else self.tree.spans).get(path)
        if offsets is None:
            return None
        (line, column), (end_line, end_column) = map(self.locate, offsets)
        return Span(line, column, end_line, end_column)

    def position(self, path: str, *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` is (its key or value), else the nearest enclosing value; the root
        path ``""`` is ``root`` (a missing top-level key is reported there)."""
        while path:
            offsets = (self.tree.key_spans if key else self.tree.spans).get(path)
            if offsets is not None:
                return self.locate(offsets[0])
            path, key = _parent(path), False
        return self.root

    def position_in(self, path: str, offset: int) -> tuple[int, int]:
        """Position of character ``offset`` of a string value (its start when the scalar's
        characters do not map one to one onto the file)."""
        start = self.tree.exact.get(path)
        if start is None:
            return self.position(path)
        return self.locate(start + offset)

    def all_spans(self) -> dict[str, Span]:
        return {path: span for path in self.tree.spans if path and "#" not in path
                if (span := self.span(path)) is not None}

    def source(self, path: str, value: Any) -> str:
        """A scalar as written (``1.10`` stays ``1.10``; YAML would read the float 1.1)."""
        if isinstance(value, str):
            return value
        return self.tree.sources.get(path, "" if value is None else str(value))

    # -- reporting ---------------------------------------------------------------------

    def error(self, code: str, message: str, path: str, *, key: bool = False,
              hints: Iterable[str] = ()) -> None:
        self.sink.error(code, message, *self.position(path, key=key), hints=hints)

    def warning(self, code: str, message: str, path: str, *, key: bool = False,
                hints: Iterable[str] = ()) -> None:
        self.sink.warning(code, message, *self.position(path, key=key), hints=hints)

    def unknown_keys(self, mapping: Mapping[str, Any], path: str, known: Iterable[str],
                     code: str, where: str) -> None:
        """Warn (``code``) at every key of ``mapping`` outside ``known``."""
        known = tuple(known)
        for key in mapping:
            if key not in known:
                self.warning(code, f"unknown key {key!r} in {where}", _join(path, key),
                             key=True, hints=did_you_mean(key, known))

    # -- shapes ------------------------------------------------------------------------

    def mapping(self, value: Any, path: str, code: str = "FS-YAML-014") -> dict[str, Any] | None:
        """``value`` when it is a mapping; ``None`` (reported unless null) otherwise."""
        if isinstance(value, dict):
            return value
        if value is not None:
            self.error(code, f"{path} must be a mapping, not {describe(value)}", path)
        return None

    def string(self, value: Any, path: str) -> str | None:
        """An optional free-text value."""
        if value is None or isinstance(value, str):
            return value
        self.error("FS-YAML-014", f"{path} must be a string, not {describe(value)}", path)
        return None

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.error("FS-YAML-014", f"{path} must be true or false, not {describe(value)}", path)
        return default

    def integer(self, value: Any, path: str, minimum: int) -> int | None:
        """An optional integer ≥ ``minimum``."""
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        self.error("FS-YAML-014", f"{path} must be an integer of at least {minimum}, not "
                   f"{self.source(path, value)!r}", path)
        return None

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        """An optional list of strings."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("FS-YAML-014", f"{path} must be a list of strings", path)
            return ()
        result = []
        for index, entry in enumerate(value):
            if isinstance(entry, str):
                result.append(entry)
            else:
                self.error("FS-YAML-014", f"{path} must hold strings, not {describe(entry)}",
                           f"{path}[{index}]")
        return tuple(result)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


__all__ = ["NAME", "RESERVED_WORDS", "YamlReader", "describe", "name_problem"]
