"""Operator and access semantics shared by the compiler and the interpreter (SPEC §5.5, §5.6).

These are the slow, general paths: compiled closures try a fast path for the common
types first and fall back here. Access never raises and never touches a Python attribute:
objects are indexed by key, lists and strings by position. Errors raised here carry no
location; the caller stamps the source and column of the operator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import ExpressionError
from .values import (
    MAX_ELEMENTS,
    MAX_STRING,
    Function,
    compare,
    loose_equals,
    normalize,
    strict_equals,
    text,
    to_numeric,
    type_error,
    type_name,
)

#: Largest integer magnitude a result may have: beyond it a double would be infinite.
MAX_INTEGER = 2 ** 1024
#: Size limit of each sized result type (SPEC §5.8).
SIZE_LIMITS: dict[type, int] = {str: MAX_STRING, list: MAX_ELEMENTS, dict: MAX_ELEMENTS}


def limit(message: str) -> ExpressionError:
    """An error of kind "limit" (SPEC §5.8); the caller adds the place."""
    return ExpressionError(message, kind="limit")


def check_size(value: Any) -> Any:
    """``value`` unless it is a string, list or object over the §5.8 size limits."""
    bound = SIZE_LIMITS.get(value.__class__)
    if bound is not None and len(value) > bound:
        raise size_error(value)
    return value


def size_error(value: Any) -> ExpressionError:
    """The "limit" error for a string, list or object that is too large."""
    if isinstance(value, str):
        return limit(f"string longer than {MAX_STRING} characters")
    return limit(f"{type_name(value)} with more than {MAX_ELEMENTS} elements")


# ---------------------------------------------------------------------------------------
# Member and index access (§5.6)

def member(value: Any, key: str) -> Any:
    """``value.key``: an object's key, a list's or string's ``length``, else null."""
    cls = value.__class__
    if cls is dict:
        return value.get(key)
    if cls is list or cls is str:
        return len(value) if key == "length" else None
    if value is None or cls in (int, float, bool):
        return None
    if isinstance(value, Mapping):
        return value.get(key)
    return None


def index(value: Any, key: Any) -> Any:
    """``value[key]``: strings as members, integers as positions (negative from the end),
    non-string keys of objects converted to text; anything else is null."""
    if key.__class__ is str:
        return member(value, key)
    cls = value.__class__
    if cls is list or cls is str:
        position = _position(key, len(value))
        return None if position is None else value[position]
    if cls is dict or (value is not None and isinstance(value, Mapping)):
        if isinstance(key, Function):
            return None
        return value.get(text(key))
    return None


def _position(key: Any, length: int) -> int | None:
    if key.__class__ is float and key.is_integer():
        key = int(key)
    if key.__class__ is not int:
        return None
    position = key + length if key < 0 else key
    return position if 0 <= position < length else None


# ---------------------------------------------------------------------------------------
# Arithmetic (§5.5)

def _numeric(value: Any, op: str) -> int | float:
    number = to_numeric(value)
    if number is None:
        raise type_error(f"'{op}' needs numbers or numeric strings, got {_describe(value)}")
    return number


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value[:20]!r}" if len(value) <= 20 else "a string"
    return type_name(value)


def integer_result(number: int) -> int:
    if -MAX_INTEGER < number < MAX_INTEGER:
        return number
    raise type_error("number out of range")


def number_result(number: int | float) -> int | float:
    """Integral floats become ints, non-finite and giant results are errors (§5.1)."""
    if number.__class__ is int:
        return integer_result(number)  # type: ignore[arg-type]
    return normalize(number)


def add(a: Any, b: Any) -> Any:
    """``+``: list concatenation, string concatenation by text(), else numeric."""
    if a.__class__ is list and b.__class__ is list:
        if len(a) + len(b) > MAX_ELEMENTS:
            raise limit(f"list with more than {MAX_ELEMENTS} elements")
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        left, right = text(a), text(b)
        if len(left) + len(right) > MAX_STRING:
            raise limit(f"string longer than {MAX_STRING} characters")
        return left + right
    if _is_number(a) and _is_number(b):
        return number_result(a + b)
    raise type_error(f"cannot add {type_name(a)} and {type_name(b)}")


def _is_number(value: Any) -> bool:
    cls = value.__class__
    return cls is int or cls is float


def subtract(a: Any, b: Any) -> int | float:
    return number_result(_numeric(a, "-") - _numeric(b, "-"))


def multiply(a: Any, b: Any) -> int | float:
    x, y = _numeric(a, "*"), _numeric(b, "*")
    if x.__class__ is int and y.__class__ is int and x and y \
            and x.bit_length() + y.bit_length() > 1100:
        raise type_error("number out of range")
    return number_result(x * y)


def divide(a: Any, b: Any) -> int | float:
    x, y = _numeric(a, "/"), _numeric(b, "/")
    if y == 0:
        raise ExpressionError("division by zero", kind="zero-division")
    try:
        return normalize(x / y)
    except OverflowError:
        raise type_error("number out of range") from None


def remainder(a: Any, b: Any) -> int | float:
    """``%`` with the sign of the dividend, as in JavaScript."""
    x, y = _numeric(a, "%"), _numeric(b, "%")
    if y == 0:
        raise ExpressionError("remainder by zero", kind="zero-division")
    if x.__class__ is int and y.__class__ is int:
        result = abs(x) % abs(y)
        return -result if x < 0 else result
    return normalize(math.fmod(x, y))


def negate(a: Any) -> int | float:
    return number_result(-_numeric(a, "-"))


def plus(a: Any) -> int | float:
    return _numeric(a, "+")


# ---------------------------------------------------------------------------------------
# Comparison, equality, membership

def no_function(a: Any, b: Any, op: str) -> None:
    """Functions may not be compared (SPEC §5.7)."""
    if isinstance(a, Function) or isinstance(b, Function):
        raise type_error(f"a function cannot be an operand of '{op}'")


def relation(op: str, a: Any, b: Any) -> bool:
    no_function(a, b, op)
    return compare(op, a, b)


def equals(op: str, a: Any, b: Any) -> bool:
    """``== != === !==``."""
    no_function(a, b, op)
    if op == "==":
        return loose_equals(a, b)
    if op == "!=":
        return not loose_equals(a, b)
    if op == "===":
        return strict_equals(a, b)
    return not strict_equals(a, b)


def contains(x: Any, y: Any) -> bool:
    """``x in y``: a list element ``==`` x, a substring, or an object key."""
    if y is None:
        return False
    if isinstance(x, Function):
        raise type_error("a function cannot be an operand of 'in'")
    if y.__class__ is list:
        return any(loose_equals(x, item) for item in y)
    if y.__class__ is str:
        return text(x) in y
    if isinstance(y, Mapping):
        return text(x) in y
    raise type_error(f"'in' needs a list, string or object on its right, got {type_name(y)}")


def contains_function(value: Any) -> bool:
    """Whether a function value hides anywhere inside ``value``."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, Function):
            return True
        if current.__class__ is list:
            stack.extend(current)
        elif current.__class__ is dict:
            stack.extend(current.values())
    return False
