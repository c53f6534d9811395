"""``<match>`` patterns (SPEC §5.11): every example of the section and each kind of term."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import compile_pattern, match

MESSAGE = {"type": "urgent", "priority": 9, "tags": ["news", "featured"],
           "email": "ada@example.com", "user": {"plan": "pro"}, "seats": 3,
           "status": "open", "score": 7, "data": {"k": 1}}


class TestSpecExamples:
    @pytest.mark.parametrize(("pattern", "value", "expected"), [
        ("{ type: 'urgent', priority: > 8 }", MESSAGE, True),
        ("{ type: 'urgent', priority: > 8 }", {**MESSAGE, "priority": 8}, False),
        ("{ tags: [*, 'featured', *] }", MESSAGE, True),
        ("{ tags: [*, 'featured', *] }", {"tags": ["news"]}, False),
        ("{ email: /@example\\.com$/i }", {"email": "Ada@EXAMPLE.com"}, True),
        ("{ email: /@example\\.com$/i }", {"email": "ada@example.org"}, False),
        ("{ user.plan: 'pro' } OR { seats: >= 10 }", MESSAGE, True),
        ("{ user.plan: 'pro' } OR { seats: >= 10 }", {"user": {"plan": "free"}, "seats": 10},
         True),
        ("{ user.plan: 'pro' } OR { seats: >= 10 }", {"user": {"plan": "free"}, "seats": 9},
         False),
        ("NOT { status: 'deleted' }", MESSAGE, True),
        ("NOT { status: 'deleted' }", {"status": "deleted"}, False),
        ("{ data: typeof 'object' }", MESSAGE, True),
        ("{ data: typeof 'object' }", {"data": [1]}, False),
    ])
    def test_examples(self, pattern: str, value: Any, expected: bool) -> None:
        assert match(pattern, value) is expected

    def test_threshold_from_config(self) -> None:
        variables = {"$config": {"threshold": 5}}
        assert match("{ score: > $config.threshold }", {"score": 7}, variables) is True
        assert match("{ score: > $config.threshold }", {"score": 5}, variables) is False
        assert match("{ score: > $config.threshold }", {"score": 7}) is False
        assert match("$config.threshold", 5, variables) is True


class TestConformanceBranches:
    msg: ClassVar[dict[str, Any]] = {"type": "urgent", "priority": 9, "tags": ["news", "featured"],
           "email": "ada@company.com", "data": {"x": 1}}

    @pytest.mark.parametrize(("pattern", "expected"), [
        ("{ type: 'normal' }", False),
        ("{ email: /^[a-z]+@company\\.com$/ }", True),
        ("NOT { type: 'urgent' }", False),
        ("{ type: != 'deleted' } AND { priority: >= 9 }", True),
        ("{ type: 'a' } OR { tags: ['news', *] }", True),
    ])
    def test_branch_patterns(self, pattern: str, expected: bool) -> None:
        assert match(pattern, self.msg) is expected


class TestTerms:
    @pytest.mark.parametrize(("pattern", "value", "expected"), [
        ("_", None, True), ("_", {"a": 1}, True), ("null", None, True), ("null", 0, False),
        ("42", "42", True), ("'42'", 42, True), ("true", True, True), ("true", 1, False),
        ("-5", -5, True), ("1.5", 1.5, True), ("== 2", 2.0, True), ("!= 'a'", "b", True),
        ("< 'b'", "a", True), ("<= 3", "3", True), (">= 10", "9", False), ("> 1", None, False),
        ("/^a/", "abc", True), ("/^a/", 5, False), ("/x/m", "a\nx", True),
        ("/^x$/m", "a\nx\nb", True), ("/a.b/s", "a\nb", True), ("/a.b/", "a\nb", False),
        ("typeof 'null'", None, True), ("typeof 'array'", [], True),
        ("typeof 'number'", "1", False),
        ("{}", {}, True), ("{}", [], False), ("{ a: _ }", {}, True), ("{ a: null }", {}, True),
        ("{ a: { b: 1 } }", {"a": {"b": 1}}, True), ("{ a.b.c: 1 }", {"a": {"b": {"c": 1}}},
                                                      True),
        ("{ 'odd key': 1, 'x.y': 2 }", {"odd key": 1, "x.y": 2}, True),
        ("{ content-type: 'json' }", {"content-type": "json"}, True),
        ("{ a: 1, }", {"a": 1, "b": 2}, True), ("{ a: 1 }", None, False),
    ])
    def test_match(self, pattern: str, value: Any, expected: bool) -> None:
        assert match(pattern, value) is expected

    @pytest.mark.parametrize(("pattern", "value", "expected"), [
        ("[]", [], True), ("[]", [1], False), ("[1, 2]", [1, 2], True),
        ("[1, 2]", [1, 2, 3], False), ("[*]", [], True), ("[*]", [1, 2], True),
        ("['x', *]", ["x", "y"], True), ("['x', *]", ["y", "x"], False),
        ("[*, 'x']", ["y", "x"], True), ("[*, 'x']", ["x", "y"], False),
        ("[*, 'x', *]", ["a", "x", "b"], True), ("[*, 'x', *, 'y', *]", ["y", "x", "y"], True),
        ("[*, 'x', *, 'y', *]", ["y", "x"], False), ("[*, *, 1]", [1], True),
        ("[_, > 2]", [0, 3], True), ("[_, > 2]", [0, 1], False),
        ("[{ a: 1 }, *]", [{"a": 1, "b": 2}], True), ("[1]", "1", False),
        ("[1, 2,]", [1, 2], True),
    ])
    def test_arrays(self, pattern: str, value: Any, expected: bool) -> None:
        assert match(pattern, value) is expected

    @pytest.mark.parametrize(("pattern", "expected"), [
        ("{ a: 1 } and { b: 2 }", True), ("{ a: 1 } && { b: 3 }", False),
        ("{ a: 2 } or { b: 2 }", True), ("{ a: 2 } || { b: 3 }", False),
        ("not { a: 2 }", True), ("! { a: 1 }", False), ("NOT NOT { a: 1 }", True),
        ("({ a: 2 } OR { b: 2 }) AND { a: 1 }", True),
        ("{ a: 2 } OR { b: 2 } AND { a: 2 }", False),
        ("{ a: 1 OR 2 }", True), ("{ a: (> 0 AND < 2) }", True),
    ])
    def test_logic(self, pattern: str, expected: bool) -> None:
        assert match(pattern, {"a": 1, "b": 2}) is expected

    def test_short_circuit(self) -> None:
        pattern = compile_pattern("{ a: 1 } OR { b: /(a|aa)+$/ }")
        assert pattern.match({"a": 1, "b": "a" * 60 + "!"}) is True


class TestErrors:
    @pytest.mark.parametrize(("pattern", "column", "text"), [
        ("{ type: urgent }", 9, "put text in quotes"),
        ("{ type 'a' }", 8, "expected ':' after the field name"),
        ("", 1, "empty pattern"),
        ("{ a: 1 } extra", 10, "after a complete pattern"),
        ("/abc", 1, "unterminated regular expression"),
        ("/abc/g", 6, "invalid regular expression flags"),
        ("typeof string", 8, "type name in quotes"),
        ("[1, 2", 6, "',' or ']'"),
        ("{ a: 'x }", 6, "unterminated string"),
        ("{ a: > }", 8, "expected a pattern"),
        ("{ 5: 1 }", 3, "expected a field name"),
        ("{ a: @ }", 6, "unexpected character"),
    ])
    def test_syntax(self, pattern: str, column: int, text: str) -> None:
        with pytest.raises(ExpressionError) as info:
            compile_pattern(pattern)
        assert info.value.kind == "syntax" and info.value.column == column
        assert text in info.value.message

    def test_invalid_regex_literal(self) -> None:
        with pytest.raises(ExpressionError) as info:
            compile_pattern("{ a: /(unclosed/ }")
        assert info.value.kind == "regex" and info.value.column == 6

    def test_deep_nesting_is_a_syntax_error(self) -> None:
        for pattern in ("(" * 1000 + "_" + ")" * 1000, "NOT " * 1000 + "_",
                        "{ a: " * 1000 + "1" + " }" * 1000):
            with pytest.raises(ExpressionError) as info:
                compile_pattern(pattern)
            assert info.value.kind == "syntax"

    def test_catastrophic_regex_is_a_limit(self) -> None:
        with pytest.raises(ExpressionError) as info:
            match("/(a|aa)+$/", "a" * 60 + "!")
        assert info.value.kind == "limit" and info.value.column == 1
