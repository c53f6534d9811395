"""Parse expression tokens into the AST of ``nodes.py`` (SPEC §5.3, §5.4).

A Pratt parser: one table of left binding powers replaces the ladder of precedence levels,
``_prefix`` handles what can start an operand and ``_infix`` what can follow one. Nesting
deeper than MAX_PARSE_DEPTH (counting every level of the tree, so long operator chains
too) is a syntax error, so no input can exhaust the Python stack here or downstream.
"""

from __future__ import annotations

from collections.abc import Collection

from .lexer import Token, TokenStream, describe_token, tokenize
from .nodes import (
    Apply,
    Binary,
    Block,
    Call,
    Conditional,
    Dollar,
    Index,
    Lambda,
    ListLiteral,
    Literal,
    Logical,
    Member,
    Name,
    Node,
    ObjectLiteral,
    Property,
    Spread,
    Unary,
)
from .values import MAX_PARSE_DEPTH, number_text

#: Left binding power of every token that can follow an operand (SPEC §5.4).
BINDING_POWER: dict[str, int] = {
    "|": 10,
    "?": 20,
    "??": 30,
    "||": 40, "or": 40,
    "&&": 50, "and": 50,
    "==": 60, "!=": 60, "===": 60, "!==": 60,
    "<": 70, "<=": 70, ">": 70, ">=": 70, "in": 70, "not": 70,
    "+": 80, "-": 80,
    "*": 90, "/": 90, "%": 90,
    ".": 110, "?.": 110, "[": 110, "?.[": 110, "(": 110,
}
#: Binding power of the operand of a prefix operator.
PREFIX_POWER = 100

_LOGICAL = {"||": "||", "or": "||", "&&": "&&", "and": "&&", "??": "??"}
_PREFIX = {"!": "!", "not": "!", "-": "-", "+": "+", "typeof": "typeof"}
_CONSTANTS = {"true": True, "false": False, "null": None, "undefined": None}
#: Token types that may be a member name or an object key besides plain names.
_WORD_TYPES = frozenset({"name", "true", "false", "null", "undefined", "and", "or", "not",
                         "in", "typeof", "this"})


def parse_expression(source: str, declared: Collection[str] = (), start: int = 0,
                     end: int | None = None) -> Node:
    """The AST of the expression ``source[start:end]``; raises ExpressionError (syntax)."""
    stream = TokenStream(tokenize(source, declared, start, end), source)
    parser = Parser(stream)
    if stream.current.type == "eof":
        stream.fail("expected an expression, got end of expression")
    try:
        node = parser.expression()
    except RecursionError:
        stream.fail("expression nested too deeply")
    if stream.current.type != "eof":
        stream.fail(f"unexpected {describe_token(stream.current)} after a complete "
                    "expression", hints=_trailing_hints(stream.current))
    return node


def _trailing_hints(token: Token) -> list[str]:
    if token.type in ("name", "string", "number"):
        return ["an operator or a comma may be missing"]
    return []


