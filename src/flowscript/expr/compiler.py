"""Compile the expression AST into Python closures (SPEC §5.5–§5.8), never evaluating text.

Each node becomes a closure ``run(frame) -> value``; the frame is the ``EvalContext`` at the
top level (or the variables mapping itself in ``direct`` mode, see ``program.py``) and a
``LambdaFrame`` inside lambda bodies. Common shapes get specialised
closures (a name followed by constant members, a comparison with a constant, a built-in
call with few arguments) so the hot path is a handful of Python calls. Steps are charged
statically: an evaluation starts with the size of its tree, and each lambda call adds the
size of the lambda's body, so no closure counts anything at run time.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ExpressionError
from . import runtime
from .callables import CallCompiler, Closure
from .names import NameCompiler
from .nodes import (
    Binary,
    Conditional,
    ListLiteral,
    Literal,
    Logical,
    Node,
    ObjectLiteral,
    Property,
    Spread,
    Unary,
)
from .runtime import MAX_INTEGER
from .values import MAX_STRING, text, truthy, type_name

Run = Callable[[Any], Any]

_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": runtime.add, "-": runtime.subtract, "*": runtime.multiply, "/": runtime.divide,
    "%": runtime.remainder}


class Compiler(NameCompiler, CallCompiler):
    """Compiles the nodes of one source text; dispatches on the node's class name."""

    def __init__(self, source: str, *, direct: bool = False) -> None:
        self.source = source
        #: The frame is the variables mapping itself, not an EvalContext (names.py).
        self.direct = direct
        #: Lambda parameters in scope, innermost last.
        self.scopes: list[tuple[str, ...]] = []

    def compile(self, node: Node) -> Run:
        method: Callable[[Any], Run] = getattr(self, f"compile_{type(node).__name__}")
        return method(node)

    # -- errors --------------------------------------------------------------------------

    def error(self, kind: str, message: str, offset: int, **extra: Any) -> ExpressionError:
        return ExpressionError(message, kind=kind, source=self.source, column=offset + 1,
                               **extra)

    def locate(self, error: ExpressionError, offset: int) -> ExpressionError:
        """Give an error raised below (a built-in, a runtime helper) this node's place."""
        if not error.source:
            error.source = self.source
            error.column = offset + 1
        return error

    # -- literals ------------------------------------------------------------------------

    def compile_Literal(self, node: Literal) -> Run:
        value = node.value
        return lambda frame: value

    def compile_ListLiteral(self, node: ListLiteral) -> Run:
        if not any(isinstance(item, Spread) for item in node.items):
            items = [self.compile(item) for item in node.items]
            return lambda frame: [item(frame) for item in items]
        parts = [(isinstance(item, Spread), self.compile(item)) for item in node.items]

        def build(frame: Any) -> list[Any]:
            out: list[Any] = []
            for spread, part in parts:
                if spread:
                    out.extend(part(frame))
                else:
                    out.append(part(frame))
            return runtime.check_size(out)
        return self._located(build, node.offset)

    def compile_Spread(self, node: Spread) -> Run:
        value = self.compile(node.value)

        def spread(frame: Any) -> Any:
            items = value(frame)
            if items is None:
                return ()
            if items.__class__ is list or items.__class__ is str:
                return items
            raise self.error("type", f"cannot spread {type_name(items)} into a list",
                             node.offset)
        return spread

    def compile_ObjectLiteral(self, node: ObjectLiteral) -> Run:
        if all(isinstance(e, Property) and isinstance(e.key, str) for e in node.entries):
            pairs = [(e.key, self.compile(e.value)) for e in node.entries]  # type: ignore
            return lambda frame: {key: value(frame) for key, value in pairs}
        steps = [self._entry(entry) for entry in node.entries]

        def build(frame: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for step in steps:
                step(frame, out)
            return runtime.check_size(out)
        return self._located(build, node.offset)

    def _entry(self, entry: Property | Spread) -> Callable[[Any, dict[str, Any]], None]:
        if isinstance(entry, Spread):
            value = self.compile(entry.value)

            def spread(frame: Any, out: dict[str, Any]) -> None:
                source = value(frame)
                if isinstance(source, Mapping):
                    out.update(source)
                elif source is not None:
                    raise self.error("type", f"cannot spread {type_name(source)} into an "
                                     "object", entry.offset)
            return spread
        item = self.compile(entry.value)
        if isinstance(entry.key, str):
            name = entry.key
            return lambda frame, out: out.__setitem__(name, item(frame))
        key = self.compile(entry.key)
        return lambda frame, out: out.__setitem__(text(key(frame)), item(frame))

    def _located(self, run: Run, offset: int) -> Run:
        """``run`` with errors raised below it placed at ``offset``."""
        def located(frame: Any) -> Any:
            try:
                return run(frame)
            except ExpressionError as error:
                raise self.locate(error, offset) from None
        return located

    # -- operators -----------------------------------------------------------------------

    def compile_Unary(self, node: Unary) -> Run:
        operand = self.compile(node.operand)
        if node.op == "!":
            def negation(frame: Any) -> bool:
                value = operand(frame)
                if value is True:
                    return False
                return value is False or value is None or not truthy(value)
            return negation
        if node.op == "typeof":
            return lambda frame: type_name(operand(frame))
        helper = runtime.negate if node.op == "-" else runtime.plus
        return self._located(lambda frame: helper(operand(frame)), node.offset)

    def compile_Logical(self, node: Logical) -> Run:
        left, right = self.compile(node.left), self.compile(node.right)
        if node.op == "??":
            def coalesce(frame: Any) -> Any:
                value = left(frame)
                return right(frame) if value is None else value
            return coalesce
        if node.op == "&&":
            def conjunction(frame: Any) -> Any:
                value = left(frame)
                if value is True or (value is not False and value is not None
                                     and truthy(value)):
                    return right(frame)
                return value
            return conjunction

        def disjunction(frame: Any) -> Any:
            value = left(frame)
            if value is True or (value is not False and value is not None
                                 and truthy(value)):
                return value
            return right(frame)
        return disjunction

    def compile_Conditional(self, node: Conditional) -> Run:
        test, then = self.compile(node.test), self.compile(node.then)
        otherwise = self.compile(node.otherwise)

        def conditional(frame: Any) -> Any:
            value = test(frame)
            if value is True or (value is not False and value is not None and truthy(value)):
                return then(frame)
            return otherwise(frame)
        return conditional

    def compile_Binary(self, node: Binary) -> Run:
        left = self.compile(node.left)
        op = node.op
        if op in _RELATIONS or op in ("==", "!=", "===", "!=="):
            return self._comparison(node, left)
        right = self.compile(node.right)
        if op in ("in", "not in"):
            negate = op == "not in"
            return self._located(
                lambda frame: runtime.contains(left(frame), right(frame)) is not negate,
                node.offset)
        if op == "+":
            return self._addition(node, left, right)
        helper = _ARITHMETIC[op]
        return self._located(lambda frame: helper(left(frame), right(frame)), node.offset)

    def _addition(self, node: Binary, left: Run, right: Run) -> Run:
        def addition(frame: Any) -> Any:
            a, b = left(frame), right(frame)
            kind = a.__class__
            if kind is b.__class__:
                if kind is str and len(a) + len(b) <= MAX_STRING:
                    return a + b
                if kind is int and -MAX_INTEGER < a + b < MAX_INTEGER:
                    return a + b
            try:
                return runtime.add(a, b)
            except ExpressionError as error:
                raise self.locate(error, node.offset) from None
        return addition

    def _comparison(self, node: Binary, left: Run) -> Run:
        """Relations and equalities, with a fast path when both sides are numbers or both
        are strings, and a specialised closure when the right side is a constant."""
        op, offset = node.op, node.offset
        fast = _RELATIONS.get(op) or (operator.eq if op in ("==", "===") else operator.ne)
        slow = runtime.relation if op in _RELATIONS else runtime.equals
        if isinstance(node.right, Literal) and node.right.value.__class__ in (int, float, str):
            return self._versus_constant(node, left, fast, slow)
        right = self.compile(node.right)

        def comparison(frame: Any) -> Any:
            a, b = left(frame), right(frame)
            ka, kb = a.__class__, b.__class__
            if (ka is kb and (ka is str or ka is int or ka is float)) or (
                    (ka is int or ka is float) and (kb is int or kb is float)):
                return fast(a, b)
            try:
                return slow(op, a, b)
            except ExpressionError as error:
                raise self.locate(error, offset) from None
        return comparison

    def _versus_constant(self, node: Binary, left: Run, fast: Callable[[Any, Any], bool],
                         slow: Callable[[str, Any, Any], bool]) -> Run:
        """A comparison with a number or string literal on the right (``x > 0.5``)."""
        op, offset, constant = node.op, node.offset, node.right.value  # type: ignore

        def slow_path(a: Any) -> Any:
            try:
                return slow(op, a, constant)
            except ExpressionError as error:
                raise self.locate(error, offset) from None

        if constant.__class__ is str:
            def versus_string(frame: Any) -> Any:
                a = left(frame)
                return fast(a, constant) if a.__class__ is str else slow_path(a)
            return versus_string

        def versus_number(frame: Any) -> Any:
            a = left(frame)
            kind = a.__class__
            return fast(a, constant) if kind is int or kind is float else slow_path(a)
        return versus_number


__all__ = ["Closure", "Compiler"]
