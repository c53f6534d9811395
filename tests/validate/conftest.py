"""Shared helpers: parse workflow text into a ``Workflow`` for the validation tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowscript.ast import Workflow

CONFORMANCE = Path(__file__).resolve().parents[1] / "corpus" / "cases"


def parse_workflow(text: str, path: str | None = None) -> Workflow:
    """The workflow of ``text``: through ``flowscript.parsing`` once the loader exists, else
    assembled here from the document splitter, the frontmatter loader and the body builder."""
    try:
        from flowscript.loader import parse
    except ImportError:
        return _assemble(text, path)
    return parse(text, path=path)


def _assemble(text: str, path: str | None) -> Workflow:
    from flowscript.ast import Body, Frontmatter
    from flowscript.diagnostics import DiagnosticSink
    from flowscript.document import split_text
    from flowscript.errors import ParseError
    from flowscript.parsing.body import build_body
    from flowscript.parsing.frontmatter import load_frontmatter

    sink = DiagnosticSink(file=path)
    document = split_text(text, sink, path=path)
    if document is None:
        raise ParseError("the file cannot be read", sink.items)
    front = load_frontmatter(document, sink) or Frontmatter()
    body = build_body(document.root, sink) if document.root is not None else Body(
        element="workflow", span=None)  # type: ignore[arg-type]
    return Workflow(path=path, source=document.text, frontmatter=front, body=body,
                    hash=document.hash or "", footer_offset=document.footer_offset,
                    diagnostics=tuple(sink.items))


def flow(body: str, front: str = "") -> str:
    """A workflow file from a dedented body and extra frontmatter lines."""
    head = "---\nname: t\nversion: 1.0.0\n" + textwrap.dedent(front).strip("\n")
    return head.rstrip("\n") + "\n---\n" + textwrap.dedent(body).strip("\n") + "\n"


@pytest.fixture
def parse():
    """``parse(text, path=None) -> Workflow``."""
    return parse_workflow


@pytest.fixture
def workflow():
    """``workflow(body, front="") -> Workflow``: a workflow from a body and frontmatter."""
    return lambda body, front="", path=None: parse_workflow(flow(body, front), path)


def locate(source: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Line and column (1-based) of the ``occurrence``-th ``needle`` in ``source``."""
    offset = -1
    for _ in range(occurrence):
        offset = source.index(needle, offset + 1)
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1