class Parser:
    """One parse of one token stream."""

    __slots__ = ("depth", "stream")

    def __init__(self, stream: TokenStream) -> None:
        self.stream = stream
        self.depth = 0

    def expression(self, power: int = 0) -> Node:
        """An expression whose operators all bind tighter than ``power``.

        ``depth`` is the height of the tree being built above this operand; each operator
        applied in the loop wraps ``left`` once more, so a long chain (``a + b + …``,
        ``a.b.c…``) counts like nesting, while operands parsed inside it start one level
        below the current node.
        """
        entry = self.depth
        self.depth = entry + 1
        self._check_depth(self.depth)
        left = self._prefix(self.stream.next(), power)
        chain = 0
        while power < BINDING_POWER.get(self.stream.current.type, 0):
            chain += 1
            self._check_depth(entry + chain)
            left = self._infix(self.stream.next(), left)
        self.depth = entry
        return left

    def _check_depth(self, depth: int) -> None:
        if depth > MAX_PARSE_DEPTH:
            self.stream.fail(f"expression nested more than {MAX_PARSE_DEPTH} levels deep")

    # -- operands ------------------------------------------------------------------------

    def _prefix(self, token: Token, power: int) -> Node:
        kind = token.type
        if kind in ("number", "string"):
            return Literal(token.offset, token.value)
        if kind in _CONSTANTS:
            return Literal(token.offset, _CONSTANTS[kind])
        if kind == "name":
            if self.stream.current.type == "=>":
                return self._lambda(token, (token.value,), power)
            return Name(token.offset, token.value)
        if kind == "dollar":
            return Dollar(token.offset, token.value)
        if kind in ("this", "at"):
            return Block(token.offset, token.value)
        if kind in _PREFIX:
            return self._unary(token)
        if kind == "(":
            return self._parenthesised(token, power)
        if kind == "[":
            return ListLiteral(token.offset, tuple(self._sequence("]", "list")))
        if kind == "{":
            entries = self._sequence("}", "object")
            return ObjectLiteral(token.offset, tuple(entries))  # type: ignore[arg-type]
        self.stream.fail(f"expected an expression, got {describe_token(token)}", token)

    def _unary(self, token: Token) -> Node:
        """A prefix operation; ``-`` of a number literal folds into a negative literal."""
        op = _PREFIX[token.type]
        operand = self.expression(PREFIX_POWER)
        if op == "-" and isinstance(operand, Literal) and type(operand.value) in (int, float):
            return Literal(token.offset, -operand.value if operand.value else 0)
        return Unary(token.offset, op, operand)

    def _parenthesised(self, token: Token, power: int) -> Node:
        params = self._lambda_params()
        if params is not None:
            return self._lambda(token, params, power)
        inner = self.expression()
        self.stream.expect(")", "')'")
        return inner

    def _lambda_params(self) -> tuple[str, ...] | None:
        """The parameter names when ``(`` starts a lambda's parameter list, else None.
        Decided by looking ahead for ``NAME, NAME…) =>`` without consuming anything."""
        stream = self.stream
        ahead, names = 0, []
        while stream.look(ahead).type == "name":
            names.append(stream.look(ahead).value)
            ahead += 1
            if stream.look(ahead).type != ",":
                break
            ahead += 1
        if stream.look(ahead).type != ")" or stream.look(ahead + 1).type != "=>":
            return None
        for _ in range(ahead + 1):
            stream.next()
        return tuple(names)

    def _lambda(self, start: Token, params: tuple[str, ...], power: int) -> Node:
        arrow = self.stream.expect("=>", "'=>'")
        if power > 0:
            self.stream.fail("a lambda must be the whole argument or be put in parentheses",
                             arrow)
        if len(set(params)) != len(params):
            self.stream.fail("a lambda parameter is named twice", start)
        return Lambda(start.offset, params, self.expression())

    def _key(self, token: Token) -> str | Node | None:
        """An object key; None for the shorthand ``{name}``."""
        stream = self.stream
        if token.type == "[":
            key = self.expression()
            stream.expect("]", "']'")
            return key
        if token.type == "name" and stream.current.type in (",", "}"):
            return None
        if token.type in _WORD_TYPES or token.type == "string":
            return str(token.value)
        if token.type == "number":
            return number_text(token.value)
        stream.fail(f"expected an object key, got {describe_token(token)}", token)

    def _sequence(self, closing: str, kind: str) -> list[Node]:
        """Comma-separated ``kind`` elements (args, list, object) up to ``closing``; a
        trailing comma is allowed. Elements are parsed here, not in helpers, so each level
        of nesting costs few Python frames."""
        stream = self.stream
        items: list[Node] = []
        while stream.current.type != closing:
            spread = stream.next_if("...") if kind != "args" else None
            if spread is not None:
                items.append(Spread(spread.offset, self.expression()))
            elif kind == "object":
                token = stream.next()
                key = self._key(token)
                if key is None:
                    items.append(Property(token.offset, token.value,
                                          Name(token.offset, token.value)))
                else:
                    stream.expect(":", "':' after the object key")
                    items.append(Property(token.offset, key, self.expression()))
            else:
                items.append(self.expression())
            if stream.next_if(",") is None:
                break
        stream.expect(closing, f"',' or '{closing}'")
        return items

    # -- operators after an operand -------------------------------------------------------

    def _infix(self, token: Token, left: Node) -> Node:
        kind = token.type
        if kind in (".", "?."):
            return self._member(left)
        if kind in ("[", "?.["):
            index = self.expression()
            self.stream.expect("]", "']'")
            return Index(token.offset, left, index)
        if kind == "(":
            return _call(token, left, tuple(self._sequence(")", "args")))
        if kind == "?":
            then = self.expression()
            self.stream.expect(":", "':' of the conditional")
            return Conditional(token.offset, left, then, self.expression())
        if kind == "|":
            return self._pipe(left)
        if kind in _LOGICAL:
            right = self.expression(BINDING_POWER[kind])
            return Logical(token.offset, _LOGICAL[kind], left, right)
        if kind == "not":
            return self._not_in(token, left)
        op = "in" if kind == "in" else kind
        return Binary(token.offset, op, left, self.expression(BINDING_POWER[kind]))

    def _member(self, left: Node) -> Node:
        token = self.stream.next()
        if token.type not in _WORD_TYPES:
            self.stream.fail(f"expected a member name, got {describe_token(token)}", token)
        return Member(token.offset, left, token.value)

    def _pipe(self, left: Node) -> Node:
        name = self.stream.expect("name", "a function name after '|'")
        args: tuple[Node, ...] = ()
        if self.stream.next_if("(") is not None:
            args = tuple(self._sequence(")", "args"))
        return Call(name.offset, name.value, (left, *args), "pipe")

    def _not_in(self, token: Token, left: Node) -> Node:
        following = self.stream.current
        if following.type != "in" or following.value.isupper() != token.value.isupper():
            self.stream.fail("expected 'in' after 'not' (write 'not in' or 'NOT IN')", token)
        self.stream.next()
        return Binary(token.offset, "not in", left, self.expression(BINDING_POWER["in"]))


def _call(token: Token, callee: Node, args: tuple[Node, ...]) -> Node:
    """``callee(args)``: a built-in by name, a method, or a computed function."""
    if isinstance(callee, Name):
        return Call(callee.offset, callee.name, args, "call")
    if isinstance(callee, Member):
        return Call(callee.offset, callee.name, (callee.target, *args), "method")
    return Apply(token.offset, callee, args)
