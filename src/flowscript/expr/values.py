"""What FlowScript values are and how they behave (SPEC §5.1, §5.5, §5.10).

Values are JSON values (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``,
``dict``) plus ``Function`` (lambdas). Every operator and built-in reaches values only
through the helpers here, so JavaScript-like truthiness, the number rules and the
interpolation rule are written once.

The contract with the built-in library: a built-in is a plain Python function registered
with ``@builtin``; its arity comes from its signature; a first parameter named ``ctx``
receives the ``EvalContext`` (step counting, regexes, the clock); a lambda argument arrives
as a ``Function`` and is called like a Python function (``fn(item, index)``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ..errors import ExpressionError

# ---------------------------------------------------------------------------------------
# Limits (SPEC §5.8): one place, named.

#: Longest string an expression may build, in code points.
MAX_STRING = 10_000_000
#: Most elements in a list or object an expression may build.
MAX_ELEMENTS = 1_000_000
#: Most evaluation steps in one evaluation (operators, calls, lambda calls, visited elements).
MAX_STEPS = 10_000_000
#: Deepest lambda call nesting.
MAX_LAMBDA_DEPTH = 256
#: Deepest parser nesting.
MAX_PARSE_DEPTH = 256
#: Longest regular expression source.
MAX_REGEX_LENGTH = 1000
#: Longest subject a regular expression may scan.
MAX_REGEX_SUBJECT = 1_000_000
#: Seconds a regular expression may spend matching.
REGEX_TIMEOUT = 1.0


class Function:
    """A function value created by a lambda. Call it like a Python function; missing
    arguments are ``None``, extra ones ignored (SPEC §5.7)."""

    __slots__ = ()

    def __call__(self, *args: Any) -> Any:  # pragma: no cover - implemented by the compiler
        raise NotImplementedError


class EvalContext(Protocol):
    """What a built-in may ask of the running evaluation."""

    def step(self, n: int = 1) -> None:
        """Count ``n`` steps; raises ``ExpressionError(kind="limit")`` past MAX_STEPS."""

    def regex(self, pattern: str, flags: str = "") -> Any:
        """A compiled regex (``regex`` module) bounded by the §5.8 limits; invalid → kind
        "regex". Use ``ctx.search``/``ctx.finditer``/``ctx.sub`` wrappers' time limit."""

    def now(self) -> datetime:
        """The current instant (UTC), honouring ``FLOWSCRIPT_NOW``."""


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    fn: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: variadic
    wants_context: bool


#: Every built-in by name (aliases included); filled by ``flowscript.expr.functions``.
BUILTINS: dict[str, Builtin] = {}


