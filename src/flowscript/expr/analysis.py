"""Static facts about an expression, template or pattern, for the validator and the planner
(SPEC §4.7, §11.3): which names it reads, which ``$`` names, which functions it calls.

Offsets are 0-based in the source given. A reference's ``path`` is the literal member
path that follows it (``fetch.output.items[0]`` → ``("output", "items", 0)``); it stops at
the first computed index. Lambda parameters are never references, and neither are the
template bindings ``this``/``@index``/…. ``check_syntax`` reports the first syntax problem
without compiling anything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from ..errors import ExpressionError
from .callables import arity_problem, resolve_call, unknown_function_hints
from .nodes import (
    Binary,
    Call,
    Conditional,
    Dollar,
    Index,
    Lambda,
    ListLiteral,
    Literal,
    Member,
    Name,
    Node,
    ObjectLiteral,
    Property,
    Spread,
    Unary,
    children,
)
from .parser import parse_expression
from .patterns import PatternParser
from .template import unwrap_braces
from .template_scan import Tag, check_blocks, scan
from .values import BUILTINS

PathKey = str | int


@dataclass(frozen=True, slots=True)
class Reference:
    """A bare name (``name``) or a ``$`` name (``$config``) and the literal path after it."""

    name: str
    offset: int
    path: tuple[PathKey, ...] = ()


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call as written: ``name`` (``upper``, ``toUpperCase``, ``JSON.parse``), the number
    of arguments the function receives, the form (call, method, pipe) and the built-in it
    resolves to ("" when none)."""

    name: str
    offset: int
    arguments: int
    form: str
    builtin: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A static problem: ``kind`` is an ExpressionError kind (syntax, regex, function —
    FS-EXPR-004 —, arity — FS-EXPR-005 —, type — FS-EXPR-006)."""

    kind: str
    message: str
    offset: int
    hints: tuple[str, ...] = ()


@dataclass(slots=True)
class References:
    names: list[Reference] = field(default_factory=list)
    dollars: list[Reference] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    #: Problems with calls (unknown function, wrong arity) and evident function values.
    problems: list[Problem] = field(default_factory=list)
    #: ``$context`` read as a whole or with a computed member (reads every variable).
    context_whole: bool = False

    def merge(self, other: References) -> None:
        self.names += other.names
        self.dollars += other.dollars
        self.calls += other.calls
        self.problems += other.problems
        self.context_whole = self.context_whole or other.context_whole


def analyze_expression(source: str, declared: Collection[str] = (), start: int = 0,
                       end: int | None = None, *, value_required: bool = True,
                       allow_wrapped: bool = False) -> References:
    """References of the expression ``source[start:end]``; raises ExpressionError (syntax).
    ``value_required=False`` for slots whose whole value may be a lambda (map, filter…);
    ``allow_wrapped`` unwraps a value that is exactly one ``{{ … }}`` (§3.2.2)."""
    span = unwrap_braces(source) if allow_wrapped else None
    if span is not None:
        start, end = span
    tree = parse_expression(source, declared, start, end)
    walker = _Walker()
    if value_required and isinstance(tree, Lambda):
        walker.function_value(tree)
    walker.visit(tree)
    return walker.found


def analyze_template(source: str, declared: Collection[str] = ()) -> References:
    """References of every tag of a template; raises ExpressionError (syntax) for a bad
    tag or unbalanced blocks (FS-EXPR-002) and for a bad expression (FS-EXPR-001)."""
    found = References()
    segments = scan(source)
    check_blocks(segments, source)
    for segment in segments:
        if isinstance(segment, Tag) and segment.has_expression:
            found.merge(analyze_expression(source, declared, segment.start, segment.end))
    return found


def analyze_pattern(source: str) -> References:
    """The ``$`` paths a pattern reads; raises ExpressionError (syntax or regex)."""
    parser = PatternParser(source)
    parser.parse()
    found = References()
    for position, (kind, value, offset) in enumerate(parser.tokens):
        if kind == "dollar":
            found.dollars.append(Reference(value, offset,
                                           _pattern_path(parser.tokens, position)))
    return found


def _pattern_path(tokens: list[tuple[str, object, int]], position: int) -> tuple[str, ...]:
    path: list[str] = []
    position += 1
    while tokens[position][0] == "." and tokens[position + 1][0] == "name":
        path.append(str(tokens[position + 1][1]))
        position += 2
    return tuple(path)


def check_syntax(source: str, declared: Collection[str] = (), kind: str = "expression",
                 *, allow_wrapped: bool = False) -> Problem | None:
    """The first syntax problem of an ``expression``, ``template`` or ``pattern``, or None.
    A pattern's invalid regex literal is reported with kind "regex" (FS-EXPR-007)."""
    try:
        if kind == "template":
            analyze_template(source, declared)
        elif kind == "pattern":
            PatternParser(source).parse()
        else:
            span = unwrap_braces(source) if allow_wrapped else None
            parse_expression(source, declared, *(span or (0, None)))
    except ExpressionError as error:
        return Problem(error.kind, error.message, error.column - 1, tuple(error.hints))
    return None


