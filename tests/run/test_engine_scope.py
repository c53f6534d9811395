"""The chain of scopes an expression reads (SPEC §4.4–§4.6) and variable writes (§4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.engine.scope import RunTables, Scope
from flowscript.engine.state import NodeResult
from flowscript.expr.api import compile_expression, compile_template
from flowscript.expr.values import NodeRef, PhaseRef


def tables(**dollars: Any) -> RunTables:
    return RunTables(results={}, node_ids=frozenset({"fetch", "inner", "shadowed"}),
                     phase_nodes={"gather": ("fetch",)},
                     variables={"global": {}, "phases": {}},
                     dollars={f"${k}": v for k, v in dollars.items()})


def record(t: RunTables, key: str, output: Any, status: str = "success") -> NodeResult:
    result = NodeResult(key.rsplit("/", 1)[-1], "transform:template", key=key, status=status,
                        output=output)
    t.record(result)
    return result


def evaluate(scope: Scope, source: str) -> Any:
    return compile_expression(source, frozenset(scope.tables.node_ids)).evaluate(scope)


def test_lookup_order_bindings_frames_phase_global_nodes_phases() -> None:
    t = tables()
    record(t, "shadowed", "node output")
    t.globals.update(x="global", y="global", shadowed="variable wins")
    t.phases["p"] = {"x": "phase", "z": "phase"}
    scope = Scope(t, bindings={"input": 1, "x": "binding"}, phase="p",
                  frames=({"y": "frame"},))
    assert scope["x"] == "binding" and scope["y"] == "frame" and scope["z"] == "phase"
    assert scope["shadowed"] == "variable wins"
    assert isinstance(scope["fetch"], NodeRef) and isinstance(scope["gather"], PhaseRef)
    with pytest.raises(KeyError):
        scope["nothing"]
    assert "nothing" not in scope and "input" in scope


def test_node_reference_reads_the_output_only_after_success() -> None:
    t = tables()
    scope = Scope(t)
    assert evaluate(scope, "fetch") is None
    record(t, "fetch", {"items": [1, 2]}, status="failed")
    assert evaluate(scope, "fetch.output") is None
    record(t, "fetch", {"items": [1, 2]})
    assert evaluate(scope, "fetch.output.items[1]") == 2
    assert evaluate(scope, "fetch.items[0]") == 1
    assert evaluate(scope, "gather.fetch.output.items") == [1, 2]


def test_nodes_view_and_context_view() -> None:
    t = tables()
    record(t, "fetch", [1])
    t.globals["a"] = 1
    t.phases["p"] = {"b": 2}
    scope = Scope(t, phase="p", frames=({"a": 10},))
    assert evaluate(scope, "$nodes.fetch.status") == "success"
    assert evaluate(scope, "$nodes.fetch.attempts") == 0
    assert evaluate(scope, "$context") == {"a": 10, "b": 2}
    assert evaluate(scope, "$context.unknown") is None
    context = scope["$context"]
    context["a"] = 99
    assert scope["a"] == 10, "$context is a copy"


def test_nodes_view_is_rebuilt_after_a_record() -> None:
    t = tables()
    scope = Scope(t)
    assert scope["$nodes"] == {}
    record(t, "fetch", 1)
    assert scope["$nodes"]["fetch"]["output"] == 1


def test_dollar_names_from_the_run_and_unbound_site_names() -> None:
    scope = Scope(tables(config={"k": "v"}, input={"n": 1}))
    assert evaluate(scope, "$config.k") == "v" and evaluate(scope, "$input.n") == 1
    assert scope["$iteration"] is None and scope["$item"] is None
    assert scope.get("$unknown", "missing") == "missing"


def test_foreach_prefixes_read_this_iterations_result_first() -> None:
    t = tables()
    record(t, "inner", "outer value")
    record(t, "fe[1]/inner", "iteration 1")
    inside = Scope(t).enter(prefix="fe[1]/", frame={})
    assert evaluate(inside, "inner") == "iteration 1"
    assert evaluate(Scope(t), "inner") == "outer value"
    assert inside.result_of("inner").key == "fe[1]/inner"


def test_templates_read_the_same_chain() -> None:
    t = tables()
    record(t, "fetch", {"name": "Ada"})
    scope = Scope(t, bindings={"input": {"n": 2}})
    assert compile_template("{{ fetch.name }}:{{ input.n }}").render(scope) == "Ada:2"


def test_iteration_lists_names_without_values() -> None:
    t = tables()
    t.globals["g"] = "secret value"
    names = list(Scope(t, bindings={"input": 1}))
    assert names[:2] == ["input", "g"] and "fetch" in names and "$config" in names
    assert "secret value" not in names and len(Scope(t)) == len(list(Scope(t)))


# -- writing -----------------------------------------------------------------------------------

def test_set_declares_globally_then_assigns_the_nearest_declaring_scope() -> None:
    t = tables()
    scope = Scope(t, phase="p")
    scope.assign("count", 1)
    assert t.globals == {"count": 1}
    scope.declare("local", 0, phase_scope=True)
    scope.assign("local", 5)
    assert t.phases["p"] == {"local": 5} and "local" not in t.globals


def test_dotted_assignment_copies_the_objects_on_its_path() -> None:
    t = tables()
    scope = Scope(t)
    scope.assign("stats", {"count": 1, "nested": {"a": 1}})
    before = t.globals["stats"]
    scope.assign("stats.nested.a", 2)
    scope.assign("fresh.deep.key", True)
    assert before == {"count": 1, "nested": {"a": 1}}, "never mutated in place"
    assert t.globals["stats"] == {"count": 1, "nested": {"a": 2}}
    assert t.globals["fresh"] == {"deep": {"key": True}}


def test_assignments_inside_an_iteration_stay_in_its_frame() -> None:
    t = tables()
    t.globals["total"] = {"n": 1}
    frame: dict[str, Any] = {}
    inside = Scope(t).enter(frame=frame)
    inside.assign("total.n", 2)
    assert frame == {"total": {"n": 2}} and t.globals == {"total": {"n": 1}}
    assert inside["total"] == {"n": 2}


def test_context_declares_globally_unless_phase_scoped() -> None:
    t = tables()
    Scope(t).declare("a", 1, phase_scope=True)
    assert t.globals == {"a": 1}
