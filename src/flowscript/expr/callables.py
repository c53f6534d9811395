"""Calls and lambdas for the compiler (SPEC §5.7): built-ins, methods, pipes, closures.

A call by name always means a built-in (or a lambda parameter being called), never a node
or a variable. Method syntax ``x.f(a)`` is ``f(x, a)`` for built-ins and the JavaScript
aliases; ``JSON.x``/``Math.x`` map to built-ins through ``NAMESPACES``. Unknown functions
and wrong argument counts compile to closures that raise when evaluated, so a bad call in
a branch that never runs does not stop the rest of an expression from working. The
built-in tables come from ``flowscript.expr.functions``, imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from ..diagnostics import did_you_mean
from ..errors import ExpressionError
from .context import EvalContext, LambdaFrame, steps_exceeded
from .nodes import Apply, Call, Lambda, Name, Node, size
from .runtime import SIZE_LIMITS, check_size, contains_function, limit, size_error
from .values import BUILTINS, MAX_LAMBDA_DEPTH, MAX_STEPS, Builtin, Function, type_name

if TYPE_CHECKING:
    from .compiler import Compiler

Run = Callable[[Any], Any]


@cache
def function_tables() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Import the built-in library once; returns (METHOD_ALIASES, NAMESPACES)."""
    try:
        module: Any = importlib.import_module("flowscript.expr.functions")
    except ModuleNotFoundError as error:
        if error.name != "flowscript.expr.functions":
            raise
        module = None
    return (dict(getattr(module, "METHOD_ALIASES", {})),
            {k: dict(v) for k, v in getattr(module, "NAMESPACES", {}).items()})


def resolve_call(node: Call, is_param: Callable[[str], bool]) -> tuple[str, int, str]:
    """How a call resolves: (built-in name or "", first argument used, display name).

    The built-in name is "" when the call names no built-in; the display name is how the
    call was written (``JSON.parse``, ``toUpperCase``) for messages. Shared with analysis.
    """
    aliases, namespaces = function_tables()
    if node.form != "method":
        return (node.name if node.name in BUILTINS else ""), 0, node.name
    receiver = node.args[0]
    if isinstance(receiver, Name) and receiver.name in namespaces \
            and not is_param(receiver.name):
        target = namespaces[receiver.name].get(node.name, "")
        return (target if target in BUILTINS else ""), 1, f"{receiver.name}.{node.name}"
    name = node.name if node.name in BUILTINS else aliases.get(node.name, "")
    return (name if name in BUILTINS else ""), 0, node.name


def arity_problem(entry: Builtin, count: int, shown: str) -> str | None:
    """The message for a wrong number of arguments, or None when the count is fine."""
    low, high = entry.min_args, entry.max_args
    if low <= count and (high is None or count <= high):
        return None
    if high is None:
        expected = f"at least {low}"
    elif low == high:
        expected = str(low)
    else:
        expected = f"{low} to {high}"
    plural = "" if expected == "1" else "s"
    return f"{shown}() takes {expected} argument{plural}, got {count}"


def unknown_function_hints(shown: str) -> list[str]:
    aliases, namespaces = function_tables()
    if "." in shown:
        space, _, member = shown.partition(".")
        return did_you_mean(member, namespaces.get(space, {}))
    return did_you_mean(shown, [*BUILTINS, *aliases])


