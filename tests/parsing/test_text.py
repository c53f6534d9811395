"""§1.5 text of value elements, and positions inside derived values (SPEC §1.2)."""

from __future__ import annotations

from body_support import clean

from flowscript.ast import Span, Text
from flowscript.parsing.raw import RawAttr, RawText
from flowscript.parsing.text import (
    Located,
    MappedConfigValue,
    MappedText,
    attribute_text,
    config_texts,
    derive,
    text_of,
)


def seg(value: str, line: int, column: int, *, exact: bool = True, cdata: bool = False
        ) -> RawText:
    lines = value.split("\n")
    end_line = line + len(lines) - 1
    end_column = (column if len(lines) == 1 else 1) + len(lines[-1])
    return RawText(value, Span(line, column, end_line, end_column), exact, cdata)


class TestDerivation:
    def test_spec_example_dedents_joins_and_strips(self):
        text = text_of([seg("\n      method: GET\n      url: x\n    ", 3, 12)], (3, 12))
        assert text.value == "method: GET\nurl: x"

    def test_single_cdata_is_verbatim(self):
        segments = [seg("\n  ", 1, 10), seg("  a < b && c  \n  d", 2, 12, cdata=True),
                    seg("\n", 3, 7)]
        text = text_of(segments, (1, 10))
        assert text.value == "  a < b && c  \n  d"
        assert text.position(2) == (2, 14)

    def test_cdata_mixed_with_text_is_decoded_and_dedented(self):
        segments = [seg("\n    x = ", 1, 5), seg("<y>", 2, 17, cdata=True),
                    seg("\n    z\n", 2, 23)]
        assert text_of(segments, (1, 5)).value == "x = <y>\nz"

    def test_blank_lines_inside_are_kept_and_outer_ones_removed(self):
        text = text_of([seg("\n\n    a\n\n      b\n\n", 1, 9)], (1, 9))
        assert text.value == "a\n\n  b"

    def test_common_indent_uses_non_blank_lines_only(self):
        text = text_of([seg("\n        one\n  \n        two\n    ", 4, 3)], (4, 3))
        assert text.value == "one\n\ntwo"

    def test_tabs_count_as_indentation(self):
        assert text_of([seg("\n\t\tx\n\t\t  y\n\t", 1, 1)], (1, 1)).value == "x\n  y"

    def test_empty_content_gives_an_empty_value_at_the_given_place(self):
        text = text_of([], (7, 20))
        assert text.value == "" and (text.span.line, text.span.column) == (7, 20)
        assert text_of([seg("   \n  ", 2, 4)], (2, 4)).value == ""


class TestPositions:
    def test_single_line_text_is_a_plain_exact_text(self):
        text = text_of([seg("  item.n < 10  ", 5, 14)], (5, 14))
        assert type(text) is Text and text.exact
        assert text.value == "item.n < 10"
        assert text.span == Span(5, 16, 5, 27)
        assert text.position(7) == (5, 23)

    def test_dedented_lines_map_back_to_their_file_columns(self):
        text = text_of([seg("\n      alpha\n        beta > 1\n    ", 9, 20)], (9, 20))
        assert isinstance(text, MappedText) and text.exact
        assert text.value == "alpha\n  beta > 1"
        assert text.position(0) == (10, 7)
        assert text.position(text.value.index("beta")) == (11, 9)
        assert text.position(text.value.index(">")) == (11, 14)

    def test_decoded_references_keep_the_right_line(self):
        # "a &lt; 1" decoded to "a < 1": columns after it cannot be exact, lines still are
        text = text_of([RawText("\n  a < 1\n  b\n", Span(3, 10, 6, 1), False)], (3, 10))
        assert text.value == "a < 1\nb"
        assert not text.exact
        assert text.position(text.value.index("b"))[0] == 5

    def test_located_slices_and_joins_keep_positions(self):
        located = Located.exact("hello\nworld", 2, 5)
        assert located.slice(6).position(0) == (3, 1)
        joined = located.slice(0, 5) + located.slice(6)
        assert joined.value == "helloworld"
        assert joined.position(5) == (3, 1)
        mapped = joined.to_text()
        assert isinstance(mapped, MappedText) and mapped.position(7) == (3, 3)

    def test_attribute_text_uses_the_value_position(self):
        attr = RawAttr("condition", "a < b", Span(4, 7, 4, 16), Span(4, 18, 4, 23))
        text = attribute_text(attr)
        assert text.value == "a < b" and text.span.line == 4 and text.span.column == 18
        assert text.position(2) == (4, 20)

    def test_derive_of_inexact_single_segment_without_line_match(self):
        located = derive([RawText("&#10;x", Span(1, 1, 1, 7), False)])
        assert located.to_text().position(1) == (1, 1)


def test_condition_column_inside_a_multi_line_element_is_exact():
    body = clean('<workflow>\n'
                 '  <transform id="keep" type="filter">\n'
                 '    <condition>\n'
                 '      item.a > 1 &&\n'
                 '        item.b < 2\n'
                 '    </condition>\n'
                 '  </transform>\n'
                 '</workflow>\n')
    value = body.items[0].config["condition"]
    text = value.as_text()
    assert text.value == "item.a > 1 &&\n  item.b < 2"
    assert text.position(text.value.index("item.b")) == (5, 9)
    assert config_texts(value)[()] is text


def test_config_texts_of_a_plain_config_value():
    from flowscript.ast import ConfigValue

    assert config_texts(ConfigValue("x", Span(1, 1)))[()].value == "x"
    assert config_texts(ConfigValue(3, Span(1, 1))) == {}
    mapped = MappedConfigValue({"a": "b"}, Span(1, 1), False, "headers",
                               texts={("a",): Text("b", Span(2, 6))})
    assert config_texts(mapped)[("a",)].span.line == 2


def test_a_value_with_a_decoded_reference_is_an_inexact_plain_text():
    body = clean('<workflow><checkpoint><prompt>ok?</prompt>'
                 '<condition>n &lt; 3</condition></checkpoint></workflow>')
    condition = body.items[0].condition
    assert type(condition) is Text and not condition.exact
    assert condition.value == "n < 3"
    assert condition.position(4) == (1, 54) == (condition.span.line, condition.span.column)


def test_cdata_text_content_of_ai_is_the_verbatim_prompt():
    body = clean('<workflow><ai model="m">\n  <![CDATA[  keep <b> exact  ]]>\n</ai></workflow>')
    prompt = body.items[0].config["prompt"].as_text()
    assert prompt.value == "  keep <b> exact  "
    assert (prompt.span.line, prompt.span.column) == (2, 12) and prompt.exact
