"""Math built-ins (SPEC §5.16): operator-equivalent arithmetic, rounding, null rules."""

from __future__ import annotations

from typing import Any

import pytest
from functions_support import call, error_kind, same


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("add", [1, 2], 3),
    ("add", ["2", 3], 5),
    ("add", [1, 2, 3, 4.5], 10.5),
    ("add", [0.1, 0.2], 0.30000000000000004),
    ("add", [0.5, 0.5], 1),
    ("multiply", [2, 3, 4], 24),
    ("multiply", ["2", 3], 6),
    ("multiply", [2.5, 2], 5),
    ("subtract", [10, "4"], 6),
    ("subtract", [0.3, 0.1], 0.19999999999999998),
    ("divide", [7, 2], 3.5),
    ("divide", [6, 2], 3),
    ("divide", [" 9 ", 3], 3),
    ("mod", [7, -3], 1),
    ("mod", [-7, 3], -1),
    ("mod", [7.5, 2], 1.5),
    ("mod", [-7.5, 2], -1.5),
])
def test_arithmetic(name: str, args: list[Any], expected: Any) -> None:
    result = call(name, *args)
    assert same(result, expected)
    if isinstance(expected, int):
        assert type(result) is int


@pytest.mark.parametrize(("name", "args"), [
    ("add", [1, None]), ("add", [True, 1]), ("add", ["a", 1]), ("multiply", [[1], 2]),
    ("subtract", [{}, 1]), ("divide", [1, "x"]), ("mod", [None, 2]),
])
def test_arithmetic_rejects_non_numerics(name: str, args: list[Any]) -> None:
    assert error_kind(name, *args) == "argument"


def test_zero_divisors() -> None:
    assert error_kind("divide", 1, 0) == "zero-division"
    assert error_kind("divide", 1, "0.0") == "zero-division"
    assert error_kind("mod", 1, 0) == "zero-division"


def test_overflow_is_an_error_not_infinity() -> None:
    assert error_kind("multiply", 1e308, 10) == "type"
    assert error_kind("add", 1e308, 1e308) == "type"


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("min", [3, 1, 4, 1, 5], 1),
    ("max", [3, 1, 4, 1, 5], 5),
    ("max", [[2, "9", None, "x"]], 9),
    ("max", [[]], None),
    ("min", [None], None),
    ("min", ["a", "b"], None),
    ("min", [[True, 5]], 5),
    ("max", [2, "10"], 10),
    ("min", [7], 7),
    ("max", [[1, 2], 3], 3),
    ("sum", [[1, "2", None, "x"]], 3),
    ("sum", [[]], 0),
    ("sum", [None], 0),
    ("sum", [[0.1, 0.2]], 0.30000000000000004),
    ("sum", [[1.5, 1.5]], 3),
    ("avg", [[1, 2, 3, 4]], 2.5),
    ("avg", [[2, 4]], 3),
    ("avg", [[]], None),
    ("avg", [["x", None]], None),
])
def test_aggregates(name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


def test_aggregates_over_non_lists_are_argument_errors() -> None:
    assert error_kind("sum", "12") == "argument"
    assert error_kind("avg", {"a": 1}) == "argument"


@pytest.mark.parametrize(("args", "expected"), [
    ([3.14159, 2], 3.14),
    ([2.5], 3),
    ([-2.5], -3),
    ([1.005, 2], 1.01),
    ([1234.5, -2], 1200),
    ([1250, -2], 1300),
    ([-1250, -2], -1300),
    ([0.5], 1),
    ([0.49999999999999994], 0),
    ([1.45, 1], 1.5),
    ([8.345, 2], 8.35),
    (["2.675", 2], 2.68),
    ([5], 5),
    ([5, 3], 5),
    ([1.5, 10], 1.5),
    ([49, -2], 0),
    ([51, -2], 100),
    ([123, -10], 0),
    ([1e300, 2], 1e300),
    ([None], None),
    ([2.5, None], 3),
])
def test_round_half_away_from_zero_on_the_decimal_text(args: list[Any],
                                                       expected: Any) -> None:
    result = call("round", *args)
    assert same(result, expected)
    if isinstance(expected, int):
        assert type(result) is int


def test_round_rejects_non_numerics_and_fractional_digits() -> None:
    assert error_kind("round", "abc") == "argument"
    assert error_kind("round", True) == "argument"
    assert error_kind("round", 1.5, 1.5) == "argument"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("floor", -4.2, -5), ("floor", 4, 4), ("floor", "4.8", 4),
    ("ceil", 4.2, 5), ("ceil", -4.2, -4),
    ("trunc", -4.7, -4), ("trunc", 4.7, 4),
    ("abs", -42, 42), ("abs", -1.5, 1.5), ("abs", "-3", 3),
    ("sign", -3, -1), ("sign", 0, 0), ("sign", 0.1, 1),
    ("sqrt", 16, 4), ("sqrt", 2, 1.4142135623730951), ("sqrt", 0, 0),
    ("floor", 1e300, 1e300),
])
def test_unary_math(name: str, value: Any, expected: Any) -> None:
    result = call(name, value)
    assert same(result, expected)
    if isinstance(expected, int):
        assert type(result) is int


