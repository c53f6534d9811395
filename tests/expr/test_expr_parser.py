"""The Pratt parser: grammar of §5.3, precedence of §5.4, nesting limit, error columns."""

from __future__ import annotations

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr.nodes import (
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
from flowscript.expr.parser import parse_expression


def show(node: Node) -> str:
    """A compact, fully parenthesised rendering of the tree."""
    if isinstance(node, Literal):
        return repr(node.value)
    if isinstance(node, Name | Dollar | Block):
        return node.name
    if isinstance(node, Binary | Logical):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    if isinstance(node, Unary):
        return f"({node.op} {show(node.operand)})"
    if isinstance(node, Conditional):
        return f"({show(node.test)} ? {show(node.then)} : {show(node.otherwise)})"
    if isinstance(node, Member):
        return f"{show(node.target)}.{node.name}"
    if isinstance(node, Index):
        return f"{show(node.target)}[{show(node.index)}]"
    if isinstance(node, Call):
        return f"{node.form}:{node.name}({', '.join(show(a) for a in node.args)})"
    if isinstance(node, Apply):
        return f"apply({show(node.callee)}; {', '.join(show(a) for a in node.args)})"
    if isinstance(node, Lambda):
        return f"(({', '.join(node.params)}) => {show(node.body)})"
    if isinstance(node, ListLiteral):
        return f"[{', '.join(show(i) for i in node.items)}]"
    if isinstance(node, Spread):
        return f"...{show(node.value)}"
    if isinstance(node, ObjectLiteral):
        return "{" + ", ".join(show(e) for e in node.entries) + "}"
    if isinstance(node, Property):
        key = node.key if isinstance(node.key, str) else f"[{show(node.key)}]"
        return f"{key}: {show(node.value)}"
    raise AssertionError(node)


def p(source: str, declared: tuple[str, ...] = ()) -> str:
    return show(parse_expression(source, declared))


class TestPrecedence:
    @pytest.mark.parametrize(("source", "tree"), [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("a - b - c", "((a - b) - c)"),
        ("a * b % c / d", "(((a * b) % c) / d)"),
        ("-a.b", "(- a.b)"),
        ("!a && b", "((! a) && b)"),
        ("not a and b", "((! a) && b)"),
        ("typeof x === 'string'", "((typeof x) === 'string')"),
        ("a < b == c > d", "((a < b) == (c > d))"),
        ("a in b && c not in d", "((a in b) && (c not in d))"),
        ("a && b || c && d", "((a && b) || (c && d))"),
        ("a || b ?? c", "((a || b) ?? c)"),
        ("a ?? b ? c : d", "((a ?? b) ? c : d)"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a + b | f", "pipe:f((a + b))"),
        ("x | f(1) | g", "pipe:g(pipe:f(x, 1))"),
        ("a OR b AND NOT c", "(a || (b && (! c)))"),
        ("a NOT IN b", "(a not in b)"),
        ("- -a", "(- (- a))"),
        ("+'3'", "(+ '3')"),
    ])
    def test_table(self, source: str, tree: str) -> None:
        assert p(source) == tree

    def test_negative_number_literal_is_folded(self) -> None:
        assert parse_expression("-5") == Literal(0, -5)
        assert parse_expression("-0") == Literal(0, 0)


class TestPostfix:
    def test_members_indexes_and_optional_forms(self) -> None:
        assert p("a.b?.c[0]?.[d]") == "a.b.c[0][d]"

    def test_reserved_words_are_member_names_and_keys(self) -> None:
        assert p("x.in.not.true") == "x.in.not.true"
        assert p("{in: 1, NOT: 2, typeof: 3}") == "{in: 1, NOT: 2, typeof: 3}"

    def test_calls_methods_and_applications(self) -> None:
        assert p("f(a, b,)") == "call:f(a, b)"
        assert p("x.f(a)") == "method:f(x, a)"
        assert p("JSON.parse(s)") == "method:parse(JSON, s)"
        assert p("(x => x)(2)") == "apply(((x) => x); 2)"
        assert p("a[0](1)") == "apply(a[0]; 1)"

    def test_call_offset_is_the_function_name(self) -> None:
        call = parse_expression("'a'.upper()")
        assert isinstance(call, Call) and call.offset == 4


class TestLiterals:
    def test_list_with_spread_and_trailing_comma(self) -> None:
        assert p("[1, ...xs, 'a',]") == "[1, ...xs, 'a']"
        assert p("[]") == "[]"

    def test_object_entries(self) -> None:
        assert p("{a: 1, 'b c': 2, 3: x, 1.5: y, [k]: v, c, ...o,}") == (
            "{a: 1, b c: 2, 3: x, 1.5: y, [k]: v, c: c, ...o}")

    def test_constants(self) -> None:
        assert p("[true, false, null, undefined]") == "[True, False, None, None]"

    def test_template_bindings(self) -> None:
        assert p("[this, @index, @key]") == "[this, @index, @key]"


class TestLambdas:
    @pytest.mark.parametrize(("source", "tree"), [
        ("x => x + 1", "((x) => (x + 1))"),
        ("(a, b) => a", "((a, b) => a)"),
        ("() => 1", "(() => 1)"),
        ("(a,) => a", "((a) => a)"),
        ("map(xs, x => x * 2)", "call:map(xs, ((x) => (x * 2)))"),
        ("x => y => x", "((x) => ((y) => x))"),
        ("c ? x => 1 : y", "(c ? ((x) => 1) : y)"),
        ("x => x | f", "((x) => pipe:f(x))"),
        ("(a)", "a"),
    ])
    def test_forms(self, source: str, tree: str) -> None:
        assert p(source) == tree

    def test_lambda_inside_an_operator_needs_parentheses(self) -> None:
        with pytest.raises(ExpressionError) as info:
            parse_expression("1 + x => x")
        assert info.value.kind == "syntax"
        assert p("1 + (x => x)") == "(1 + ((x) => x))"

    def test_duplicate_parameter(self) -> None:
        with pytest.raises(ExpressionError):
            parse_expression("(a, a) => a")


class TestErrors:
    @pytest.mark.parametrize(("source", "column", "text"), [
        ("item.score > > 5", 14, "expected an expression, got '>'"),
        ("", 1, "expected an expression"),
        ("a +", 4, "got end of expression"),
        ("(a", 3, "expected ')'"),
        ("[1, 2", 6, "expected ',' or ']'"),
        ("{a 1}", 4, "expected ':' after the object key"),
        ("a b", 3, "unexpected name 'b'"),
        ("a not b", 3, "expected 'in' after 'not'"),
        ("a not IN b", 3, "expected 'in' after 'not'"),
        ("x.", 3, "expected a member name"),
        ("x | 1", 5, "a function name after '|'"),
        ("c ? a", 6, "':' of the conditional"),
        ("{,}", 2, "expected an object key"),
    ])
    def test_messages_and_columns(self, source: str, column: int, text: str) -> None:
        with pytest.raises(ExpressionError) as info:
            parse_expression(source)
        assert info.value.kind == "syntax"
        assert info.value.column == column
        assert text in info.value.message

    def test_caret_rendering(self) -> None:
        with pytest.raises(ExpressionError) as info:
            parse_expression("item.score > > 5")
        assert str(info.value).splitlines()[1:3] == ["item.score > > 5", "             ^"]

    def test_slice_offsets_refer_to_the_whole_source(self) -> None:
        source = "Hello {{ a + }}"
        with pytest.raises(ExpressionError) as info:
            parse_expression(source, (), 9, 12)
        assert info.value.column == 13 and info.value.source == source


class TestDepth:
    def test_256_levels_parse(self) -> None:
        assert isinstance(parse_expression("(" * 200 + "1" + ")" * 200), Literal)

    @pytest.mark.parametrize("source", [
        "(" * 10000 + "1" + ")" * 10000,
        "[" * 300 + "]" * 300,
        "-" * 300 + "1",
        "!" * 5000 + "x",
        " + ".join(["1"] * 300),
        "a" + ".b" * 300,
        "x => " * 300 + "x",
        "{a: " * 300 + "1" + "}" * 300,
    ])
    def test_deeper_nesting_is_a_syntax_error(self, source: str) -> None:
        with pytest.raises(ExpressionError) as info:
            parse_expression(source)
        assert info.value.kind == "syntax"
        assert "nested more than 256" in info.value.message
