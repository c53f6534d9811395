"""Node results, run state documents and error objects (SPEC §6.6, §7.1, §8.4)."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from flowscript.engine.options import ExecutionOptions
from flowscript.engine.state import (
    NodeResult,
    RunState,
    error_object,
    iso_instant,
    new_run_id,
    public_error,
)
from flowscript.errors import ExpressionError, HttpError, NodeError, PathError

ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def test_node_result_has_every_field_of_the_spec() -> None:
    result = NodeResult("fetch", "source:http", status="success", output={"items": []})
    result.attempts = 2
    result.started, result.completed = 1741529107.042, 1741529109.1
    document = result.to_json()
    assert list(document) == ["id", "kind", "status", "output", "error", "attempts",
                              "started_at", "completed_at", "duration_ms", "recovered_by",
                              "fallback_error", "redacted", "meta"]
    assert document["started_at"] == "2025-03-09T14:05:07.042Z"
    assert document["completed_at"] == "2025-03-09T14:05:09.100Z"
    assert document["duration_ms"] == 2058
    assert json.loads(json.dumps(document)) == document
    assert result.duration_ms == 2058 and result.started_at == document["started_at"]


def test_result_key_defaults_to_the_id() -> None:
    assert NodeResult("x", "state:set").key == "x"
    assert NodeResult("x", "state:set", key="fe[2]/x").key == "fe[2]/x"


def test_run_state_document_has_every_field_of_section_8_4() -> None:
    state = RunState(run_id="20250309-140507-3fa91c0d")
    state.nodes["a"] = NodeResult("a", "state:set", status="success", output=1)
    document = state.to_json()
    assert set(document) == {
        "format", "seq", "run_id", "workflow", "status", "created_at", "started_at",
        "updated_at", "completed_at", "duration_ms", "resume_count", "options", "config",
        "input", "plan", "current_wave", "variables", "nodes", "progress", "activated",
        "gotos", "breakers", "checkpoints", "usage", "error", "errors", "error_handler",
        "output"}
    assert document["format"] == "flowscript-state/1"
    assert document["variables"] == {"global": {}, "phases": {}}
    assert document["nodes"]["a"]["output"] == 1
    assert document["usage"] == {"ai": {"prompt_tokens": 0, "completion_tokens": 0,
                                        "total_tokens": 0}}
    assert ISO.fullmatch(document["created_at"])
    assert json.loads(json.dumps(document)) == document


def test_run_ids_follow_the_spec_shape() -> None:
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{8}", new_run_id())
    assert new_run_id(0).startswith("19700101-000000-")
    assert iso_instant(None) is None


def test_error_object_of_a_runtime_error_carries_its_classification() -> None:
    error = error_object(HttpError("HTTP 503 from GET /x", status=503, body="busy",
                                   retry_after=2.0), "fetch", 3)
    assert error["type"] == "HttpError" and error["status"] == 503
    assert error["retryable"] is True and error["retry_after"] == 2.0
    assert error["node"] == "fetch" and error["attempts"] == 3
    assert error["message"] == "HTTP 503 from GET /x"


def test_error_object_is_never_empty_even_for_a_blank_exception() -> None:
    for exc in (ValueError(), RuntimeError(""), KeyError(), PathError("")):
        error = error_object(exc, "n", 1)
        assert error["message"] and error["type"]
    assert error_object(ValueError("boom"), "n", 1)["type"] == "InternalError"
    assert "ValueError: boom" in error_object(ValueError("boom"), "n", 1)["message"]


def test_error_object_of_a_node_error_describes_its_cause() -> None:
    cause = PathError("outside the base directory")
    error = error_object(NodeError("node x failed", node_id="x", attempts=1, cause=cause))
    assert error["type"] == "PathError" and error["node"] == "x"
    assert error["attempts"] == 1 and error["retryable"] is False


def test_error_object_keeps_a_traceback_that_public_error_drops() -> None:
    try:
        raise ExpressionError("unknown name 'x'", kind="name", source="x + 1", column=1)
    except ExpressionError as exc:
        error = error_object(exc, "n", 0)
    assert "Traceback" in error["traceback"]
    assert "traceback" not in public_error(error)
    assert public_error(None) is None


def test_cancellation_has_its_own_type() -> None:
    assert error_object(asyncio.CancelledError(), "n", 1)["type"] == "CancelledError"


@pytest.mark.parametrize("options", [
    {"max_concurrency": 0}, {"max_concurrency": True}, {"timeout": 0},
    {"timeout": -1}, {"run_id": "../escape"}, {"on_event": 3},
])
def test_execution_options_refuse_values_that_cannot_work(options: dict) -> None:
    with pytest.raises(ValueError):
        ExecutionOptions(**options)


def test_execution_options_defaults_follow_the_spec() -> None:
    options = ExecutionOptions()
    assert options.log is False and options.restrict_paths is True
    assert options.max_concurrency is None and options.timeout is None


def test_the_state_document_never_holds_a_secret() -> None:
    from flowscript.engine.redact import Redactor

    state = RunState(run_id="r", redactor=Redactor({"TOKEN": "tok-9f8e7d6c"}))
    state.nodes["me"] = NodeResult("me", "source:http", status="success",
                                   output={"authorization": "Bearer tok-9f8e7d6c"})
    state.nodes["plain"] = NodeResult("plain", "state:set", status="success", output=1)
    state.error = {"type": "HttpError", "message": "GET /x?key=tok-9f8e7d6c failed"}
    document = state.to_json()
    assert document["nodes"]["me"]["output"] == {"authorization": "Bearer ***"}
    assert document["nodes"]["me"]["redacted"] is True and state.nodes["me"].redacted
    assert document["nodes"]["plain"]["redacted"] is False
    assert document["error"]["message"] == "GET /x?key=*** failed"
    assert "tok-9f8e7d6c" not in json.dumps(document)
    assert state.nodes["me"].output == {"authorization": "Bearer tok-9f8e7d6c"}, \
        "the run keeps the real value for downstream nodes"
