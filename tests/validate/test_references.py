"""References: nodes, phases, variables, bindings, visibility and ``$`` names
(FS-REF-001, -003 … -008, -011, -017), each at its line and column."""

# Workflow fixtures keep each element on one line, as authors write them.
# ruff: noqa: E501

from __future__ import annotations

from flowscript.validation import validate

from .conftest import locate

FRONT = """
secrets: [API_TOKEN, UNUSED]
env: [HOME_DIR]
config:
  limit: 5
"""


def found(workflow, body: str, front: str = "", strict: bool = False
          ) -> list[tuple[str, int | None, int | None]]:
    return [(d.code, d.line, d.column) for d in validate(workflow(body, front), strict=strict)]


def at(workflow, body: str, *needles: str | tuple[str, int], front: str = ""
       ) -> list[tuple[int, int]]:
    source = workflow(body, front).source
    return [locate(source, *(n if isinstance(n, tuple) else (n,))) for n in needles]


def test_unknown_input_is_an_error_with_a_hint(workflow) -> None:
    diagnostics = validate(workflow("""
        <workflow>
          <transform id="fetch-data" type="template"><template>x</template></transform>
          <transform id="b" type="template" input="fetch-dta.output"><template>x</template></transform>
        </workflow>
    """))
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("FS-REF-001", 7, 44)]
    assert diagnostics[0].hints == ('did you mean "fetch-data"?',)
    assert "fetch-dta" in diagnostics[0].message


def test_phase_alone_is_not_an_input(workflow) -> None:
    assert found(workflow, """
        <workflow>
          <phase name="load">
            <transform id="items" type="template"><template>x</template></transform>
          </phase>
          <transform id="b" type="template" input="load"><template>x</template></transform>
          <transform id="c" type="template" input="load.items"><template>x</template></transform>
        </workflow>
    """) == [("FS-REF-001", 9, 44)]


def test_unresolvable_name_is_a_warning_and_an_error_under_strict(workflow) -> None:
    body = """
        <workflow>
          <transform id="totals" type="template"><template>{{ [1] }}</template></transform>
          <transform id="report" type="template"><template>{{ length(totls) }}</template></transform>
        </workflow>
    """
    diagnostics = validate(workflow(body))
    (where,) = at(workflow, body, "totls")
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-REF-005", "warning", *where)]
    assert diagnostics[0].hints == ('did you mean "totals"?',)
    strict = validate(workflow(body), strict=True)
    assert [(d.code, d.severity) for d in strict] == [("FS-REF-005", "error")]


def test_site_bindings_variables_and_lambdas_resolve(workflow) -> None:
    assert found(workflow, """
        <workflow>
          <context id="vars"><set key="seen" value="0"/></context>
          <transform id="rows" type="template"><template>{{ [1, 2] }}</template></transform>
          <transform id="m" type="map" input="rows"><expression>item * index + seen</expression></transform>
          <transform id="r" type="reduce" input="rows">
            <reducer>acc + item</reducer>
            <finalize>result + acc</finalize>
          </transform>
          <transform id="f" type="filter" input="rows"><condition>x => x > 1</condition></transform>
          <source id="http" type="file">
            <path>a.json</path>
            <on-error><retry when="status == 429 or retryable and attempt &lt; 3"/></on-error>
          </source>
          <foreach id="each" input="rows" item="row" index="k">
            <transform id="inner" type="template"><template>{{ row }}{{ k }}{{ $item }}</template></transform>
          </foreach>
          <checkpoint id="ask" prompt="ok?">
            <action id="later">
              <input name="reason"/>
              <goto node="after" with="reason + response.action"/>
            </action>
          </checkpoint>
          <transform id="after" type="template"><template>{{ $goto.value }}</template></transform>
        </workflow>
    """) == []


def test_foreach_body_is_private_to_its_iteration(workflow) -> None:
    body = """
        <workflow>
          <foreach id="each" collection="[1, 2]">
            <transform id="inside" type="template"><template>{{ item }}</template></transform>
            <transform id="next" type="template"><template>{{ inside.output }}</template></transform>
          </foreach>
          <transform id="outside" type="template"><template>{{ inside.output }}</template></transform>
        </workflow>
    """
    (where,) = at(workflow, body, ("inside.output", 2))
    assert found(workflow, body) == [("FS-REF-006", *where)]


