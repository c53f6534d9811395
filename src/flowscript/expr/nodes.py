"""The expression AST (SPEC §5.3): small frozen dataclasses, one per construct.

Every node keeps ``offset``, the 0-based position in the source text of the character that
errors about it should point at, so the compiler, the interpreter and the static analysis
report the same column. Calls are normalised by the parser: ``f(a)``, ``x.f(a)`` and
``x | f(a)`` are all ``Call`` nodes whose ``args`` hold every argument (the receiver or
piped value first), and ``form`` says how the call was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every expression node."""

    offset: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number, string, ``true``, ``false``, ``null`` or ``undefined``."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare name: a lambda parameter, a variable, a node id or a phase name."""

    name: str


@dataclass(frozen=True, slots=True)
class Dollar(Node):
    """A ``$`` name such as ``$config`` (``name`` keeps the dollar)."""

    name: str


@dataclass(frozen=True, slots=True)
class Block(Node):
    """A template block binding: ``this``, ``@index``, ``@first``, ``@last``, ``@key``."""

    name: str


@dataclass(frozen=True, slots=True)
class Spread(Node):
    """``...value`` inside a list or object literal."""

    value: Node


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Property(Node):
    """One ``key: value`` entry; ``key`` is a string, or a node for ``[computed]: value``."""

    key: str | Node
    value: Node


@dataclass(frozen=True, slots=True)
class ObjectLiteral(Node):
    entries: tuple[Property | Spread, ...]


@dataclass(frozen=True, slots=True)
class Member(Node):
    """``target.name`` or ``target?.name`` (both behave the same, SPEC §5.6)."""

    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``target[index]`` or ``target?.[index]``."""

    target: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A call of a built-in (or of a lambda parameter) by name.

    ``form`` is ``"call"`` for ``f(a)``, ``"method"`` for ``x.f(a)`` (``args[0]`` is ``x``)
    and ``"pipe"`` for ``x | f(a)`` (``args[0]`` is ``x``).
    """

    name: str
    args: tuple[Node, ...]
    form: str


@dataclass(frozen=True, slots=True)
class Apply(Node):
    """A call of a computed value, such as ``(x => x + 1)(2)``; it must be a function."""

    callee: Node
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``!x`` (also ``not``), ``-x``, ``+x``, ``typeof x``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic, comparison, equality, ``in`` and ``not in`` (``op`` is canonical)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """Short-circuit ``&&``, ``||`` and ``??`` (word forms folded to symbols)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Lambda(Node):
    params: tuple[str, ...]
    body: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in source order (for walkers)."""
    if isinstance(node, Member):
        return (node.target,)
    if isinstance(node, Index):
        return (node.target, node.index)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Apply):
        return (node.callee, *node.args)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary | Logical):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.test, node.then, node.otherwise)
    if isinstance(node, Lambda):
        return (node.body,)
    if isinstance(node, Spread):
        return (node.value,)
    if isinstance(node, ListLiteral):
        return node.items
    if isinstance(node, ObjectLiteral):
        return node.entries
    if isinstance(node, Property):
        return (node.key, node.value) if isinstance(node.key, Node) else (node.value,)
    return ()


def size(node: Node) -> int:
    """How many nodes one evaluation of ``node`` may visit, not counting lambda bodies
    (they are charged each time the lambda is called). The step budget uses this."""
    total = 0
    stack = [node]
    while stack:
        current = stack.pop()
        total += 1
        if not isinstance(current, Lambda):
            stack.extend(children(current))
    return total


def contains_lambda(node: Node) -> bool:
    """Whether a function value could be created while evaluating ``node``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Lambda):
            return True
        stack.extend(children(current))
    return False
