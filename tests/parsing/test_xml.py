"""The tolerant body scanner (SPEC §1.4): tree, positions, tolerances and every XML error."""

from __future__ import annotations

import pytest

from flowscript.diagnostics import DiagnosticSink
from flowscript.document import LineIndex
from flowscript.parsing.raw import RawElement, RawText
from flowscript.parsing.xml import ScanResult, is_raw_text, normalise_name, scan_body


def scan(xml: str, start: int | None = None) -> tuple[ScanResult, list[tuple[str, int, int]]]:
    sink = DiagnosticSink()
    at = xml.index("<workflow") if start is None else start
    result = scan_body(xml, at, LineIndex(xml), sink)
    return result, [(d.code, d.line, d.column) for d in sink.items]


def root(xml: str) -> RawElement:
    result, problems = scan(xml)
    assert problems == [] and result.root is not None
    return result.root


def elements(element: RawElement) -> list[RawElement]:
    return [c for c in element.children if isinstance(c, RawElement)]


def texts(element: RawElement) -> list[str]:
    return [c.value for c in element.children if isinstance(c, RawText)]


def at(span) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


class TestTree:
    def test_elements_attributes_and_spans(self):
        xml = ('<workflow>\n  <delay id="wait" duration=\'1s\'/>\n  <if id="x"\n'
               '      condition="a">\n  </if>\n</workflow>')
        tree = root(xml)
        delay, branch = elements(tree)
        assert (delay.name, delay.self_closing, delay.end_span) == ("delay", True, None)
        assert at(delay.span) == (2, 3, 2, 35)
        assert [(a.name, a.value) for a in delay.attrs] == [("id", "wait"), ("duration", "1s")]
        assert at(delay.attrs[1].span) == (2, 20, 2, 28)
        assert at(delay.attrs[1].value_span) == (2, 30, 2, 32)
        assert at(branch.span) == (3, 3, 4, 21)
        assert at(branch.attrs[1].value_span) == (4, 18, 4, 19)
        assert at(branch.end_span) == (5, 3, 5, 8)
        assert at(tree.end_span) == (6, 1, 6, 12)

    def test_text_children_keep_whitespace_and_drop_comments(self):
        tree = root("<workflow>\n  a <!-- gone --> b\n</workflow>")
        assert texts(tree) == ["\n  a ", " b\n"]
        first = tree.children[0]
        assert at(first.span) == (1, 11, 2, 5) and first.exact

    def test_cdata_is_its_own_verbatim_child(self):
        tree = root("<workflow><![CDATA[ a < b && <c> ]]></workflow>")
        cdata = tree.children[0]
        assert isinstance(cdata, RawText) and cdata.cdata and cdata.exact
        assert cdata.value == " a < b && <c> " and at(cdata.span)[:2] == (1, 20)

    def test_attribute_names_may_hold_dots_and_colons(self):
        tree = root('<workflow><bind input.url="x" a:b="y"/></workflow>')
        assert [a.name for a in elements(tree)[0].attrs] == ["input.url", "a:b"]

    def test_namespaced_element_names_are_scanned_as_written(self):
        assert elements(root("<workflow><source:http/></workflow>"))[0].name == "source:http"

    def test_processing_stops_at_the_root_end(self):
        xml = "<workflow></workflow>\n<not-a-node> & { unclosed"
        result, problems = scan(xml)
        assert problems == [] and result.end == xml.index("\n")