class CallCompiler:
    """The call-related ``compile_*`` methods of ``Compiler``."""

    def compile_Call(self: Compiler, node: Call) -> Run:
        if node.form != "method":
            slot = self.param_slot(node.name)
            if slot is not None:
                return self._apply(self.param_loader(*slot), node.args, node.offset,
                                   f"'{node.name}'")
        name, skip, shown = resolve_call(node, lambda n: self.param_slot(n) is not None)
        args = node.args[skip:]
        if not name:
            kind = "method" if node.form == "method" else "function"
            return self._raising("function", f"unknown {kind} '{shown}'", node.offset,
                                 unknown_function_hints(shown))
        entry = BUILTINS[name]
        problem = arity_problem(entry, len(args), shown)
        if problem is not None:
            return self._raising("arity", problem, node.offset, [])
        return self._builtin(entry, [self.compile(arg) for arg in args], node.offset)

    def compile_Apply(self: Compiler, node: Apply) -> Run:
        return self._apply(self.compile(node.callee), node.args, node.offset, "the value")

    def compile_Lambda(self: Compiler, node: Lambda) -> Run:
        self.scopes.append(node.params)
        try:
            body = self.compile(node.body)
        finally:
            self.scopes.pop()
        arity, cost = len(node.params), size(node.body) + 1
        if not self.scopes:
            return lambda frame: Closure(body, arity, cost, frame, frame)
        return lambda frame: Closure(body, arity, cost, frame, frame.ctx)

    def _raising(self: Compiler, kind: str, message: str, offset: int,
                 hints: list[str]) -> Run:
        def fail(frame: Any) -> Any:
            raise self.error(kind, message, offset, hints=hints)
        return fail

    def _apply(self: Compiler, callee: Run, arg_nodes: Sequence[Node], offset: int,
               what: str) -> Run:
        args = [self.compile(arg) for arg in arg_nodes]

        def apply(frame: Any) -> Any:
            function = callee(frame)
            values = [arg(frame) for arg in args]
            if not isinstance(function, Function):
                raise self.error("type", f"{what} is not a function (it is "
                                 f"{type_name(function)})", offset)
            try:
                return function(*values)
            except ExpressionError as error:
                raise self.locate(error, offset) from None
        return apply

    def _builtin(self: Compiler, entry: Builtin, args: list[Run], offset: int) -> Run:
        fn, locate = entry.fn, self.locate
        if entry.wants_context:
            in_lambda = bool(self.scopes)

            def call_with_context(frame: Any) -> Any:
                values = [arg(frame) for arg in args]
                try:
                    return check_size(fn(frame.ctx if in_lambda else frame, *values))
                except ExpressionError as error:
                    raise locate(error, offset) from None
            return call_with_context
        if len(args) == 1:
            return self._builtin_one(fn, args[0], offset)

        def call(frame: Any) -> Any:
            values = [arg(frame) for arg in args]
            try:
                return check_size(fn(*values))
            except ExpressionError as error:
                raise locate(error, offset) from None
        return call

    def _builtin_one(self: Compiler, fn: Callable[..., Any], only: Run, offset: int) -> Run:
        """The most common call shape, ``f(x)``, without building an argument list."""
        locate = self.locate

        def call_one(frame: Any) -> Any:
            value = only(frame)
            try:
                result = fn(value)
            except ExpressionError as error:
                raise locate(error, offset) from None
            kind = result.__class__
            if (kind is str or kind is list or kind is dict) and len(result) > \
                    SIZE_LIMITS[kind]:
                raise locate(size_error(result), offset)
            return result
        return call_one


class Closure(Function):
    """A lambda value: its compiled body and the frame it was created in (SPEC §5.7).

    Built-ins call it like a Python function, sharing the evaluation's step budget and
    lambda depth. A host that receives one from ``evaluate(..., allow_function=True)``
    calls ``invoke``, which gives each call a fresh budget and checks the result.
    """

    __slots__ = ("_arity", "_body", "_cost", "_ctx", "_frame")

    def __init__(self, body: Run, arity: int, cost: int, frame: Any,
                 ctx: EvalContext) -> None:
        self._body = body
        self._arity = arity
        self._cost = cost
        self._frame = frame
        self._ctx = ctx

    def __call__(self, *args: Any) -> Any:
        return self._run(self._ctx, args)

    def invoke(self, *args: Any) -> Any:
        """Call from outside the evaluation that created this function."""
        ctx = EvalContext(self._frame.vars)
        ctx.block = self._frame.block
        result = self._run(ctx, args)
        if contains_function(result):
            raise ExpressionError("a function cannot be part of a result", kind="type")
        return result

    def _run(self, ctx: EvalContext, args: tuple[Any, ...]) -> Any:
        steps = ctx.steps + self._cost
        ctx.steps = steps
        if steps > MAX_STEPS:
            raise steps_exceeded()
        depth = ctx.depth
        if depth >= MAX_LAMBDA_DEPTH:
            raise limit(f"lambda calls nested more than {MAX_LAMBDA_DEPTH} deep")
        arity = self._arity
        if len(args) != arity:
            args = (*args, *([None] * arity))[:arity]
        ctx.depth = depth + 1
        try:
            return self._body(LambdaFrame(args, self._frame, ctx))
        finally:
            ctx.depth = depth


__all__ = ["CallCompiler", "Closure", "arity_problem", "function_tables", "resolve_call",
           "unknown_function_hints"]
