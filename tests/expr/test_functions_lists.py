"""List built-ins (SPEC §5.14), called directly with Python-backed lambdas."""

from __future__ import annotations

from typing import Any

import pytest
from functions_support import FakeContext, Fn, call, error_kind, same

from flowscript.expr import values


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("length", [[1, 2, 3]], 3),
    ("length", ["héllo"], 5),
    ("length", [{"a": 1, "b": 2}], 2),
    ("length", [None], 0),
    ("len", [[1]], 1),
    ("size", ["ab"], 2),
    ("first", [[1, 2]], 1),
    ("first", [[]], None),
    ("first", ["héllo"], "h"),
    ("first", [""], None),
    ("first", [None], None),
    ("last", [[1, 2, 3]], 3),
    ("last", ["abc"], "c"),
    ("last", [None], None),
    ("at", [[1, 2, 3], 0], 1),
    ("at", [[1, 2, 3], -1], 3),
    ("at", [[1, 2, 3], 3], None),
    ("at", [[1, 2, 3], -4], None),
    ("at", [None, 0], None),
    ("take", [[1, 2, 3], 2], [1, 2]),
    ("take", [[1, 2, 3], 10], [1, 2, 3]),
    ("take", [[1, 2, 3], -1], []),
    ("take", [None, 2], []),
    ("skip", [[1, 2, 3], 2], [3]),
    ("skip", [[1, 2, 3], 5], []),
    ("skip", [[1, 2, 3], -1], [1, 2, 3]),
    ("reverse", [[1, 2, 3]], [3, 2, 1]),
    ("reverse", ["héllo"], "olléh"),
    ("reverse", [None], []),
    ("compact", [[0, None, "", False]], [0, "", False]),
    ("compact", [None], []),
])
def test_simple_rows(name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


@pytest.mark.parametrize(("name", "args"), [
    ("length", [5]), ("length", [True]), ("first", [{"a": 1}]), ("last", [3]),
    ("at", ["abc", 0]), ("at", [[1], "0"]), ("take", [[1], 1.5]), ("skip", ["abc", 1]),
    ("reverse", [{"a": 1}]), ("compact", ["abc"]), ("unique", [1]), ("sort", [{"a": 1}]),
])
def test_wrong_types_are_argument_errors(name: str, args: list[Any]) -> None:
    assert error_kind(name, *args) == "argument"


class TestFlatten:
    def test_one_level_by_default(self) -> None:
        assert call("flatten", [1, [2, [3]]]) == [1, 2, [3]]

    def test_depth(self) -> None:
        assert call("flatten", [1, [2, [3, [4]]]], 2) == [1, 2, 3, [4]]
        assert call("flatten", [1, [2]], 0) == [1, [2]]
        assert call("flatten", [[[[1]]]], 100) == [1]

    def test_null_and_bad_depth(self) -> None:
        assert call("flatten", None) == []
        assert error_kind("flatten", [1], -1) == "argument"


class TestUnique:
    def test_keeps_first_occurrences_by_deep_strict_equality(self) -> None:
        items = [1, 2, 1, {"a": 1}, {"a": 1}, "1"]
        assert same(call("unique", items), [1, 2, {"a": 1}, "1"])

    def test_numbers_by_value_but_not_across_types(self) -> None:
        assert same(call("unique", [1, 1.0, True, "1", None, None]), [1, True, "1", None])

    def test_objects_equal_whatever_their_key_order(self) -> None:
        assert call("unique", [{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == [{"a": 1, "b": 2}]

    def test_nested_lists(self) -> None:
        assert call("unique", [[1, [2]], [1, [2.0]], [1, ["2"]]]) == [[1, [2]], [1, ["2"]]]


class TestSort:
    def test_mixed_types_in_the_spec_order(self) -> None:
        items = [{"b": 1}, [2], True, "b", None, 3, False, "a", [1], 1, {"a": 1}]
        expected = [1, 3, "a", "b", False, True, [1], [2], {"a": 1}, {"b": 1}, None]
        assert same(call("sort", items), expected)

    def test_strings_by_code_points(self) -> None:
        assert call("sort", ["b", "B", "a", "é"]) == ["B", "a", "b", "é"]

    def test_desc_reverses_non_null_keys_only(self) -> None:
        assert call("sort", ["b", None, "a"], None, "desc") == ["b", "a", None]
        assert call("sort", [1, None, 3, 2], None, "DESC") == [3, 2, 1, None]

    def test_key_as_path(self) -> None:
        items = [{"n": {"v": 2}}, {"n": {"v": 1}}, {"x": 0}]
        assert call("sort", items, "n.v") == [{"n": {"v": 1}}, {"n": {"v": 2}}, {"x": 0}]
        assert call("sort", [[3, "c"], [1, "a"]], ["0"]) == [[1, "a"], [3, "c"]]

    def test_key_as_function(self) -> None:
        key = Fn(lambda item: -item)
        assert call("sort", [1, 3, 2], key) == [3, 2, 1]

    def test_is_stable_in_both_directions(self) -> None:
        items = [{"k": 1, "i": 0}, {"k": 0, "i": 1}, {"k": 1, "i": 2}, {"k": 0, "i": 3}]
        ascending = call("sort", items, "k")
        assert [x["i"] for x in ascending] == [1, 3, 0, 2]
        descending = call("sort", items, "k", "desc")
        assert [x["i"] for x in descending] == [0, 2, 1, 3]

    def test_does_not_mutate_its_argument(self) -> None:
        items = [3, 1, 2]
        call("sort", items)
        assert items == [3, 1, 2]

    def test_bad_direction(self) -> None:
        assert error_kind("sort", [1], None, "up") == "argument"
        assert error_kind("sort", [1], 5) == "argument"

    def test_sort_by_requires_a_key(self) -> None:
        items = [{"n": "x", "a": 30}, {"n": "y", "a": 20}]
        assert call("sort_by", items, Fn(lambda u: u["a"])) == [items[1], items[0]]
        assert call("sort_by", items, "n", "desc") == [items[1], items[0]]
        with pytest.raises(AssertionError):
            call("sort_by", items)


class TestCallbacks:
    def test_count(self) -> None:
        assert call("count", [1, 2, 3, 4]) == 4
        assert call("count", [1, 2, 3, 4], Fn(lambda x: x > 2)) == 2
        assert call("count", ["a", "b", "a"], "a") == 2
        assert call("count", [1, "1", 1.0], 1) == 3
        assert call("count", [None, 1, None], None) == 2
        assert call("count", None) == 0

    def test_every_and_some_short_circuit(self) -> None:
        predicate = Fn(lambda x: x < 2)
        assert call("every", [1, 2, 3, 4], predicate) is False
        assert predicate.calls == 2
        assert call("every", [], Fn(lambda x: False)) is True
        assert call("some", [], Fn(lambda x: True)) is False
        finder = Fn(lambda x: x > 1)
        assert call("some", [1, 2, 3], finder) is True
        assert finder.calls == 2

    def test_predicates_use_truthiness(self) -> None:
        assert call("filter", [0, 1, "", "a", [], None], Fn(lambda x: x)) == [1, "a", []]
        assert call("every", [1, "x"], Fn(lambda x: x)) is True

    def test_find_and_find_index(self) -> None:
        assert call("find", [1, 5, 9], Fn(lambda x: x > 3)) == 5
        assert call("find", [1, 5, 9], Fn(lambda x: x > 9)) is None
        assert call("find_index", [1, 5, 9], Fn(lambda x: x > 3)) == 1
        assert call("find_index", [1, 5, 9], Fn(lambda x: x > 9)) == -1
        assert call("find_index", None, Fn(lambda x: True)) == -1

    def test_callbacks_receive_item_and_index(self) -> None:
        assert call("map", ["a", "b"], Fn(lambda x, i: f"{i}{x}")) == ["0a", "1b"]
        assert call("filter", [5, 6, 7], Fn(lambda x, i: i != 1)) == [5, 7]

    def test_map_filter_flat_map(self) -> None:
        assert call("map", [1, 2, 3], Fn(lambda x: x * 2)) == [2, 4, 6]
        assert call("map", None, Fn(lambda x: x)) == []
        assert call("flat_map", [1, 2], Fn(lambda x: [x, x])) == [1, 1, 2, 2]
        assert call("flat_map", [1, 2], Fn(lambda x: [[x]] if x == 1 else x)) == [[1], 2]

    def test_reduce(self) -> None:
        add = Fn(lambda acc, x: acc + x)
        assert call("reduce", [1, 2, 3], add, 0) == 6
        assert call("reduce", [1, 2, 3], add) == 6
        assert call("reduce", [], add) is None
        assert call("reduce", [], add, 10) == 10
        assert call("reduce", [5], add) == 5
        indexes = Fn(lambda acc, x, i: [*acc, i])
        assert call("reduce", ["a", "b"], indexes, []) == [0, 1]
        assert call("reduce", [[], "a", "b"], indexes) == [1, 2]

    def test_reduce_with_null_initial_is_an_initial_value(self) -> None:
        assert call("reduce", [1], Fn(lambda acc, x: [acc, x]), None) == [None, 1]

    @pytest.mark.parametrize("name", ["every", "some", "find", "find_index", "map", "filter",
                                      "flat_map", "reduce"])
    def test_a_function_argument_is_required(self, name: str) -> None:
        assert error_kind(name, [1], "x") == "argument"
        assert error_kind(name, [1], None) == "argument"

    def test_visited_elements_count_as_steps(self) -> None:
        ctx = FakeContext(max_steps=5)
        call("map", [1, 2, 3], Fn(lambda x: x), ctx=ctx)
        assert ctx.steps == 3
        assert error_kind("filter", list(range(10)), Fn(lambda x: x), ctx=ctx) == "limit"


class TestGrouping:
    def test_group_by_path_keeps_first_seen_order(self) -> None:
        items = [{"t": "a", "v": 1}, {"t": "b", "v": 2}, {"t": "a", "v": 3}]
        assert same(call("group_by", items, "t"), {"a": [items[0], items[2]], "b": [items[1]]})

    def test_group_names_are_text(self) -> None:
        items = [{"n": 1}, {"n": True}, {"n": None}, {}]
        assert call("group_by", items, "n") == {"1": [items[0]], "true": [items[1]],
                                                "": [items[2], items[3]]}

    def test_group_by_function(self) -> None:
        groups = call("group_by", [1, 2, 3, 4], Fn(lambda x: "even" if x % 2 == 0 else "odd"))
        assert groups == {"odd": [1, 3], "even": [2, 4]}
        assert list(groups) == ["odd", "even"]

    def test_group_by_needs_a_key(self) -> None:
        assert error_kind("group_by", [1], None) == "argument"
        assert error_kind("group_by", [1], 3) == "argument"

    def test_pluck(self) -> None:
        assert call("pluck", [{"a": 1}, {"b": 2}], "a") == [1, None]
        assert call("pluck", [{"a": [1, 2]}, None, 5], "a.1") == [2, None, None]
        assert call("pluck", [{"a": {"b": 1}}], ["a", "b"]) == [1]

    def test_chunk(self) -> None:
        assert call("chunk", [1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
        assert call("chunk", [], 3) == []
        assert error_kind("chunk", [1], 0) == "argument"

    def test_zip(self) -> None:
        assert call("zip", [1, 2, 3], ["a", "b"]) == [[1, "a"], [2, "b"]]
        assert call("zip", [1, 2]) == [[1], [2]]
        assert call("zip", [1], None) == []
        assert error_kind("zip", [1], "ab") == "argument"


class TestRange:
    @pytest.mark.parametrize(("args", "expected"), [
        ([3], [0, 1, 2]),
        ([1, 10, 3], [1, 4, 7]),
        ([3, 0, -1], [3, 2, 1]),
        ([0], []),
        ([5, 1], []),
        ([-2], []),
        ([0, 1, 0.25], [0, 0.25, 0.5, 0.75]),
        ([0, 1.5], [0, 1]),
    ])
    def test_rows(self, args: list[Any], expected: list[Any]) -> None:
        result = call("range", *args)
        assert same(result, expected)
        assert all(type(n) is int for n in result if n == int(n))

    def test_step_zero_and_non_numbers_are_argument_errors(self) -> None:
        assert error_kind("range", 0, 5, 0) == "argument"
        assert error_kind("range", "5") == "argument"
        assert error_kind("range", None) == "argument"

    def test_size_is_checked_before_building(self) -> None:
        assert error_kind("range", values.MAX_ELEMENTS + 1) == "limit"
        assert error_kind("range", 10**15) == "limit"
        assert error_kind("range", 0, 1e308, 1e-308) == "limit"


def test_array_concat_always_builds_a_list() -> None:
    assert call("array_concat", "a", [1, 2], None, [[3]]) == ["a", 1, 2, [3]]
    assert call("array_concat", None) == []
    assert error_kind("array_concat", [0] * values.MAX_ELEMENTS, [1]) == "limit"


def test_concat_and_flat_map_respect_the_element_limit() -> None:
    big = [0] * values.MAX_ELEMENTS
    assert error_kind("concat", big, 1) == "limit"
    assert error_kind("flat_map", [1, 2], Fn(lambda x: big)) == "limit"
