"""The execution plan: Kahn waves in document order, the graph of §4.7, handlers, cycles,
and the get_ready/done/is_active protocol."""

# Workflow fixtures keep each element on one line, as authors write them.
# ruff: noqa: E501

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowscript.errors import ValidationError
from flowscript.planner import CycleError, ExecutionPlan, find_cycles, plan


def _drive(execution: ExecutionPlan) -> list[list[str]]:
    """Run the protocol to the end, one batch of ready nodes at a time."""
    batches: list[list[str]] = []
    while execution.is_active():
        ready = list(execution.get_ready())
        batches.append(ready)
        execution.done(*ready)
    return batches


def _test_graph(graph: dict[str, list[str]], expected: list[list[str]]) -> None:
    execution = ExecutionPlan.from_dependencies(graph)
    assert execution.waves == expected
    assert _drive(execution.copy()) == expected
    assert execution.static_order() == [n for wave in expected for n in wave]


@pytest.mark.parametrize(("graph", "expected"), [
    ({}, []),
    ({"a": []}, [["a"]]),
    ({"a": [], "b": [], "c": []}, [["a", "b", "c"]]),
    ({"c": [], "b": [], "a": []}, [["c", "b", "a"]]),
    ({"a": [], "b": ["a"], "c": ["b"]}, [["a"], ["b"], ["c"]]),
    ({"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []}, [["a"], ["b", "c"], ["d"]]),
    ({"x": ["z"], "y": [], "z": []}, [["y", "z"], ["x"]]),
    ({"a": [], "b": ["a"], "c": [], "d": ["c", "b"]}, [["a", "c"], ["b"], ["d"]]),
    ({"a": ["a"]}, [["a"]]),                      # a self reference adds nothing
])
def test_waves_follow_document_order(graph: dict[str, list[str]],
                                     expected: list[list[str]]) -> None:
    _test_graph(graph, expected)


def test_order_does_not_depend_on_the_hash_seed() -> None:
    script = ("from flowscript.planner import ExecutionPlan;"
              "g={n: [] for n in 'zebra apple mango kiwi fig'.split()};"
              "g['fig']=['zebra','kiwi'];"
              "print(ExecutionPlan.from_dependencies(g).waves)")
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                capture_output=True, text=True)
        outputs.add(result.stdout)
    assert outputs == {"[['zebra', 'apple', 'mango', 'kiwi'], ['fig']]\n"}


@pytest.mark.parametrize(("graph", "cycle"), [
    ({"a": ["c"], "b": ["a"], "c": ["b"]}, ["a", "c", "b", "a"]),
    ({"x": [], "a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
    ({"a": ["b"], "b": ["c"], "c": ["b"]}, ["b", "c", "b"]),
])
def test_cycle_error_carries_the_path(graph: dict[str, list[str]], cycle: list[str]) -> None:
    with pytest.raises(CycleError) as caught:
        ExecutionPlan.from_dependencies(graph)
    assert caught.value.cycle == cycle
    assert " -> ".join(cycle) in str(caught.value)


def test_one_cycle_per_group() -> None:
    graph = {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": ["a"]}
    assert find_cycles(list(graph), graph) == [["a", "b", "a"], ["c", "d", "c"]]


def test_protocol_releases_nodes_as_their_dependencies_finish() -> None:
    execution = ExecutionPlan.from_dependencies({"a": [], "b": [], "c": ["a"], "d": ["b"]})
    assert execution.get_ready() == ("a", "b")
    assert execution.get_ready() == ()
    execution.done("b")
    assert execution.get_ready() == ("d",)
    assert execution.is_active()
    execution.done("a", "d")
    assert execution.get_ready() == ("c",)
    execution.done("c")
    assert not execution.is_active()


def test_protocol_misuse_names_the_missing_call() -> None:
    execution = ExecutionPlan.from_dependencies({"a": [], "b": ["a"]})
    with pytest.raises(ValueError, match="get_ready"):
        execution.done("b")
    with pytest.raises(ValueError, match="not in the plan"):
        execution.done("zzz")
    execution.get_ready()
    execution.done("a")
    with pytest.raises(ValueError, match="already"):
        execution.done("a")


def test_reset_runs_a_node_and_its_downstream_again() -> None:
    execution = ExecutionPlan.from_dependencies({"a": [], "b": ["a"], "c": ["b"], "x": []})
    assert _drive(execution) == [["a", "x"], ["b"], ["c"]]
    assert execution.downstream("a") == ["b", "c"]
    execution.reset("a", *execution.downstream("a"))
    assert _drive(execution) == [["a"], ["b"], ["c"]]


# -- plans of workflows -------------------------------------------------------------------

def _plan(workflow, body: str, front: str = "") -> ExecutionPlan:
    return plan(workflow(body, front))


def test_references_in_input_templates_and_config(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <transform id="a" type="template"><template>{{ 1 }}</template></transform>
          <source id="b" type="file"><path>{{ a.output }}.json</path></source>
          <transform id="c" type="template" input="a"><template>{{ input + length(b) }}</template></transform>
          <sink id="d" type="file" input="c"><path>out.json</path></sink>
          <transform id="e" type="template"><template>{{ $nodes.d.status }}</template></transform>
          <transform id="f" type="template"><template>independent</template></transform>
        </workflow>
    """)
    assert result.waves == [["a", "f"], ["b"], ["c"], ["d"], ["e"]]
    assert result.nodes["c"].depends_on == ("a", "b")
    assert result.nodes["c"].input_references == ("a",)
    assert result.nodes["e"].depends_on == ("d",)
    assert result.dependencies["b"] == ("a",)


def test_nested_references_count_as_their_top_level_node(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <if id="gate" condition="true">
            <then>
              <transform id="inner" type="template"><template>x</template></transform>
            </then>
          </if>
          <loop id="again" max="2">
            <transform id="step" type="template"><template>{{ inner.output }}</template></transform>
            <transform id="next" type="template"><template>{{ step.output }}</template></transform>
          </loop>
        </workflow>
    """)
    assert result.nodes["again"].depends_on == ("gate",)
    assert result.nodes["again"].references == ("inner", "step")
    assert result.waves == [["gate"], ["again"]]


def test_phase_qualified_reference(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <transform id="late" type="template"><template>{{ load.items.output }}</template></transform>
          <phase name="load">
            <transform id="items" type="template"><template>{{ [1] }}</template></transform>
          </phase>
        </workflow>
    """)
    assert result.nodes["late"].depends_on == ("items",)
    assert result.nodes["items"].phase == "load"


def test_variables_follow_document_order(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <context id="vars"><set key="count" value="0"/></context>
          <transform id="reader" type="template"><template>{{ count }}</template></transform>
          <set id="bump" var="count" value="{{ 5 }}"/>
          <transform id="after" type="template"><template>{{ $context.count }}</template></transform>
          <transform id="all" type="template"><template>{{ $context }}</template></transform>
          <transform id="free" type="template"><template>free</template></transform>
        </workflow>
    """)
    assert result.nodes["reader"].depends_on == ("vars",)
    assert result.nodes["bump"].depends_on == ("vars", "reader")
    assert result.nodes["after"].depends_on == ("bump",)
    assert result.nodes["all"].depends_on == ("bump",)
    assert result.waves == [["vars", "free"], ["reader"], ["bump"], ["after", "all"]]


def test_phases_are_barriers_except_for_handlers(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <transform id="outside" type="template"><template>o</template></transform>
          <phase name="one">
            <transform id="a" type="template" timeout="5s">
              <template>a</template>
              <on-error><fallback node="spare"/></on-error>
            </transform>
            <transform id="spare" type="template"><template>s</template></transform>
          </phase>
          <phase name="two">
            <transform id="b" type="template"><template>b</template></transform>
            <transform id="c" type="template"><template>c</template></transform>
          </phase>
        </workflow>
    """)
    assert result.nodes["b"].depends_on == ("a",)
    assert result.nodes["c"].depends_on == ("a",)
    assert result.nodes["spare"].depends_on == ()
    assert result.nodes["spare"].handler and result.nodes["spare"].handler_labels == (
        "fallback",)
    assert result.nodes["outside"].depends_on == ()
    assert result.waves == [["outside", "a", "spare"], ["b", "c"]]
    assert result.handlers == ["spare"]


def test_handler_kinds_and_goto_direction(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <transform id="start" type="template"><template>{{ 1 }}</template></transform>
          <if id="check" condition="start.output > 3">
            <then><goto node="high"/></then>
            <else><goto node="start"/></else>
          </if>
          <timeout id="guard" duration="5s" on-timeout="late">
            <transform id="quick" type="template"><template>q</template></transform>
          </timeout>
          <transform id="high" type="template"><template>high</template></transform>
          <transform id="late" type="template"><template>late</template></transform>
        </workflow>
    """)
    assert {n for n, p in result.nodes.items() if p.handler} == {"high", "late"}
    assert not result.nodes["start"].handler       # a backward target is ordinary
    edges = {(e.source, e.target, e.label, e.forward) for e in result.transfers}
    assert edges == {("check", "high", "goto", True), ("check", "start", "goto", False),
                     ("guard", "late", "on-timeout", True)}
    assert result.nodes["high"].depends_on == ()   # goto targets add no dependency


def test_dry_run_document(workflow) -> None:
    result = _plan(workflow, """
        <workflow>
          <transform id="a" type="template"><template>a</template></transform>
          <transform id="b" type="template" input="a"><template>b</template></transform>
        </workflow>
    """)
    assert result.to_json() == {
        "plan": [["a"], ["b"]],
        "nodes": {"a": {"kind": "transform:template", "phase": None, "depends_on": [],
                        "handler": False},
                  "b": {"kind": "transform:template", "phase": None, "depends_on": ["a"],
                        "handler": False}}}
    assert result.nodes["b"].wave == 1


def test_workflow_cycle_raises_with_the_path(workflow) -> None:
    with pytest.raises(CycleError) as caught:
        _plan(workflow, """
            <workflow>
              <transform id="a" type="template" input="c"><template>a</template></transform>
              <transform id="b" type="template" input="a"><template>b</template></transform>
              <transform id="c" type="template" input="b"><template>c</template></transform>
            </workflow>
        """)
    assert caught.value.cycle == ["a", "c", "b", "a"]
    assert "a -> c -> b -> a" in str(caught.value)
    assert [d.code for d in caught.value.diagnostics] == ["FS-CYCLE-001"]


def test_plan_refuses_a_workflow_with_errors(workflow) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(workflow, """
            <workflow>
              <transform id="a" type="template" input="missing"><template>a</template></transform>
            </workflow>
        """)
    assert not isinstance(caught.value, CycleError)
    assert [d.code for d in caught.value.diagnostics] == ["FS-REF-001"]


def test_plan_of_the_complete_example(parse) -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "corpus" / "cases" / \
        "parse" / "spec-complete-example" / "workflow.flow.md"
    if not path.exists():
        pytest.fail(f"conformance corpus missing at {path}")
    result = plan(parse(path.read_text(encoding="utf-8"), str(path)))
    assert result.waves == [
        ["context@52", "fetch-tickets", "cached-tickets", "approve-escalation"],
        ["open-tickets"], ["triage"], ["ranked"], ["stats", "route"], ["page", "publish"]]
    assert result.handlers == ["cached-tickets", "approve-escalation"]
    assert "route" in result.nodes["page"].depends_on        # via $context.escalations
