"""The body builder: automatic ids, structural diagnostics and their lines, conformance
files, robustness (SPEC §3, §4.1, §11.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from body_support import build, clean, codes, only
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript import elements as E
from flowscript.ast import Phase, Span
from flowscript.diagnostics import DiagnosticSink
from flowscript.document import split_text
from flowscript.parsing.body import build_body
from flowscript.parsing.raw import RawAttr, RawElement, RawText

CASES = Path(__file__).resolve().parents[1] / "corpus" / "cases"
STRUCTURAL = ("FS-STRUCT-", "FS-ID-")


def workflow(*lines: str) -> str:
    return "\n".join(["<workflow>", *lines, "</workflow>"])


def diagnose(*lines: str) -> list[tuple[str, int | None]]:
    return codes(build(workflow(*lines))[1])


class TestIds:
    def test_automatic_ids_name_element_and_line(self):
        body = clean(workflow('<delay duration="1s"/>', '<delay duration="1s"/>'))
        assert [(n.id, n.auto_id) for n in body.items] == [("delay@2", True),
                                                           ("delay@3", True)]

    def test_several_on_one_line_are_numbered_in_column_order(self):
        body = clean(workflow('<delay duration="1"/><delay duration="2"/>'
                              '<delay id="x" duration="3"/><delay duration="4"/>'
                              '<throttle rate="1/s"/>'))
        assert [n.id for n in body.items] == ["delay@2", "delay@2.2", "x", "delay@2.3",
                                              "throttle@2"]

    def test_explicit_ids_are_kept(self):
        node = only(workflow('<delay id="wait-a-bit" duration="1s"/>'))
        assert node.id == "wait-a-bit" and not node.auto_id
        assert node.attributes["id"].span == Span(2, 12, 2, 22)

    def test_nested_nodes_get_ids_in_document_order(self):
        body = clean(workflow('<if condition="x"><then><delay duration="1"/></then>'
                              '<else><delay duration="2"/></else></if>'))
        node = body.items[0]
        assert node.id == "if@2"
        assert [n.id for n in node.walk()] == ["if@2", "delay@2", "delay@2.2"]


class TestPlacement:
    def test_break_in_nested_arms_and_wrappers_of_a_loop(self):
        clean(workflow('<loop max="3"><if condition="x"><then><timeout duration="1s">'
                       '<throttle rate="1/s"><break/></throttle></timeout></then></if></loop>'))

    @pytest.mark.parametrize("xml", [
        '<break/>',
        '<if condition="x"><then><break/></then></if>',
        '<loop max="2"><parallel><branch><break/></branch></parallel></loop>',
        '<loop max="2"><batch size="2"><break/></batch></loop>',
        '<on-workflow-error><break/></on-workflow-error>',
    ])
    def test_break_outside_a_loop_body(self, xml):
        assert diagnose(xml) == [("FS-STRUCT-005", 2)]

    def test_break_across_a_lane_says_so(self):
        _, diagnostics = build(workflow('<loop max="2"><parallel><break/></parallel></loop>'))
        assert "lane" in diagnostics[0].message

    def test_a_loop_inside_a_lane_may_break(self):
        clean(workflow('<parallel><loop max="2"><break/></loop></parallel>'))

    @pytest.mark.parametrize("xml", [
        '<if condition="x"><then><goto node="a"/></then><else><goto node="a"/></else></if>',
        '<branch><case when="x"><goto node="a"/></case><default><goto node="a"/></default>'
        '</branch>',
        '<loop max="1"><goto node="a"/></loop>',
        '<while condition="x"><goto node="a"/></while>',
        '<timeout duration="1s"><goto node="a"/></timeout>',
        '<checkpoint prompt="p"><action id="x" goto="a"/></checkpoint>',
    ])
    def test_goto_where_it_is_allowed(self, xml):
        clean(workflow(xml))

    @pytest.mark.parametrize("xml", [
        '<goto node="a"/>',
        '<parallel><branch><goto node="a"/></branch></parallel>',
        '<parallel><if condition="x"><then><goto node="a"/></then></if></parallel>',
        '<foreach><if condition="x"><then><loop max="1"><goto node="a"/></loop></then></if>'
        '</foreach>',
        '<foreach><checkpoint prompt="p"><action id="x"><goto node="a"/></action>'
        '</checkpoint></foreach>',
        '<throttle rate="1/s"><goto node="a"/></throttle>',
        '<on-workflow-error><goto node="a"/></on-workflow-error>',
    ])
    def test_goto_where_it_is_not(self, xml):
        assert diagnose(xml) == [("FS-STRUCT-005", 2)]

    def test_fallback_goto_is_fine_anywhere(self):
        clean(workflow('<parallel><delay duration="1"><on-error><fallback><goto node="a"/>'
                       '</fallback></on-error></delay></parallel>'))


class TestDiagnostics:
    @pytest.mark.parametrize(("lines", "expected"), [
        # FS-STRUCT-001 unknown element
        (['<transfrom id="a"/>'], [("FS-STRUCT-001", 2)]),
        (['<source:http url="x"/>'], [("FS-STRUCT-001", 2)]),
        (['<if condition="x">', '<then><wait/></then>', '</if>'], [("FS-STRUCT-005", 3)]),
        # FS-STRUCT-002 attributes and config keys not accepted
        (['<delay duration="1" rate="2"/>'], [("FS-STRUCT-002", 2)]),
        (['<source type="file" path="a" url="b"/>'], [("FS-STRUCT-002", 2)]),
        (['<source type="file">', '<path>a</path>', '<pth>b</pth>', '</source>'],
         [("FS-STRUCT-002", 4)]),
        (['<workflow/>'], [("FS-STRUCT-005", 2)]),
        # FS-STRUCT-003 required attribute or key
        (['<delay/>'], [("FS-STRUCT-003", 2)]),
        (['<goto/>'], [("FS-STRUCT-005", 2)]),
        (['<loop max="1"><goto/></loop>'], [("FS-STRUCT-003", 2)]),
        (['<source type="http"/>'], [("FS-STRUCT-003", 2)]),
        (['<source/>'], [("FS-STRUCT-003", 2)]),
        (['<set value="1"/>'], [("FS-STRUCT-003", 2)]),
        (['<set var="x"/>'], [("FS-STRUCT-003", 2)]),
        (['<checkpoint/>'], [("FS-STRUCT-003", 2)]),
        (['<include/>'], [("FS-STRUCT-003", 2)]),
        (['<include workflow="a"><bind key="x"/></include>'], [("FS-STRUCT-003", 2)]),
        (['<delay duration="1"><on-error><fallback/></on-error></delay>'],
         [("FS-STRUCT-003", 2)]),
        (['<delay duration="1"><on-error><fallback>', '<goto node="a"/>', '<goto node="b"/>',
          '</fallback></on-error></delay>'], [("FS-STRUCT-005", 4)]),
        (['<sink type="database" connection="c" table="t" operation="update"/>'],
         [("FS-STRUCT-003", 2)]),
        (['<parallel><merge/><delay duration="1"/></parallel>'], [("FS-STRUCT-003", 2)]),
        # FS-STRUCT-004 required child
        (['<if condition="x"/>'], [("FS-STRUCT-004", 2)]),
        (['<branch><default/></branch>'], [("FS-STRUCT-004", 2)]),
        (['<parallel/>'], [("FS-STRUCT-004", 2)]),
        (['<context/>'], [("FS-STRUCT-004", 2)]),
        (['<ai model="m"/>'], [("FS-STRUCT-004", 2)]),
        (['<delay duration="1"><on-error><circuit-breaker><on-open/></circuit-breaker>',
          '</on-error></delay>'], [("FS-STRUCT-004", 2)]),
        # FS-STRUCT-005 not allowed here
        (['<then/>'], [("FS-STRUCT-005", 2)]),
        (['<branch>', '<default/>', '<case when="x"/>', '</branch>'], [("FS-STRUCT-005", 3)]),
        (['<if condition="x">', '<then/>', '<else/>', '<else/>', '</if>'],
         [("FS-STRUCT-005", 5)]),
        (['<output value="1"/>', '<output value="2"/>'], [("FS-STRUCT-005", 3)]),
        (['<on-workflow-error/>', '<on-workflow-error/>'], [("FS-STRUCT-005", 3)]),
        (['<delay duration="1">', '<on-error/>', '<on-error/>', '</delay>'],
         [("FS-STRUCT-005", 4)]),
        (['<source type="file" path="a">', '<on-error/>', '<on-error/>', '</source>'],
         [("FS-STRUCT-005", 4)]),
        (['<phase name="a">', '<phase name="b"/>', '</phase>'], [("FS-STRUCT-005", 3)]),
        (['<loop max="1">', '<break><on-error/></break>', '</loop>'], [("FS-STRUCT-005", 3)]),
        (['<loop max="1">', '<do/>', '<delay duration="1"/>', '</loop>'],
         [("FS-STRUCT-005", 4)]),
        (['<transform type="map" expression="x">', '<output/>', '</transform>'],
         [("FS-STRUCT-005", 3)]),
        (['<if condition="x"><then><schema name="S"/></then></if>'], [("FS-STRUCT-005", 2)]),
        # FS-STRUCT-006 invalid literal values
        (['<delay duration="soon"/>'], [("FS-STRUCT-006", 2)]),
        (['<timeout duration="0s"/>'], [("FS-STRUCT-006", 2)]),
        (['<throttle rate="fast"/>'], [("FS-STRUCT-006", 2)]),
        (['<loop max="two"/>'], [("FS-STRUCT-006", 2)]),
        (['<foreach on-item-error="ignore"/>'], [("FS-STRUCT-006", 2)]),
        (['<parallel wait="n(3)"><delay duration="1"/><delay duration="2"/></parallel>'],
         [("FS-STRUCT-006", 2)]),
        (['<parallel wait="most"><delay duration="1"/></parallel>'], [("FS-STRUCT-006", 2)]),
        (['<source type="fiel"/>'], [("FS-STRUCT-006", 2)]),
        (['<delay id="{{ x }}" duration="1"/>'], [("FS-STRUCT-006", 2)]),
        (['<context scope="phase"><set key="a" value="1"/></context>'],
         [("FS-STRUCT-006", 2)]),
        (['<ai prompt="p" temperature="3"/>'], [("FS-STRUCT-006", 2)]),
        (['<delay duration="1"><on-error><retry jitter="2"/></on-error></delay>'],
         [("FS-STRUCT-006", 2)]),
        # FS-STRUCT-007 reserved constructs
        (['<snapshot/>'], [("FS-STRUCT-007", 2)]),
        (['<merge/>'], [("FS-STRUCT-007", 2)]),
        (['<batch size="2" window="1m"/>'], [("FS-STRUCT-007", 2)]),
        (['<context inherit="true"><set key="a" value="1"/></context>'],
         [("FS-STRUCT-007", 2)]),
        (['<source type="file" path="a" watch="true"/>'], [("FS-STRUCT-007", 2)]),
        (['<source type="queue"/>'], [("FS-STRUCT-007", 2)]),
        # FS-STRUCT-008 text in containers
        (['hello'], [("FS-STRUCT-008", 2)]),
        (['<branch>', '  stray', '<case when="x"/></branch>'], [("FS-STRUCT-008", 3)]),
        (['<source type="file" path="a">text</source>'], [("FS-STRUCT-008", 2)]),
        (['<source type="file" path="a">', '', '   text', '</source>'], [("FS-STRUCT-008", 4)]),
        # FS-STRUCT-009 one setting twice
        (['<set var="a" key="b" value="1"/>'], [("FS-STRUCT-009", 2)]),
        (['<set var="a" value="1">', '2</set>'], [("FS-STRUCT-009", 3)]),
        (['<checkpoint prompt="a">', '<prompt>b</prompt>', '</checkpoint>'],
         [("FS-STRUCT-009", 3)]),
        (['<source type="file" path="a">', '<path>b</path>', '</source>'],
         [("FS-STRUCT-009", 3)]),
        (['<delay duration="1" retry="2">', '<on-error><retry max="3"/></on-error>',
          '</delay>'], [("FS-STRUCT-009", 3)]),
        (['<ai prompt="p" output-schema="{a: string}">', '<output type="S"/>', '</ai>'],
         [("FS-STRUCT-009", 3)]),
        (['<ai prompt="p">', 'and text', '</ai>'], [("FS-STRUCT-009", 3)]),
        (['<parallel wait="all">', '<wait for="any"/>', '<delay duration="1"/>',
          '</parallel>'], [("FS-STRUCT-009", 3)]),
        (['<sink type="http" url="u" body="b">', '<form>a: 1</form>', '</sink>'],
         [("FS-STRUCT-009", 3)]),
        # FS-ID-002 invalid names
        (['<delay id="a--b" duration="1"/>'], [("FS-ID-002", 2)]),
        (['<phase name="true"/>'], [("FS-ID-002", 2)]),
        (['<foreach item="$x"/>'], [("FS-ID-002", 2)]),
        (['<set var="stats..n" value="1"/>'], [("FS-ID-002", 2)]),
        (['<parallel><branch name="1st"/></parallel>'], [("FS-ID-002", 2)]),
        (['<checkpoint prompt="p"><action id="a b"/></checkpoint>'], [("FS-ID-002", 2)]),
        # FS-ID-004 duplicates
        (['<parallel>', '<branch name="a"/>', '<branch name="a"/>', '</parallel>'],
         [("FS-ID-004", 4)]),
        (['<checkpoint prompt="p">', '<action id="ok"/>', '<action id="ok"/>',
          '</checkpoint>'], [("FS-ID-004", 4)]),
        (['<schema name="S"/>', '<phase name="p">', '<schema name="S"/>', '</phase>'],
         [("FS-ID-004", 4)]),
        (['<schema name="S">', '<field name="a"/>', '<field name="a"/>', '</schema>'],
         [("FS-ID-004", 4)]),
        (['<context>', '<set key="a" value="1"/>', '<set key="a" value="2"/>',
          '</context>'], [("FS-ID-004", 4)]),
        (['<include workflow="w">', '<bind key="a" value="1"/>', '<bind input.a="2"/>',
          '</include>'], [("FS-ID-004", 4)]),
        (['<call workflow="w" a="1">', '<arg name="a" value="2"/>', '</call>'],
         [("FS-ID-004", 3)]),
        (['<checkpoint prompt="p"><action id="a">', '<input name="x"/>', '<input name="x"/>',
          '</action></checkpoint>'], [("FS-ID-004", 4)]),
    ])
    def test_code_and_line(self, lines, expected):
        assert diagnose(*lines) == expected

    def test_loop_without_max_or_break_is_a_warning(self):
        _, diagnostics = build(workflow('<loop>', '<delay duration="1"/>', '</loop>'))
        assert [(d.code, d.severity, d.line) for d in diagnostics] == [
            ("FS-STRUCT-010", "warning", 2)]

    @pytest.mark.parametrize("xml", [
        '<loop max="3"/>', '<loop break="$iteration > 2"/>',
        '<loop><if condition="x"><then><break/></then></if></loop>',
        '<loop id="outer"><loop max="2"><break loop="outer"/></loop></loop>',
    ])
    def test_a_loop_that_can_stop_draws_no_warning(self, xml):
        clean(workflow(xml))

    def test_a_break_of_an_inner_loop_does_not_stop_the_outer(self):
        assert diagnose('<loop>', '<loop max="2"><break/></loop>', '</loop>') == [
            ("FS-STRUCT-010", 2)]

    def test_nodes_after_an_unconditional_jump_are_unreachable(self):
        _, diagnostics = build(workflow(
            '<loop max="3">', '<break/>', '<delay duration="1"/>', '<delay duration="2"/>',
            '</loop>', '<if condition="x"><then>', '<goto node="a"/>',
            '<delay duration="3"/>', '</then></if>'))
        assert [(d.code, d.severity, d.line) for d in diagnostics] == [
            ("FS-STRUCT-011", "warning", 4), ("FS-STRUCT-011", "warning", 9)]

    def test_a_conditional_break_does_not_make_anything_unreachable(self):
        clean(workflow('<loop max="3"><break when="x"/><delay duration="1"/></loop>'))

    def test_hints(self):
        _, diagnostics = build(workflow('<delay duraton="1s"/>'))
        assert 'did you mean "duration"?' in diagnostics[0].hints
        _, diagnostics = build(workflow('<source:http/>'))
        assert any('type="http"' in hint for hint in diagnostics[0].hints)
        _, diagnostics = build(workflow('<source type="htp"/>'))
        assert diagnostics[0].hints == ('did you mean "http"?',
                                        "known types: http, file, database")


def _conformance(area: str) -> list[Path]:
    return sorted((CASES / area).glob("*/workflow.flow.md"))


def _build_file(path: Path) -> tuple[object, list]:
    sink = DiagnosticSink(str(path))
    document = split_text(path.read_text(encoding="utf-8"), sink, str(path))
    assert document is not None and document.root is not None
    return build_body(document.root, sink), sink.items


@pytest.mark.parametrize("path", _conformance("parse"), ids=lambda p: p.parent.name)
def test_conformance_parse_cases_build_without_diagnostics(path):
    body, diagnostics = _build_file(path)
    assert [str(d) for d in diagnostics if d.code.startswith(STRUCTURAL)] == []
    assert list(body.walk())


_STRUCTURE_CASES = [p for p in _conformance("invalid")
                    if json.loads((p.parent / "expect.json").read_text())["diagnostics"][0][
                        "code"].startswith(STRUCTURAL[0])]


@pytest.mark.parametrize("path", _STRUCTURE_CASES, ids=lambda p: p.parent.name)
def test_conformance_invalid_structure_cases(path):
    expected = json.loads((path.parent / "expect.json").read_text())["diagnostics"][0]
    _, diagnostics = _build_file(path)
    found = [d for d in diagnostics if d.code == expected["code"]]
    assert [d.line for d in found] == [expected["line"]]
    if "hint_contains" in expected:
        assert any(expected["hint_contains"] in hint for hint in found[0].hints)
    if "message_contains" in expected:
        assert expected["message_contains"] in found[0].message


def test_spec_section_13_example_builds_cleanly():
    # the conformance case is SPEC §13's example, verbatim
    text = (CASES / "parse" / "spec-complete-example" / "workflow.flow.md").read_text(
        encoding="utf-8")
    sink = DiagnosticSink()
    document = split_text(text, sink)
    body = build_body(document.root, sink)
    assert [d for d in sink.items if d.code.startswith(STRUCTURAL)] == []
    assert [p.name for p in body.phases()] == ["collect", "classify", "deliver"]
    assert body.items[0].id == "context@52"
    assert len(list(body.walk())) == 23


def test_hand_built_tree():
    def el(name, line, attrs=(), children=(), raw_text=False):
        return RawElement(name, Span(line, 1, line, 10),
                          [RawAttr(k, v, Span(line, 2), Span(line, 3)) for k, v in attrs],
                          list(children), raw_text=raw_text)

    template = el("template", 3, children=[RawText("hi {{ x }}", Span(3, 11, 3, 21))],
                  raw_text=True)
    root = el("workflow", 1, children=[
        RawText("\n  ", Span(1, 11)),
        el("phase", 2, [("id", "main")], [el("transform", 3, [("type", "template")],
                                             [template])]),
        el("unknown-thing", 4),
    ])
    sink = DiagnosticSink()
    body = build_body(root, sink)
    assert codes(sink.items) == [("FS-STRUCT-001", 4)]
    phase = body.items[0]
    assert isinstance(phase, Phase) and phase.name == "main"
    node = phase.nodes[0]
    assert (node.id, node.kind, node.config["template"].value) == (
        "transform@3", "transform:template", "hi {{ x }}")


def test_deep_nesting_builds_without_recursion_errors():
    depth = 95
    xml = ('<workflow>' + '<if condition="x"><then>' * (depth // 2)
           + '<delay duration="1"/>' + '</then></if>' * (depth // 2) + '</workflow>')
    body = clean(xml)
    assert len(list(body.walk())) == depth // 2 + 1


def test_plugin_types_are_checked_like_built_in_ones():
    extra = {("source", "queue2"): [{"name": "topic", "kind": "text", "required": True},
                                    {"name": "max-wait", "kind": "duration"}]}
    node = clean(workflow('<source type="queue2" topic="t" maxWait="5s"/>'),
                 extra_types=extra).items[0]
    assert (node.kind, node.config["max-wait"].value) == ("source:queue2", "5s")
    _, diagnostics = build(workflow('<source type="queue2" topik="t" max-wait="x"/>'),
                           extra_types=extra)
    assert codes(diagnostics) == [("FS-STRUCT-002", 2), ("FS-STRUCT-006", 2),
                                  ("FS-STRUCT-003", 2)]


_NAMES = sorted(E.ALL_ELEMENT_NAMES | {"junk", "source:http", "dlq"})
_ATTRS = ["id", "type", "input", "condition", "max", "when", "node", "duration", "value",
          "var", "key", "name", "wait", "merge", "retry", "timeout", "url", "junk", "as"]


@st.composite
def _trees(draw, depth=0):
    name = draw(st.sampled_from(_NAMES))
    attrs = [RawAttr(a, draw(st.sampled_from(["1", "x", "{{ y }}", "", "http", "n(2)"])),
                     Span(1, 1), Span(1, 2))
             for a in draw(st.lists(st.sampled_from(_ATTRS), max_size=3, unique=True))]
    kids: list = []
    if depth < 4:
        kids = draw(st.lists(st.one_of(
            _trees(depth + 1),
            st.sampled_from(["  ", "text", "a: [1", "url: {{ x }}"]).map(
                lambda v: RawText(v, Span(1, 1, 1, 1 + len(v))))), max_size=4))
    return RawElement(name, Span(1, 1, 1, 5), attrs, kids)


@settings(max_examples=300, deadline=None)
@given(st.lists(_trees(), max_size=5))
def test_any_tree_builds_without_raising(children):
    sink = DiagnosticSink()
    body = build_body(RawElement("workflow", Span(1, 1), [], children), sink)
    assert all(d.code.startswith(("FS-STRUCT-", "FS-ID-", "FS-SEC-")) for d in sink.items)
    list(body.walk())
