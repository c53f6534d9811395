"""Object built-ins (SPEC §5.15) and the path rule they share (§5.12)."""

from __future__ import annotations

from typing import Any

import pytest
from functions_support import Fn, call, error_kind, same


class TestKeysValuesEntries:
    def test_insertion_order(self) -> None:
        obj = {"b": 1, "a": 2}
        assert call("keys", obj) == ["b", "a"]
        assert call("values", obj) == [1, 2]
        assert call("entries", obj) == [["b", 1], ["a", 2]]

    def test_null_gives_empty_lists(self) -> None:
        assert call("keys", None) == call("values", None) == call("entries", None) == []

    @pytest.mark.parametrize("name", ["keys", "values", "entries"])
    def test_non_objects_are_argument_errors(self, name: str) -> None:
        assert error_kind(name, [1, 2]) == "argument"
        assert error_kind(name, "ab") == "argument"


class TestFromEntries:
    def test_pairs_and_key_value_objects(self) -> None:
        result = call("from_entries", [["a", 1], {"key": "b", "value": 2}])
        assert same(result, {"a": 1, "b": 2})

    def test_later_duplicates_win_and_keys_become_text(self) -> None:
        assert call("from_entries", [["a", 1], [2, "x"], ["a", 3]]) == {"a": 3, "2": "x"}

    def test_round_trip_with_entries(self) -> None:
        obj = {"x": [1], "y": None}
        assert call("from_entries", call("entries", obj)) == obj

    def test_null_and_malformed_entries(self) -> None:
        assert call("from_entries", None) == {}
        assert error_kind("from_entries", [["a"]]) == "argument"
        assert error_kind("from_entries", ["a"]) == "argument"
        assert error_kind("from_entries", {"a": 1}) == "argument"


class TestGet:
    @pytest.mark.parametrize(("args", "expected"), [
        ([{"a": {"b": [10, 20]}}, "a.b.1"], 20),
        ([{"a": {"b": [10, 20]}}, ["a", "b", 1]], 20),
        ([{"a": {"b": [10, 20]}}, "a.b.-1"], 20),
        ([{"a": {"b": [10, 20]}}, "a.b.2", "d"], "d"),
        ([{}, "x.y", "d"], "d"),
        ([{"a": None}, "a", "d"], "d"),
        ([{"a": 0}, "a", "d"], 0),
        ([{"a": False}, "a", "d"], False),
        ([{"1": "one"}, [1]], "one"),
        ([[[1, 2]], "0.1"], 2),
        ([[1, 2], "x"], None),
        ([None, "a"], None),
        (["abc", "length"], None),
        ([{"a.b": 1}, ["a.b"]], 1),
        ([{"a": 1}, []], {"a": 1}),
    ])
    def test_rows(self, args: list[Any], expected: Any) -> None:
        assert same(call("get", *args), expected)

    def test_bad_paths(self) -> None:
        assert error_kind("get", {}, 5) == "argument"
        assert error_kind("get", {}, None) == "argument"
        assert error_kind("get", {}, ["a", None]) == "argument"
        assert error_kind("get", {}, [1.5]) == "argument"


class TestSet:
    def test_creates_missing_objects_and_copies(self) -> None:
        original = {"a": 1}
        assert same(call("set", original, "b.c", 2), {"a": 1, "b": {"c": 2}})
        assert original == {"a": 1}

    def test_replaces_non_object_intermediates(self) -> None:
        assert call("set", {"a": 5}, "a.b", 1) == {"a": {"b": 1}}
        assert call("set", {"a": [1]}, "a.x", 2) == {"a": {"x": 2}}

    def test_integer_segments_index_lists_in_range(self) -> None:
        original = {"a": [{"n": 1}, {"n": 2}]}
        assert call("set", original, "a.1.n", 9) == {"a": [{"n": 1}, {"n": 9}]}
        assert original == {"a": [{"n": 1}, {"n": 2}]}
        assert call("set", {"a": [1]}, ["a", 5], 2) == {"a": {"5": 2}}

    def test_null_object_and_errors(self) -> None:
        assert call("set", None, "a", 1) == {"a": 1}
        assert call("set", {"a": 1}, "a", None) == {"a": None}
        assert error_kind("set", [1], "0", 2) == "argument"
        assert error_kind("set", {}, [], 2) == "argument"

    def test_a_very_long_path_does_not_exhaust_the_stack(self) -> None:
        result = call("set", {}, ".".join(["k"] * 5000), 1)
        assert call("get", result, ".".join(["k"] * 5000)) == 1


