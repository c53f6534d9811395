"""Math built-ins (SPEC §5.16).

Arithmetic is the operators' own (``runtime``): numerics (numbers and numeric strings) in,
a normalised number out (§5.1), only the argument check differs (a function names itself
in its error). Rounding works on the decimal text of a number, so ``round(1.005, 2)``
is ``1.01`` as a person expects, not ``1.0`` as binary floating point would give.
"""

from __future__ import annotations

import math
import random as _random
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ...errors import ExpressionError
from .. import runtime
from ..values import (
    EvalContext,
    argument_error,
    builtin,
    number_text,
    to_numeric,
    type_name,
)
from ._args import as_integer, as_list

#: Numbers at or above this magnitude are written in exponent form by ``to_fixed``, as
#: JavaScript's ``toFixed`` does.
_FIXED_LIMIT = 1e21


def numeric(value: Any, function: str) -> float | int:
    """A numeric argument converted to a number; anything else is an argument error."""
    number = to_numeric(value)
    if number is None:
        raise argument_error(f"{function}() expects a number, got {type_name(value)}")
    return number


def result(number: float | int) -> float | int:
    """A §5.1 number, normalised exactly as the operators normalise theirs (integral floats
    become integers; non-finite or giant values are errors)."""
    try:
        return runtime.number_result(number)
    except OverflowError:
        raise ExpressionError("number out of range", kind="type") from None


def _optional(value: Any, function: str) -> float | int | None:
    """For the functions where ``null`` in gives ``null`` out."""
    return None if value is None else numeric(value, function)


@builtin("add")
def add(a: Any, b: Any, *more: Any) -> float | int:
    total = numeric(a, "add")
    for value in (b, *more):
        total = result(total + numeric(value, "add"))
    return total


@builtin("multiply")
def multiply(a: Any, b: Any, *more: Any) -> float | int:
    product = numeric(a, "multiply")
    for value in (b, *more):
        product = runtime.multiply(product, numeric(value, "multiply"))
    return product


@builtin("subtract")
def subtract(a: Any, b: Any) -> float | int:
    return runtime.subtract(numeric(a, "subtract"), numeric(b, "subtract"))


@builtin("divide")
def divide(a: Any, b: Any) -> float | int:
    return runtime.divide(numeric(a, "divide"), numeric(b, "divide"))


@builtin("mod")
def mod(a: Any, b: Any) -> float | int:
    """The JavaScript remainder: its sign is the dividend's (``mod(-7, 3)`` is ``-1``)."""
    return runtime.remainder(numeric(a, "mod"), numeric(b, "mod"))


def _numerics(ctx: EvalContext, values: tuple[Any, ...]) -> list[float | int]:
    """The numeric values among ``values`` (a single list argument means its elements)."""
    if len(values) == 1 and isinstance(values[0], list):
        values = tuple(values[0])
    ctx.step(len(values))
    found = (to_numeric(value) for value in values)
    return [number for number in found if number is not None]


@builtin("min")
def min_(ctx: EvalContext, x: Any, *more: Any) -> float | int | None:
    numbers = _numerics(ctx, (x, *more))
    return min(numbers) if numbers else None


@builtin("max")
def max_(ctx: EvalContext, x: Any, *more: Any) -> float | int | None:
    numbers = _numerics(ctx, (x, *more))
    return max(numbers) if numbers else None


def _sum(numbers: list[float | int]) -> float | int:
    """Left to right, as JavaScript's reduce adds, so results match other engines."""
    total: float | int = 0
    for number in numbers:
        total = result(total + number)
    return total


@builtin("sum")
def sum_(ctx: EvalContext, items: Any) -> float | int:
    return _sum(_numerics(ctx, (as_list(items, "sum"),)))


@builtin("avg")
def avg(ctx: EvalContext, items: Any) -> float | int | None:
    numbers = _numerics(ctx, (as_list(items, "avg"),))
    return result(_sum(numbers) / len(numbers)) if numbers else None


def round_decimal(number: float | int, digits: int) -> Decimal:
    """``number`` rounded half away from zero at ``digits`` decimals, on its decimal text."""
    exact = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    if int(exact.as_tuple().exponent) >= -digits:
        return exact
    if digits < -(exact.adjusted() + 1):
        return Decimal(0)
    with localcontext() as context:
        context.prec = abs(exact.adjusted()) + abs(digits) + 10
        return exact.quantize(Decimal((0, (1,), -digits)), rounding=ROUND_HALF_UP)


