"""Handler targets, goto directions, fallback chains, loops, AI keys, local assignments,
dependency cycles (FS-REF-002, -012 … -016, FS-CYCLE-001, -002)."""

# Workflow fixtures keep each element on one line, as authors write them.
# ruff: noqa: E501

from __future__ import annotations

from flowscript.validation import validate

from .conftest import locate


def check(workflow, body: str, front: str = "") -> tuple[list[tuple], str]:
    made = workflow(body, front)
    return [(d.code, d.line, d.column) for d in validate(made)], made.source


def test_targets_must_be_known_top_level_nodes(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <if id="gate" condition="true">
            <then>
              <transform id="inner" type="template"><template>i</template></transform>
              <goto node="handlr"/>
            </then>
          </if>
          <timeout id="guard" duration="1s" on-timeout="inner">
            <delay id="wait" duration="1ms"/>
          </timeout>
          <phase name="later">
            <transform id="handler" type="template"><template>h</template></transform>
          </phase>
          <source id="s" type="file"><path>a</path><on-error><fallback node="later"/></on-error></source>
        </workflow>
    """)
    assert found == [("FS-REF-002", *locate(source, "handlr")),
                     ("FS-REF-002", *locate(source, "inner\">")),
                     ("FS-REF-002", *locate(source, "later\"/>"))]


def test_unknown_goto_target_hint(workflow) -> None:
    diagnostics = validate(workflow("""
        <workflow>
          <if id="gate" condition="true"><then><goto node="handler"/></then></if>
          <transform id="handle" type="template"><template>h</template></transform>
        </workflow>
    """))
    assert [d.code for d in diagnostics] == ["FS-REF-002"]
    assert diagnostics[0].hints == ('did you mean "handle"?',)


def test_forward_and_backward_target(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="start" type="template"><template>s</template></transform>
          <if id="back" condition="start.output"><then><goto node="start"/></then></if>
          <if id="ahead" condition="true"><then><goto node="start"/></then></if>
        </workflow>
    """)
    assert found == [("FS-REF-014", *locate(source, "start\"/>", 2))]


def test_fallback_handler_dependencies(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="base" type="template"><template>b</template></transform>
          <transform id="other" type="template"><template>o</template></transform>
          <transform id="main" type="template" input="base">
            <template>m</template>
            <on-error><fallback node="spare"/></on-error>
          </transform>
          <transform id="spare" type="template"><template>{{ base }}{{ other }}</template></transform>
          <transform id="self" type="template">
            <template>x</template>
            <on-error><fallback node="needs-self"/></on-error>
          </transform>
          <transform id="needs-self" type="template"><template>{{ self.output }}</template></transform>
        </workflow>
    """)
    assert found == [("FS-REF-012", *locate(source, "spare\"/>")),
                     ("FS-CYCLE-002", *locate(source, "needs-self\"/>"))]


def test_fallback_chain_cycle(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <transform id="first" type="template">
            <template>a</template>
            <on-error><fallback node="second"/></on-error>
          </transform>
          <transform id="second" type="template">
            <template>b</template>
            <on-error><fallback node="first"/></on-error>
          </transform>
        </workflow>
    """)
    assert found == [("FS-CYCLE-002", *locate(source, "second\"/>"))]


def test_dependency_cycle_is_reported_at_its_first_node(workflow) -> None:
    made = workflow("""
        <workflow>
          <transform id="free" type="template"><template>f</template></transform>
          <transform id="x" type="template"><template>{{ y.output }}</template></transform>
          <transform id="y" type="template"><template>{{ x.output }}</template></transform>
        </workflow>
    """)
    diagnostics = validate(made)
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("FS-CYCLE-001", *locate(made.source, 'x"'))]
    assert "x -> y -> x" in diagnostics[0].message


def test_break_must_name_an_enclosing_loop(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <loop id="outer" max="2">
            <loop id="inner" max="2">
              <break loop="outer" when="false"/>
              <break loop="nope"/>
            </loop>
          </loop>
        </workflow>
    """)
    assert found == [("FS-REF-013", *locate(source, "nope"))]


def test_ai_key_secret(workflow, monkeypatch) -> None:
    monkeypatch.delenv("FLOWSCRIPT_AI_BASE_URL", raising=False)
    body = """
        <workflow>
          <ai id="plain" model="m">Say hi</ai>
          <ai id="keyed" model="m" key="MY_KEY">Say hi</ai>
        </workflow>
    """
    found, source = check(workflow, body, "secrets: [MY_KEY]")
    assert found == [("FS-REF-015", *locate(source, "<ai id=\"plain\""))]
    found, _ = check(workflow, body, "secrets: [MY_KEY, OPENROUTER_API_KEY]")
    assert found == []
    monkeypatch.setenv("FLOWSCRIPT_AI_BASE_URL", "https://api.openai.com/v1")
    found, _ = check(workflow, body, "secrets: [MY_KEY, OPENAI_API_KEY]")
    assert found == []


def test_set_in_an_iteration_stays_local(workflow) -> None:
    found, source = check(workflow, """
        <workflow>
          <context id="vars"><set key="total" value="0"/></context>
          <foreach id="each" collection="[1, 2]">
            <set id="add" var="total" value="{{ total + item }}"/>
            <set id="mine" var="scratch" value="{{ item }}"/>
          </foreach>
        </workflow>
    """)
    assert found == [("FS-REF-016", *locate(source, "<set id=\"add\""))]
