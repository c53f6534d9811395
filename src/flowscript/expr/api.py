"""The public entry points of the expression language (SPEC §10.10): compile once, run many.

``compile_expression``, ``compile_template`` and ``compile_pattern`` are cached by source
and by the declared names that can change how the source lexes (the hyphenated-name rule,
§5.2), so the engine may call them for every evaluation. ``evaluate``, ``render`` and
``match`` are the one-shot forms; their declared names are the keys of ``variables``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from .lexer import hyphen_prefixes
from .parser import parse_expression
from .patterns import CompiledPattern
from .program import CompiledExpression
from .template import CompiledTemplate, unwrap_braces

_NO_NAMES: frozenset[str] = frozenset()


def _relevant(source: str, declared: Collection[str] | None) -> frozenset[str]:
    """The declared names that matter for lexing ``source`` (usually none)."""
    if not declared:
        return _NO_NAMES
    prefixes = hyphen_prefixes(source)
    if not prefixes:
        return _NO_NAMES
    return frozenset(name for name in prefixes if name in declared)


def compile_expression(source: str, declared: Collection[str] | None = None, *,
                       allow_wrapped: bool = False) -> CompiledExpression:
    """Compile an expression; with ``allow_wrapped`` a value that is exactly one
    ``{{ … }}`` is unwrapped first. Raises ExpressionError (kind "syntax")."""
    return _compile_expression(source, _relevant(source, declared), allow_wrapped)


@lru_cache(maxsize=4096)
def _compile_expression(source: str, declared: frozenset[str],
                        allow_wrapped: bool) -> CompiledExpression:
    span = unwrap_braces(source) if allow_wrapped else None
    start, end = span if span is not None else (0, len(source))
    return CompiledExpression(source, parse_expression(source, declared, start, end))


def compile_template(source: str,
                     declared: Collection[str] | None = None) -> CompiledTemplate:
    """Compile a template; raises ExpressionError (kind "syntax") for a bad tag."""
    return _compile_template(source, _relevant(source, declared))


@lru_cache(maxsize=4096)
def _compile_template(source: str, declared: frozenset[str]) -> CompiledTemplate:
    return CompiledTemplate(source, declared)


def compile_pattern(source: str,
                    declared: Collection[str] | None = None) -> CompiledPattern:
    """Compile a ``<match>`` pattern; raises ExpressionError (kind "syntax" or "regex")."""
    return _compile_pattern(source)


@lru_cache(maxsize=1024)
def _compile_pattern(source: str) -> CompiledPattern:
    return CompiledPattern(source)


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """The value of ``expression`` (no ``{{ }}``) with ``variables`` as its names."""
    return compile_expression(expression, variables).evaluate(variables)


def render(template: str, variables: Mapping[str, Any]) -> Any:
    """The rendered template (the raw value for a single ``{{ expr }}``)."""
    return compile_template(template, variables).render(variables)


def match(pattern: str, value: Any, variables: Mapping[str, Any] | None = None) -> bool:
    """Whether ``value`` matches the pattern; ``variables`` supplies ``$`` paths."""
    return compile_pattern(pattern).match(value, variables)


__all__ = ["compile_expression", "compile_pattern", "compile_template", "evaluate", "match",
           "render", "unwrap_braces"]