def _digits(value: Any, function: str) -> int:
    return 0 if value is None else as_integer(value, function, "number of digits")


@builtin("round")
def round_(n: Any, digits: Any = 0) -> float | int | None:
    number = _optional(n, "round")
    if number is None:
        return None
    places = _digits(digits, "round")
    rounded = round_decimal(number, places)
    return result(int(rounded) if places <= 0 else float(rounded))


@builtin("floor")
def floor(n: Any) -> float | int | None:
    number = _optional(n, "floor")
    if number is None or isinstance(number, int):
        return number
    return result(float(math.floor(number)))


@builtin("ceil")
def ceil(n: Any) -> float | int | None:
    number = _optional(n, "ceil")
    if number is None or isinstance(number, int):
        return number
    return result(float(math.ceil(number)))


@builtin("trunc")
def trunc(n: Any) -> float | int | None:
    number = _optional(n, "trunc")
    if number is None or isinstance(number, int):
        return number
    return result(float(math.trunc(number)))


@builtin("abs")
def abs_(n: Any) -> float | int | None:
    number = _optional(n, "abs")
    return None if number is None else abs(number)


@builtin("sign")
def sign(n: Any) -> int | None:
    number = _optional(n, "sign")
    return None if number is None else (number > 0) - (number < 0)


@builtin("sqrt")
def sqrt(n: Any) -> float | int | None:
    number = _optional(n, "sqrt")
    if number is None:
        return None
    if number < 0:
        raise argument_error("sqrt() of a negative number")
    try:
        return result(math.sqrt(number))
    except OverflowError:
        raise argument_error("sqrt() argument out of range") from None


@builtin("pow")
def pow_(b: Any, e: Any) -> float | int | None:
    """Small integer powers stay exact; the rest is computed in floating point so a huge
    exponent costs nothing and fails cleanly."""
    base, exponent = _optional(b, "pow"), _optional(e, "pow")
    if base is None or exponent is None:
        return None
    if (isinstance(base, int) and isinstance(exponent, int) and exponent >= 0
            and exponent * max(1, abs(base)).bit_length() <= 1024):
        return result(base**exponent)
    try:
        value = math.pow(base, exponent)
    except (OverflowError, ValueError, ZeroDivisionError):
        value = math.inf
    if not math.isfinite(value):
        raise argument_error(f"pow({number_text(base)}, {number_text(exponent)}) is not a "
                             "finite number")
    return result(value)


@builtin("clamp")
def clamp(n: Any, lo: Any, hi: Any) -> float | int | None:
    numbers = [_optional(value, "clamp") for value in (n, lo, hi)]
    if any(number is None for number in numbers):
        return None
    number, low, high = numbers
    return min(max(number, low), high)  # type: ignore[type-var]


@builtin("percent")
def percent(value: Any, total: Any, digits: Any = 2) -> float | int:
    part, whole = numeric(value, "percent"), numeric(total, "percent")
    if whole == 0:
        return 0
    places = _digits(digits, "percent")
    rounded = round_decimal(result(part / whole * 100), places)
    return result(int(rounded) if places <= 0 else float(rounded))


@builtin("to_fixed")
def to_fixed(n: Any, digits: Any = 0) -> str | None:
    number = _optional(n, "to_fixed")
    if number is None:
        return None
    places = _digits(digits, "to_fixed")
    if not 0 <= places <= 100:
        raise argument_error("to_fixed() expects 0 to 100 digits")
    if abs(number) >= _FIXED_LIMIT:
        return number_text(number)  # as JavaScript's toFixed does for huge numbers
    rounded = round_decimal(number, places)
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:.{places}f}"


@builtin("random")
def random() -> float | int:
    return result(_random.random())  # 0.0 is the integer 0 (§5.1)


@builtin("random_int")
def random_int(lo: Any, hi: Any) -> int:
    low, high = as_integer(lo, "random_int", "bound"), as_integer(hi, "random_int", "bound")
    if low > high:
        raise argument_error("random_int() expects lo <= hi")
    return _random.randint(low, high)