def test_a_lane_cannot_see_another_lane(workflow) -> None:
    body = """
        <workflow>
          <parallel id="fan">
            <branch name="left">
              <transform id="l" type="template"><template>L</template></transform>
            </branch>
            <branch name="right">
              <transform id="r" type="template"><template>{{ l.output }}</template></transform>
            </branch>
          </parallel>
          <transform id="after" type="template"><template>{{ l.output }}{{ r.output }}</template></transform>
        </workflow>
    """
    (where,) = at(workflow, body, "l.output")
    assert found(workflow, body) == [("FS-REF-006", *where)]


def test_on_workflow_error_nodes_are_visible_only_inside(workflow) -> None:
    body = """
        <workflow>
          <transform id="a" type="template"><template>{{ report.output }}</template></transform>
          <on-workflow-error>
            <transform id="report" type="template"><template>{{ $error.message }}{{ a }}</template></transform>
            <transform id="again" type="template"><template>{{ report.output }}</template></transform>
          </on-workflow-error>
        </workflow>
    """
    (where,) = at(workflow, body, "report.output")
    assert found(workflow, body) == [("FS-REF-006", *where)]


def test_dollar_names(workflow) -> None:
    body = """
        <workflow>
          <transform id="a" type="template"><template>{{ $state }} {{ $bogus }}</template></transform>
          <transform id="b" type="template"><template>{{ $iteration }} {{ $item }}</template></transform>
          <loop id="spin" max="2" break="$iteration > 0">
            <transform id="c" type="template"><template>{{ $iteration }}</template></transform>
          </loop>
        </workflow>
    """
    places = at(workflow, body, "$state", "$bogus", "$iteration", "$item")
    codes = ["FS-REF-007", "FS-REF-007", "FS-REF-008", "FS-REF-008"]
    assert found(workflow, body) == [(c, *p) for c, p in zip(codes, places, strict=True)]


def test_declared_secrets_config_and_env(workflow) -> None:
    body = """
        <workflow>
          <source id="s" type="http">
            <request>
              url: "{{ $config.limt }}/x"
              headers:
                Authorization: Bearer $secrets.API_TOKN
                X-Home: "{{ $env.HOME_DIR }} {{ $env.PATH }}"
            </request>
          </source>
          <transform id="t" type="template"><template>{{ $secrets.API_TOKEN }}</template></transform>
        </workflow>
    """
    diagnostics = validate(workflow(body, FRONT))
    unused, limit, token, path = at(workflow, body, "UNUSED", "limt", "API_TOKN", "PATH",
                                    front=FRONT)
    assert [(d.code, d.severity, d.line, d.column) for d in diagnostics] == [
        ("FS-REF-011", "warning", *unused), ("FS-REF-004", "error", *limit),
        ("FS-REF-003", "error", *token), ("FS-REF-017", "error", *path)]
    by_code = {d.code: d for d in diagnostics}
    assert by_code["FS-REF-004"].hints == ('did you mean "limit"?',)
    assert by_code["FS-REF-003"].hints == ('did you mean "API_TOKEN"?',)
    assert 'secret "UNUSED"' in by_code["FS-REF-011"].message


def test_nodes_view_and_context_member(workflow) -> None:
    body = """
        <workflow>
          <transform id="a" type="template"><template>{{ $nodes.a.status }}{{ $nodes.zz }}</template></transform>
          <transform id="b" type="template"><template>{{ $context.anything }}</template></transform>
        </workflow>
    """
    (where,) = at(workflow, body, "$nodes.zz")
    assert found(workflow, body) == [("FS-REF-005", *where)]


def test_hyphenated_ids_and_subtraction(workflow) -> None:
    assert found(workflow, """
        <workflow>
          <transform id="fetch-data" type="template"><template>{{ [1] }}</template></transform>
          <context id="vars"><set key="count" value="3"/></context>
          <transform id="calc" type="template"><template>{{ fetch-data.output[0] + count-1 }}</template></transform>
        </workflow>
    """) == []
