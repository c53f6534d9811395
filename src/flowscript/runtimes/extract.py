"""Response extraction (SPEC §3.7): JSONPath when the path starts with ``$``, else JMESPath.

A JSONPath without wildcard, recursive descent, filter, slice or union is *singular* and
yields its one match or ``null``; any other JSONPath yields the list of matches. JMESPath
results are returned as JMESPath defines them.
"""

from __future__ import annotations

import functools
from typing import Any

import jmespath
import jmespath.exceptions
from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as parse_jsonpath

from ..errors import NodeConfigError

_PLURAL_MARKERS = ("*", "..", "?(", ":", ",")


def is_singular(path: str) -> bool:
    """Whether a JSONPath selects at most one value (SPEC §3.7)."""
    return not any(marker in path for marker in _PLURAL_MARKERS)


@functools.lru_cache(maxsize=256)
def _compile_jsonpath(path: str) -> Any:
    try:
        return parse_jsonpath(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise NodeConfigError(f"invalid JSONPath {path!r}: {exc}") from None


@functools.lru_cache(maxsize=256)
def _compile_jmespath(expression: str) -> Any:
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.ParseError as exc:
        raise NodeConfigError(f"invalid JMESPath {expression!r}: {exc}") from None


def extract(path: str, data: Any) -> Any:
    """Apply ``path`` (JSONPath or JMESPath) to ``data``."""
    path = path.strip()
    if path.startswith("$"):
        matches = [match.value for match in _compile_jsonpath(path).find(data)]
        if is_singular(path):
            return matches[0] if matches else None
        return matches
    try:
        return _compile_jmespath(path).search(data)
    except jmespath.exceptions.JMESPathError as exc:
        raise NodeConfigError(f"JMESPath {path!r} failed: {exc}") from None


__all__ = ["extract", "is_singular"]
