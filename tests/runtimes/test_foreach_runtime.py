"""``<foreach>`` (SPEC §3.23): coercion, iteration scopes, ordering, concurrency,
``on-item-error`` modes, per-iteration result keys (§4.1) and shared breakers (§7.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.api import arun
from flowscript.errors import NodeError
from flowscript.runtimes.foreach import as_collection

from ..run.support import HttpServer

HEADER = "---\nname: foreach-test\nversion: 1.0.0\n---\n<workflow>\n"


async def run_text(tmp_path: Path, body: str) -> Any:
    """Run a workflow whose ``<workflow>`` body is ``body``; return the final state
    (of the ``NodeError`` for a failed run)."""
    path = tmp_path / "flow.flow.md"
    path.write_text(HEADER + body + "\n</workflow>\n")
    try:
        return await arun(path, options=None)
    except NodeError as error:
        return error.state


def fetch_each(url: str, mode: str, concurrency: int = 1) -> str:
    return f"""
  <foreach id="all" collection="[1, 2, 3]" item="n" concurrency="{concurrency}"
           on-item-error="{mode}">
    <source id="get" type="http">
      <request>
        url: "{url}/thing/{{{{ n }}}}"
      </request>
    </source>
  </foreach>"""


THINGS = {"/thing/1": {"json": 1}, "/thing/2": {"status": 400, "json": {"error": "bad"}},
          "/thing/3": {"json": 3}}


@pytest.mark.parametrize(("value", "expected"), [
    ([1, 2], [1, 2]),
    ({"b": 1, "a": 2}, [{"key": "b", "value": 1}, {"key": "a", "value": 2}]),
    (None, []),
    ("x", ["x"]),
    (0, [0]),
])
def test_collection_coercion(value: Any, expected: list[Any]) -> None:
    assert as_collection(value) == expected


async def test_iterations_bind_names_and_record_prefixed_keys(tmp_path: Path) -> None:
    state = await run_text(tmp_path, """
  <transform id="pairs" type="template"><template>{{ {x: 10, y: 20} }}</template></transform>
  <foreach id="fe" collection="pairs.output" item="p" index="i">
    <transform id="label" type="template">
      <template>{{ [p.key, input.value, i, $index, $first, $last, length($items)] }}</template>
    </transform>
  </foreach>""")
    assert state.status == "completed"
    fe = state.nodes["fe"]
    assert fe.output == [["x", 10, 0, 0, True, False, 2], ["y", 20, 1, 1, False, True, 2]]
    assert fe.meta == {"items": 2, "completed": 2, "failed": 0}
    assert state.nodes["fe[1]/label"].output == ["y", 20, 1, 1, False, True, 2]
    assert "label" not in state.nodes


async def test_default_collection_is_the_input_and_chains_body_outputs(
        tmp_path: Path) -> None:
    state = await run_text(tmp_path, """
  <transform id="nums" type="template"><template>{{ [1, 2, 3] }}</template></transform>
  <foreach id="fe" input="nums">
    <transform id="double" type="template"><template>{{ input * 2 }}</template></transform>
    <transform id="plus" type="template"><template>{{ input + item }}</template></transform>
  </foreach>""")
    assert state.nodes["fe"].output == [3, 6, 9]


async def test_set_inside_an_iteration_stays_in_the_iteration(tmp_path: Path) -> None:
    state = await run_text(tmp_path, """
  <context id="vars"><set var="seen" value="none"/></context>
  <foreach id="fe" collection="['a', 'b']">
    <set id="mark" var="seen" value="{{ item }}"/>
    <transform id="read" type="template"><template>{{ seen }}</template></transform>
  </foreach>
  <transform id="after" type="template" input="fe"><template>{{ seen }}</template></transform>""")
    assert state.nodes["fe"].output == ["a", "b"]
    assert state.nodes["after"].output == "none"


async def test_fail_mode_fails_the_node_and_starts_nothing_after(
        tmp_path: Path, server: HttpServer) -> None:
    server.routes(THINGS)
    state = await run_text(tmp_path, fetch_each(server.url, "fail"))
    fe = state.nodes["all"]
    assert state.status == "failed" and fe.status == "failed"
    assert fe.error["type"] == "HttpError" and fe.error["status"] == 400
    assert fe.meta["failed"] == 1 and fe.meta["completed"] == 1
    assert [e["index"] for e in fe.meta["errors"]] == [1]
    assert server.hits("/thing/3")["hits"] == 0
    assert "all[2]/get" not in state.nodes


async def test_skip_mode_leaves_failures_out(tmp_path: Path, server: HttpServer) -> None:
    server.routes(THINGS)
    state = await run_text(tmp_path, fetch_each(server.url, "skip", concurrency=3))
    fe = state.nodes["all"]
    assert state.status == "completed" and fe.output == [1, 3]
    assert fe.meta["errors"][0]["item"] == 2
    assert fe.meta["errors"][0]["error"]["node"] == "all[1]/get"


async def test_collect_mode_reports_errors_in_the_output(
        tmp_path: Path, server: HttpServer) -> None:
    server.routes(THINGS)
    state = await run_text(tmp_path, fetch_each(server.url, "collect", concurrency=2))
    output = state.nodes["all"].output
    assert output["results"] == [1, 3]
    assert [(e["index"], e["item"], e["error"]["status"]) for e in output["errors"]] \
        == [(1, 2, 400)]
    assert "traceback" not in output["errors"][0]["error"]


async def test_concurrency_bounds_iterations_in_flight(
        tmp_path: Path, server: HttpServer) -> None:
    server.routes({"/work": {"delay": 0.1, "json": {"ok": True}}})
    state = await run_text(tmp_path, f"""
  <foreach id="fe" collection="[1, 2, 3, 4, 5]" concurrency="2">
    <source id="call" type="http"><request>url: "{server.url}/work"</request></source>
  </foreach>""")
    assert state.nodes["fe"].output == [{"ok": True}] * 5
    hits = server.hits("/work")
    assert hits["hits"] == 5 and hits["max_inflight"] == 2


async def test_a_body_breaker_is_shared_across_iterations(
        tmp_path: Path, server: HttpServer) -> None:
    server.routes({"/down": {"status": 503}})
    state = await run_text(tmp_path, f"""
  <foreach id="fe" collection="[1, 2, 3, 4]" on-item-error="collect">
    <source id="call" type="http">
      <request>url: "{server.url}/down"</request>
      <on-error><circuit-breaker threshold="2" window="1m" cooldown="5m"/></on-error>
    </source>
  </foreach>""")
    errors = state.nodes["fe"].output["errors"]
    assert [e["error"]["type"] for e in errors] == ["HttpError", "HttpError",
                                                    "CircuitOpenError", "CircuitOpenError"]
    assert server.hits("/down")["hits"] == 2
    assert state.nodes["fe"].meta == {"items": 4, "completed": 0, "failed": 4,
                                      "errors": errors}


async def test_invalid_concurrency_fails_the_node(tmp_path: Path) -> None:
    state = await run_text(tmp_path, """
  <foreach id="fe" collection="[1]" concurrency="{{ 0 }}">
    <transform id="t" type="template"><template>x</template></transform>
  </foreach>""")
    error = state.nodes["fe"].error
    assert error["type"] == "ConfigError" and "at least 1" in error["message"]
