"""Template, map, filter, reduce (SPEC §3.10–§3.13) and variables (§3.6, §4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from ..run.support import context, data, phase, run_nodes, set_node, template


def transform(node_id: str, type_: str, **config: Any) -> Any:
    return data(node_id, "transform", type_, **config)


async def outputs(*nodes: Any, **kw: Any) -> dict[str, Any]:
    state = await run_nodes(*nodes, **kw)
    return {key: (r.output if r.status == "success" else r.error) for key, r in
            state.nodes.items()}


@pytest.mark.parametrize(("source", "fmt", "expected"), [
    ("{{ [1, 'two', null] }}", None, [1, "two", None]),
    ("{{ 40 + 2 }}", None, 42),
    ("n = {{ 2 + 3 }}", None, "n = 5"),
    ('{"a": {{ 1 + 1 }}, "b": [{{ "x" | upper | json_encode }}]}', None,
     {"a": 2, "b": ["X"]}),
    ("  [1, 2]", None, [1, 2]),
    ("{not json", None, "{not json"),
    ("{{ [1, 2] }}", "text", "[1,2]"),
    ("{{ 42 }}", "text", "42"),
    ("{{ '[1]' }}", "json", "[1]"),
    ("[{{ 1 }}, 2]", "json", [1, 2]),
    ("plain", "text", "plain"),
])
async def test_template_formats(source: str, fmt: str | None, expected: Any) -> None:
    config = {"format": fmt} if fmt else {}
    assert (await outputs(template("t", source, **config)))["t"] == expected


async def test_template_json_format_refuses_text() -> None:
    result = (await outputs(template("t", "not json {{ 1 }}", format="json")))["t"]
    assert result["type"] == "FormatError"


async def test_map_filter_reduce_pipeline() -> None:
    orders = template("orders", "{{ [{sku: 'a', qty: 2, price: 10}, {sku: 'b', qty: 1, "
                                "price: 5}, {sku: 'c', qty: 1, price: 11}] }}")
    indexed = transform("indexed", "map", input="orders", expression=(
        "(item, index) => ({ n: index + 1, sku: item.sku, total: item.qty * item.price })"))
    large = transform("large", "filter", input="indexed", condition="item.total >= 10")
    flags = transform("flags", "map", input="orders",
                      expression="[$index, $first, $last, length($items)]")
    stats = transform("stats", "reduce", input="indexed", initial="{ sum: 0, count: 0 }",
                      reducer="(acc, item) => ({ sum: acc.sum + item.total, "
                              "count: acc.count + 1 })",
                      finalize="acc => ({ ...acc, mean: acc.sum / acc.count })")
    total = transform("total", "reduce", input="indexed", initial="0",
                      reducer="acc + item.total", finalize="result * 2")
    result = await outputs(orders, indexed, large, flags, stats, total, dependencies={
        "indexed": ["orders"], "large": ["indexed"], "flags": ["orders"],
        "stats": ["indexed"], "total": ["indexed"]})
    assert result["indexed"] == [{"n": 1, "sku": "a", "total": 20},
                                 {"n": 2, "sku": "b", "total": 5},
                                 {"n": 3, "sku": "c", "total": 11}]
    assert [row["sku"] for row in result["large"]] == ["a", "c"]
    assert result["flags"] == [[0, True, False, 3], [1, False, False, 3], [2, False, True, 3]]
    assert result["stats"] == {"sum": 36, "count": 3, "mean": 12}
    assert result["total"] == 72


@pytest.mark.parametrize(("value", "expected"), [("null", []), ("5", [10]), ("[1, 2]", [2, 4])])
async def test_inputs_are_coerced_to_lists(value: str, expected: list[Any]) -> None:
    result = await outputs(template("v", "{{ " + value + " }}"),
                           transform("m", "map", input="v", expression="item * 2"),
                           dependencies={"m": ["v"]})
    assert result["m"] == expected


async def test_reduce_of_nothing_finalizes_the_initial_value() -> None:
    result = await outputs(transform("r", "reduce", initial="{ n: 0 }", reducer="acc",
                                     finalize="acc => acc.n + 100"))
    assert result["r"] == 100


async def test_a_lambda_cannot_be_an_output() -> None:
    result = await outputs(template("t", "{{ x => x }}"))
    assert result["t"]["type"] == "ExpressionError"


async def test_expression_errors_fail_the_node_with_the_source() -> None:
    result = await outputs(transform("m", "map", input="[1]", expression="item / 0"))
    assert result["m"]["type"] == "ExpressionError" and result["m"]["retryable"] is False


async def test_set_and_context_variables() -> None:
    result = await outputs(
        context("vars", {"greeting": "hello", "count": "0", "flag": "false",
                         "twice": "{{ count + 2 }}"}),
        set_node("bump", "count", "{{ count + 1 }}"),
        set_node("nested", "stats.total", "{{ 5 }}"),
        template("read", "{{ greeting }} {{ count }} {{ $context.flag }} {{ twice }} "
                         "{{ stats.total }}"),
        dependencies={"bump": ["vars"], "nested": ["bump"], "read": ["nested"]})
    assert result["vars"] == {"greeting": "hello", "count": 0, "flag": False, "twice": 2}
    assert result["bump"] == 1 and result["nested"] == 5
    assert result["read"] == "hello 1 false 2 5"


async def test_phase_scoped_context_is_visible_in_its_phase_only() -> None:
    gather = phase("gather", context("local", {"limit": "3"}, scope="phase"),
                   template("inside", "{{ limit }}"))
    later = phase("later", template("outside", "{{ $context.limit ?? 'none' }}"))
    state = await run_nodes(gather, later, dependencies={
        "inside": ["local"], "outside": ["local", "inside"]})
    assert state.nodes["inside"].output == 3
    assert state.nodes["outside"].output == "none"
    assert state.variables["phases"] == {"gather": {"limit": 3}}
