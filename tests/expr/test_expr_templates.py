"""Templates (SPEC §5.10): interpolation, blocks, comments, escapes, standalone lines,
delimiting, the result rule and syntax errors."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import compile_template, render
from flowscript.expr.values import NodeRef

PEOPLE = [{"name": "Ada", "admin": False}, {"name": "Bob"}, {"name": "Cy"}]


def syntax_error(template: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_template(template)
    assert info.value.kind == "syntax"
    return info.value


class TestResultRule:
    @pytest.mark.parametrize(("template", "value"), [
        ("{{ [1, 'two', null] }}", [1, "two", None]), ("{{ 40 + 2 }}", 42),
        ("{{ 1 < 2 }}", True), ("{{ null }}", None),
        ("{{ {a: [1], b: {c: true} } }}", {"a": [1], "b": {"c": True}}),
        ("{{x}}", [1, 2]), ("{{{a: 1}}}", {"a": 1}),
    ])
    def test_single_tag_keeps_the_type(self, template: str, value: Any) -> None:
        assert render(template, {"x": [1, 2]}) == value
        assert compile_template(template).single

    @pytest.mark.parametrize(("template", "text"), [
        ("n = {{ 2 + 3 }}", "n = 5"), ("{{ 'a' }}{{ 'b' }}", "ab"), (" {{ x }}", " [1,2]"),
        ("{{ x }}\n", "[1,2]\n"), ("{{! c }}{{ x }}", "[1,2]"), ("plain", "plain"),
        ("", ""),
    ])
    def test_anything_else_is_a_string(self, template: str, text: str) -> None:
        assert render(template, {"x": [1, 2]}) == text
        assert not compile_template(template).single

    def test_interpolation_rule(self) -> None:
        template = "{{ 6 / 2 }} {{ 0.1 + 0.2 }} {{ null }}|{{ [1, 'a'] }} {{ {k: true} }}"
        assert render(template, {}) == '3 0.30000000000000004 |[1,"a"] {"k":true}'
        assert render("{{ 'é' }}-{{ ['é'] }}-{{ false }}-{{ 1e21 }}", {}) == (
            'é-["é"]-false-1e+21')

    def test_functions_are_not_interpolated(self) -> None:
        for template in ("a{{ x => x }}", "{{ x => x }}", "a{{ [x => x] }}"):
            with pytest.raises(ExpressionError) as info:
                render(template, {})
            assert info.value.kind == "type"


class TestBlocks:
    @pytest.mark.parametrize(("template", "text"), [
        ("{{#each input}}[{{ this.name }}]{{/each}}", "[Ada][Bob][Cy]"),
        ("{{#each input}}{{ @index }}:{{ this.name }}{{#unless @last}},{{/unless}}{{/each}}",
         "0:Ada,1:Bob,2:Cy"),
        ("{{#each input}}{{#if @first}}({{/if}}{{ this.name }}{{/each}})", "(AdaBobCy)"),
        ("{{#if length(input) > 2}}long{{else}}short{{/if}}", "long"),
        ("{{#if length(input) > 5}}long{{else}}short{{/if}}", "short"),
        ("{{#unless input[0].admin}}not admin{{/unless}}", "not admin"),
        ("{{#unless true}}x{{else}}y{{/unless}}", "y"),
        ("{{#if 0}}a{{else if ''}}b{{else if 'ok'}}c{{else}}d{{/if}}", "c"),
        ("{{#if null}}a{{else if false}}b{{/if}}", ""),
        ("{{#each []}}x{{else}}none{{/each}}", "none"),
        ("{{#each null}}x{{else}}none{{/each}}", "none"),
        ("{{#each {}}}x{{else}}none{{/each}}", "none"),
        ("{{#each {a: 1, b: 2}}}{{@key}}={{this}};{{/each}}", "a=1;b=2;"),
        ("{{#each [[1, 2], [3]]}}<{{#each this}}{{@index}}{{this}}{{/each}}>{{/each}}",
         "<0112><03>"),
        ("{{#each [1, 2]}}{{ map([10], x => x + this) }}{{/each}}", "[11][12]"),
        ("{{#each input}}{{#if this.admin == false}}{{this.name}}{{/if}}{{/each}}", "Ada"),
        ("{{ this }}{{ @index }}", ""),
        ("{{#each [1]}}{{/each}}", ""),
    ])
    def test_rendering(self, template: str, text: str) -> None:
        assert render(template, {"input": PEOPLE}) == text

    def test_outer_bindings_come_back_after_a_nested_block(self) -> None:
        template = "{{#each ['a', 'b']}}{{#each [1]}}{{/each}}{{this}}{{@index}}{{/each}}"
        assert render(template, {}) == "a0b1"

    def test_each_over_a_node_reference(self) -> None:
        assert render("{{#each fetch}}{{this}}{{/each}}", {"fetch": NodeRef([1, 2])}) == "12"

    @pytest.mark.parametrize("value", [5, "text", True])
    def test_each_needs_a_list_or_object(self, value: Any) -> None:
        with pytest.raises(ExpressionError) as info:
            render("x{{#each v}}{{/each}}", {"v": value})
        assert info.value.kind == "type" and info.value.column == 2


class TestCommentsAndEscapes:
    @pytest.mark.parametrize(("template", "text"), [
        ("a{{! a comment }}b", "ab"), ("a{{!-- has }} inside --}}b", "ab"),
        ("\\{{ x }}", "{{ x }}"), ("a \\{{x}} {{x}}", "a {{x}} 1"),
        ("{\"a\": {{x}}}", '{"a": 1}'), ("}} alone", "}} alone"),
        ("{{ '}}' }}", "}}"), ("{{ \"a}}\" + '{' }}", "a}}{"),
        ("{{ {a: {b: x}}.a.b }}", 1),
    ])
    def test_text(self, template: str, text: Any) -> None:
        assert render(template, {"x": 1}) == text


class TestStandaloneLines:
    def test_block_lines_disappear(self) -> None:
        template = ("Tickets:\n"
                    "{{#each input}}\n"
                    "- [{{this.name}}]\n"
                    "{{else}}\n"
                    "No open tickets.\n"
                    "{{/each}}\n"
                    "End")
        assert render(template, {"input": PEOPLE}) == "Tickets:\n- [Ada]\n- [Bob]\n- [Cy]\nEnd"
        assert render(template, {"input": []}) == "Tickets:\nNo open tickets.\nEnd"

    def test_indented_tags_and_crlf(self) -> None:
        template = "a\r\n    {{#if true}}  \r\n  b\r\n  {{/if}}\r\nc"
        assert render(template, {}) == "a\r\n  b\r\nc"

    def test_comment_lines_disappear(self) -> None:
        assert render("a\n  {{! note }}\nb\n{{!-- x --}}\n", {}) == "a\nb\n"

    def test_tags_at_start_and_end_of_the_template(self) -> None:
        assert render("{{#if true}}\nyes\n{{/if}}", {}) == "yes\n"

    def test_lines_with_other_content_are_kept(self) -> None:
        assert render("a {{#if true}}b{{/if}}\nc", {}) == "a b\nc"
        assert render("{{x}} {{#if true}}\nb{{/if}}", {"x": 1}) == "1 \nb"

    def test_interpolation_lines_are_never_standalone(self) -> None:
        assert render("a\n{{x}}\nb", {"x": ""}) == "a\n\nb"

    def test_two_block_tags_on_one_line_are_kept(self) -> None:
        assert render("{{#if true}}{{#if true}}\nx\n{{/if}}{{/if}}\n", {}) == "\nx\n\n"


class TestSyntaxErrors:
    @pytest.mark.parametrize(("template", "column", "text"), [
        ("Hello {{ $input.name", 7, "unterminated tag"),
        ("a {{ }}", 3, "empty tag"),
        ("{{#each xs}}x", 1, "'{{#each}}' is never closed"),
        ("{{#if a}}x{{/each}}", 11, "does not match"),
        ("x{{/if}}", 2, "closes no block"),
        ("{{else}}", 1, "outside a block"),
        ("{{#if a}}{{else}}{{else}}{{/if}}", 18, "after the block's"),
        ("{{#if a}}{{else}}{{else if b}}{{/if}}", 18, "after the block's"),
        ("{{#each a}}{{else if b}}{{/each}}", 12, "cannot be used in"),
        ("{{#with a}}{{/with}}", 1, "unknown block"),
        ("{{#if}}{{/if}}", 1, "needs an expression"),
        ("{{else if}}", 1, "needs an expression"),
        ("{{/if x}}", 1, "malformed closing tag"),
        ("{{! never closed", 1, "unterminated comment"),
        ("{{!-- never closed }}", 1, "unterminated comment"),
        ("{{ 'abc }}", 1, "unterminated tag"),
        ("ab {{ 1 + }}", 10, "expected an expression"),
    ])
    def test_messages_and_columns(self, template: str, column: int, text: str) -> None:
        error = syntax_error(template)
        assert error.column == column and text in error.message
        assert error.source == template

    def test_deep_block_nesting_is_an_error(self) -> None:
        error = syntax_error("{{#if 1}}" * 300 + "{{/if}}" * 300)
        assert "nested too deeply" in error.message


class TestDeclaredNames:
    def test_hyphen_rule_in_templates(self) -> None:
        variables = {"fetch-data": NodeRef([1, 2, 3]), "fetch": 10, "data": 4}
        assert render("{{ length(fetch-data.output) }}", variables) == 3
        assert compile_template("{{ fetch-data }}", {"fetch", "data"}).render(
            {"fetch": 10, "data": 4}) == 6


class TestConformanceCases:
    """Templates of the conformance corpus (expr/js-semantics, expr/nullish-ternary)."""

    def test_js_semantics(self) -> None:
        template = """{{ {
      loose: '42' == 42, strict: '42' === 42, no_bool_coercion: 0 == '',
      numeric_string_compare: '10' > 9, in_list: 2 in [1, 2], in_string: 'ea' in 'team',
      in_object: 'a' in {a: 1}, not_in: 3 not in [1, 2], string_plus_number: '2' + 3,
      string_times_number: '2' * 3, list_plus_list: [1] + [2, 3], integral_division: 6 / 2,
      remainder_sign: -7 % 3, method_call: 'hello'.upper(), pipe: 'hello' | upper,
      pipe_args: [3, 1, 2] | sort | join('-'),
      js_aliases: JSON.parse('{"a": 1}').a + Math.max(1, 5),
      chained_methods: [1, 2, 3].filter(x => x > 1).map(x => x * 10),
      negative_index: [1, 2, 3][-1], list_length: [1, 2, 3].length
    } }}"""
        assert render(template, {}) == {
            "loose": True, "strict": False, "no_bool_coercion": False,
            "numeric_string_compare": True, "in_list": True, "in_string": True,
            "in_object": True, "not_in": True, "string_plus_number": "23",
            "string_times_number": 6, "list_plus_list": [1, 2, 3], "integral_division": 3,
            "remainder_sign": -1, "method_call": "HELLO", "pipe": "HELLO",
            "pipe_args": "1-2-3", "js_aliases": 6, "chained_methods": [20, 30],
            "negative_index": 3, "list_length": 3}

    def test_nullish_ternary(self) -> None:
        template = """{{ {
      null_default: null ?? 'd', zero_kept: 0 ?? 5, zero_or: 0 || 5,
      empty_or: '' || 'empty', and_value: 1 && 'second', missing: input.missing ?? 'none',
      ternary: input.x > 0 ? 'pos' : 'neg',
      chained: input.x > 5 ? 'big' : input.x > 0 ? 'small' : 'none',
      optional: input.nested?.deep?.value ?? 'safe', out_of_range: input.list[5] ?? 'none'
    } }}"""
        doc = {"x": 1, "list": [1], "nested": None}
        assert render(template, {"input": doc}) == {
            "null_default": "d", "zero_kept": 0, "zero_or": 5, "empty_or": "empty",
            "and_value": "second", "missing": "none", "ternary": "pos", "chained": "small",
            "optional": "safe", "out_of_range": "none"}

    def test_operators(self) -> None:
        template = """{{ {
      precedence: 1 + 2 * 3, grouping: (1 + 2) * 3, division: 7 / 2, modulo: 7 % 3,
      concat: 'n=' + 5, strings: 'ab' + 'cd',
      comparisons: 3 > 2 && 2 >= 2 && 1 < 2 && 1 <= 1, strict: 1 === 1 && 'a' !== 'b',
      loose: 2 == 2 && 2 != 3, negation: !false, words: true AND NOT false,
      or_word: false OR true, unary: -(-4), nested_index: [1, [2, 3]][1][0],
      member: {a: {b: 'deep'} }.a.b, bracket: {'odd key': 9}['odd key']
    } }}"""
        assert render(template, {}) == {
            "precedence": 7, "grouping": 9, "division": 3.5, "modulo": 1, "concat": "n=5",
            "strings": "abcd", "comparisons": True, "strict": True, "loose": True,
            "negation": True, "words": True, "or_word": True, "unary": 4,
            "nested_index": 2, "member": "deep", "bracket": 9}


class TestNesting:
    def test_deeply_nested_blocks_render(self) -> None:
        template = "{{#if 1}}" * 200 + "x" + "{{/if}}" * 200
        assert render(template, {}) == "x"
        each = "{{#each [1]}}" * 100 + "{{this}}" + "{{/each}}" * 100
        assert render(each, {}) == "1"

    def test_structure_errors_come_before_expression_errors(self) -> None:
        error = syntax_error("{{ 1 + }}{{/if}}")
        assert "closes no block" in error.message