@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc", "abs", "sign", "sqrt",
                                  "to_fixed"])
def test_null_in_null_out_and_wrong_types(name: str) -> None:
    assert call(name, None) is None
    assert error_kind(name, "x") == "argument"
    assert error_kind(name, [1]) == "argument"


def test_sqrt_of_a_negative_number_is_an_argument_error() -> None:
    assert error_kind("sqrt", -1) == "argument"


class TestPow:
    @pytest.mark.parametrize(("args", "expected"), [
        ([2, 10], 1024), ([2, -1], 0.5), ([4, 0.5], 2), ([9, "0.5"], 3), ([2, 0], 1),
        ([10, 21], 1e21), ([None, 2], None), ([2, None], None),
    ])
    def test_rows(self, args: list[Any], expected: Any) -> None:
        assert same(call("pow", *args), expected)

    @pytest.mark.parametrize("args", [[10, 400], [0, -1], [-8, 1 / 3], [2, 10**9]])
    def test_non_finite_results_are_argument_errors(self, args: list[Any]) -> None:
        assert error_kind("pow", *args) == "argument"


def test_clamp() -> None:
    assert call("clamp", 15, 0, 10) == 10
    assert call("clamp", -5, 0, 10) == 0
    assert call("clamp", "5", 0, 10) == 5
    assert call("clamp", None, 0, 10) is None
    assert call("clamp", 5, None, 10) is None
    assert error_kind("clamp", 5, "a", 10) == "argument"


@pytest.mark.parametrize(("args", "expected"), [
    ([1, 3], 33.33), ([2, 3, 1], 66.7), ([5, 0], 0), ([1, 4], 25), (["1", "8", 0], 13),
    ([1, 3, 4], 33.3333),
])
def test_percent(args: list[Any], expected: Any) -> None:
    assert same(call("percent", *args), expected)


def test_percent_needs_numerics() -> None:
    assert error_kind("percent", None, 3) == "argument"
    assert error_kind("percent", 1, "x") == "argument"


@pytest.mark.parametrize(("args", "expected"), [
    ([3.14159, 2], "3.14"), ([2, 1], "2.0"), ([1.005, 2], "1.01"), ([2.5], "3"),
    ([-2.5], "-3"), ([-0.4], "0"), ([0.000001, 7], "0.0000010"), ([1e21, 2], "1e+21"),
    (["1.5", 3], "1.500"), ([123.456, 0], "123"),
])
def test_to_fixed(args: list[Any], expected: str) -> None:
    assert call("to_fixed", *args) == expected


def test_to_fixed_digit_range() -> None:
    assert error_kind("to_fixed", 1, -1) == "argument"
    assert error_kind("to_fixed", 1, 101) == "argument"


def test_random_is_in_the_unit_interval() -> None:
    draws = [call("random") for _ in range(500)]
    assert all(0 <= x < 1 for x in draws)
    assert len(set(draws)) > 490


def test_random_int_covers_the_closed_range() -> None:
    draws = {call("random_int", 1, 3) for _ in range(300)}
    assert draws == {1, 2, 3}
    assert call("random_int", 5, 5) == 5
    assert error_kind("random_int", 3, 1) == "argument"
    assert error_kind("random_int", 1.5, 3) == "argument"
