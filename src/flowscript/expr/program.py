"""A compiled expression and the guard around every evaluation (SPEC §5.7, §5.8).

An expression that needs no evaluation context — no lambda, no template binding, no
built-in that counts steps, reads the clock or runs a regex — is compiled in ``direct``
mode and runs on the variables mapping itself: its step count is the size of its tree,
known at compile time, so nothing is allocated per evaluation. Everything else runs on a
fresh ``EvalContext``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ExpressionError
from . import runtime
from .callables import resolve_call
from .compiler import Compiler
from .context import EvalContext
from .nodes import Apply, Block, Call, Lambda, Node, children, contains_lambda, size
from .values import BUILTINS, MAX_STEPS, Function

Run = Callable[[Any], Any]


def needs_context(tree: Node) -> bool:
    """Whether evaluating ``tree`` needs an EvalContext (see the module docstring)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Lambda | Block | Apply):
            return True
        if isinstance(node, Call):
            name = resolve_call(node, lambda _: False)[0]
            if name and BUILTINS[name].wants_context:
                return True
        stack.extend(children(node))
    return False


def compile_tree(source: str, tree: Node, *, direct: bool = False) -> Run:
    """The closure for ``tree``. The parser's depth limit keeps compiling within the stack;
    a RecursionError (a caller already deep in the stack) still becomes an ExpressionError."""
    try:
        return Compiler(source, direct=direct).compile(tree)
    except RecursionError:
        raise ExpressionError("expression nested too deeply", kind="syntax", source=source,
                              column=tree.offset + 1) from None


class CompiledExpression:
    """A compiled expression: ``evaluate(variables)`` runs it against a names mapping."""

    __slots__ = ("_direct", "_may_make_functions", "_run", "_steps", "source")

    def __init__(self, source: str, tree: Node) -> None:
        self.source = source
        self._steps = size(tree)
        self._direct = not needs_context(tree) and self._steps <= MAX_STEPS
        self._run = compile_tree(source, tree, direct=self._direct)
        self._may_make_functions = contains_lambda(tree)

    def evaluate(self, variables: Any, *, allow_function: bool = False) -> Any:
        """The value of the expression. With ``allow_function``, the whole value may be a
        function (a map/filter/reduce slot); call it with ``.invoke(*args)``."""
        try:
            if self._direct:
                return self._run(variables)
            if self._steps > MAX_STEPS:
                raise runtime.limit(f"evaluation took more than {MAX_STEPS} steps")
            value = self._run(EvalContext(variables, self._steps))
        except ExpressionError as error:
            raise _placed(error, self.source) from None
        except RecursionError:
            raise _too_deep(self.source) from None
        if self._may_make_functions:
            check_result(value, self.source, allow_function)
        return value


def run_guarded(run: Run, frame: Any, source: str) -> Any:
    """Run a compiled closure: errors without a place get the source, and exhausting the
    Python stack (deep lambda recursion inside built-ins) becomes a "limit" error."""
    try:
        return run(frame)
    except ExpressionError as error:
        raise _placed(error, source) from None
    except RecursionError:
        raise _too_deep(source) from None


def _placed(error: ExpressionError, source: str) -> ExpressionError:
    if not error.source:
        error.source = source
    return error


def _too_deep(source: str) -> ExpressionError:
    return ExpressionError("evaluation nested too deeply", kind="limit", source=source,
                           column=1)


def check_result(value: Any, source: str, allow_function: bool = False) -> None:
    """A function value may not leave an evaluation (SPEC §5.7, §12.3)."""
    if allow_function and isinstance(value, Function):
        return
    if runtime.contains_function(value):
        raise ExpressionError("a function cannot be part of a result; call it with a "
                              "built-in such as map()", kind="type", source=source, column=1)


__all__ = ["CompiledExpression", "check_result", "compile_tree", "needs_context",
           "run_guarded"]
