"""The lexer: token types, offsets, string escapes and the hyphenated-name rule (§5.2)."""

from __future__ import annotations

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr.lexer import TokenStream, describe_token, hyphen_prefixes, tokenize


def kinds(source: str, declared: tuple[str, ...] = ()) -> list[tuple[str, object]]:
    return [(t.type, t.value) for t in tokenize(source, declared)][:-1]


class TestTokens:
    def test_numbers_are_exact_integers_or_normalised_doubles(self) -> None:
        assert kinds("42 1.5 2.0 1e3 2.5E-1") == [
            ("number", 42), ("number", 1.5), ("number", 2), ("number", 1000),
            ("number", 0.25)]

    def test_huge_integer_literal_stays_exact(self) -> None:
        assert kinds("123456789012345678901234567890") == [
            ("number", 123456789012345678901234567890)]

    def test_out_of_range_number_is_a_syntax_error(self) -> None:
        with pytest.raises(ExpressionError) as info:
            tokenize("1e999")
        assert info.value.kind == "syntax"

    def test_offsets_are_zero_based_spans(self) -> None:
        tokens = tokenize("a  + 'xy'")
        assert [t.span for t in tokens] == [(0, 1), (3, 4), (5, 9), (9, 9)]
        assert tokens[-1].type == "eof"

    def test_every_punctuator(self) -> None:
        source = "( ) [ ] { } , : . ?. ?.[ ? ?? => ... + - * / % ! == != === !== < <= > >= && || |"
        assert [t.type for t in tokenize(source)][:-1] == source.split()

    def test_optional_chaining_is_not_taken_before_a_digit(self) -> None:
        assert [t.type for t in tokenize("a?.5")][:-1] == ["name", "?", ".", "number"]

    def test_reserved_words_and_their_case_forms(self) -> None:
        assert [t.type for t in tokenize("and AND or OR not NOT in IN typeof this")][:-1] == [
            "and", "and", "or", "or", "not", "not", "in", "in", "typeof", "this"]
        assert kinds("true false null undefined") == [
            ("true", "true"), ("false", "false"), ("null", "null"), ("undefined", "undefined")]

    def test_mixed_case_words_are_plain_names(self) -> None:
        assert kinds("And True Null") == [("name", "And"), ("name", "True"), ("name", "Null")]

    def test_dollar_and_at_names(self) -> None:
        assert kinds("$config $secrets @index @first @last @key") == [
            ("dollar", "$config"), ("dollar", "$secrets"), ("at", "@index"),
            ("at", "@first"), ("at", "@last"), ("at", "@key")]

    def test_unknown_at_name_is_an_error(self) -> None:
        with pytest.raises(ExpressionError) as info:
            tokenize("@foo")
        assert info.value.kind == "syntax" and info.value.column == 1

    @pytest.mark.parametrize("char", ["=", "&", "#", "`", ";"])
    def test_unexpected_characters(self, char: str) -> None:
        with pytest.raises(ExpressionError) as info:
            tokenize(f"a {char} b")
        assert info.value.kind == "syntax" and info.value.column == 3


class TestStrings:
    @pytest.mark.parametrize(("source", "value"), [
        (r"'a\\b'", "a\\b"), (r"'it\'s'", "it's"), (r'"say \"hi\""', 'say "hi"'),
        (r"'\n\r\t\b\f\v\0'", "\n\r\t\b\f\v\0"), (r"'\x41'", "A"), (r"'\u00e9'", "é"),
        (r"'\u{1F600}'", "\U0001F600"), (r"'\uD83D\uDE00'", "\U0001F600"),
        (r"'\q\%'", "q%"), ("'two\nlines'", "two\nlines"), ('"single \' inside"',
                                                            "single ' inside"),
    ])
    def test_escapes(self, source: str, value: str) -> None:
        assert kinds(source) == [("string", value)]

    @pytest.mark.parametrize("source", ["'abc", r"'abc\'", r"'\xZZ'", r"'\u12'",
                                        r"'\u{110000}'", r"'\uD800'", r"'\u{}'"])
    def test_bad_strings_are_syntax_errors(self, source: str) -> None:
        with pytest.raises(ExpressionError) as info:
            tokenize(source)
        assert info.value.kind == "syntax"

    def test_unterminated_string_points_at_its_quote(self) -> None:
        with pytest.raises(ExpressionError) as info:
            tokenize("x + 'abc")
        assert info.value.column == 5


class TestHyphenatedNames:
    """SPEC §5.2 examples: node fetch-data, variables count and a."""

    declared = ("fetch-data", "count", "a", "sub-item")

    def test_declared_hyphenated_name_is_one_token(self) -> None:
        assert kinds("fetch-data.output", self.declared) == [
            ("name", "fetch-data"), (".", "."), ("name", "output")]

    def test_undeclared_run_is_a_subtraction(self) -> None:
        assert kinds("count-1", self.declared) == [("name", "count"), ("-", "-"),
                                                   ("number", 1)]

    def test_spaced_minus_is_always_a_subtraction(self) -> None:
        assert kinds("a - b", self.declared) == [("name", "a"), ("-", "-"), ("name", "b")]

    def test_foreach_item_name(self) -> None:
        assert kinds("sub-item", self.declared) == [("name", "sub-item")]

    def test_longest_declared_prefix_wins(self) -> None:
        assert kinds("a-b-c-d", ("a-b", "a-b-c")) == [
            ("name", "a-b-c"), ("-", "-"), ("name", "d")]

    def test_rule_applies_after_a_dot(self) -> None:
        assert kinds("x.fetch-data", self.declared)[-1] == ("name", "fetch-data")

    def test_hyphen_prefixes_lists_candidates_only(self) -> None:
        assert hyphen_prefixes("fetch-data-x.y + 1e-5 + $a-b") == frozenset(
            {"fetch-data", "fetch-data-x"})
        assert hyphen_prefixes("a + b") == frozenset()


class TestStream:
    def test_vocabulary(self) -> None:
        stream = TokenStream(tokenize("a + b"), "a + b")
        assert stream.current.value == "a"
        assert stream.look().type == "+"
        assert stream.next_if("number") is None
        assert stream.next().value == "a"
        assert stream.expect("+").type == "+"
        with pytest.raises(ExpressionError) as info:
            stream.expect("number", "a number")
        assert "expected a number, got name 'b'" in info.value.message
        assert info.value.column == 5

    def test_describe_token(self) -> None:
        tokens = tokenize("x 1 'a' + $c")
        assert [describe_token(t) for t in tokens] == [
            "name 'x'", "number 1", "a string", "'+'", "'$c'", "end of expression"]
