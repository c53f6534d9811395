"""Build the workflow AST from the raw element tree of the body (SPEC §3, §4.1).

``build_body`` walks the tree that ``parse/xml.py`` scanned, reading every element against
the catalogue of ``flowscript.elements``: it assigns automatic ids (``delay@42``), folds the
equivalent forms of §3.3 into one canonical form, collects data node configuration from
attributes, child elements and YAML blocks, and reports the structural diagnostics it meets
(FS-STRUCT-001…011, FS-ID-002, FS-ID-004). What needs the whole file — unique node ids,
references, cycles, expressions — is the validator's job; the AST carries what it needs.
Nothing raises: an element that does not fit is reported and skipped.

Shorthand variables (``$secrets.NAME`` in text, tmpl and block values of data node
configuration) are expanded here, into ``{{ $secrets.NAME }}``, so the engine only ever sees
templates; the values' position maps still point at the text the author wrote.
"""

from __future__ import annotations

from ..ast import Body
from ..diagnostics import DiagnosticSink
from ..elements import ExtraTypes
from .build import Builder
from .raw import RawElement


def build_body(root: RawElement, sink: DiagnosticSink, *,
               extra_types: ExtraTypes | None = None) -> Body:
    """The ``Body`` of the ``<workflow>`` element ``root``; diagnostics go to ``sink``.

    ``extra_types`` declares the configuration keys of data node types provided by runtime
    plugins (SPEC §3.40): ``{("source", "queue2"): [Setting(…) or {"name": …}, …]}``.
    """
    builder = Builder(sink, extra_types)
    if root.name != "workflow":
        sink.error("FS-STRUCT-001", f"the body must be a <workflow> element, not <{root.name}>",
                   root.span.line, root.span.column)
    return builder.workflow(root)


__all__ = ["build_body"]
