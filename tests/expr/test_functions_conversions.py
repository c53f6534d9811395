"""Type functions, conversions (SPEC §5.17) and logic functions (§5.18)."""

from __future__ import annotations

from typing import Any

import pytest
from functions_support import Fn, call, error_kind, same

FN = Fn(lambda x: x)


@pytest.mark.parametrize(("value", "expected"), [
    (None, "null"), (True, "boolean"), (0, "number"), (1.5, "number"), ("", "string"),
    ([], "array"), ({}, "object"), (FN, "function"),
])
def test_typeof(value: Any, expected: str) -> None:
    assert call("typeof", value) == expected


@pytest.mark.parametrize(("name", "true_for", "false_for"), [
    ("is_null", [None], [0, "", False, []]),
    ("is_array", [[], [1]], [{}, None, "ab"]),
    ("is_object", [{}, {"a": 1}], [[], None, "x", FN]),
    ("is_string", ["", "a"], [1, None, ["a"]]),
    ("is_number", [0, -1.5, 10**30], ["1", True, None]),
    ("is_boolean", [True, False], [0, 1, "true", None]),
    ("is_integer", [2, 2.0, -7, 1e21], [2.5, "2", True, None]),
    ("is_empty", [None, "", [], {}], [0, False, " ", [None], {"a": None}]),
])
def test_type_tests(name: str, true_for: list[Any], false_for: list[Any]) -> None:
    assert all(call(name, value) is True for value in true_for)
    assert all(call(name, value) is False for value in false_for)


@pytest.mark.parametrize(("value", "expected"), [
    (None, ""), ({"a": 1}, '{"a":1}'), (1.0, "1"), (1e21, "1e+21"), (1e-7, "1e-7"),
    (0.1, "0.1"), (True, "true"), ([1, "é"], '[1,"é"]'), ("s", "s"),
])
def test_to_string(value: Any, expected: str) -> None:
    assert call("to_string", value) == expected


def test_to_string_of_a_function_is_a_type_error() -> None:
    assert error_kind("to_string", FN) == "type"


@pytest.mark.parametrize(("args", "expected"), [
    ([" 42 "], 42), (["1e3"], 1000), (["abc"], None), (["abc", 0], 0), ([True], 1),
    ([False], 0), ([None], None), ([""], None), ([None, -1], -1), (["-.5"], -0.5),
    ([7.5], 7.5), (["2.0"], 2), ([[1]], None), (["1_000"], None), (["0x10"], None),
])
def test_to_number(args: list[Any], expected: Any) -> None:
    assert same(call("to_number", *args), expected)


@pytest.mark.parametrize(("args", "expected"), [
    (["42.9"], 42), (["-1.5"], -1), ([3.99], 3), ([True], 1), (["x"], None),
    (["x", 2.5], 2.5), ([1e300], 1e300), ([-0.5], 0),
])
def test_to_integer(args: list[Any], expected: Any) -> None:
    result = call("to_integer", *args)
    assert same(result, expected)
    if isinstance(expected, int):
        assert type(result) is int


@pytest.mark.parametrize(("value", "expected"), [
    ("false", False), ("No", False), (" OFF ", False), ("0", False), ("null", False),
    ("", False), ("  ", False), ("yes", True), ("true", True), ("nope", True), (0, False),
    (1, True), ([], True), ({}, True), (None, False), (True, True),
])
def test_to_boolean(value: Any, expected: bool) -> None:
    assert call("to_boolean", value) is expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, []), (5, [5]), ([1, 2], [1, 2]), ("ab", ["ab"]), ({"a": 1}, [{"a": 1}]),
])
def test_to_array(value: Any, expected: list[Any]) -> None:
    assert call("to_array", value) == expected


class TestLogic:
    def test_coalesce(self) -> None:
        assert call("coalesce", None, None, 0, 1) == 0
        assert call("coalesce", None) is None
        assert call("coalesce", "", "x") == ""

    def test_default(self) -> None:
        assert call("default", "", "x") == ""
        assert call("default", None, "x") == "x"
        assert call("default", False, "x") is False

    def test_if_else_uses_truthiness(self) -> None:
        assert call("if_else", 0, "a", "b") == "b"
        assert call("if_else", [], "a", "b") == "a"
        assert call("if_else", "0", "a", "b") == "a"

    @pytest.mark.parametrize(("args", "expected"), [
        (["b", {"a": 1, "b": 2}, 0], 2),
        ([2, {"2": "two"}], "two"),
        (["z", {"a": 1}], None),
        (["z", {"a": 1}, "dflt"], "dflt"),
        ([None, {"": "empty"}], "empty"),
        ([True, {"true": 1}], 1),
        (["a", {"a": None}, 5], None),
        (["a", None, 5], 5),
        (["a", ["a"], 5], 5),
    ])
    def test_switch(self, args: list[Any], expected: Any) -> None:
        assert same(call("switch", *args), expected)

    @pytest.mark.parametrize(("value", "truthy"), [
        ("0", True), (0, False), ("", False), (None, False), ([], True), ({}, True),
        (False, False), (0.1, True),
    ])
    def test_truthiness(self, value: Any, truthy: bool) -> None:
        assert call("is_truthy", value) is truthy
        assert call("is_falsy", value) is not truthy
