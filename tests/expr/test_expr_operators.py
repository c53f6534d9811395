"""Operator and access semantics (SPEC §5.1, §5.5, §5.6) and the §5.16/§5.17 operator rows."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import evaluate
from flowscript.expr.interpreter import interpret
from flowscript.expr.parser import parse_expression


def both(source: str, variables: dict[str, Any] | None = None) -> Any:
    """Evaluate compiled and interpreted; they must agree."""
    variables = variables or {}
    compiled = evaluate(source, variables)
    walked = interpret(parse_expression(source, variables), variables, source)
    assert compiled == walked and type(compiled) is type(walked)
    return compiled


def kind_of(source: str, variables: dict[str, Any] | None = None) -> str:
    with pytest.raises(ExpressionError) as info:
        evaluate(source, variables or {})
    return info.value.kind


# Rows of §5.16 and §5.17 whose operators the expression core implements.
SPEC_ROWS = [
    ("1 + 2 + 3 + 4 + 5", 15), ("7 / 2", 3.5), ("6 / 2", 3), ("0.1 + 0.2", 0.30000000000000004),
    ("-7 % 3", -1), ('"2" + 3', "23"), ('"2" * 3', 6),
    ("typeof null", "null"), ("typeof []", "array"), ("typeof {}", "object"),
    ("typeof 1.5", "number"), ("typeof (x => x)", "function"),
    ("'42' == 42", True), ("'42' === 42", False), ("0 == ''", False), ("null == 0", False),
    ("[1, {a: 2}] == [1, {a: 2}]", True),
    ("'10' > 9", True), ("'abc' > 9", False), ("'b' > 'a'", True), ("null < 1", False),
    ("2 in [1, 2]", True), ("'ea' in 'team'", True), ("'a' in {a: 1}", True),
    ("3 not in [1, 2]", True),
    ("0 || 'x'", "x"), ("'' ?? 'x'", ""), ("null ?? 'x'", "x"), ("1 && 2", 2),
    ("{a: 1}.b.c", None), ("[1, 2][-1]", 2), ("'abc'[1]", "b"),
    ("{...{a: 1, b: 2}, b: 3, c}", {"a": 1, "b": 3, "c": 4}),
]


@pytest.mark.parametrize(("source", "value"), SPEC_ROWS)
def test_spec_rows(source: str, value: Any) -> None:
    assert both(source, {"c": 4}) == value


def test_typeof_ternary_row() -> None:
    source = "typeof item === 'string' ? JSON.parse(item) : item"
    assert evaluate(source, {"item": '{"a":1}'}) == {"a": 1}
    assert evaluate(source, {"item": {"a": 1}}) == {"a": 1}


class TestArithmetic:
    @pytest.mark.parametrize(("source", "value"), [
        ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 % 3", 1), ("7 % -3", 1), ("-7 % -3", -1),
        ("5.5 % 2", 1.5), ("-6 % 3", 0), ("2.0", 2), ("1.5 + 1.5", 3), ("'n=' + 5", "n=5"),
        ("'ab' + 'cd'", "abcd"), ("[1] + [2, 3]", [1, 2, 3]), ("'a' + null", "a"),
        ("'a' + true", "atrue"), ("'a' + [1, 'x']", 'a[1,"x"]'), ("'a' + {k: 1.0}", 'a{"k":1}'),
        ("1e21 + ''", "1e+21"), ("'' + 0.000001", "0.000001"), ("'' + 1e-7", "1e-7"),
        ("' 4 ' - 1", 3), ("'1e3' * 1", 1000), ("-'3'", -3), ("+'2.50'", 2.5), ("-(-4)", 4),
        ("10 / 4", 2.5), ("2 * 0.5", 1), ("9007199254740993 + 0", 9007199254740993),
    ])
    def test_values(self, source: str, value: Any) -> None:
        result = both(source)
        assert result == value and type(result) is type(value)

    @pytest.mark.parametrize("source", [
        "1 + null", "true + 1", "[1] + 1", "{} + 1", "null - 1", "'abc' * 2", "'' * 2",
        "-null", "+true", "-[1]", "1 - true",
    ])
    def test_type_errors(self, source: str) -> None:
        assert kind_of(source) == "type"

    @pytest.mark.parametrize("source", ["1 / 0", "1 % 0", "1 / '0'", "0 / 0.0"])
    def test_zero_division(self, source: str) -> None:
        assert kind_of(source) == "zero-division"

    def test_overflow_is_an_error(self) -> None:
        assert kind_of("1e308 * 10") == "type"

    def test_error_points_at_the_operator(self) -> None:
        with pytest.raises(ExpressionError) as info:
            evaluate("a + 1 / 0", {"a": 1})
        assert info.value.column == 7 and info.value.source == "a + 1 / 0"


class TestComparison:
    @pytest.mark.parametrize(("source", "value"), [
        ("3 > 2 && 2 >= 2 && 1 < 2 && 1 <= 1", True), ("1 === 1 && 'a' !== 'b'", True),
        ("1 == 1.0", True), ("'1.0' == 1", True), ("' 42 ' == 42", True), ("'4x' == 4", False),
        ("true == 1", False), ("true == true", True), ("null == null", True),
        ("undefined == null", True), ("{a: 1, b: [2]} == {b: [2.0], a: 1}", True),
        ("{a: 1} == {a: 1, b: 2}", False), ("['1'] == [1]", True), ("['1'] === [1]", False),
        ("'a' != 'b'", True), ("'2' !== 2", True), ("'abc' < 'abd'", True),
        ("'B' < 'a'", True), ("9 < '10'", True), ("[1] < [2]", False), ("true > false", False),
        ("null >= null", False), ("'x' <= 1", False),
    ])
    def test_values(self, source: str, value: bool) -> None:
        assert both(source) is value

    @pytest.mark.parametrize("source", [
        "(x => x) == 1", "1 < (x => x)", "(x => x) === (x => x)", "(x => x) in [1]",
    ])
    def test_functions_are_not_comparable(self, source: str) -> None:
        assert kind_of(source) == "type"


class TestMembership:
    @pytest.mark.parametrize(("source", "value"), [
        ("'2' in [1, 2]", True), ("1 in 'a1b'", True), ("null in 'null'", True),
        ("1 in {'1': 0}", True), ("'x' in null", False), ("'b' NOT IN ['a']", True),
        ("[1] in [[1], 2]", True),
    ])
    def test_values(self, source: str, value: bool) -> None:
        assert both(source) is value

    @pytest.mark.parametrize("source", ["1 in 5", "'a' in true"])
    def test_bad_right_side(self, source: str) -> None:
        assert kind_of(source) == "type"


class TestLogic:
    def test_short_circuit_skips_the_other_side(self) -> None:
        assert both("false && 1 / 0") is False
        assert both("true || 1 / 0") is True
        assert both("1 ?? 1 / 0") == 1
        assert both("true ? 1 : 1 / 0") == 1
        assert both("false ? 1 / 0 : 2") == 2

    @pytest.mark.parametrize(("source", "value"), [
        ("!false", True), ("not 0", True), ("!''", True), ("![]", False), ("!{}", False),
        ("true AND NOT false", True), ("false OR true", True), ("'' && 1", ""),
        ("[] || 1", []), ("0 ?? 5", 0), ("'a' ? 1 : 2", 1), ("0 ? 1 : 2", 2),
        ("null || undefined", None), ("{} && 'yes'", "yes"),
    ])
    def test_values(self, source: str, value: Any) -> None:
        assert both(source) == value


class TestAccess:
    data: ClassVar[dict[str, Any]] = {
        "o": {"a": {"b": [10, 20, 30]}, "1": "one", "true": "t", "": "empty", "__class__": 5},
        "l": [1, 2, 3], "s": "héllo", "n": 7, "f": 1.5}

    @pytest.mark.parametrize(("source", "value"), [
        ("o.a.b[0]", 10), ("o['a']['b'][-1]", 30), ("o.a.b[3]", None), ("o.a.b[-4]", None),
        ("o.a.b[1.0]", 20), ("o.a.b[0.5]", None), ("o.a.b['1']", None), ("o.a.b.length", 3),
        ("o.a.b.other", None), ("o[1]", "one"), ("o[true]", "t"), ("o[null]", "empty"),
        ("o.missing.deeper", None), ("o?.a?.b?.[2]", 30), ("s.length", 5), ("s[1]", "é"),
        ("s[-1]", "o"), ("s[9]", None), ("s.upper", None), ("n.x", None), ("n[0]", None),
        ("f.length", None), ("null.x", None), ("null[0]", None), ("true.x", None),
        ("o.__class__", 5), ("l.__class__", None), ("[1, 2, 3].length", 3),
        ("{'odd key': 9}['odd key']", 9), ("[1, [2, 3]][1][0]", 2),
        ("{a: {b: 'deep'}}.a.b", "deep"), ("o.a['b'].length", 3),
    ])
    def test_values(self, source: str, value: Any) -> None:
        assert both(source, self.data) == value

    def test_computed_key_of_a_function_reads_nothing(self) -> None:
        assert evaluate("o[x => x]", self.data) is None


class TestLiterals:
    def test_list_spread(self) -> None:
        assert both("[0, ...l, ...null, ...'ab']", {"l": [1, 2]}) == [0, 1, 2, "a", "b"]

    def test_object_keys(self) -> None:
        assert both("{a: 1, 'b c': 2, 3: 3, 1.5: 4, [k + 1]: 5, true: 6}", {"k": "x"}) == {
            "a": 1, "b c": 2, "3": 3, "1.5": 4, "x1": 5, "true": 6}

    def test_duplicate_keys_keep_first_position_and_last_value(self) -> None:
        assert list(both("{a: 1, b: 2, a: 3}").items()) == [("a", 3), ("b", 2)]

    @pytest.mark.parametrize("source", ["[...5]", "{...[1]}", "{...'s'}", "[...{a: 1}]"])
    def test_bad_spreads(self, source: str) -> None:
        assert kind_of(source) == "type"

    def test_results_are_fresh_values(self) -> None:
        first = evaluate("[1, {a: 2}]", {})
        first[1]["a"] = 99
        assert evaluate("[1, {a: 2}]", {}) == [1, {"a": 2}]
