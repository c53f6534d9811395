"""``parse`` and ``load``: text or a file → ``Workflow`` (SPEC §1–§3).

The file is split into its sections, the frontmatter and the body are both read even when
the other fails (every problem is reported at once, SPEC §11.1), and parse errors raise
``ParseError`` carrying all the diagnostics found. Anything short of a parse error stays in
``Workflow.diagnostics`` for ``validate`` to report.
"""

from __future__ import annotations

import os

from .ast import Workflow
from .diagnostics import Diagnostic, DiagnosticSink
from .document import Document, read_document, split_text
from .errors import ParseError
from .parsing.body import build_body
from .parsing.frontmatter import load_frontmatter
from .parsing.xml_text import collector_paused


def parse(text: str, path: str | None = None) -> Workflow:
    """Parse workflow ``text``; ``path`` names it in diagnostics and anchors relative paths."""
    sink = DiagnosticSink(path)
    with collector_paused():
        return _build(split_text(text, sink, path), sink)


def load(path: str | os.PathLike[str]) -> Workflow:
    """Read and parse the workflow file at ``path`` (raises ``ParseError``)."""
    sink = DiagnosticSink(os.fspath(path))
    with collector_paused():
        return _build(read_document(path, sink), sink)


def _build(document: Document | None, sink: DiagnosticSink) -> Workflow:
    if document is None:
        raise _parse_error(sink)
    frontmatter = load_frontmatter(document, sink) if document.frontmatter is not None else None
    body = None
    if document.root is not None:
        body = build_body(document.root, sink)
    if body is None or frontmatter is None or any(d.is_parse_error for d in sink.items):
        raise _parse_error(sink)
    return Workflow(path=document.path, source=document.text, frontmatter=frontmatter,
                    body=body, hash=document.hash or "", footer_offset=document.footer_offset,
                    diagnostics=tuple(sink.items))


def _parse_error(sink: DiagnosticSink) -> ParseError:
    diagnostics = sorted(sink.items, key=Diagnostic.sort_key)
    errors = [d for d in diagnostics if d.is_error] or diagnostics
    where = f"{sink.file}: " if sink.file else ""
    first = errors[0].message if errors else "the workflow cannot be parsed"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ParseError(f"{where}{first}{more}", diagnostics)


__all__ = ["load", "parse"]
