"""Expression, template, pattern and type syntax; functions; schemas; SQL templating
(FS-EXPR-001 … -009, FS-REF-009, FS-SEC-006, FS-TYPE-006), at the exact position."""

# Workflow fixtures keep each element on one line, as authors write them.
# ruff: noqa: E501

from __future__ import annotations

import pytest

from flowscript.validation import validate

from .conftest import locate


def check(workflow, body: str, front: str = "") -> tuple[list[tuple], str]:
    made = workflow(body, front)
    return [(d.code, d.line, d.column) for d in validate(made)], made.source


@pytest.mark.parametrize(("value", "code", "needle"), [
    ("item.score &gt; &gt; 5", "FS-EXPR-001", None),
    ("length(", "FS-EXPR-001", None),
    ("uper('a')", "FS-EXPR-004", "uper"),
    ("length(1, 2, 3)", "FS-EXPR-005", "length"),
])
def test_filter_condition_problems(workflow, value: str, code: str,
                                   needle: str | None) -> None:
    found, source = check(workflow, f"""
        <workflow>
          <transform id="keep" type="filter" input="[1]">
            <condition>{value}</condition>
          </transform>
        </workflow>
    """)
    assert [f[0] for f in found] == [code]
    if needle is not None:
        assert found[0][1:] == locate(source, needle)


def test_syntax_error_points_at_the_exact_column(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <if id="gate" condition="1 + * 2"><then/></if>
        </workflow>
    """)
    assert found == [("FS-EXPR-001", *locate(source, "* 2"))]


def test_template_structure_errors(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="a" type="template"><template>Hello {{ $input.name</template></transform>
          <transform id="b" type="template"><template>{{#each $input.list}}x</template></transform>
          <transform id="c" type="template"><template>x {{ 1 + }}</template></transform>
        </workflow>
    """)
    line, column = locate(source, "+ }}")
    assert found == [("FS-EXPR-002", *locate(source, "{{ $input")),
                     ("FS-EXPR-002", *locate(source, "{{#each")),
                     ("FS-EXPR-001", line, column + 1)]


def test_pattern_and_regex_errors(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <branch id="route" input="[1]">
            <match pattern="{ kind: }"><transform id="x" type="template"><template>x</template></transform></match>
            <match pattern="{ name: /a(/ }"><transform id="y" type="template"><template>y</template></transform></match>
          </branch>
        </workflow>
    """)
    assert [f[0] for f in found] == ["FS-EXPR-003", "FS-EXPR-007"]
    assert found[0][1] == locate(source, "{ kind")[0]
    assert found[1][1] == locate(source, "/a(/")[0]


def test_function_value_where_a_value_is_required(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="a" type="template" input="x => x"><template>{{ input }}</template></transform>
          <transform id="m" type="map" input="[1]"><expression>x => x * 2</expression></transform>
        </workflow>
    """)
    assert found == [("FS-EXPR-006", *locate(source, "x => x\""))]


def test_type_expressions_and_schema_names(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <schema name="Review">
            <field name="score" type="number"/>
            <field name="tags" type="Tag[]"/>
            <field name="bad" type="{a: }"/>
            <field name="level" type="integer" default="high"/>
          </schema>
          <ai id="one" model="m" schema="Reveiw"><prompt>x</prompt></ai>
          <ai id="two" model="m"><prompt>x</prompt><output type="Author"/></ai>
          <source id="s" type="http" url="http://x" validate="Review[]"/>
        </workflow>
    """, "secrets: [OPENROUTER_API_KEY]")
    assert ("FS-REF-009", *locate(source, "Tag[]")) in found
    assert ("FS-EXPR-008", *locate(source, "}\"/>")) in found
    assert ("FS-TYPE-006", *locate(source, "high")) in found
    assert ("FS-REF-009", *locate(source, "Reveiw")) in found
    assert ("FS-REF-009", *locate(source, "Author")) in found
    assert len(found) == 5


def test_frontmatter_schemas_are_known(workflow) -> None:
    found, _ = check(workflow, """
        <workflow>
          <transform id="c" type="ai" input="[1]">
            <model>m</model>
            <user>x</user>
            <output-schema>{author: Person, tags: string[]}</output-schema>
          </transform>
        </workflow>
    """, "secrets: [OPENROUTER_API_KEY]\nschemas:\n  Person: '{name: string}'")
    assert found == []


def test_extract_paths_must_parse(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <source id="a" type="http" url="http://x"><response>extract: $.items[</response></source>
          <source id="b" type="http" url="http://x"><extract>data.[</extract></source>
          <source id="c" type="http" url="http://x"><extract>$.items[*].id</extract></source>
        </workflow>
    """)
    assert [f[0] for f in found] == ["FS-EXPR-009", "FS-EXPR-009"]
    assert found[0][1] == locate(source, "$.items[")[0]
    assert found[1][1:] == locate(source, "data.[")


def test_template_in_sql_query_is_a_warning(workflow) -> None:
    made = workflow("""
        <workflow>
          <source id="rows" type="database">
            <connection>sqlite::memory:</connection>
            <query>SELECT * FROM t WHERE id = {{ $input.id }}</query>
          </source>
          <source id="safe" type="database" connection="sqlite::memory:" query="SELECT 1"/>
        </workflow>
    """)
    diagnostics = validate(made)
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-SEC-006", "warning", *locate(made.source, "{{ $input.id"))]


def test_reading_a_field_the_ai_schema_does_not_define(workflow) -> None:
    made = workflow("""
        <workflow>
          <schema name="Review"><field name="score" type="number"/></schema>
          <ai id="review" model="m" schema="Review">Rate it</ai>
          <ai id="tags" model="m"><prompt>Tag it</prompt><output-schema>{labels: string[]}</output-schema></ai>
          <ai id="free" model="m">Say anything</ai>
          <transform id="use" type="template">
            <template>{{ review.output.score }} {{ review.scroe }} {{ tags.labels }} {{ tags.output.label }} {{ free.whatever }} {{ $nodes.review.status }}</template>
          </transform>
        </workflow>
    """, "secrets: [OPENROUTER_API_KEY]")
    diagnostics = validate(made)
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-TYPE-005", "warning", *locate(made.source, "review.scroe")),
        ("FS-TYPE-005", "warning", *locate(made.source, "tags.output.label"))]
    assert diagnostics[0].hints == ('did you mean "score"?',)