def builtin(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a built-in under one or more names; arity comes from the signature."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(fn).parameters.values())
        wants_context = bool(params) and params[0].name == "ctx"
        if wants_context:
            params = params[1:]
        positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        required = sum(p.default is p.empty for p in positional)
        variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
        entry = Builtin(names[0], fn, required, None if variadic else len(positional),
                        wants_context)
        for name in names:
            BUILTINS[name] = entry
        return fn

    return register


def argument_error(message: str) -> ExpressionError:
    """An ``argument`` error; the evaluator fills in the source and column of the call."""
    return ExpressionError(message, kind="argument")


def type_error(message: str) -> ExpressionError:
    return ExpressionError(message, kind="type")


# ---------------------------------------------------------------------------------------
# Types and truthiness

def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    """``typeof``: null, boolean, number, string, array, object, function."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Function):
        return "function"
    return "object"


def truthy(value: Any) -> bool:
    """``false``, ``null``, ``0`` and ``""`` are falsy; everything else (``[]``, ``{}``) is
    truthy."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float):
        return value != 0
    return True


# ---------------------------------------------------------------------------------------
# Numbers

def normalize(number: float | int) -> float | int:
    """Integral floats below 1e21 become ints; non-finite results are errors (§5.1)."""
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ExpressionError("number out of range", kind="type")
        if number.is_integer() and abs(number) < 1e21:
            return int(number)
    return number


def number_text(number: float | int) -> str:
    """Canonical text of a number, as JavaScript writes it (§5.1)."""
    if isinstance(number, int):
        return str(number)
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    sign, digits_tuple, exponent = Decimal(repr(number)).as_tuple()
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    # n: position of the decimal point relative to the digit string
    n = len(digits_tuple) + int(exponent)
    k = len(digits)
    prefix = "-" if sign else ""
    if k <= n <= 21:
        return prefix + digits + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * (-n) + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    e = n - 1
    return f"{prefix}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


_NUMERIC_CHARS = frozenset("0123456789+-.eE \t\n\r")


def parse_numeric_string(text: str) -> float | int | None:
    """The number a numeric string stands for (§5.5), else None."""
    stripped = text.strip()
    if not stripped or not _NUMERIC_CHARS.issuperset(stripped):
        return None
    body = stripped.lstrip("+-") if stripped[0] in "+-" else stripped
    if stripped[0] in "+-" and len(stripped) - len(body) != 1:
        return None
    mantissa, _, exp = body.replace("E", "e").partition("e")
    if exp and not (exp.lstrip("+-").isdigit() and len(exp) - len(exp.lstrip("+-")) <= 1):
        return None
    whole, dot, frac = mantissa.partition(".")
    if not (whole.isdigit() or (not whole and dot and frac.isdigit())):
        return None
    if frac and not frac.isdigit():
        return None
    try:
        return normalize(float(stripped))
    except (ValueError, ExpressionError):
        return None


def to_numeric(value: Any) -> float | int | None:
    """A number, or a numeric string's number; None for anything else (booleans included)."""
    if is_number(value):
        return value
    if isinstance(value, str):
        return parse_numeric_string(value)
    return None


# ---------------------------------------------------------------------------------------
# Text (the interpolation rule, §5.10) and JSON

def text(value: Any) -> str:
    """``null`` → "", booleans → true/false, numbers canonical, lists/objects compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, Function):
        raise type_error("a function cannot be converted to text")
    return to_json(value)


def to_json(value: Any, indent: int | None = None) -> str:
    """JSON text with canonical numbers, key order kept, non-ASCII not escaped."""
    parts: list[str] = []
    _write_json(value, parts, indent, 0)
    return "".join(parts)


def _write_json(value: Any, out: list[str], indent: int | None, depth: int) -> None:
    import json

    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        out.append(number_text(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            _write_json(item, out, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(": " if indent is not None else ":")
            _write_json(item, out, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("}")
    elif isinstance(value, Function):
        raise argument_error("a function cannot be encoded as JSON")
    else:
        out.append(json.dumps(str(value), ensure_ascii=False))


def _newline(out: list[str], indent: int | None, depth: int) -> None:
    if indent is not None:
        out.append("\n" + " " * (indent * depth))


# ---------------------------------------------------------------------------------------
# Equality and ordering (§5.5)

def loose_equals(a: Any, b: Any) -> bool:
    """``==``: numbers by value, a number equals its numeric string, no other coercion."""
    return _equals(a, b, strict=False)


def strict_equals(a: Any, b: Any) -> bool:
    """``===``: as ``==`` but a number never equals a string (recursively)."""
    return _equals(a, b, strict=True)


def _equals(a: Any, b: Any, strict: bool) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a):
        if is_number(b):
            return a == b
        if isinstance(b, str) and not strict:
            return parse_numeric_string(b) == a
        return False
    if isinstance(a, str):
        if isinstance(b, str):
            return a == b
        if is_number(b) and not strict:
            return parse_numeric_string(a) == b
        return False
    if isinstance(a, list):
        return (isinstance(b, list) and len(a) == len(b)
                and all(_equals(x, y, strict) for x, y in zip(a, b, strict=True)))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_equals(v, b[k], strict) for k, v in a.items()))
    return a is b


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda x, y: x < y, "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
}


def compare(op: str, a: Any, b: Any) -> bool:
    """``< <= > >=``: numbers numerically, strings by code points, a number and a numeric
    string numerically; any other combination is false."""
    if is_number(a) and is_number(b):
        return _COMPARE[op](a, b)
    if isinstance(a, str) and isinstance(b, str):
        return _COMPARE[op](a, b)
    if is_number(a) and isinstance(b, str):
        other = parse_numeric_string(b)
        return other is not None and _COMPARE[op](a, other)
    if isinstance(a, str) and is_number(b):
        other = parse_numeric_string(a)
        return other is not None and _COMPARE[op](other, b)
    return False


# ---------------------------------------------------------------------------------------
# Node and phase references (SPEC §4.4)

class NodeRef:
    """What a bare name resolves to when it names a node: its output (``None`` unless the
    node succeeded). The evaluator unwraps it; a ``.output`` member directly after it
    selects the output itself, so ``fetch`` and ``fetch.output`` are the same."""

    __slots__ = ("output",)

    def __init__(self, output: Any) -> None:
        self.output = output


class PhaseRef:
    """What a bare name resolves to when it names a phase: ``phase.node`` selects one of
    its nodes (a ``NodeRef``); anything else after it is an error (FS-REF-005)."""

    __slots__ = ("name", "nodes")

    def __init__(self, name: str, nodes: Any) -> None:
        self.name = name
        self.nodes = nodes  # Mapping[str, NodeRef]
