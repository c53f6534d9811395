"""Name resolution (SPEC §4.4, §4.6, §5.8): variables, node and phase references, ``$``
names, template bindings, unknown names, and any Mapping as the variables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from flowscript.errors import ExpressionError
from flowscript.expr import compile_expression, evaluate
from flowscript.expr.values import NodeRef, PhaseRef


class LazyScope(Mapping[str, Any]):
    """A Mapping that is not a dict, as the engine's chain of scopes is."""

    def __init__(self, *layers: dict[str, Any]) -> None:
        self.layers = layers
        self.reads: list[str] = []

    def __getitem__(self, name: str) -> Any:
        self.reads.append(name)
        for layer in self.layers:
            if name in layer:
                return layer[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for layer in self.layers for k in layer))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def refs() -> dict[str, Any]:
    fetch = NodeRef({"items": [1, 2, 3], "output": "inner", "x": {"y": 5}})
    return {
        "fetch": fetch,
        "failed": NodeRef(None),
        "fetch-data": NodeRef([1, 2, 3]),
        "count-a": NodeRef(10),
        "b": NodeRef(3),
        "gather": PhaseRef("gather", {"fetch": fetch, "other": NodeRef(7)}),
    }


class TestNodeReferences:
    @pytest.mark.parametrize(("source", "value"), [
        ("fetch", {"items": [1, 2, 3], "output": "inner", "x": {"y": 5}}),
        ("fetch.items[0]", 1), ("fetch.output.items[0]", 1), ("fetch.output.output", "inner"),
        ("fetch['output'].x.y", 5), ("fetch.x.y", 5), ("fetch.output.x.y", 5),
        ("length(fetch.items)", 3), ("fetch.items.length", 3), ("failed", None),
        ("failed.output", None), ("failed.x.y", None), ("gather.fetch.items[2]", 3),
        ("gather.fetch.output.items[2]", 3), ("gather.other", 7), ("gather.other.output", 7),
        ("gather.fetch.output.output", "inner"), ("fetch.items.map(x => x * 2)", [2, 4, 6]),
        ("fetch.output[0]", None),
    ])
    def test_reads(self, source: str, value: Any) -> None:
        assert evaluate(source, refs()) == value

    def test_hyphenated_ids_from_the_conformance_case(self) -> None:
        source = ("{total: sum(fetch-data.output), difference: count-a.output - b.output,"
                  " length_minus_one: length(fetch-data.output) - 1,"
                  " indexed: fetch-data.output[2]}")
        assert evaluate(source, refs()) == {"total": 6, "difference": 7,
                                            "length_minus_one": 2, "indexed": 3}

    def test_subtraction_when_not_declared(self) -> None:
        assert evaluate("count-1", {"count": 5}) == 4
        assert evaluate("count - 1", {"count": 5, "count-1": 100}) == 4
        assert evaluate("count-1", {"count": 5, "count-1": 100}) == 100

    @pytest.mark.parametrize("source", ["gather", "gather.nope", "gather.nope.x", "gather[0]"])
    def test_phase_needs_one_of_its_nodes(self, source: str) -> None:
        with pytest.raises(ExpressionError) as info:
            evaluate(source, refs())
        assert info.value.kind == "name" and info.value.column == 1


class TestVariables:
    def test_any_mapping_works(self) -> None:
        scope = LazyScope({"a": {"b": 1}}, {"c": 2, "$config": {"k": "v"}})
        assert evaluate("a.b + c", scope) == 3
        assert evaluate("$config.k", scope) == "v"
        assert scope.reads.count("a") == 1

    def test_dollar_names(self) -> None:
        variables = {"$config": {"threshold": 5, "nested": {"k": [1]}}, "$input": "in"}
        assert evaluate("$config.threshold", variables) == 5
        assert evaluate("$config.nested.k[0]", variables) == 1
        assert evaluate("$config['threshold']", variables) == 5
        assert evaluate("$input", variables) == "in"
        assert evaluate("$iteration", variables) is None
        assert evaluate("$nodes.x.output", variables) is None

    def test_unknown_name_lists_names_in_scope_but_not_values(self) -> None:
        variables = {"count": "SECRET-VALUE", "items": [1], "$config": {}}
        with pytest.raises(ExpressionError) as info:
            evaluate("coutn + 1", variables)
        error = info.value
        assert error.kind == "name" and error.column == 1
        assert "unknown name 'coutn'" in error.message
        assert "count, items, $config" in error.message
        assert "SECRET" not in str(error)
        assert error.names == ["count", "items", "$config"]
        assert error.hints == ['did you mean "count"?']

    def test_names_listed_are_capped(self) -> None:
        variables = {f"v{i}": i for i in range(100)}
        with pytest.raises(ExpressionError) as info:
            evaluate("nope", variables)
        assert len(info.value.names) == 20 and info.value.message.endswith(", …")

    def test_lambda_parameters_shadow_variables_and_are_listed(self) -> None:
        assert evaluate("map([1], x => x + 1)", {"x": 100}) == [2]
        with pytest.raises(ExpressionError) as info:
            evaluate("map([1], item => itme)", {"other": 1})
        assert info.value.names[:2] == ["item", "other"]

    def test_calls_never_resolve_to_variables(self) -> None:
        assert evaluate("sum([1, 2])", {"sum": "not a function"}) == 3
        assert evaluate("upper('a')", {"upper": NodeRef(1)}) == "A"

    def test_template_bindings_outside_a_template_are_null(self) -> None:
        assert evaluate("[this, @index]", {}) == [None, None]

    def test_missing_variable_in_a_branch_not_taken(self) -> None:
        assert evaluate("true || nope", {}) is True


class TestCompiledReuse:
    def test_one_compile_many_variable_sets(self) -> None:
        expression = compile_expression("item.score > 0.5 && length(item.tags) > 0")
        assert expression.evaluate({"item": {"score": 0.7, "tags": ["a"]}}) is True
        assert expression.evaluate({"item": {"score": 0.7, "tags": []}}) is False
        assert expression.evaluate({"item": {"score": 0.2, "tags": ["a"]}}) is False
        assert expression.evaluate({"item": {"score": "0.9", "tags": "ab"}}) is True
        assert expression.evaluate({"item": NodeRef({"score": 1, "tags": [1]})}) is True
        assert expression.evaluate({"item": None}) is False
