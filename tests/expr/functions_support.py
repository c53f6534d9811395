"""Helpers for the built-in function tests: a small evaluation context, lambdas written
in Python, and the equality the tests compare results with."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flowscript.expr.context import compile_regex
from flowscript.expr.values import Function

#: The instant the worked examples of SPEC §5.19 assume (FLOWSCRIPT_NOW).
SPEC_NOW = datetime(2025, 3, 9, 14, 5, 7, 42_000, tzinfo=UTC)


class FakeContext:
    """The ``ctx`` a built-in receives: counts steps, compiles regexes, reads a fixed clock."""

    def __init__(self, now: datetime = SPEC_NOW, max_steps: int | None = None) -> None:
        self.steps = 0
        self.max_steps = max_steps
        self.clock = now

    def step(self, n: int = 1) -> None:
        from flowscript.errors import ExpressionError

        self.steps += n
        if self.max_steps is not None and self.steps > self.max_steps:
            raise ExpressionError("too many steps", kind="limit")

    def regex(self, pattern: str, flags: str = "") -> Any:
        return compile_regex(pattern, flags)

    def now(self) -> datetime:
        return self.clock


class Fn(Function):
    """A lambda value backed by a Python callable: missing arguments are None and extra
    ones are dropped, as SPEC §5.7 says for lambdas."""

    __slots__ = ("arity", "calls", "fn")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.arity = len(inspect.signature(fn).parameters)
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        padded = (*args, *([None] * self.arity))[:self.arity]
        return self.fn(*padded)

    def __deepcopy__(self, memo: dict[int, Any]) -> Fn:
        return self  # a function value is immutable

    def __repr__(self) -> str:
        return f"Fn/{self.arity}"


def same(actual: Any, expected: Any) -> bool:
    """Deep equality where ``1 == 1.0`` but ``"1" != 1`` and ``True != 1``; object key
    order matters too, since the language keeps insertion order."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and actual == expected
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(same(a, e) for a, e in zip(actual, expected, strict=True)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(actual) == list(expected)
                and all(same(actual[k], v) for k, v in expected.items()))
    return type(actual) is type(expected) and actual == expected


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    """Call a registered built-in the way the evaluator does, checking its arity first."""
    import flowscript.expr.functions  # noqa: F401  (fills BUILTINS)
    from flowscript.expr.values import BUILTINS

    entry = BUILTINS[name]
    assert len(args) >= entry.min_args, f"{name} needs {entry.min_args} arguments"
    assert entry.max_args is None or len(args) <= entry.max_args, f"{name}: too many"
    if entry.wants_context:
        return entry.fn(ctx or FakeContext(), *args)
    return entry.fn(*args)


def error_kind(name: str, *args: Any, ctx: FakeContext | None = None) -> str:
    """The ``kind`` of the ExpressionError the call raises (fails if it returns)."""
    from flowscript.errors import ExpressionError

    try:
        value = call(name, *args, ctx=ctx)
    except ExpressionError as error:
        return error.kind
    raise AssertionError(f"{name}{args!r:.200} returned {value!r:.200} instead of raising")
