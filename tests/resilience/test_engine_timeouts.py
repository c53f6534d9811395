"""Per-attempt timeouts (SPEC §7.5): which limit applies, and that an expired attempt
aborts its HTTP request (the server sees the connection close) and may be retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine_support import flaky, outcome_of, run_flow

SLOW = """<source id="slow" type="http"{attributes}>
  <request>
    url: "{{{{ $env.FS_TEST_HTTP }}}}/slow"
  </request>
  {on_error}
</source>"""


def slow_source(attributes: str = "", on_error: str = "") -> str:
    return SLOW.format(attributes=attributes, on_error=on_error)


async def test_the_node_timeout_aborts_the_request(server: Any, tmp_path: Path) -> None:
    server.routes({"/slow": {"delay": 8, "json": {"late": True}}})
    run = await run_flow(tmp_path, slow_source(' timeout="200ms"'), server)
    result = run.node("slow")
    assert (result.status, result.attempts) == ("failed", 1)
    assert result.error["type"] == "AttemptTimeoutError" and result.error["retryable"]
    assert await outcome_of(server, "/slow") == ["client_closed"]


async def test_a_timed_out_attempt_is_retried(server: Any, tmp_path: Path) -> None:
    server.routes({"/slow": flaky({"delay": 8, "json": {"n": 1}}, {"json": {"n": 2}})})
    run = await run_flow(tmp_path, slow_source(
        ' timeout="200ms"', '<on-error><retry max="2" base="50ms"/></on-error>'), server)
    result = run.node("slow")
    assert (result.status, result.attempts, result.output) == ("success", 2, {"n": 2})
    assert run.of_type("node_retrying")[0]["error"]["type"] == "AttemptTimeoutError"
    assert await outcome_of(server, "/slow") == ["client_closed", "responded"]


async def test_the_policy_timeout_applies_without_a_node_timeout(server: Any,
                                                                 tmp_path: Path) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    run = await run_flow(tmp_path, slow_source(
        on_error='<on-error><retry max="0" timeout="200ms"/></on-error>'), server)
    assert run.node("slow").error["type"] == "AttemptTimeoutError"
    assert await outcome_of(server, "/slow") == ["client_closed"]


async def test_the_node_timeout_beats_the_policy_timeout(server: Any, tmp_path: Path) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    run = await run_flow(tmp_path, slow_source(
        ' timeout="200ms"', '<on-error><retry max="0" timeout="1m"/></on-error>'), server)
    assert run.node("slow").error["type"] == "AttemptTimeoutError"
    assert await outcome_of(server, "/slow") == ["client_closed"]


async def test_a_default_policy_timeout_limits_leaf_attempts(server: Any,
                                                             tmp_path: Path) -> None:
    server.routes({"/slow": flaky({"delay": 8, "json": {"n": 1}}, {"json": {"n": 2}})})
    run = await run_flow(tmp_path, slow_source(), server, default_retry={
        "max_retries": 1, "timeout": "200ms", "base": "10ms"})
    assert run.node("slow").output == {"n": 2} and run.node("slow").attempts == 2
    assert await outcome_of(server, "/slow") == ["client_closed", "responded"]


async def test_a_templated_node_timeout(server: Any, tmp_path: Path) -> None:
    server.routes({"/slow": {"delay": 8, "json": {}}})
    front = "config:\n  limit:\n    type: string\n    default: 200ms\n"
    run = await run_flow(tmp_path, slow_source(' timeout="{{ $config.limit }}"'), server,
                         front=front)
    assert run.node("slow").error["type"] == "AttemptTimeoutError"
    assert await outcome_of(server, "/slow") == ["client_closed"]