@pytest.mark.parametrize(("args", "expected"), [
    ([{"a": None}, "a"], True),
    ([{"a": 1}, "b"], False),
    ([{"1": 1}, 1], True),
    ([[1], 0], True),
    ([[1], 1], False),
    ([[1], -1], False),
    ([[1], "0"], False),
    ([None, "a"], False),
    (["abc", 0], False),
])
def test_has(args: list[Any], expected: bool) -> None:
    assert call("has", *args) is expected


class TestMerging:
    def test_merge_is_shallow_and_later_wins(self) -> None:
        result = call("merge", {"a": 1, "b": {"x": 1}}, {"b": {"y": 2}}, None, {"c": 3})
        assert same(result, {"a": 1, "b": {"y": 2}, "c": 3})

    def test_merge_keeps_first_key_positions(self) -> None:
        assert list(call("merge", {"a": 1, "b": 1}, {"c": 1, "a": 2})) == ["a", "b", "c"]

    def test_deep_merge_recurses_into_objects_only(self) -> None:
        result = call("deep_merge", {"a": {"x": 1, "l": [1]}}, {"a": {"y": 2, "l": [2]}})
        assert same(result, {"a": {"x": 1, "l": [2], "y": 2}})
        assert call("deep_merge", {"a": {"x": 1}}, {"a": 5}) == {"a": 5}
        assert call("deep_merge", {"a": 5}, None, {"a": {"x": 1}}) == {"a": {"x": 1}}

    def test_arguments_are_not_mutated(self) -> None:
        first = {"a": {"x": 1}}
        call("deep_merge", first, {"a": {"y": 2}})
        call("merge", first, {"a": 2})
        assert first == {"a": {"x": 1}}

    @pytest.mark.parametrize("name", ["merge", "deep_merge"])
    def test_non_objects_are_argument_errors(self, name: str) -> None:
        assert error_kind(name, {"a": 1}, [1]) == "argument"
        assert call(name, None) == {}


class TestPickOmitDelete:
    def test_pick_in_list_order_skipping_missing(self) -> None:
        assert same(call("pick", {"a": 1, "b": 2, "c": 3}, ["c", "a", "z"]), {"c": 3, "a": 1})

    def test_omit_keeps_order(self) -> None:
        assert same(call("omit", {"a": 1, "b": 2, "c": 3}, ["a"]), {"b": 2, "c": 3})

    def test_delete(self) -> None:
        original = {"a": 1, "b": 2}
        assert call("delete", original, "a") == {"b": 2}
        assert call("delete", original, "z") == original
        assert original == {"a": 1, "b": 2}

    def test_nulls_and_errors(self) -> None:
        assert call("pick", None, ["a"]) == {}
        assert call("pick", {"a": 1}, None) == {}
        assert call("omit", {"a": 1}, None) == {"a": 1}
        assert call("delete", None, "a") == {}
        assert error_kind("pick", {"a": 1}, "a") == "argument"
        assert error_kind("omit", [1], ["a"]) == "argument"


class TestEqualsAndClone:
    @pytest.mark.parametrize(("a", "b", "expected"), [
        ({"a": [1, 2]}, {"a": [1, 2.0]}, True),
        ("1", 1, False),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ([1, [True]], [1, [1]], False),
        (None, None, True),
        ({"a": None}, {}, False),
    ])
    def test_equals_is_deep_strict_equality(self, a: Any, b: Any, expected: bool) -> None:
        assert call("equals", a, b) is expected

    def test_clone_is_an_equal_independent_copy(self) -> None:
        original = {"a": [1, {"b": 2}]}
        copy = call("clone", original)
        assert copy == original
        assert copy is not original and copy["a"] is not original["a"]
        fn = Fn(lambda: 1)
        assert call("clone", fn) is fn
        assert call("clone", None) is None
