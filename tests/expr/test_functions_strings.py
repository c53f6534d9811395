"""String built-ins (SPEC §5.13), called directly: every behaviour row, null and wrong types."""

from __future__ import annotations

from typing import Any

import pytest
from functions_support import FakeContext, call, error_kind, same

from flowscript.expr import values


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("upper", ["héllo"], "HÉLLO"),
    ("upper", [None], ""),
    ("upper", [1.5], "1.5"),
    ("upper", ["straße"], "STRASSE"),
    ("lower", ["ÀB"], "àb"),
    ("lower", [True], "true"),
    ("capitalize", ["hello world"], "Hello world"),
    ("capitalize", ["hELLO"], "HELLO"),
    ("capitalize", [""], ""),
    ("capitalize", [None], ""),
    ("trim", ["  a b  "], "a b"),
    ("trim", ["\u00a0\u3000x\t\n"], "x"),
    ("trim", ["\x1fx"], "\x1fx"),
    ("trim", [None], ""),
    ("trim_start", ["  a  "], "a  "),
    ("trim_end", ["  a  "], "  a"),
    ("starts_with", ["FlowScript", "Flow"], True),
    ("starts_with", ["FlowScript", "flow"], False),
    ("starts_with", [123, 12], True),
    ("starts_with", [None, ""], True),
    ("ends_with", ["FlowScript", "Script"], True),
    ("ends_with", [[1], "]"], True),
    ("html_escape", ["<a href=\"x\">'&'</a>"],
     "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"),
    ("html_escape", [None], ""),
])
def test_text_functions(name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


class TestReplace:
    def test_every_occurrence_left_to_right_without_overlap(self) -> None:
        assert call("replace", "aaaa", "aa", "b") == "bb"
        assert call("replace", "foo-bar-baz", "-", "_") == "foo_bar_baz"

    def test_is_literal_not_a_regex(self) -> None:
        assert call("replace", "a.b.c", ".", "$1") == "a$1b$1c"

    def test_empty_old_returns_the_text(self) -> None:
        assert call("replace", "abc", "", "x") == "abc"

    def test_converts_every_argument_to_text(self) -> None:
        assert call("replace", 1001, 0, None) == "11"

    def test_a_result_over_the_string_limit_is_refused_before_it_is_built(self) -> None:
        big = "a" * 1000
        assert error_kind("replace", big, "a", "b" * (values.MAX_STRING // 100)) == "limit"


class TestRegexReplace:
    @pytest.mark.parametrize(("subject", "pattern", "replacement", "expected"), [
        ("2025-03-09", r"(\d+)-(\d+)-(\d+)", "$3/$2/$1", "09/03/2025"),
        ("abc", "b", "[$&]", "a[b]c"),
        ("abc", "b", "$$", "a$c"),
        ("abc", "(?<mid>b)", "<$<mid>>", "a<b>c"),
        ("abc", "(b)", "$<mid>", "a$<mid>c"),
        ("abc", "(b)", "$2", "a$2c"),
        ("abc", "(b)", "$10", "ab0c"),
        ("abc", "(b)", "$0", "a$0c"),
        ("abc", "(x)?b", "[$1]", "a[]c"),
        ("aaa", "a", "b", "bbb"),
        ("abcdefghijkl", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "$11$1", "kal"),
        ("price: 5", "$", "!", "price: 5!"),
    ])
    def test_js_replacement_patterns(self, subject: str, pattern: str, replacement: str,
                                     expected: str) -> None:
        assert call("regex_replace", subject, pattern, replacement) == expected

    def test_flags(self) -> None:
        assert call("regex_replace", "A a", "a", "x", "i") == "x x"
        assert call("regex_replace", "A a", "a", "x") == "A x"

    def test_invalid_pattern_and_wrong_types(self) -> None:
        assert error_kind("regex_replace", "a", "(", "x") == "regex"
        assert error_kind("regex_replace", "a", "a", "x", "q") == "regex"
        assert error_kind("regex_replace", "a", 5, "x") == "argument"

    def test_growth_is_stopped_at_the_string_limit_while_replacing(self) -> None:
        long = "x" * (values.MAX_STRING // 1000)
        assert error_kind("regex_replace", "a" * 2000, "", long) == "limit"

    def test_a_slow_pattern_hits_the_time_limit(self) -> None:
        kind = error_kind("regex_replace", "a" * 40 + "!", "(a|aa)+$", "x")
        assert kind == "limit"


@pytest.mark.parametrize(("args", "expected"), [
    (["a,b,,c", ","], ["a", "b", "", "c"]),
    (["abc", ""], ["a", "b", "c"]),
    (["héllo", ""], ["h", "é", "l", "l", "o"]),
    ([None, ","], []),
    (["a,b", None], ["a,b"]),
    (["a,b,c", ",", 2], ["a", "b"]),
    (["a,b,c", ",", 0], []),
    (["a,b,c", "", 2], ["a", ","]),
    ([12.5, "."], ["12", "5"]),
    (["", ","], [""]),
])
def test_split(args: list[Any], expected: list[str]) -> None:
    assert call("split", *args) == expected


def test_case_mapping_that_grows_past_the_limit_is_refused() -> None:
    assert error_kind("upper", "ß" * (values.MAX_STRING // 2 + 1)) == "limit"


def test_split_counts_its_pieces_as_steps() -> None:
    ctx = FakeContext()
    call("split", "a,b,c", ",", ctx=ctx)
    assert ctx.steps == 3


def test_split_rejects_bad_limits_and_huge_results() -> None:
    assert error_kind("split", "a,b", ",", -1) == "argument"
    assert error_kind("split", "a,b", ",", "2") == "argument"
    assert error_kind("split", "x" * (values.MAX_ELEMENTS + 1), "") == "limit"


class TestJoin:
    def test_elements_by_the_interpolation_rule(self) -> None:
        assert call("join", ["a", 1, None, True, [1], {"k": 2}], "-") == 'a-1--true-[1]-{"k":2}'

    def test_default_separator_is_empty(self) -> None:
        assert call("join", ["a", "b"]) == "ab"

    def test_null_list_is_empty_text_and_other_types_are_errors(self) -> None:
        assert call("join", None) == ""
        assert error_kind("join", "abc") == "argument"

    def test_counts_visited_elements(self) -> None:
        ctx = FakeContext()
        call("join", [1, 2, 3], ",", ctx=ctx)
        assert ctx.steps == 3


class TestConcat:
    def test_text_when_the_first_non_null_argument_is_not_a_list(self) -> None:
        assert call("concat", "a", 1, None, "b") == "a1b"
        assert call("concat", None, 1, [2]) == "1[2]"

    def test_lists_when_the_first_non_null_argument_is_a_list(self) -> None:
        assert call("concat", [1], [2, 3], 4) == [1, 2, 3, 4]
        assert call("concat", None, [1], None, "x", [[2]]) == [1, "x", [2]]

    def test_only_nulls_give_empty_text(self) -> None:
        assert call("concat", None, None) == ""

    def test_a_single_argument_is_allowed(self) -> None:
        assert call("concat", "a") == "a"


class TestTruncate:
    @pytest.mark.parametrize(("args", "expected"), [
        (["Hello world", 8], "Hello..."),
        (["Hi", 8], "Hi"),
        (["Hello", 5], "Hello"),
        (["Hello world", 2], "He"),
        (["Hello world", 3], "Hel"),
        (["Hello world", 4], "H..."),
        (["Hello world", 6, "…"], "Hello…"),
        (["Hello world", 0], ""),
        ([None, 3], ""),
    ])
    def test_rows(self, args: list[Any], expected: str) -> None:
        assert call("truncate", *args) == expected

    def test_negative_or_non_integer_length_is_an_argument_error(self) -> None:
        assert error_kind("truncate", "abc", -1) == "argument"
        assert error_kind("truncate", "abc", "2") == "argument"
        assert error_kind("truncate", "abc", 1.5) == "argument"


@pytest.mark.parametrize(("name", "args", "expected"), [
    ("includes", ["team", "ea"], True),
    ("includes", ["team", "x"], False),
    ("includes", ["a1", 1], True),
    ("includes", [[1, 2, 3], "2"], True),
    ("includes", [[1, 2, 3], 4], False),
    ("includes", [[[1]], [1]], True),
    ("includes", [{"a": 1}, "a"], True),
    ("includes", [{"1": 1}, 1], True),
    ("includes", [{"a": 1}, "b"], False),
    ("includes", [None, "a"], False),
    ("contains", ["team", "ea"], True),
    ("index_of", ["banana", "an"], 1),
    ("index_of", ["banana", "x"], -1),
    ("index_of", ["héllo", "l"], 2),
    ("index_of", [[1, 2, 3], "2"], 1),
    ("index_of", [[1, 2, 3], 9], -1),
    ("index_of", [None, 1], -1),
])
def test_membership(name: str, args: list[Any], expected: Any) -> None:
    assert same(call(name, *args), expected)


def test_membership_wrong_types() -> None:
    assert error_kind("includes", 5, 5) == "argument"
    assert error_kind("index_of", True, "t") == "argument"


@pytest.mark.parametrize(("args", "expected"), [
    (["FlowScript", 4, 0], "Flow"),
    (["FlowScript", 4], "Script"),
    (["FlowScript", -3, 2], "Fl"),
    (["FlowScript", 2, 100], "owScript"),
    (["FlowScript", 1.7, 3.2], "lo"),
    (["FlowScript", None, 2], "Fl"),
    ([None, 0, 2], ""),
])
def test_substring(args: list[Any], expected: str) -> None:
    assert call("substring", *args) == expected


@pytest.mark.parametrize(("args", "expected"), [
    (["FlowScript", -6], "Script"),
    (["FlowScript", 0, 4], "Flow"),
    (["FlowScript", 4, 2], ""),
    (["FlowScript", -100, -6], "Flow"),
    ([[1, 2, 3, 4], 1, 3], [2, 3]),
    ([[1, 2, 3, 4], -2], [3, 4]),
    ([None, 1], None),
])
def test_slice(args: list[Any], expected: Any) -> None:
    assert same(call("slice", *args), expected)


def test_position_arguments_must_be_numbers() -> None:
    assert error_kind("slice", 5, 1) == "argument"
    assert error_kind("slice", "abc", "1") == "argument"
    assert error_kind("substring", "abc", True) == "argument"


class TestPadding:
    @pytest.mark.parametrize(("name", "args", "expected"), [
        ("pad_start", ["7", 3, "0"], "007"),
        ("pad_start", ["abc", 10, "foo"], "foofoofabc"),
        ("pad_start", ["abc", 5], "  abc"),
        ("pad_start", ["abc", 2, "0"], "abc"),
        ("pad_start", ["abc", 6, ""], "abc"),
        ("pad_start", [7, 3, 0], "007"),
        ("pad_end", ["ab", 5, "xy"], "abxyx"),
        ("pad_end", [None, 2, "-"], "--"),
    ])
    def test_rows(self, name: str, args: list[Any], expected: str) -> None:
        assert call(name, *args) == expected

    def test_the_width_is_checked_before_padding(self) -> None:
        assert error_kind("pad_start", "a", values.MAX_STRING + 1) == "limit"
        assert error_kind("pad_end", "a", "5") == "argument"


class TestRepeat:
    def test_repeats_text(self) -> None:
        assert call("repeat", "ab", 3) == "ababab"
        assert call("repeat", 1, 2) == "11"
        assert call("repeat", "x", 0) == ""

    def test_count_must_be_a_non_negative_integer(self) -> None:
        assert error_kind("repeat", "x", -1) == "argument"
        assert error_kind("repeat", "x", 1.5) == "argument"
        assert error_kind("repeat", "x", None) == "argument"

    def test_over_the_string_limit_before_building(self) -> None:
        assert error_kind("repeat", "ab", values.MAX_STRING) == "limit"


@pytest.mark.parametrize(("args", "expected"), [
    (["abc", 0], "a"),
    (["abc", 2], "c"),
    (["abc", 5], ""),
    (["abc", -1], ""),
    (["héllo", 1], "é"),
    ([None, 0], ""),
])
def test_char_at(args: list[Any], expected: str) -> None:
    assert call("char_at", *args) == expected


class TestMatching:
    def test_match_returns_the_first_match_text_or_null(self) -> None:
        assert call("match", "order-1234", "[0-9]+") == "1234"
        assert call("match", "order", "[0-9]+") is None
        assert call("match", "ORDER", "order", "i") == "ORDER"

    def test_match_all_returns_every_non_overlapping_match(self) -> None:
        assert call("match_all", "a1b22c333", "[0-9]+") == ["1", "22", "333"]
        assert call("match_all", "aaaa", "aa") == ["aa", "aa"]
        assert call("match_all", "abc", "x") == []

    def test_test_reports_a_match_anywhere(self) -> None:
        assert call("test", "Ada@Example.com", r"@example\.com$", "i") is True
        assert call("test", "Ada@Example.com", r"@example\.com$") is False
        assert call("test", "a\nb", "^b$", "m") is True
        assert call("test", "a\nb", "a.b", "s") is True
        assert call("test", "a\nb", "a.b") is False

    def test_named_groups_and_the_subject_by_text(self) -> None:
        assert call("match", 2025, r"(?<y>\d{2})$") == "25"
        assert call("test", None, "^$") is True

    def test_errors(self) -> None:
        assert error_kind("match", "a", "[") == "regex"
        assert error_kind("test", "a", None) == "argument"
        assert error_kind("match_all", "a", "a", 1) == "argument"
        assert error_kind("test", "a", "a" * (values.MAX_REGEX_LENGTH + 1)) == "limit"
        huge = "a" * (values.MAX_REGEX_SUBJECT + 1)
        assert error_kind("test", huge, "b") == "limit"