class _Walker:
    """Collects references, calls and problems; tracks lambda parameters in scope."""

    def __init__(self) -> None:
        self.found = References()
        self.params: list[tuple[str, ...]] = []

    def is_param(self, name: str) -> bool:
        return any(name in scope for scope in self.params)

    def function_value(self, node: Node) -> None:
        self.found.problems.append(Problem(
            "type", "a function is used where a value is required", node.offset))

    def visit(self, node: Node) -> None:
        if isinstance(node, Member | Index | Name | Dollar):
            self._path(node)
        elif isinstance(node, Lambda):
            self.params.append(node.params)
            self.visit(node.body)
            self.params.pop()
        elif isinstance(node, Call):
            self._call(node)
        else:
            self._evident_functions(node)
            for child in children(node):
                self.visit(child)

    def _evident_functions(self, node: Node) -> None:
        if isinstance(node, Binary | ListLiteral | ObjectLiteral | Property | Spread) or (
                isinstance(node, Unary) and node.op != "typeof") or isinstance(
                node, Conditional):
            values = children(node)
            if isinstance(node, Conditional):
                values = (node.test,)
            for value in values:
                if isinstance(value, Lambda):
                    self.function_value(value)

    def _path(self, node: Node) -> None:
        """A name or ``$`` name with the literal keys after it; computed indexes end the
        path and are visited after the root, so references come in source order."""
        chain: list[Node] = []
        while isinstance(node, Member | Index):
            chain.append(node)
            node = node.target
        chain.reverse()
        path: list[PathKey] = []
        for link in chain:
            key = _literal_key(link)
            if key is None:
                break
            path.append(key)
        self._root(node, tuple(path))
        for link in chain:
            if isinstance(link, Index) and _literal_key(link) is None:
                self.visit(link.index)

    def _root(self, root: Node, path: tuple[PathKey, ...]) -> None:
        if isinstance(root, Name):
            if not self.is_param(root.name):
                self.found.names.append(Reference(root.name, root.offset, path))
        elif isinstance(root, Dollar):
            self.found.dollars.append(Reference(root.name, root.offset, path))
            if root.name == "$context" and not path:
                self.found.context_whole = True
        else:
            if isinstance(root, Lambda):
                self.function_value(root)
            self.visit(root)

    def _call(self, node: Call) -> None:
        if node.form != "method" and self.is_param(node.name):
            for arg in node.args:
                self.visit(arg)
            return
        name, skip, shown = resolve_call(node, self.is_param)
        arguments = len(node.args) - skip
        self.found.calls.append(CallSite(shown, node.offset, arguments, node.form, name))
        if not name:
            kind = "method" if node.form == "method" else "function"
            self.found.problems.append(Problem("function", f"unknown {kind} '{shown}'",
                                               node.offset,
                                               tuple(unknown_function_hints(shown))))
        else:
            message = arity_problem(BUILTINS[name], arguments, shown)
            if message is not None:
                self.found.problems.append(Problem("arity", message, node.offset))
        for arg in node.args[skip:]:
            self.visit(arg)


def _literal_key(link: Node) -> PathKey | None:
    if isinstance(link, Member):
        return link.name
    index = link.index  # type: ignore[attr-defined]
    if isinstance(index, Literal) and (isinstance(index.value, str) or (
            type(index.value) is int)):
        return index.value  # type: ignore[no-any-return]
    return None


__all__ = ["CallSite", "Problem", "Reference", "References", "analyze_expression",
           "analyze_pattern", "analyze_template", "check_syntax"]
