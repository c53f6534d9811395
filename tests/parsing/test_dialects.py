"""Equivalent forms (SPEC §3.3): both forms of each pair build the same AST, positions and
automatic ids aside."""

from __future__ import annotations

import pytest
from body_support import clean, shape

from flowscript.ast import CheckpointNode, DataNode, LoopNode


def same(form_a: str, form_b: str) -> None:
    a = clean(f"<workflow>{form_a}</workflow>")
    b = clean(f"<workflow>{form_b}</workflow>")
    assert shape(a) == shape(b)


PAIRS = {
    "ai element": (
        '<transform id="t" type="ai" model="m"><prompt>Hi</prompt></transform>',
        '<ai id="t" model="m"><prompt>Hi</prompt></ai>'),
    "user is prompt": (
        '<ai id="t"><user>Hi {{ x }}</user></ai>',
        '<ai id="t"><prompt>Hi {{ x }}</prompt></ai>'),
    "ai text content is prompt": (
        '<ai id="t" model="m"><prompt>Hi {{ x }}</prompt></ai>',
        '<ai id="t" model="m">\n  Hi {{ x }}\n</ai>'),
    "default is otherwise": (
        '<branch id="b"><case when="x"><delay id="d" duration="1"/></case>'
        '<default><delay id="e" duration="2"/></default></branch>',
        '<branch id="b"><case when="x"><delay id="d" duration="1"/></case>'
        '<otherwise><delay id="e" duration="2"/></otherwise></branch>'),
    "fallback goto": (
        '<delay id="d" duration="1"><on-error><fallback node="x"/></on-error></delay>',
        '<delay id="d" duration="1"><on-error><fallback><goto node="x"/></fallback>'
        '</on-error></delay>'),
    "fallback ref": (
        '<delay id="d" duration="1"><on-error><fallback node="x"/></on-error></delay>',
        '<delay id="d" duration="1"><on-error><fallback ref="x"/></on-error></delay>'),
    "goto target": (
        '<loop id="l" max="1"><goto node="x" with="1"/></loop>',
        '<loop id="l" max="1"><goto target="x" with="1"/></loop>'),
    "foreach max-concurrency": (
        '<foreach id="f" concurrency="5"/>', '<foreach id="f" max-concurrency="5"/>'),
    "foreach max": ('<foreach id="f" concurrency="5"/>', '<foreach id="f" max="5"/>'),
    "loop do": (
        '<loop id="l" max="2"><delay id="d" duration="1"/></loop>',
        '<loop id="l" max="2"><do><delay id="d" duration="1"/></do></loop>'),
    "while do": (
        '<while id="w" condition="c"><delay id="d" duration="1"/></while>',
        '<while id="w" condition="c"><do><delay id="d" duration="1"/></do></while>'),
    "foreach do": (
        '<foreach id="f"><delay id="d" duration="1"/></foreach>',
        '<foreach id="f"><do><delay id="d" duration="1"/></do></foreach>'),
    "parallel wait and merge": (
        '<parallel id="p" wait="any" merge="concat"><delay id="d" duration="1"/></parallel>',
        '<parallel id="p"><wait for="any"/><merge strategy="concat"/>'
        '<delay id="d" duration="1"/></parallel>'),
    "parallel custom merge": (
        '<parallel id="p" merge="length($branches)"><delay id="d" duration="1"/></parallel>',
        '<parallel id="p"><merge strategy="custom"><expression>length($branches)'
        '</expression></merge><delay id="d" duration="1"/></parallel>'),
    "parallel merge text": (
        '<parallel id="p" merge="length($branches)"><delay id="d" duration="1"/></parallel>',
        '<parallel id="p"><merge>length($branches)</merge><delay id="d" duration="1"/>'
        '</parallel>'),
    "lanes": (
        '<parallel id="p"><branch><delay id="a" duration="1"/></branch>'
        '<branch><delay id="b" duration="1"/></branch></parallel>',
        '<parallel id="p"><delay id="a" duration="1"/><delay id="b" duration="1"/>'
        '</parallel>'),
    "checkpoint prompt and condition": (
        '<checkpoint id="c" prompt="Go {{ n }}?" condition="n &gt; 0"/>',
        '<checkpoint id="c"><prompt>Go {{ n }}?</prompt><condition>n > 0</condition>'
        '</checkpoint>'),
    "action goto": (
        '<checkpoint id="c" prompt="p"><action id="later" goto="x"/></checkpoint>',
        '<checkpoint id="c" prompt="p"><action id="later"><goto node="x"/></action>'
        '</checkpoint>'),
    "actions wrapper": (
        '<checkpoint id="c" prompt="p"><action id="a"/><action id="b" label="B"/>'
        '</checkpoint>',
        '<checkpoint id="c" prompt="p"><actions><action id="a"/><action id="b" label="B"/>'
        '</actions></checkpoint>'),
    "checkpoint timeout": (
        '<checkpoint id="c" prompt="p" timeout="1h" default="approve"/>',
        '<checkpoint id="c" prompt="p"><timeout duration="1h" action="approve"/>'
        '</checkpoint>'),
    "include src as": (
        '<include workflow="f.flow.md" id="x"/>', '<include src="f.flow.md" as="x"/>'),
    "bind": (
        '<include id="i" workflow="f"><bind key="url" value="u"/></include>',
        '<include id="i" workflow="f"><bind input.url="u"/></include>'),
    "call arguments": (
        '<call id="c" workflow="f" a="1" b="{{ x }}"/>',
        '<call id="c" workflow="f"><arg name="a" value="1"/><arg name="b" value="{{ x }}"/>'
        '</call>'),
    "set key": ('<set id="s" var="x" value="1"/>', '<set id="s" key="x" value="1"/>'),
    "set text": ('<set id="s" var="x" value="{{ a + 1 }}"/>',
                 '<set id="s" var="x">{{ a + 1 }}</set>'),
    "context set key": (
        '<context id="c"><set var="a" value="1"/></context>',
        '<context id="c"><set key="a">1</set></context>'),
    "output set field": (
        '<output><set var="a" value="1"/></output>',
        '<output><set field="a" value="1"/></output>'),
    "output value text": ('<output value="{{ a }}"/>', '<output>{{ a }}</output>'),
    "phase id": ('<phase name="p"/>', '<phase id="p"/>'),
    "request block": (
        '<source id="s" type="http" method="POST" url="https://x/{{ a }}"/>',
        '<source id="s" type="http"><request>\n  method: POST\n  url: https://x/{{ a }}\n'
        '</request></source>'),
    "config child": (
        '<source id="s" type="http" method="POST" url="https://x/{{ a }}"/>',
        '<source id="s" type="http"><method>POST</method><url>https://x/{{ a }}</url>'
        '</source>'),
    "response block": (
        '<source id="s" type="http" url="u" extract="data.items"/>',
        '<source id="s" type="http" url="u"><response>extract: data.items</response>'
        '</source>'),
    "params query": (
        '<source id="s" type="http" url="u"><params>a: "1"</params></source>',
        '<source id="s" type="http" url="u"><request>query:\n  a: "1"</request></source>'),
    "reducer expression": (
        '<transform id="r" type="reduce"><reducer>acc + item</reducer></transform>',
        '<transform id="r" type="reduce"><expression>acc + item</expression></transform>'),
    "max-tokens spellings": (
        '<ai id="a" prompt="p" max-tokens="5" validation-retries="1"/>',
        '<ai id="a" prompt="p" max_tokens="5" validationRetries="1"/>'),
    "conflict-columns child": (
        '<sink id="s" type="database" connection="c" table="t" operation="upsert" '
        'conflict-columns="id"/>',
        '<sink id="s" type="database" connection="c" table="t" operation="upsert">'
        '<conflictColumns>id</conflictColumns></sink>'),
    "email message block": (
        '<sink id="m" type="email" to="a@b" from="c@d" subject="s"/>',
        '<sink id="m" type="email"><message>\n  to: a@b\n  from: c@d\n  subject: s\n'
        '</message></sink>'),
    "retry shorthand": (
        '<delay id="d" duration="1" retry="2"/>',
        '<delay id="d" duration="1"><on-error><retry max="2"/></on-error></delay>'),
    "retry shorthand on a data node": (
        '<source id="s" type="file" path="p" retry="2"/>',
        '<source id="s" type="file" path="p"><on-error><retry max="2"/></on-error></source>'),
    "retry max-retries": (
        '<delay id="d" duration="1"><on-error><retry max="2"/></on-error></delay>',
        '<delay id="d" duration="1"><on-error><retry max-retries="2"/></on-error></delay>'),
    "batch spellings": ('<batch id="b" size="2" interval="1s"/>',
                        '<batch id="b" max-size="2" delay="1s"/>'),
    "shorthand variables": (
        '<source id="s" type="database" connection="{{ $secrets.DB }}" query="q"/>',
        '<source id="s" type="database" query="q"><connection>$secrets.DB</connection>'
        '</source>'),
}