class TestTolerances:
    @pytest.mark.parametrize("text", ["a < b", "a <= b", "a <- b", "1 <2", "a && b", "a & b",
                                      "x &amp y", "&#; &#x; &1;"])
    def test_raw_lt_and_amp_in_text(self, text):
        assert texts(root(f"<workflow>{text}</workflow>")) == [text]

    def test_lt_before_a_letter_starts_a_tag(self):
        _, problems = scan("<workflow>a<b then c</workflow>")
        assert problems[0] == ("FS-XML-004", 1, 15)

    def test_raw_markup_characters_in_attribute_values(self):
        tree = root("""<workflow><if condition="a < b && c > d" x='say "hi"'/></workflow>""")
        assert [a.value for a in elements(tree)[0].attrs] == ["a < b && c > d", 'say "hi"']

    def test_attribute_values_keep_newlines_and_tabs(self):
        tree = root('<workflow><set var="a" value="x\r\n\ty\rz"/></workflow>')
        value = elements(tree)[0].attrs[1]
        assert value.value == "x\n\ty\nz" and value.exact

    def test_predefined_and_character_references_are_decoded(self):
        tree = root('<workflow a="&lt;&gt;&amp;&quot;&apos;&#60;&#x3C;&#x1F600;">'
                    "i &lt; 3</workflow>")
        assert tree.attrs[0].value == "<>&\"'<<😀" and not tree.attrs[0].exact
        assert texts(tree) == ["i < 3"] and not tree.children[0].exact

    def test_set_is_raw_text_anywhere(self):
        tree = root("<workflow><context><set var='x'>a <b> &lt; </c></set></context></workflow>")
        entry = elements(elements(tree)[0])[0]
        assert entry.raw_text and texts(entry) == ["a <b> < </c>"]

    def test_configuration_children_of_data_nodes_are_raw_text(self):
        xml = ("<workflow><transform id='t' type='template'><template>\n"
               "  <ul><!-- kept --><li>{{ a }}</li></ul> R&D &amp; co\n"
               "  <![CDATA[</template>]]>\n</template >"
               "<on-error><retry max='2'/></on-error></transform></workflow>")
        transform = elements(root(xml))[0]
        template, on_error = elements(transform)
        assert template.raw_text and not on_error.raw_text
        assert [c.cdata for c in template.children] == [False, True, False]
        assert template.children[0].value == (
            "\n  <ul><!-- kept --><li>{{ a }}</li></ul> R&D & co\n  ")
        assert template.children[1].value == "</template>"
        assert elements(on_error)[0].name == "retry"

    def test_ai_output_holds_fields_and_its_prompt_is_raw(self):
        xml = ("<workflow><ai id='a'><prompt>x < y</prompt><output>"
               "<field name='n' type='number'/></output></ai></workflow>")
        prompt, output = elements(elements(root(xml))[0])
        assert prompt.raw_text and texts(prompt) == ["x < y"]
        assert [e.name for e in elements(output)] == ["field"]

    def test_raw_text_end_tag_must_match_exactly(self):
        xml = "<workflow><sink id='s' type='file'><path>a</pathx></path></sink></workflow>"
        path = elements(elements(root(xml))[0])[0]
        assert texts(path) == ["a</pathx>"]

    @pytest.mark.parametrize(("name", "parent", "raw"), [
        ("set", None, True), ("set", "output", True), ("url", "source", True),
        ("template", "transform", True), ("to", "sink", True), ("system", "ai", True),
        ("on-error", "source", False), ("output", "ai", False), ("prompt", "checkpoint", True),
        ("condition", "checkpoint", True), ("action", "checkpoint", False),
        ("prompt", "if", False), ("expression", "merge", True), ("expression", "parallel", False),
        ("then", "if", False), ("workflow", None, False)])
    def test_raw_text_table(self, name, parent, raw):
        assert is_raw_text(name, parent) is raw

    def test_normalised_names(self):
        assert {normalise_name(n) for n in ("max-tokens", "max_tokens", "maxTokens")} == {
            "maxtokens"}


