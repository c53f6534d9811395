"""The body builder's parts: ``core`` (places, attributes, children, sequences), and one
mixin per family of elements (``structure``, ``control``, ``data``, ``nodes``), combined
into ``Builder`` here. ``flowscript.parsing.body.build_body`` is the entry point."""

from __future__ import annotations

from .data import DataBuilder
from .nodes import NodesBuilder


class Builder(NodesBuilder, DataBuilder):
    """Turns a raw element tree into the AST, reporting the structural diagnostics."""


__all__ = ["Builder"]
