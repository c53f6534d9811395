"""Scheduling, concurrency, failures and endings of a run (SPEC §6.1–§6.7, §6.11, §7.8),
observed on real HTTP requests and real files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from flowscript.ast import ConfigField, FieldSpec, IfNode
from flowscript.engine.api import prepare
from flowscript.engine.options import ExecutionOptions
from flowscript.errors import (
    AttemptTimeoutError,
    ConfigError,
    HttpError,
    InternalError,
    NodeError,
    OutputSchemaError,
    WorkflowTimeoutError,
)

from .support import (
    SPAN,
    HttpServer,
    data,
    facts,
    output_fields,
    set_node,
    template,
    text,
    workflow,
)
from .support import runtime as runtime_settings


def get(node_id: str, url: str, **kw: Any) -> Any:
    return data(node_id, "source", "http", url=url, **kw)


async def execute(wf: Any, plan: Any, **kw: Any) -> Any:
    options = kw.pop("options", None) or ExecutionOptions(**kw.pop("option_fields", {}))
    executor = prepare(wf, plan, config=kw.pop("config", None), input=kw.pop("input", None),
                       secrets=kw.pop("secrets", None), options=options, environ={})
    try:
        return await executor.execute()
    finally:
        await executor.aclose()


async def test_waves_run_in_dependency_order_and_document_order(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    wf = workflow(template("c", "{{ a + b }}"), template("a", "{{ 1 }}"),
                  template("b", "{{ 2 }}"), template("d", "{{ c * 10 }}"))
    plan = facts(wf, {"c": ["a", "b"], "d": ["c"]})
    state = await execute(wf, plan, options=ExecutionOptions(on_event=events.append))
    assert state.status == "completed"
    assert state.nodes["d"].output == 30
    waves = [e["nodes"] for e in events if e["type"] == "wave_started"]
    assert waves == [["a", "b"], ["c"], ["d"]]
    assert state.plan == [["a", "b"], ["c"], ["d"]]
    assert state.current_wave == 2


@pytest.mark.parametrize(("option", "runtime", "limit"), [
    (None, None, 10), (2, None, 2), (None, 2, 2), (1, 3, 1), (3, 1, 3),
])
async def test_concurrency_bounds_requests_in_flight(server: HttpServer, option: int | None,
                                                     runtime: int | None,
                                                     limit: int) -> None:
    server.routes({"/work": {"delay": 0.15, "json": {"ok": True}}})
    wf = workflow(*(get(n, f"{server.url}/work?n={n}") for n in "abcde"),
                  runtime=runtime_settings(concurrency=runtime))
    state = await execute(wf, facts(wf), options=ExecutionOptions(max_concurrency=option))
    assert all(state.nodes[n].output == {"ok": True} for n in "abcde")
    hits = server.hits("/work")
    assert hits["hits"] == 5 and hits["max_inflight"] == min(limit, 5)
    assert state.to_json()["options"]["max_concurrency"] == limit


async def test_nodes_of_a_wave_start_in_document_order(server: HttpServer) -> None:
    server.routes({"/work": {"delay": 0.05, "json": {}}})
    wf = workflow(*(get(n, f"{server.url}/work?n={n}") for n in "abcdef"))
    await execute(wf, facts(wf), options=ExecutionOptions(max_concurrency=1))
    assert [entry["query"]["n"][0] if isinstance(entry["query"]["n"], list)
            else entry["query"]["n"] for entry in server.log()] == list("abcdef")


async def test_a_failure_lets_the_wave_settle_and_stops_the_run(server: HttpServer) -> None:
    server.routes({"/bad": {"status": 400, "json": {"error": "bad"}},
                   "/slow-ok": {"delay": 0.3, "json": {"ok": True}}})
    wf = workflow(get("bad", f"{server.url}/bad"), get("slow-ok", f"{server.url}/slow-ok"),
                  template("after", "never", input="bad"))
    plan = facts(wf, {"after": ["bad"]}, input_refs={"after": ["bad"]})
    with pytest.raises(NodeError) as caught:
        await execute(wf, plan)
    error = caught.value
    state = error.state
    assert isinstance(error.cause, HttpError) and error.__cause__ is error.cause
    assert error.node_id == "bad" and error.attempts == 1 and error.cause.status == 400
    assert state.status == "failed"
    assert state.nodes["slow-ok"].status == "success"
    assert state.nodes["slow-ok"].output == {"ok": True}
    assert "after" not in state.nodes
    assert state.error["type"] == "HttpError" and state.error["node"] == "bad"
    assert state.error["retryable"] is False and state.errors == [state.error]
    assert [e["outcome"] for e in server.log() if e["path"] == "/slow-ok"] == ["responded"]


async def test_the_run_error_is_the_first_failed_node_in_document_order(
        server: HttpServer) -> None:
    server.routes({"/slow-fail": {"delay": 0.2, "status": 500},
                   "/fast-fail": {"status": 404}})
    wf = workflow(get("first", f"{server.url}/slow-fail"),
                  get("second", f"{server.url}/fast-fail"))
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf))
    state = caught.value.state
    assert caught.value.node_id == "first" and state.error["status"] == 500
    assert state.error["retryable"] is True
    assert [e["node"] for e in state.errors] == ["first", "second"]


async def test_invalid_config_stops_before_anything_runs(tmp_path: Path) -> None:
    wf = workflow(data("save", "sink", "file", path="out.txt", content="ran"),
                  config={"region": ConfigField(name="region", type="string",
                                                required=True)})
    options = ExecutionOptions(base_dir=tmp_path)
    with pytest.raises(ConfigError) as caught:
        await execute(wf, facts(wf), options=options)
    assert [d.code for d in caught.value.diagnostics] == ["FS-RUN-003"]
    assert not (tmp_path / "out.txt").exists()
    state = await execute(wf, facts(wf), options=options, config={"region": "eu"})
    assert (tmp_path / "out.txt").read_text() == "ran" and state.status == "completed"


async def test_invalid_input_stops_before_anything_runs(tmp_path: Path) -> None:
    wf = workflow(data("save", "sink", "file", path="out.txt", content="ran"),
                  input={"name": FieldSpec(name="name", type="string", required=True)})
    with pytest.raises(ConfigError) as caught:
        await execute(wf, facts(wf), options=ExecutionOptions(base_dir=tmp_path),
                      input={"other": 1})
    assert [d.code for d in caught.value.diagnostics] == ["FS-RUN-005"]
    assert not (tmp_path / "out.txt").exists()


async def test_the_attempt_timeout_cancels_the_request(server: HttpServer) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    wf = workflow(get("slow", f"{server.url}/slow", timeout="0.2"))
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf))
    assert isinstance(caught.value.cause, AttemptTimeoutError)
    assert caught.value.state.error["type"] == "AttemptTimeoutError"
    assert caught.value.state.error["retryable"] is True
    assert await _outcome(server, "/slow") == "client_closed"


async def _outcome(server: HttpServer, path: str) -> str:
    for _ in range(200):
        outcomes = [e["outcome"] for e in server.log() if e["path"] == path]
        if outcomes and outcomes[0] != "pending":
            return outcomes[0]
        await asyncio.sleep(0.025)
    return "pending"


async def test_the_run_timeout_cancels_running_nodes(server: HttpServer) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    wf = workflow(get("slow", f"{server.url}/slow"), template("quick", "{{ 1 }}"))
    with pytest.raises(WorkflowTimeoutError) as caught:
        await execute(wf, facts(wf), options=ExecutionOptions(timeout=0.3))
    state = caught.value.state
    assert state.status == "failed" and state.error["type"] == "WorkflowTimeoutError"
    assert state.nodes["slow"].status == "cancelled"
    assert state.nodes["quick"].status == "success"
    assert await _outcome(server, "/slow") == "client_closed"


async def test_cancelling_the_caller_records_a_cancelled_run(server: HttpServer) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    wf = workflow(get("slow", f"{server.url}/slow"))
    executor = prepare(wf, facts(wf), config=None, input=None, secrets=None,
                       options=ExecutionOptions(), environ={})
    task = asyncio.create_task(executor.execute())
    while "slow" not in executor.state.nodes:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await executor.aclose()
    assert executor.state.status == "cancelled"
    assert executor.state.nodes["slow"].status == "cancelled"
    assert executor.state.nodes["slow"].error["type"] == "CancelledError"


async def test_skip_rule_follows_skipped_handlers_and_nested_nodes() -> None:
    arm = IfNode(element="if", span=SPAN, id="router", kind="control:if",
                 condition=text("true"), then=(template("inside", "x"),))
    wf = workflow(template("a", "{{ 1 }}"), template("handler", "{{ 2 }}"), arm,
                  template("uses-handler", "{{ input }}", input="handler"),
                  template("mixed", "{{ [a, handler] }}", input="[a, handler]"),
                  template("downstream", "{{ 3 }}"), template("free", "{{ 4 }}"))
    plan = facts(wf, {"uses-handler": ["handler"], "mixed": ["a", "handler"],
                      "downstream": ["uses-handler"], "router": ["handler"]},
                 input_refs={"uses-handler": ["handler"], "mixed": ["a", "handler"]},
                 handlers=["handler"])
    state = await execute(wf, plan)
    status = {key: result.status for key, result in state.nodes.items()}
    assert status == {"a": "success", "free": "success", "handler": "skipped",
                      "router": "skipped", "inside": "skipped", "uses-handler": "skipped",
                      "mixed": "success", "downstream": "skipped"}
    assert state.nodes["mixed"].output == [1, None]
    assert state.nodes["handler"].attempts == 0 and state.status == "completed"


async def test_a_node_without_a_runtime_fails_with_internal_error() -> None:
    arm = IfNode(element="if", span=SPAN, id="router", kind="control:unknown",
                 condition=text("true"))
    wf = workflow(arm)
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf))
    assert isinstance(caught.value.cause, InternalError)
    assert "not available" in caught.value.state.error["message"]


async def test_an_input_expression_error_fails_the_node_without_an_attempt() -> None:
    wf = workflow(template("t", "{{ input }}", input="nothing_here + 1"))
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf))
    assert caught.value.state.nodes["t"].attempts == 0
    assert caught.value.state.error["type"] == "ExpressionError"
    assert "unknown name" in caught.value.state.error["message"]


async def test_workflow_output_and_its_schema() -> None:
    wf = workflow(template("a", "{{ 20 + 1 }}"), set_node("s", "label", "ok"),
                  output=output_fields(total="{{ a * 2 }}", label="{{ label }}",
                                       fixed="7", **{"meta.source": "test"}),
                  output_schema={"total": FieldSpec(name="total", type="number",
                                                    required=True)})
    state = await execute(wf, facts(wf))
    assert state.output == {"total": 42, "label": "ok", "fixed": 7,
                            "meta": {"source": "test"}}
    bad = workflow(template("a", "{{ 'x' }}"), output=output_fields(total="{{ a }}"),
                   output_schema={"total": FieldSpec(name="total", type="number")})
    with pytest.raises(OutputSchemaError) as caught:
        await execute(bad, facts(bad))
    assert caught.value.state.status == "failed"
    assert caught.value.state.error["type"] == "OutputSchemaError"
    assert caught.value.state.output == {"total": "x"}


async def test_the_error_handler_callback_runs_and_cannot_change_the_error(
        server: HttpServer) -> None:
    server.routes({"/bad": {"status": 503}})
    seen: list[Any] = []
    events: list[dict[str, Any]] = []

    async def handler(error: BaseException, state: Any) -> None:
        seen.append((type(error).__name__, state.status))
        raise RuntimeError("handler bug")

    wf = workflow(get("bad", f"{server.url}/bad"))
    options = ExecutionOptions(error_handler=handler, on_event=events.append)
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf), options=options)
    assert seen == [("NodeError", "failed")]
    state = caught.value.state
    assert state.error["type"] == "HttpError" and state.status == "failed"
    assert state.error_handler["callback"]["status"] == "failed"
    assert "handler bug" in state.error_handler["callback"]["error"]["message"]
    types = [e["type"] for e in events]
    assert types[-2:] == ["handler_failed", "run_finished"]


async def test_events_of_a_small_run_in_order() -> None:
    events: list[dict[str, Any]] = []
    wf = workflow(template("a", "{{ 1 }}"))
    state = await execute(wf, facts(wf), options=ExecutionOptions(on_event=events.append))
    assert [e["type"] for e in events] == ["run_started", "wave_started", "node_started",
                                           "node_finished", "wave_finished", "run_finished"]
    started, finished = events[2], events[3]
    assert started["key"] == "a" and started["kind"] == "transform:template"
    assert started["attempt"] == 1 and finished["status"] == "success"
    assert finished["attempts"] == 1 and finished["error"] is None
    assert events[-1]["status"] == "completed" and events[-1]["run_id"] == state.run_id
    assert events[0]["workflow"] == "test" and events[0]["resumed"] is False


class CountingResults(dict):  # type: ignore[type-arg]
    """A results table that counts whole-table scans (copies, iteration)."""

    scans = 0

    def __iter__(self) -> Any:
        CountingResults.scans += 1
        return super().__iter__()

    def values(self) -> Any:
        CountingResults.scans += 1
        return super().values()

    def items(self) -> Any:
        CountingResults.scans += 1
        return super().items()

    def copy(self) -> Any:
        CountingResults.scans += 1
        return super().copy()


async def test_a_chain_never_scans_or_copies_the_results_table() -> None:
    nodes = [template("n0", "{{ 0 }}")]
    nodes += [template(f"n{i}", f"{{{{ n{i - 1} + 1 }}}}") for i in range(1, 300)]
    wf = workflow(*nodes)
    plan = facts(wf, {f"n{i}": [f"n{i - 1}"] for i in range(1, 300)})
    executor = prepare(wf, plan, config=None, input=None, secrets=None,
                       options=ExecutionOptions(), environ={})
    table = CountingResults()
    executor.state.nodes = executor.tables.results = table
    CountingResults.scans = 0
    state = await executor.execute()
    assert state.nodes["n299"].output == 299
    assert CountingResults.scans == 0


def test_the_sync_wrapper_runs_a_workflow_object(tmp_path: Path) -> None:
    from flowscript.engine import api

    wf = workflow(template("a", "{{ 2 * 21 }}"))
    executor = api.prepare(wf, facts(wf), config=None, input=None, secrets=None,
                           options=ExecutionOptions(run_id="fixed-id"), environ={})
    started = time.time()
    state = asyncio.run(executor.execute())
    assert state.run_id == "fixed-id" and state.nodes["a"].output == 42
    assert state.started >= started - 1


async def test_events_are_redacted(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    node = data("read", "source", "file", path="missing-{{ $secrets.TOKEN }}.json")
    wf = workflow(node, secrets=("TOKEN",))
    executor = prepare(wf, facts(wf), config=None, input=None,
                       secrets={"TOKEN": "tok-5ecret"},
                       options=ExecutionOptions(base_dir=tmp_path, on_event=events.append),
                       environ={})
    with pytest.raises(NodeError) as caught:
        await executor.execute()
    finished = next(e for e in events if e["type"] == "node_finished")
    assert finished["error"]["message"] == "file not found: missing-***.json"
    assert caught.value.state.error["message"] == "file not found: missing-***.json"
    assert "tok-5ecret" not in str(caught.value)


async def test_containers_run_children_through_the_node_procedure(tmp_path: Path) -> None:
    from flowscript.ast import LoopNode
    from flowscript.runtimes import registry

    async def twice(node: Any, ctx: Any) -> Any:
        """Run the body twice, each pass in its own iteration scope."""
        outputs = []
        for index in range(2):
            outcome = await ctx.run_children(node.body, input=ctx.input + index,
                                             prefix=f"{ctx.key}[{index}]/", frame={},
                                             bindings={"$index": index})
            if not outcome.ok:
                raise outcome.failed.exception
            outputs.append(outcome.output)
        return outputs

    registry.register("control:twice", twice)
    try:
        body = (template("double", "{{ input * 2 }}"), set_node("note", "seen", "{{ input }}"),
                template("plus", "{{ input + double + $index }}"))
        loop = LoopNode(element="loop", span=SPAN, id="rep", kind="control:twice", body=body,
                        attributes={"input": text("10")})
        wf = workflow(loop, template("after", "{{ rep }} {{ $context.seen ?? 'local' }}"))
        state = await execute(wf, facts(wf, {"after": ["rep"]}))
    finally:
        registry.unregister("control:twice")
    assert state.nodes["rep"].output == [40, 45]
    assert state.nodes["rep[1]/double"].output == 22
    assert state.nodes["rep[0]/plus"].output == 40
    assert state.nodes["after"].output == "[40,45] local", "iteration frames stay local"


async def test_the_on_workflow_error_sequence(server: HttpServer, tmp_path: Path) -> None:
    from flowscript.ast import OnWorkflowError

    server.routes({"/bad": {"status": 500}})
    handler = OnWorkflowError(element="on-workflow-error", span=SPAN, body=(
        data("report", "sink", "file", path="error.txt",
             content="{{ $error.type }} at {{ $execution.failed_node }} "
                     "({{ $execution.status }})"),))
    wf = workflow(get("bad", f"{server.url}/bad"))
    wf = type(wf)(path=None, source="", frontmatter=wf.frontmatter, hash=wf.hash,
                  body=type(wf.body)(element="workflow", span=SPAN, items=wf.body.items,
                                     on_workflow_error=handler))
    with pytest.raises(NodeError) as caught:
        await execute(wf, facts(wf), options=ExecutionOptions(base_dir=tmp_path))
    assert (tmp_path / "error.txt").read_text() == "HttpError at bad (failed)"
    state = caught.value.state
    assert state.error_handler == {"on_workflow_error": {"status": "success", "error": None}}
    assert state.nodes["report"].status == "success" and state.status == "failed"
