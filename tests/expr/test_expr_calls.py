"""Calls, methods, pipes and lambdas (SPEC §5.7) and the evaluation limits on them."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import compile_expression, evaluate
from flowscript.expr.callables import Closure


def error_of(source: str, variables: dict[str, Any] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        evaluate(source, variables or {})
    return info.value


class TestCalls:
    @pytest.mark.parametrize(("source", "value"), [
        ("'hello'.upper()", "HELLO"), ("'hello' | upper", "HELLO"),
        ("[3, 1, 2] | sort | join('-')", "1-2-3"),
        ("JSON.parse('{\"a\": 1}').a + Math.max(1, 5)", 6),
        ("JSON.stringify({a: [1]})", '{"a":[1]}'), ("Math.floor(-4.2)", -5),
        ("[1, 2, 3].filter(x => x > 1).map(x => x * 10)", [20, 30]),
        ("'Ab'.toUpperCase() + 'Ab'.toLowerCase()", "ABab"), ("'abc'.startsWith('ab')", True),
        ("[1, 5, 9].findIndex(x => x > 3)", 1), ("(3.14159).toFixed(2)", "3.14"),
        ("[1, 2].flatMap(x => [x, x])", [1, 1, 2, 2]), ("(12).toString()", "12"),
        ("'a,b' | split(',') | map(s => upper(s))", ["A", "B"]),
        ("length('héllo')", 5), ("x?.length()", 0),
    ])
    def test_values(self, source: str, value: Any) -> None:
        assert evaluate(source, {"x": None}) == value

    def test_unknown_function_with_hint(self) -> None:
        error = error_of("1 + uper('abc')")
        assert error.kind == "function" and error.column == 5
        assert error.message == "unknown function 'uper'"
        assert error.hints[0] == 'did you mean "upper"?'

    def test_unknown_method_and_namespace_member(self) -> None:
        assert error_of("'a'.shout()").kind == "function"
        error = error_of("Math.maxx(1)")
        assert error.kind == "function" and "Math.maxx" in error.message
        assert error.hints == ['did you mean "max"?']

    def test_unknown_function_only_fails_when_reached(self) -> None:
        assert evaluate("false && nope(1)", {}) is False

    @pytest.mark.parametrize(("source", "message"), [
        ("upper()", "upper() takes 1 argument, got 0"),
        ("upper('a', 'b')", "upper() takes 1 argument, got 2"),
        ("'a'.upper('b')", "upper() takes 1 argument, got 2"),
        ("'a' | upper('b')", "upper() takes 1 argument, got 2"),
        ("split()", "split() takes 2 to 3 arguments, got 0"),
    ])
    def test_arity(self, source: str, message: str) -> None:
        error = error_of(source)
        assert error.kind == "arity" and error.message == message

    def test_builtin_errors_get_the_call_column(self) -> None:
        error = error_of("[1] + [length(5)]")
        assert error.kind == "argument" and error.column == 8
        assert error.source == "[1] + [length(5)]"

    def test_arguments_are_evaluated_left_to_right_before_the_call(self) -> None:
        error = error_of("join(nope1, nope2)")
        assert "nope1" in error.message


class TestLambdas:
    @pytest.mark.parametrize(("source", "value"), [
        ("map([1, 2, 3], x => x * 2)", [2, 4, 6]), ("map(['a', 'b'], (x, i) => i)", [0, 1]),
        ("map([1], (a, b, c) => [a, b, c])", [[1, 0, None]]),
        ("map([1], () => 'k')", ["k"]), ("(x => x + 1)(2)", 3), ("((a, b) => b)(1)", None),
        ("((a) => a)(1, 2, 3)", 1), ("(x => y => x + y)(1)(2)", 3),
        ("map([1, 2], x => map([10, 20], y => x + y))", [[11, 21], [12, 22]]),
        ("reduce([1, 2, 3], (acc, x) => acc + x, 0)", 6),
        ("(f => f(f(1)))(x => x * 3)", 9), ("[1, 2] | map(x => x + k)", [11, 12]),
        ("(f => [1, 2] | map(f))(x => -x)", [-1, -2]),
    ])
    def test_values(self, source: str, value: Any) -> None:
        assert evaluate(source, {"k": 10}) == value

    def test_closures_capture_their_bindings(self) -> None:
        assert evaluate("map(map([1, 2], x => (y => x * 10 + y)), f => f(3))", {}) == [13, 23]

    def test_calling_a_non_function(self) -> None:
        error = error_of("(1)(2)")
        assert error.kind == "type" and "not a function" in error.message
        error = error_of("map([1], f => f(1))")
        assert error.kind == "type" and "'f' is not a function" in error.message

    def test_function_in_result_is_a_type_error(self) -> None:
        for source in ("x => x", "[x => x]", "{f: x => x}", "1 && (x => x)"):
            assert error_of(source).kind == "type"

    def test_function_cannot_be_interpolated(self) -> None:
        assert error_of("'a' + (x => x)").kind == "type"

    def test_allow_function_returns_an_invocable_closure(self) -> None:
        function = compile_expression("x => x * factor").evaluate({"factor": 3},
                                                                    allow_function=True)
        assert isinstance(function, Closure)
        assert [function.invoke(i) for i in range(3)] == [0, 3, 6]
        with pytest.raises(ExpressionError) as info:
            compile_expression("x => y => 1").evaluate({}, allow_function=True).invoke(1)
        assert info.value.kind == "type"

    def test_each_invoke_has_a_fresh_step_budget(self) -> None:
        # One call visits six million elements: two calls would exceed the ten million
        # steps of one evaluation if they shared its budget.
        function = compile_expression(
            "k => sum(map(range(6), i => length(compact(big))))").evaluate(
            {"big": [1] * 1_000_000}, allow_function=True)
        for _ in range(3):
            assert function.invoke(0) == 6_000_000


class TestLimits:
    def test_self_application_hits_the_depth_limit(self) -> None:
        error = error_of("(f => f(f))(f => f(f))")
        assert error.kind == "limit"

    def test_deep_recursion_through_builtins_is_a_limit(self) -> None:
        error = error_of("(f => f(f, 0))((g, n) => map([n], x => g(g, x + 1)))")
        assert error.kind == "limit"

    def test_steps_limit_through_lambda_calls(self) -> None:
        # A lambda call is charged the size of its body (here about 2000 nodes, skipped at
        # run time by ||), so ten thousand calls exceed the budget.
        body = "true || [" + ", ".join(["j"] * 2000) + "]"
        error = error_of(f"reduce(range(10000), (b, j) => {body}, 0)")
        assert error.kind == "limit" and "steps" in error.message
        assert evaluate(f"reduce(range(4000), (b, j) => {body}, 0)", {}) is True

    def test_string_doubling_hits_the_size_limit(self) -> None:
        error = error_of("reduce(range(40), (s, i) => s + s, 'ab')")
        assert error.kind == "limit"

    def test_list_doubling_hits_the_size_limit(self) -> None:
        error = error_of("reduce(range(40), (l, i) => l + l, [1])")
        assert error.kind == "limit"

    def test_spread_doubling_hits_the_size_limit(self) -> None:
        assert error_of("reduce(range(40), (l, i) => [...l, ...l], [1])").kind == "limit"

    def test_object_growth_hits_the_size_limit(self) -> None:
        halves = {"a": dict.fromkeys(map(str, range(600_000)), 1),
                  "b": dict.fromkeys(map(str, range(600_000, 1_200_000)), 1)}
        assert evaluate("length({...a})", halves) == 600_000
        assert error_of("{...a, ...b}", halves).kind == "limit"

    def test_integer_growth_is_bounded(self) -> None:
        error = error_of("reduce(range(20), (a, i) => a * a, 3)")
        assert error.kind == "type" and "out of range" in error.message
