"""Property tests: no input makes the parsers or the evaluator raise anything but an
ExpressionError, and the compiled closures agree with the tree-walking interpreter."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowscript.errors import ExpressionError
from flowscript.expr import compile_expression, compile_pattern, compile_template, render
from flowscript.expr.interpreter import interpret
from flowscript.expr.lexer import tokenize
from flowscript.expr.nodes import Node
from flowscript.expr.parser import parse_expression

ALPHABET = st.sampled_from([
    *"abxyz_$@0123456789.,:;()[]{}+-*/%!=<>&|?'\"\\ \n#",
    "=>", "?.", "...", "&&", "||", "??", " in ", " not ", "typeof ", "this", "null", "true",
    "{{", "}}", "{{#each ", "{{/each}}", "{{else}}", "{{!--", "--}}", "x => ", "length(",
    "map(", "é"])
SOURCES = st.lists(ALPHABET, max_size=40).map("".join) | st.text(max_size=60)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["a", "b", "c", "length"]), children, max_size=4),
    max_leaves=12,
)
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(SOURCES)
def test_parser_gives_a_tree_or_an_expression_error(source: str) -> None:
    try:
        tree = parse_expression(source, ("a-b",))
    except ExpressionError as error:
        assert error.kind == "syntax" and 1 <= error.column <= len(source) + 1
    else:
        assert isinstance(tree, Node)


@SETTINGS
@given(SOURCES)
def test_token_spans_are_ordered_and_inside_the_source(source: str) -> None:
    try:
        tokens = tokenize(source)
    except ExpressionError:
        return
    ends = [0] + [t.span[1] for t in tokens]
    for token, previous_end in zip(tokens, ends, strict=False):
        assert previous_end <= token.span[0] <= token.span[1] <= len(source)


@SETTINGS
@given(SOURCES, JSON)
def test_templates_compile_and_render_or_fail_cleanly(source: str, data: Any) -> None:
    try:
        result = compile_template(source).render({"a": data, "x": data})
    except ExpressionError:
        return
    assert result is None or isinstance(result, str | int | float | bool | list | dict)


@SETTINGS
@given(SOURCES, JSON)
def test_patterns_compile_and_match_or_fail_cleanly(source: str, data: Any) -> None:
    try:
        assert compile_pattern(source).match(data, {"$config": {"a": data}}) in (True, False)
    except ExpressionError:
        pass


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(["a", "b", "c", "a.a", "b[0]", "c.length", "1", "0", "-2.5",
                              "'s'", "''", "'10'", "true", "false", "null", "[]", "{}",
                              "$config.a", "this"])

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(
            ["+", "-", "*", "/", "%", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "&&",
             "||", "??", "in", "not in"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = st.tuples(st.sampled_from(["!", "-", "+", "typeof "]), inner).map(
            lambda t: f"({t[0]}{t[1]})")
        access = st.tuples(inner, st.sampled_from([".a", ".length", "[0]", "[-1]", "['b']",
                                                   "?.c"])).map("".join)
        calls = st.tuples(st.sampled_from(["length(%s)", "to_string(%s)", "keys(%s)",
                                           "map(to_array(%s), (x, i) => [x, i])",
                                           "filter(to_array(%s), x => x)", "[%s, 1][0]",
                                           "{k: %s}.k", "(x => x)(%s)", "%s | to_array",
                                           "[...to_array(%s)]"]), inner).map(
            lambda t: t[0] % t[1])
        conditional = st.tuples(inner, inner, inner).map(
            lambda t: f"({t[0]} ? {t[1]} : {t[2]})")
        return binary | unary | access | calls | conditional

    return st.recursive(leaves, extend, max_leaves=8)


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "value", run()
    except ExpressionError as error:
        return "error", error.kind


@SETTINGS
@given(_expressions(), JSON, JSON, JSON)
def test_compiled_and_interpreted_agree(source: str, a: Any, b: Any, c: Any) -> None:
    variables = {"a": a, "b": b, "c": c, "$config": {"a": a}}
    tree = parse_expression(source)
    compiled = _outcome(lambda: compile_expression(source).evaluate(variables))
    walked = _outcome(lambda: interpret(tree, variables, source))
    assert compiled[0] == walked[0], (compiled, walked)
    if compiled[0] == "value":
        assert json.dumps(compiled[1]) == json.dumps(walked[1])
    else:
        assert compiled[1] == walked[1]


@SETTINGS
@given(JSON)
def test_single_tag_template_returns_the_value_itself(data: Any) -> None:
    assert render("{{ v }}", {"v": data}) == data
    assert render("{{v}}", {"v": data}) is data
