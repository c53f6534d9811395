"""Type tests and conversions (SPEC §5.17).

Conversions never raise: data arrives as text from CSV files and query strings, so
``to_number('abc')`` gives the caller's default instead of failing the node.
"""

from __future__ import annotations

import math
from typing import Any

from ..values import builtin, is_number, text, to_numeric, truthy, type_name
from ._args import check_string_size
from .numbers import result

#: Strings that mean "no" to ``to_boolean`` (compared trimmed and case-insensitively).
FALSE_WORDS = frozenset({"", "false", "0", "no", "off", "null"})


@builtin("typeof")
def typeof(x: Any) -> str:
    return type_name(x)


@builtin("is_null")
def is_null(x: Any) -> bool:
    return x is None


@builtin("is_array")
def is_array(x: Any) -> bool:
    return isinstance(x, list)


@builtin("is_object")
def is_object(x: Any) -> bool:
    return isinstance(x, dict)


@builtin("is_string")
def is_string(x: Any) -> bool:
    return isinstance(x, str)


@builtin("is_number")
def is_number_(x: Any) -> bool:
    return is_number(x)


@builtin("is_boolean")
def is_boolean(x: Any) -> bool:
    return isinstance(x, bool)


@builtin("is_integer")
def is_integer(x: Any) -> bool:
    return is_number(x) and float(x).is_integer()


@builtin("is_empty")
def is_empty(x: Any) -> bool:
    return x is None or (isinstance(x, str | list | dict) and len(x) == 0)


@builtin("to_string")
def to_string(x: Any) -> str:
    result = text(x)
    check_string_size(len(result))
    return result


@builtin("to_number")
def to_number(x: Any, default: Any = None) -> Any:
    if isinstance(x, bool):
        return int(x)
    number = to_numeric(x)
    return default if number is None else number


@builtin("to_integer")
def to_integer(x: Any, default: Any = None) -> Any:
    """``to_number`` truncated toward zero; a default is returned as given."""
    if isinstance(x, bool):
        return int(x)
    number = to_numeric(x)
    if number is None:
        return default
    if isinstance(number, int):
        return number
    return result(float(math.trunc(number)))


@builtin("to_boolean")
def to_boolean(x: Any) -> bool:
    if isinstance(x, str):
        return x.strip().lower() not in FALSE_WORDS
    return truthy(x)


@builtin("to_array")
def to_array(x: Any) -> list[Any]:
    if isinstance(x, list):
        return x
    return [] if x is None else [x]