class TestErrors:
    def test_unclosed_element_points_at_the_innermost_open_tag(self):
        result, problems = scan("<workflow>\n  <if id='a'>\n    <then>\n")
        assert problems == [("FS-XML-002", 3, 5)] and result.root is None

    def test_unclosed_raw_text_element(self):
        _, problems = scan("<workflow>\n <set var='a'>never closed\n</workflow>")
        assert problems == [("FS-XML-002", 2, 2)]

    def test_mismatched_end_tag_reads_as_the_open_elements_end(self):
        xml = "<workflow>\n<if>\n<then>\n</else>\n</if>\n</workflow>"
        result, problems = scan(xml)
        assert problems == [("FS-XML-003", 4, 1)]
        assert result.root is not None and elements(elements(result.root)[0])[0].name == "then"

    def test_end_tag_of_an_outer_element_closes_the_inner_ones(self):
        xml = "<workflow>\n  <transform id='b'>\n    <template>b</template>\n</workflow>\nfoot"
        result, problems = scan(xml)
        assert problems == [("FS-XML-003", 4, 1)]
        assert result.root is not None and result.end == xml.index("\nfoot")

    def test_end_tag_with_no_open_element(self):
        xml = "  </phase>\n<workflow/>"
        result, problems = scan(xml, start=2)
        assert problems == [("FS-XML-010", 1, 3)] and result.root is not None

    @pytest.mark.parametrize(("tag", "column"), [
        ("<delay duration=1s/>", 17), ("<delay duration/>", 8), ("<delay $x='1'/>", 8),
        ("<delay a='1' / >", 14)])
    def test_malformed_start_tags(self, tag, column):
        result, problems = scan(f"<workflow>{tag}<set var='after'/></workflow>")
        assert problems == [("FS-XML-004", 1, 10 + column)]
        assert result.root is not None and len(elements(result.root)) == 2

    def test_malformed_end_tag(self):
        _, problems = scan("<workflow><then></ then></workflow>")
        assert problems == [("FS-XML-004", 1, 17), ("FS-XML-003", 1, 25)]

    def test_unterminated_attribute_value_stops_the_scan(self):
        result, problems = scan("<workflow>\n<delay duration='1s/>\n</workflow>")
        assert problems == [("FS-XML-004", 2, 17)] and result.root is None

    def test_start_tag_never_terminated(self):
        _, problems = scan("<workflow>\n<delay id='a'")
        assert problems == [("FS-XML-004", 2, 1)]

    def test_duplicate_attribute_after_normalisation(self):
        xml = "<workflow><ai max-tokens='1' id='a'\n maxTokens='2' max_tokens='3'/></workflow>"
        result, problems = scan(xml)
        assert problems == [("FS-XML-005", 2, 2), ("FS-XML-005", 2, 16)]
        assert [a.name for a in elements(result.root)[0].attrs] == ["max-tokens", "id"]

    def test_call_arguments_and_bind_keys_compare_as_written(self):
        xml = ("<workflow><call workflow='f' max_items='1' maxItems='2'/>"
               "<bind a='1' a='2'/></workflow>")
        _, problems = scan(xml)
        assert problems == [("FS-XML-005", 1, 70)]

    @pytest.mark.parametrize("xml", ["<workflow>\n  <!-- open", "<workflow>\n  <![CDATA[ open",
                                     "<workflow><set>\n  <![CDATA[ open</set></workflow>"])
    def test_unterminated_comment_or_cdata(self, xml):
        result, problems = scan(xml)
        assert problems == [("FS-XML-006", 2, 3)] and result.root is None

    @pytest.mark.parametrize(("reference", "column"), [
        ("&#0;", 15), ("&#xD800;", 15), ("&#x110000;", 15), ("&#99999999999999999999;", 15)])
    def test_invalid_character_references(self, reference, column):
        result, problems = scan(f"<workflow>abc {reference}</workflow>")
        assert problems == [("FS-XML-007", 1, column)]
        assert texts(result.root) == [f"abc {reference}"]

    def test_processing_instruction(self):
        result, problems = scan("<workflow>\n <?php echo 1 ?>\n</workflow>")
        assert problems == [("FS-XML-008", 2, 2)] and result.root is not None

    def test_undefined_entity_is_reported_and_never_expanded(self):
        result, problems = scan("<workflow a='&nbsp;'>\n x &copy; y</workflow>")
        assert problems == [("FS-SEC-003", 1, 14), ("FS-SEC-003", 2, 4)]
        assert result.root.attrs[0].value == "&nbsp;"

    @pytest.mark.parametrize(("declaration", "code"), [
        ("<!DOCTYPE x>", "FS-SEC-001"), ("<!ENTITY x 'y'>", "FS-SEC-002"),
        ("<!ATTLIST x y CDATA #IMPLIED>", "FS-SEC-002"), ("<!foo>", "FS-SEC-002")])
    def test_declarations_in_the_body_stop_the_scan(self, declaration, code):
        result, problems = scan(f"<workflow>\n  {declaration}\n  &nbsp;\n</workflow>")
        assert problems == [(code, 2, 3)] and result.root is None
