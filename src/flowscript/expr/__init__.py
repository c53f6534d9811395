"""The FlowScript expression language (SPEC §5): expressions, templates and patterns.

``compile_expression``/``compile_template``/``compile_pattern`` parse once into closures
and cache the result; ``evaluate``/``render``/``match`` are the one-shot forms. Importing
this package is cheap: the built-in library loads on the first compile.
"""

from __future__ import annotations

from .api import (
    compile_expression,
    compile_pattern,
    compile_template,
    evaluate,
    match,
    render,
    unwrap_braces,
)
from .patterns import CompiledPattern
from .program import CompiledExpression
from .template import CompiledTemplate

__all__ = ["CompiledExpression", "CompiledPattern", "CompiledTemplate", "compile_expression",
           "compile_pattern", "compile_template", "evaluate", "match", "render",
           "unwrap_braces"]
