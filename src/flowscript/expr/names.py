"""Name resolution for the compiler (SPEC §4.4, §4.5, §5.6, §5.8): lambda parameters,
template bindings, variables, ``$`` names, node and phase references, constant member paths.

In ``direct`` mode (an expression that needs no evaluation context, see
``compiler.needs_context``) the frame is the variables mapping itself; otherwise it is an
``EvalContext`` or a ``LambdaFrame`` and the mapping is ``frame.vars``.

A bare name is looked up in the lambda parameters in scope (resolved at compile time to a
frame position), then in the variables mapping. A chain of constant members after a name
(``fetch.output.items``) compiles to one closure: a ``NodeRef`` yields its output and skips
one ``.output``, a ``PhaseRef`` selects one of its nodes, and plain objects are walked with
``dict.get``. An unknown name fails with kind "name" and lists the names in scope.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..diagnostics import did_you_mean
from ..errors import ExpressionError
from . import runtime
from .nodes import Block, Dollar, Index, Literal, Member, Name, Node
from .values import NodeRef, PhaseRef

if TYPE_CHECKING:
    from .compiler import Compiler

Run = Callable[[Any], Any]

#: Names listed in an unknown-name message, at most.
MAX_LISTED_NAMES = 20


class NameCompiler:
    """The name- and member-related ``compile_*`` methods of ``Compiler``."""

    def compile_Block(self: Compiler, node: Block) -> Run:
        name = node.name

        def block(frame: Any) -> Any:
            bindings = frame.block
            return None if bindings is None else bindings.get(name)
        return block

    def compile_Dollar(self: Compiler, node: Dollar) -> Run:
        return self._path(node, ())

    def compile_Name(self: Compiler, node: Name) -> Run:
        return self._path(node, ())

    def param_slot(self: Compiler, name: str) -> tuple[int, int] | None:
        """(frames up, argument index) of lambda parameter ``name``, innermost first."""
        for up, params in enumerate(reversed(self.scopes)):
            if name in params:
                return up, params.index(name)
        return None

    def param_loader(self: Compiler, up: int, position: int) -> Run:
        if up == 0:
            return lambda frame: frame.args[position]
        if up == 1:
            return lambda frame: frame.parent.args[position]

        def load(frame: Any) -> Any:
            for _ in range(up):
                frame = frame.parent
            return frame.args[position]
        return load

    # -- names and constant member paths ---------------------------------------------------

    def compile_Member(self: Compiler, node: Member) -> Run:
        return self._flattened(node)

    def compile_Index(self: Compiler, node: Index) -> Run:
        if isinstance(node.index, Literal) and isinstance(node.index.value, str):
            return self._flattened(node)
        target, key = self.compile(node.target), self.compile(node.index)

        def index(frame: Any) -> Any:
            value, position = target(frame), key(frame)
            if value.__class__ is list and position.__class__ is int:
                return value[position] if -len(value) <= position < len(value) else None
            return runtime.index(value, position)
        return index

    def _flattened(self: Compiler, node: Node) -> Run:
        """``root.a["b"].c`` as one path: a root and its constant keys."""
        keys: list[str] = []
        while isinstance(node, Member) or (
                isinstance(node, Index) and isinstance(node.index, Literal)
                and isinstance(node.index.value, str)):
            keys.append(node.name if isinstance(node, Member) else node.index.value)
            node = node.target
        keys.reverse()
        if isinstance(node, Name | Dollar):
            return self._path(node, tuple(keys))
        return member_chain(self.compile(node), tuple(keys))

    def _path(self: Compiler, root: Name | Dollar, keys: tuple[str, ...]) -> Run:
        if isinstance(root, Dollar):
            name = root.name
            direct = self.direct
            return member_chain(
                lambda frame: (frame if direct else frame.vars).get(name), keys)
        slot = self.param_slot(root.name)
        if slot is not None:
            return member_chain(self.param_loader(*slot), keys)
        return self._global_path(root, keys)

    def _global_path(self: Compiler, root: Name, keys: tuple[str, ...]) -> Run:
        """A variable, node or phase followed by constant keys (SPEC §4.4): a ``NodeRef``
        yields its output and skips one ``.output``; a ``PhaseRef`` selects a node."""
        name, missing, walk = root.name, self._missing(root), self._walker(root, keys)
        direct = self.direct
        if not keys:
            def load_name(frame: Any) -> Any:
                try:
                    value = (frame if direct else frame.vars)[name]
                except KeyError:
                    raise missing(frame) from None
                kind = value.__class__
                return walk(value) if kind is NodeRef or kind is PhaseRef else value
            return load_name
        first, rest = keys[0], keys[1:]

        def load(frame: Any) -> Any:
            try:
                value = (frame if direct else frame.vars)[name]
            except KeyError:
                raise missing(frame) from None
            if value.__class__ is dict:
                value = value.get(first)
                for key in rest:
                    value = value.get(key) if value.__class__ is dict else \
                        runtime.member(value, key)
                return value
            return walk(value)
        return load

    def _walker(self: Compiler, root: Name, keys: tuple[str, ...]) -> Run:
        def walk(value: Any) -> Any:
            start = 0
            if value.__class__ is PhaseRef:
                value, start = self._phase_node(value, keys, root), 1
            if value.__class__ is NodeRef:
                value = value.output
                if start < len(keys) and keys[start] == "output":
                    start += 1
            for key in keys[start:]:
                value = runtime.member(value, key)
            return value
        return walk

    def _phase_node(self: Compiler, phase: PhaseRef, keys: tuple[str, ...], root: Name) -> Any:
        node = phase.nodes.get(keys[0]) if keys else None
        if node.__class__ is not NodeRef:
            what = f"has no node '{keys[0]}'" if keys else "is a phase, not a value"
            raise self.error("name", f"'{phase.name}' {what}; write {phase.name}.<node id>",
                             root.offset, names=sorted(phase.nodes)[:MAX_LISTED_NAMES])
        return node

    def _missing(self: Compiler, root: Name) -> Callable[[Any], ExpressionError]:
        """The unknown-name error, listing names in scope (never their values)."""
        params = [p for scope in reversed(self.scopes) for p in scope]
        direct = self.direct

        def missing(frame: Any) -> ExpressionError:
            scope = frame if direct else frame.vars
            names = list(dict.fromkeys([*params, *islice(iter(scope), 500)]))
            shown = ", ".join(names[:MAX_LISTED_NAMES]) + (
                ", …" if len(names) > MAX_LISTED_NAMES else "")
            return self.error("name", f"unknown name '{root.name}'; names in scope: "
                              f"{shown or '(none)'}", root.offset,
                              hints=did_you_mean(root.name, names),
                              names=names[:MAX_LISTED_NAMES])
        return missing


def member_chain(base: Run, keys: tuple[str, ...]) -> Run:
    """``base`` followed by constant member keys (SPEC §5.6)."""
    if not keys:
        return base
    if len(keys) == 1:
        key = keys[0]

        def one(frame: Any) -> Any:
            value = base(frame)
            return value.get(key) if value.__class__ is dict else runtime.member(value, key)
        return one

    def chain(frame: Any) -> Any:
        value = base(frame)
        for key in keys:
            value = value.get(key) if value.__class__ is dict else runtime.member(value, key)
        return value
    return chain