@pytest.mark.parametrize(("form_a", "form_b"), PAIRS.values(), ids=PAIRS.keys())
def test_both_forms_build_the_same_ast(form_a, form_b):
    same(form_a, form_b)


class TestFormsWithDifferentShapes:
    """Pairs that mean the same but are kept as written: the engine interprets them."""

    def test_output_schema_forms_each_land_in_their_place(self):
        compact, fields, named = (clean(f"<workflow>{xml}</workflow>").items[0] for xml in (
            '<ai prompt="p"><output-schema>{a: string}</output-schema></ai>',
            '<ai prompt="p"><output><field name="a" type="string"/></output></ai>',
            '<ai prompt="p" schema="Name"/>'))
        assert isinstance(compact, DataNode)
        assert compact.config["output-schema"].value == "{a: string}"
        assert [(f.name, f.attributes["type"].value) for f in fields.output_fields] == [
            ("a", "string")]
        assert named.config["schema"].value == "Name"
        typed = clean('<workflow><ai prompt="p"><output type="Name"/></ai></workflow>')
        assert typed.items[0].output_type.value == "Name"

    def test_foreach_collection_and_input(self):
        by_collection = clean('<workflow><foreach collection="rows.output"/></workflow>')
        by_input = clean('<workflow><foreach input="rows"/></workflow>')
        assert by_collection.items[0].attributes["collection"].value == "rows.output"
        assert by_input.items[0].input.value == "rows"
        assert "collection" not in by_input.items[0].attributes

    def test_loop_break_attribute_stays_an_attribute(self):
        attribute = clean('<workflow><loop break="$iteration > 2"/></workflow>').items[0]
        node = clean('<workflow><loop><break when="$iteration > 2"/></loop></workflow>').items[0]
        assert isinstance(attribute, LoopNode) and attribute.body == ()
        assert attribute.attributes["break"].value == "$iteration > 2"
        assert node.body[0].attributes["when"].value == "$iteration > 2"

    def test_checkpoint_timeout_child_with_a_goto_is_kept(self):
        node = clean('<workflow><checkpoint prompt="p"><timeout duration="1h">'
                     '<goto node="x"/></timeout></checkpoint></workflow>').items[0]
        assert isinstance(node, CheckpointNode)
        assert node.attributes["timeout"].value == "1h"
        assert node.timeout_child.goto.target.value == "x"
        assert next(iter(node.sequences()))[0].target.value == "x"

    def test_case_and_match_keep_their_conditions(self):
        node = clean('<workflow><branch><case when="x > 1"/><match pattern="[*]"/>'
                     '</branch></workflow>').items[0]
        assert [(c.element, c.when and c.when.value, c.pattern and c.pattern.value)
                for c in node.cases] == [("case", "x > 1", None), ("match", None, "[*]")]


@pytest.mark.parametrize(("form_a", "form_b"), [
    ('<set id="s" var="x" value="1"/>', '<set id="s" var="x" value="2"/>'),
    ('<delay id="d" duration="1" retry="2"/>', '<delay id="d" duration="1" retry="3"/>'),
    ('<source id="s" type="http" url="u" method="GET"/>',
     '<source id="s" type="http" url="u" method="POST"/>'),
    ('<parallel id="p"><branch name="a"><delay id="d" duration="1"/></branch></parallel>',
     '<parallel id="p"><delay id="d" duration="1"/></parallel>'),
])
def test_the_comparison_sees_real_differences(form_a, form_b):
    with pytest.raises(AssertionError):
        same(form_a, form_b)
