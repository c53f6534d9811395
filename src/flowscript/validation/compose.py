"""Include and call targets (SPEC §3.35, §3.36).

A literal ``workflow`` path (no template) is resolved against the including file's
directory. A missing or unparseable file is the warning FS-REF-010. Files are followed
through their own literal include/call paths, parsed only as far as needed to find them,
and a chain that comes back to a file already on it is FS-CYCLE-003 at the include.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..ast import ComposeNode, Text, Workflow
from ..diagnostics import DiagnosticSink

#: How many files one chain of includes may visit before the search stops.
MAX_INCLUDE_DEPTH = 64


def check_compose(workflow: Workflow, sink: DiagnosticSink) -> None:
    base = _directory(workflow.path)
    here = _normal(workflow.path) if workflow.path else None
    reader = _Reader()
    for node in workflow.body.walk():
        if not isinstance(node, ComposeNode):
            continue
        text = node.workflow
        target = _literal_path(text, base)
        if target is None:
            continue
        if not os.path.isfile(target):
            _warn(sink, text, f'{node.element} target "{text.value}" does not exist')
            continue
        if reader.paths(target) is None:
            _warn(sink, text, f'{node.element} target "{text.value}" cannot be parsed')
            continue
        if here is not None:
            chain = reader.cycle_back(target, here)
            if chain is not None:
                shown = " -> ".join(os.path.basename(p) for p in [here, *chain])
                sink.error("FS-CYCLE-003", f"include cycle: {shown}", text.span.line,
                           text.span.column, hints=("a workflow cannot include itself, "
                                                    "directly or through others",))


def _warn(sink: DiagnosticSink, text: Text, message: str) -> None:
    sink.warning("FS-REF-010", message, text.span.line, text.span.column,
                 end_line=text.span.line, end_column=text.span.column + len(text.value),
                 hints=("the path is relative to this file's directory",))


def _directory(path: str | None) -> str:
    return os.path.dirname(os.path.abspath(path)) if path else os.getcwd()


def _normal(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _literal_path(text: Text, base: str) -> str | None:
    value = text.value.strip()
    if not value or "{{" in value or "$" in value:
        return None
    return _normal(os.path.join(base, value))


class _Reader:
    """Parses files once each and lists their literal include/call targets."""

    def __init__(self) -> None:
        self._known: dict[str, list[str] | None] = {}

    def paths(self, path: str) -> list[str] | None:
        """The literal targets of ``path``, or None when it cannot be parsed."""
        if path not in self._known:
            self._known[path] = self._read(path)
        return self._known[path]

    def cycle_back(self, start: str, home: str) -> list[str] | None:
        """A chain of files from ``start`` that includes ``home`` again, or None."""
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            path, chain = stack.pop()
            if path == home:
                return chain
            if path in seen or len(chain) > MAX_INCLUDE_DEPTH:
                continue
            seen.add(path)
            for target in reversed(self.paths(path) or []):
                stack.append((target, [*chain, target]))
        return None

    @staticmethod
    def _read(path: str) -> list[str] | None:
        from ..document import read_document
        from ..parsing.body import build_body
        from ..parsing.frontmatter import load_frontmatter

        sink = DiagnosticSink(file=path)
        document = read_document(path, sink)
        if document is None or document.root is None:
            return None
        load_frontmatter(document, sink)
        if any(d.is_parse_error for d in sink.items):
            return None
        body = build_body(document.root, DiagnosticSink(file=path))
        base = os.path.dirname(path)
        return list(_targets(body.walk(), base))


def _targets(nodes: Iterator[object], base: str) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, ComposeNode):
            target = _literal_path(node.workflow, base)
            if target is not None:
                yield target


__all__ = ["MAX_INCLUDE_DEPTH", "check_compose"]
