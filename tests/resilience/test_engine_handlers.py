"""The workflow error handler (SPEC §3.34, §7.8): ``<on-workflow-error>`` then the API
callback, each once, after the failed state is persisted; a failing handler is recorded
and reported but never changes the run's error or status."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import HttpError, NodeError, WorkflowTimeoutError

from .engine_support import hits, outcome_of, run_flow

FETCH = """<source id="fetch" type="http">
  <request>
    url: "{{ $env.FS_TEST_HTTP }}/fetch"
  </request>
</source>
"""

ALERT = """<on-workflow-error{attributes}>
  <sink id="alert" type="http">
    <request>
      method: POST
      url: "{{{{ $env.FS_TEST_HTTP }}}}/alert"
      body:
        node: "{{{{ $execution.failed_node }}}}"
        status: "{{{{ $execution.status }}}}"
        type: "{{{{ $error.type }}}}"
    </request>
  </sink>
</on-workflow-error>
"""


def alert(attributes: str = "") -> str:
    return ALERT.format(attributes=attributes)


class Recorder:
    """A persistence that keeps what the state looked like at each write."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, Any]] = []

    def on_run_started(self, state: Any) -> None:
        return None

    def on_wave_finished(self, state: Any) -> None:
        return None

    def on_run_finished(self, state: Any) -> None:
        self.finished.append((state.status, state.error_handler))


async def test_the_handler_runs_once_after_the_failed_state_is_persisted(
        server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}, "POST /alert": {"json": {"ok": True}}})
    recorder = Recorder()
    run = await run_flow(tmp_path, FETCH + alert(), server, persistence=recorder)
    assert isinstance(run.error, NodeError) and run.state.status == "failed"
    assert hits(server, "/alert") == 1
    sent = [entry["json"] for entry in server.log() if entry["path"] == "/alert"]
    assert sent == [{"node": "fetch", "status": "failed", "type": "HttpError"}]
    assert recorder.finished == [
        ("failed", None),
        ("failed", {"on_workflow_error": {"status": "success", "error": None}})]


async def test_a_failing_handler_never_masks_the_error(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}, "POST /alert": {"status": 500}})
    run = await run_flow(tmp_path, FETCH + alert(), server)
    assert isinstance(run.error, NodeError) and isinstance(run.error.cause, HttpError)
    assert run.state.error["status"] == 404 and run.state.error["node"] == "fetch"
    record = run.state.error_handler["on_workflow_error"]
    assert record["status"] == "failed" and record["error"]["status"] == 500
    failed = run.of_type("handler_failed")
    assert [event["handler"] for event in failed] == ["on-workflow-error"]
    assert failed[0]["error"]["status"] == 500
    assert run.of_type("run_finished")[0]["error"]["status"] == 404
    assert hits(server, "/alert") == 1


async def test_handler_nodes_take_no_default_retry(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}, "POST /alert": {"status": 503}})
    run = await run_flow(tmp_path, FETCH + alert(), server, front="runtime:\n  retry: 2\n")
    assert hits(server, "/alert") == 1
    assert run.state.error_handler["on_workflow_error"]["status"] == "failed"


async def test_the_handler_limit(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}, "POST /alert": {"delay": 8, "json": {}}})
    run = await run_flow(tmp_path, FETCH + alert(' timeout="200ms"'), server)
    record = run.state.error_handler["on_workflow_error"]
    assert record["status"] == "failed" and record["error"]["type"] == "TimeoutError"
    assert "200ms" not in record["error"]["message"] and "0.2s" in record["error"]["message"]
    assert run.state.nodes["alert"].status == "cancelled"
    assert await outcome_of(server, "/alert") == ["client_closed"]
    assert run.state.error["status"] == 404


async def test_the_callback_sees_the_error_and_state_once(server: Any,
                                                          tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}, "POST /alert": {"json": {}}})
    seen: list[tuple[Any, str, Any]] = []

    async def callback(error: BaseException, state: Any) -> None:
        await asyncio.sleep(0)
        seen.append((error, state.status, state.error_handler))

    run = await run_flow(tmp_path, FETCH + alert(), server, error_handler=callback)
    assert len(seen) == 1
    error, status, handled = seen[0]
    assert error is run.error and isinstance(error.__cause__, HttpError)
    assert status == "failed"
    assert handled is None, "the record is written once both handlers ran"
    assert run.state.error_handler["callback"] == {"status": "success", "error": None}


async def test_a_failing_callback_is_recorded(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"status": 404}})

    def callback(error: BaseException, state: Any) -> None:
        state.status = "completed"  # a callback cannot change the outcome this way either
        raise RuntimeError("pager down")

    run = await run_flow(tmp_path, FETCH, server, error_handler=callback)
    record = run.state.error_handler
    assert list(record) == ["callback"] and record["callback"]["status"] == "failed"
    assert "pager down" in record["callback"]["error"]["message"]
    assert [e["handler"] for e in run.of_type("handler_failed")] == ["callback"]
    assert run.state.error["type"] == "HttpError"


async def test_a_run_timeout_runs_the_handlers(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"delay": 8, "json": {}}, "POST /alert": {"json": {}}})
    calls: list[BaseException] = []
    run = await run_flow(tmp_path, FETCH + alert(), server, timeout=0.3,
                         error_handler=lambda error, state: calls.append(error))
    assert isinstance(run.error, WorkflowTimeoutError)
    assert calls == [run.error]
    sent = [entry["json"] for entry in server.log() if entry["path"] == "/alert"]
    assert sent == [{"node": None, "status": "failed", "type": "WorkflowTimeoutError"}]


async def test_no_handler_for_a_completed_run(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"json": {}}})
    calls: list[Any] = []
    run = await run_flow(tmp_path, FETCH + alert(), server,
                         error_handler=lambda *args: calls.append(args))
    assert run.state.status == "completed" and run.state.error_handler is None
    assert calls == [] and hits(server, "/alert") == 0


async def test_no_handler_for_a_cancelled_run(server: Any, tmp_path: Path) -> None:
    server.routes({"/fetch": {"delay": 8, "json": {}}, "POST /alert": {"json": {}}})
    calls: list[Any] = []
    executors: list[Any] = []
    task = asyncio.create_task(run_flow(tmp_path, FETCH + alert(), server,
                                        error_handler=lambda *args: calls.append(args),
                                        before=executors.append))
    while not executors or "fetch" not in executors[0].state.nodes:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    state = executors[0].state
    assert state.status == "cancelled" and state.error_handler is None
    assert calls == [] and hits(server, "/alert") == 0
