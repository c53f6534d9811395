"""A tree-walking interpreter of the expression AST, kept as a reference, not for the engine.

It gives the same values as the compiler (the test suite checks both agree on generated
expressions) and is the baseline of ``bench/bench_expr.py``: what the compiled closures
save is the per-node dispatch and re-inspection of the tree done here on every evaluation.
Errors have the same kinds; their messages may be shorter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ExpressionError
from . import nodes as n
from . import runtime
from .callables import resolve_call
from .context import EvalContext, steps_exceeded
from .values import (
    BUILTINS,
    MAX_LAMBDA_DEPTH,
    MAX_STEPS,
    Function,
    NodeRef,
    PhaseRef,
    text,
    truthy,
    type_name,
)

Scope = tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]  # lambda frames, innermost first


def interpret(tree: n.Node, variables: Mapping[str, Any], source: str = "") -> Any:
    """Evaluate ``tree`` by walking it."""
    interpreter = Interpreter(EvalContext(variables), source)
    value = _plain(interpreter.visit(tree, ()))
    if runtime.contains_function(value):
        raise ExpressionError("a function cannot be part of a result", kind="type")
    return value


class _Lambda(Function):
    __slots__ = ("interpreter", "node", "scope")

    def __init__(self, interpreter: Interpreter, node: n.Lambda, scope: Scope) -> None:
        self.interpreter, self.node, self.scope = interpreter, node, scope

    def __call__(self, *args: Any) -> Any:
        ctx = self.interpreter.ctx
        if ctx.depth >= MAX_LAMBDA_DEPTH:
            raise runtime.limit("lambda calls nested too deeply")
        params = self.node.params
        values = (*args, *([None] * len(params)))[:len(params)]
        ctx.depth += 1
        try:
            return self.interpreter.visit(self.node.body, ((params, values), *self.scope))
        finally:
            ctx.depth -= 1


class Interpreter:
    """Evaluates nodes against one context, dispatching on the node class each time."""

    __slots__ = ("ctx", "source")

    def __init__(self, ctx: EvalContext, source: str) -> None:
        self.ctx = ctx
        self.source = source

    def visit(self, node: n.Node, scope: Scope) -> Any:
        self.ctx.steps += 1
        if self.ctx.steps > MAX_STEPS:
            raise steps_exceeded()
        try:
            return _DISPATCH[type(node)](self, node, scope)
        except ExpressionError as error:
            if not error.source:
                error.source, error.column = self.source, node.offset + 1
            raise

    def literal(self, node: n.Literal, scope: Scope) -> Any:
        return node.value

    def dollar(self, node: n.Dollar, scope: Scope) -> Any:
        return self.ctx.vars.get(node.name)

    def lookup(self, name: str, scope: Scope) -> tuple[bool, Any]:
        for params, values in scope:
            if name in params:
                return True, values[params.index(name)]
        return False, None

    def raw_name(self, node: n.Name, scope: Scope) -> Any:
        """The value bound to a bare name, node and phase references not yet unwrapped."""
        found, value = self.lookup(node.name, scope)
        if found:
            return value
        try:
            return self.ctx.vars[node.name]
        except KeyError:
            raise ExpressionError(f"unknown name '{node.name}'", kind="name") from None

    def name(self, node: n.Name, scope: Scope) -> Any:
        value = self.raw_name(node, scope)
        if isinstance(value, PhaseRef):
            raise ExpressionError(f"'{node.name}' is a phase", kind="name")
        return value.output if isinstance(value, NodeRef) else value

    def block(self, node: n.Block, scope: Scope) -> Any:
        bindings = self.ctx.block
        return None if bindings is None else bindings.get(node.name)

    def member(self, node: n.Member, scope: Scope) -> Any:
        if isinstance(node.target, n.Name):
            raw = self.raw_name(node.target, scope)
            if isinstance(raw, PhaseRef):
                ref = raw.nodes.get(node.name)
                if not isinstance(ref, NodeRef):
                    raise ExpressionError(f"no node '{node.name}'", kind="name")
                return _NodeOutput(ref.output)
            if isinstance(raw, NodeRef):
                raw = _NodeOutput(raw.output)
            value = raw
        else:
            value = self.visit(node.target, scope)
        if isinstance(value, _NodeOutput):
            return value.output if node.name == "output" else runtime.member(value.output,
                                                                              node.name)
        return runtime.member(value, node.name)

    def index(self, node: n.Index, scope: Scope) -> Any:
        if isinstance(node.index, n.Literal) and isinstance(node.index.value, str):
            return self.member(n.Member(node.offset, node.target, node.index.value), scope)
        return runtime.index(_plain(self.visit(node.target, scope)),
                             self.visit(node.index, scope))

    def list_literal(self, node: n.ListLiteral, scope: Scope) -> Any:
        out: list[Any] = []
        for item in node.items:
            if isinstance(item, n.Spread):
                value = self.visit(item.value, scope)
                if value is not None and not isinstance(value, list | str):
                    raise runtime.type_error(f"cannot spread {type_name(value)}")
                out.extend(value or ())
            else:
                out.append(_plain(self.visit(item, scope)))
        return runtime.check_size(out)

    def object_literal(self, node: n.ObjectLiteral, scope: Scope) -> Any:
        out: dict[str, Any] = {}
        for entry in node.entries:
            if isinstance(entry, n.Spread):
                value = self.visit(entry.value, scope)
                if value is not None and not isinstance(value, Mapping):
                    raise runtime.type_error(f"cannot spread {type_name(value)}")
                out.update(value or {})
                continue
            key = entry.key if isinstance(entry.key, str) else text(
                self.visit(entry.key, scope))
            out[key] = _plain(self.visit(entry.value, scope))
        return runtime.check_size(out)

    def unary(self, node: n.Unary, scope: Scope) -> Any:
        value = _plain(self.visit(node.operand, scope))
        if node.op == "!":
            return not truthy(value)
        if node.op == "typeof":
            return type_name(value)
        return runtime.negate(value) if node.op == "-" else runtime.plus(value)

    def binary(self, node: n.Binary, scope: Scope) -> Any:
        a, b = _plain(self.visit(node.left, scope)), _plain(self.visit(node.right, scope))
        op = node.op
        if op in ("<", "<=", ">", ">="):
            return runtime.relation(op, a, b)
        if op in ("==", "!=", "===", "!=="):
            return runtime.equals(op, a, b)
        if op in ("in", "not in"):
            return runtime.contains(a, b) is (op == "in")
        return _ARITHMETIC[op](a, b)

    def logical(self, node: n.Logical, scope: Scope) -> Any:
        left = _plain(self.visit(node.left, scope))
        if node.op == "??":
            return _plain(self.visit(node.right, scope)) if left is None else left
        if truthy(left) is (node.op == "&&"):
            return _plain(self.visit(node.right, scope))
        return left

    def conditional(self, node: n.Conditional, scope: Scope) -> Any:
        chosen = node.then if truthy(_plain(self.visit(node.test, scope))) else node.otherwise
        return _plain(self.visit(chosen, scope))

    def make_lambda(self, node: n.Lambda, scope: Scope) -> Any:
        return _Lambda(self, node, scope)

    def call(self, node: n.Call, scope: Scope) -> Any:
        if node.form != "method":
            found, value = self.lookup(node.name, scope)
            if found:
                return self._call_value(value, node.args, scope)
        name, skip, shown = resolve_call(node, lambda p: self.lookup(p, scope)[0])
        if not name:
            raise ExpressionError(f"unknown function '{shown}'", kind="function")
        entry = BUILTINS[name]
        args = [_plain(self.visit(arg, scope)) for arg in node.args[skip:]]
        if len(args) < entry.min_args or (entry.max_args is not None
                                          and len(args) > entry.max_args):
            raise ExpressionError(f"wrong number of arguments for {shown}()", kind="arity")
        prefix = (self.ctx,) if entry.wants_context else ()
        return runtime.check_size(entry.fn(*prefix, *args))

    def apply(self, node: n.Apply, scope: Scope) -> Any:
        return self._call_value(self.visit(node.callee, scope), node.args, scope)

    def _call_value(self, function: Any, arg_nodes: tuple[n.Node, ...], scope: Scope) -> Any:
        args = [_plain(self.visit(arg, scope)) for arg in arg_nodes]
        if not isinstance(function, Function):
            raise runtime.type_error(f"{type_name(function)} is not a function")
        return function(*args)


#: The method evaluating each node class (dispatch on the class, as a tree-walker does).
_DISPATCH: dict[type, Callable[[Interpreter, Any, Scope], Any]] = {
    n.Literal: Interpreter.literal, n.Name: Interpreter.name, n.Dollar: Interpreter.dollar,
    n.Block: Interpreter.block, n.Member: Interpreter.member, n.Index: Interpreter.index,
    n.ListLiteral: Interpreter.list_literal, n.ObjectLiteral: Interpreter.object_literal,
    n.Unary: Interpreter.unary, n.Binary: Interpreter.binary, n.Logical: Interpreter.logical,
    n.Conditional: Interpreter.conditional, n.Lambda: Interpreter.make_lambda,
    n.Call: Interpreter.call, n.Apply: Interpreter.apply,
}


class _NodeOutput:
    """A node's output reached through a phase (``phase.node``): ``.output`` is skipped."""

    __slots__ = ("output",)

    def __init__(self, output: Any) -> None:
        self.output = output


def _plain(value: Any) -> Any:
    return value.output if isinstance(value, _NodeOutput) else value


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": runtime.add, "-": runtime.subtract, "*": runtime.multiply, "/": runtime.divide,
    "%": runtime.remainder}
