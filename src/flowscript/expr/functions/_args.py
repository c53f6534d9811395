"""Argument checks shared by the built-in families (SPEC §5.12).

Every family needs the same few questions answered the same way (is this a list, an
integer, a function; would this result break a §5.8 limit), so the answers and their error
messages live here once.
"""

from __future__ import annotations

from typing import Any

from ...errors import ExpressionError
from ..values import MAX_ELEMENTS, MAX_STRING, Function, argument_error, is_number, type_name


class _Missing:
    """The type of MISSING."""

    def __repr__(self) -> str:
        return "MISSING"


#: Marks an optional argument that was not passed, where ``null`` is a meaningful value
#: (``count(list)`` counts everything, ``count(list, null)`` counts the nulls).
MISSING: Any = _Missing()


def as_list(value: Any, function: str) -> list[Any]:
    """A list argument: ``null`` counts as ``[]`` (SPEC §5.14); any other type is an error."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise argument_error(f"{function}() expects a list, got {type_name(value)}")


def as_object(value: Any, function: str) -> dict[str, Any]:
    """An object argument: ``null`` counts as ``{}``; any other type is an error."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise argument_error(f"{function}() expects an object, got {type_name(value)}")


def as_integer(value: Any, function: str, what: str = "count") -> int:
    """An integer argument. Integral floats are accepted (``2.0`` is ``2`` by §5.1); strings
    and booleans are not, so a mistaken argument fails loudly instead of coercing."""
    if is_number(value) and float(value).is_integer():
        return int(value)
    raise argument_error(f"{function}() expects an integer {what}, got {_describe(value)}")


def as_number(value: Any, function: str, what: str = "number") -> float | int:
    """A number argument (no numeric strings: rows that accept them say so)."""
    if is_number(value):
        return value
    raise argument_error(f"{function}() expects a {what}, got {_describe(value)}")


def as_function(value: Any, function: str) -> Function:
    """A lambda argument, such as the predicate of ``filter``."""
    if isinstance(value, Function):
        return value
    raise argument_error(f"{function}() expects a function (x => …), got {type_name(value)}")


def as_string(value: Any, function: str, what: str = "string") -> str:
    if isinstance(value, str):
        return value
    raise argument_error(f"{function}() expects a {what}, got {type_name(value)}")


def check_string_size(length: int) -> None:
    """Refuse a string longer than MAX_STRING; call it before building the string."""
    if length > MAX_STRING:
        raise ExpressionError(f"string result longer than {MAX_STRING} characters",
                              kind="limit")


def check_list_size(length: int) -> None:
    """Refuse a list or object over MAX_ELEMENTS; call it before building the value."""
    if length > MAX_ELEMENTS:
        raise ExpressionError(f"result with more than {MAX_ELEMENTS} elements", kind="limit")


def _describe(value: Any) -> str:
    if is_number(value):
        return f"the number {value!r}"
    if isinstance(value, str) and len(value) <= 20:
        return f"the string {value!r}"
    return type_name(value)
