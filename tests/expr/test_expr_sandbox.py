"""The expression sandbox (SPEC §12.3, §5.8): no host attributes, no host functions, and
every way to burn time or memory ends in an ExpressionError of kind "limit"."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import compile_expression, compile_template, evaluate, match, render
from flowscript.expr.parser import parse_expression


class Host:
    """A Python object smuggled into the variables: its attributes must stay unreachable."""

    secret = "attribute"

    def method(self) -> str:  # pragma: no cover - must never be called
        raise AssertionError("reached a host method")


def kind_of(source: str, variables: dict[str, Any] | None = None) -> str:
    with pytest.raises(ExpressionError) as info:
        evaluate(source, variables or {})
    return info.value.kind


VALUES = {"o": {"a": 1}, "l": [1, 2], "s": "text", "n": 5, "f": 1.5, "b": True, "z": None,
          "h": Host()}


class TestNoHostAttributes:
    @pytest.mark.parametrize("key", ["__class__", "__globals__", "constructor", "__proto__",
                                     "__dict__", "__init__", "__len__", "mro", "upper"])
    @pytest.mark.parametrize("target", ["o", "l", "s", "n", "f", "b", "z", "h",
                                        "(x => x)", "$config", "this"])
    def test_dunder_and_prototype_keys_are_missing(self, key: str, target: str) -> None:
        assert evaluate(f"{target}.{key}", VALUES) is None
        assert evaluate(f"{target}['{key}']", VALUES) is None
        assert evaluate(f"{target}.{key}.__mro__", VALUES) is None

    def test_such_keys_are_ordinary_keys_of_objects(self) -> None:
        assert evaluate("{__class__: 1, constructor: 2}.__class__", {}) == 1
        assert evaluate("o.constructor", {"o": {"constructor": "c"}}) == "c"

    def test_host_object_attributes_are_unreachable(self) -> None:
        assert evaluate("h.secret", VALUES) is None
        assert evaluate("h.method", VALUES) is None
        assert render("[{{ h.secret }}]", VALUES) == "[]"
        assert match("{ secret: _ }", Host()) is False


class TestNoHostFunctions:
    @pytest.mark.parametrize("source", [
        "'a'.format()", "x.__init__()", "x.__class__()", "'a'.__len__()", "x.mro()",
        "x.__getattribute__('y')", "x.__subclasses__()", "x.method()",
        "__import__('os')", "eval('1')", "exec('1')", "open('/etc/passwd')",
        "getattr(x, 'y')", "globals()", "compile('1', 'f', 'eval')", "x.constructor('1')",
        "Math.__class__()", "JSON.loads('1')", "JSON.__dict__()",
    ])
    def test_unknown_functions(self, source: str) -> None:
        assert kind_of(source, {"x": {"__init__": 1}}) == "function"

    def test_calls_never_reach_a_value_named_like_a_function(self) -> None:
        assert kind_of("method()", {"method": Host().method}) == "function"


class TestLimits:
    @pytest.mark.parametrize("source", [
        "range(1e12)", "range(10000000)", "repeat('x', 1e9)", "repeat('ab', 6000000)",
        "reduce(range(64), (s, i) => s + s, 'x')",
        "reduce(range(64), (s, i) => concat(s, s), 'x')",
        "reduce(range(64), (l, i) => l + l, [0])",
        "reduce(range(64), (l, i) => flatten([l, l]), [0])",
        "reduce(range(30), (s, i) => repeat(s, 2), 'ab')",
        "map(range(1000000), i => map(range(1000000), j => j))",
        "(f => f(f))(f => f(f))",
        "(f => f(f, 1))((g, n) => g(g, n + 1))",
        "(f => f(f))(f => map([f], g => g(g)))",
    ])
    def test_runaway_work_is_a_limit(self, source: str) -> None:
        assert kind_of(source) == "limit"

    @pytest.mark.parametrize("source", [
        "(" * 10000 + "1" + ")" * 10000, "[" * 10000 + "]" * 10000, "-" * 10000 + "1",
        "{a:" * 10000 + "1" + "}" * 10000, "f(" * 10000 + ")" * 10000,
        "x => " * 10000 + "1", "1" + " + 1" * 10000, "a" + ".b" * 10000,
    ])
    def test_deep_nesting_is_a_syntax_error(self, source: str) -> None:
        with pytest.raises(ExpressionError) as info:
            parse_expression(source)
        assert info.value.kind == "syntax"
        with pytest.raises(ExpressionError):
            compile_template("{{ " + source + " }}")

    def test_catastrophic_regexes(self) -> None:
        subject = "a" * 50 + "!"
        try:  # the regex engine may prove this one fails quickly; it must never hang
            assert evaluate("test(s, '(a+)+$')", {"s": subject}) is False
        except ExpressionError as error:
            assert error.kind == "limit"
        error_kind = kind_of("test(s, '(a|aa)+$')", {"s": "a" * 60 + "!"})
        assert error_kind == "limit"
        assert kind_of("match_all(s, '(a|aa)+$')", {"s": "a" * 60 + "!"}) == "limit"

    def test_regex_size_limits(self) -> None:
        assert kind_of("test('a', s)", {"s": "a" * 1001}) == "limit"
        assert kind_of("test(s, 'a')", {"s": "a" * 1_000_001}) == "limit"
        assert kind_of("test('a', '(')") == "regex"

    def test_template_output_is_bounded(self) -> None:
        with pytest.raises(ExpressionError) as info:
            render("{{#each range(1000000)}}{{ s }}{{/each}}", {"s": "x" * 20})
        assert info.value.kind == "limit"

    def test_template_steps_are_bounded(self) -> None:
        body = "{{ [" + ", ".join(["1"] * 100) + "] && '' }}"
        with pytest.raises(ExpressionError) as info:
            render("{{#each range(1000000)}}" + body + "{{/each}}", {})
        assert info.value.kind == "limit"

    def test_function_values_never_leave(self) -> None:
        for source in ("x => x", "[x => x]", "{a: {b: [x => x]}}", "map([1], i => (x => x))",
                       "(f => f)(x => x)"):
            assert kind_of(source) == "type"
        with pytest.raises(ExpressionError):
            compile_template("{{ [x => x] }}").render({})

    def test_evaluation_never_mutates_variables(self) -> None:
        variables = {"o": {"a": [1, 2]}, "l": [3, 1, 2]}
        evaluate("[sort(l), {...o, b: 1}, l + [4], reverse(l), o.a + [3]]", variables)
        assert variables == {"o": {"a": [1, 2]}, "l": [3, 1, 2]}

    def test_compiled_expression_reused_after_an_error(self) -> None:
        expression = compile_expression("length(range(n))")
        with pytest.raises(ExpressionError):
            expression.evaluate({"n": 1e9})
        assert expression.evaluate({"n": 3}) == 3
