"""Retries inside real runs (SPEC §7.2–§7.4): classification, ``when``, back-off and
``Retry-After`` on virtual time, policy sources (§7.3) and ``node_retrying`` events, over
the real local HTTP server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import ConfigError, NetworkError, NodeError
from flowscript.runtimes import registry

from .engine_support import flaky, hits, run_flow

FLAKY = """<source id="flaky" type="http"{attributes}>
  <request>
    url: "{{{{ $env.FS_TEST_HTTP }}}}/flaky"
  </request>
  {on_error}
</source>"""


def flaky_source(on_error: str = "", attributes: str = "") -> str:
    """The ``flaky`` HTTP source with an ``<on-error>`` and extra attributes."""
    return FLAKY.format(on_error=on_error, attributes=attributes)


async def test_503_twice_then_200_takes_three_attempts(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": flaky({"status": 503}, {"status": 503}, {"json": {"ok": 1}})})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="3" base="50ms"/></on-error>'), server)
    result = run.node("flaky")
    assert run.state.status == "completed"
    assert (result.status, result.attempts, result.output) == ("success", 3, {"ok": 1})
    assert hits(server, "/flaky") == 3
    retrying = run.of_type("node_retrying")
    assert [event["attempt"] for event in retrying] == [1, 2]
    assert [event["error"]["status"] for event in retrying] == [503, 503]
    assert all("traceback" not in event["error"] for event in retrying)
    assert [event["delay_s"] for event in retrying] == run.clock.sleeps
    finished = run.of_type("node_finished")[-1]
    assert (finished["status"], finished["attempts"]) == ("success", 3)


async def test_400_is_not_retried(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 400, "json": {"error": "bad"}}})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="3" base="50ms"/></on-error>'), server)
    result = run.node("flaky")
    assert (result.status, result.attempts) == ("failed", 1)
    assert result.error["type"] == "HttpError" and result.error["retryable"] is False
    assert result.error["attempts"] == 1
    assert hits(server, "/flaky") == 1 and run.of_type("node_retrying") == []


async def test_exhausted_retries_fail_with_the_attempts_counted(server: Any,
                                                                tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(attributes=' retry="2"'), server)
    result = run.node("flaky")
    assert (result.status, result.attempts) == ("failed", 3)
    assert result.error["attempts"] == 3 and run.state.error["attempts"] == 3
    assert isinstance(run.error, NodeError) and run.error.attempts == 3
    assert hits(server, "/flaky") == 3


@pytest.mark.parametrize(("max_delay", "expected"), [("10s", 5.0), ("2s", 2.0)])
async def test_retry_after_is_honoured_up_to_max_delay(server: Any, tmp_path: Path,
                                                       max_delay: str, expected: float) -> None:
    server.routes({"/flaky": flaky({"status": 429, "headers": {"Retry-After": "5"}},
                                   {"json": {"ok": True}})})
    run = await run_flow(tmp_path, flaky_source(
        f'<on-error><retry max="2" base="50ms" max-delay="{max_delay}"/></on-error>'), server)
    assert run.node("flaky").status == "success" and run.node("flaky").attempts == 2
    assert run.clock.sleeps == [expected]
    assert run.of_type("node_retrying")[0]["error"]["retry_after"] == 5.0


async def test_a_dropped_connection_is_retried(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": flaky({"drop": True}, {"json": {"ok": True}})})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="3" base="50ms"/></on-error>'), server)
    assert run.node("flaky").status == "success" and run.node("flaky").attempts == 2
    assert run.of_type("node_retrying")[0]["error"]["type"] == "ConnectionError"


@pytest.mark.parametrize(("when", "status", "attempts"), [
    ("error.status == 409", 409, 3),      # a 4xx the condition accepts is retried
    ("error.status == 409", 503, 1),      # a 5xx it rejects is not
    ("$error.type == 'HttpError' and status >= 500", 503, 3),
    ("retryable and attempt < 2", 503, 2),
    ("message != null and type == 'HttpError'", 400, 3),
])
async def test_when_alone_decides(server: Any, tmp_path: Path, when: str, status: int,
                                  attempts: int) -> None:
    server.routes({"/flaky": {"status": status}})
    run = await run_flow(tmp_path, flaky_source(
        f'<on-error><retry max="2" base="50ms" when="{when}"/></on-error>'), server)
    assert run.node("flaky").attempts == attempts
    assert hits(server, "/flaky") == attempts


async def test_an_error_in_when_fails_the_node_with_it(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="2" base="50ms" when="status / 0 > 1"/></on-error>'), server)
    result = run.node("flaky")
    assert result.status == "failed" and result.error["type"] == "ExpressionError"
    assert result.attempts == 1 and hits(server, "/flaky") == 1


async def test_exponential_full_jitter_stays_within_its_bounds(server: Any,
                                                              tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    for seed in range(5):
        server.routes({"/flaky": {"status": 503}})
        run = await run_flow(tmp_path, flaky_source(
            '<on-error><retry max="6" base="1s" max-delay="8s"/></on-error>'), server,
            seed=seed)
        nominal = [1, 2, 4, 8, 8, 8]
        assert len(run.clock.sleeps) == 6
        assert all(0 <= slept <= cap for slept, cap in zip(run.clock.sleeps, nominal,
                                                           strict=True))


async def test_jitter_none_and_fraction(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="4" base="1s" jitter="none"/></on-error>'), server)
    assert run.clock.sleeps == [1, 2, 4, 8]
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="4" backoff="linear" base="2s" jitter="0.5"/></on-error>'),
        server)
    assert [1 <= s / (k + 1) <= 3 for k, s in enumerate(run.clock.sleeps)] == [True] * 4
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="3" backoff="fixed" base="3s"/></on-error>'), server)
    assert run.clock.sleeps == [3, 3, 3], "fixed back-off keeps its spacing: no jitter"


async def test_the_same_seed_gives_the_same_delays(server: Any, tmp_path: Path) -> None:
    delays = []
    for _ in range(2):
        server.routes({"/flaky": {"status": 503}})
        run = await run_flow(tmp_path, flaky_source(
            '<on-error><retry max="3" base="1s"/></on-error>'), server, seed=42)
        delays.append(run.clock.sleeps)
    assert delays[0] == delays[1]


async def test_templated_retry_attributes_read_the_config(server: Any,
                                                          tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    front = "config:\n  retries:\n    type: integer\n    default: 1\n"
    run = await run_flow(tmp_path, flaky_source(
        '<on-error><retry max="{{ $config.retries }}" base="50ms"/></on-error>'), server,
        front=front)
    assert run.node("flaky").attempts == 2


# ---------------------------------------------------------------------------------------
# Policy sources (§7.3) and leaf nodes (§6.5)

async def test_frontmatter_retry_applies_to_leaf_nodes(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": flaky({"status": 502}, {"status": 502}, {"json": {}})})
    run = await run_flow(tmp_path, flaky_source(), server,
                         front="runtime:\n  retry:\n    max_retries: 2\n    base: 10ms\n")
    assert run.node("flaky").status == "success" and run.node("flaky").attempts == 3
    assert run.clock.sleeps and max(run.clock.sleeps) <= 0.02


async def test_the_api_default_beats_the_frontmatter_as_a_whole(server: Any,
                                                                tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(), server,
                         front="runtime:\n  retry:\n    max_retries: 5\n    base: 10ms\n",
                         default_retry={"max_retries": 1, "backoff": "fixed", "base": "3s"})
    assert run.node("flaky").attempts == 2
    assert run.clock.sleeps == [3.0]


async def test_the_node_policy_beats_the_defaults(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source('<on-error><retry max="0"/></on-error>'),
                         server, front="runtime:\n  retry: 4\n", default_retry=3)
    assert run.node("flaky").attempts == 1 and hits(server, "/flaky") == 1


async def test_an_invalid_default_policy_stops_before_the_run(server: Any,
                                                              tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="default_retry"):
        await run_flow(tmp_path, flaky_source(), server, default_retry={"max_retries": -1})
    assert hits(server, "/flaky") == 0


async def test_defaults_apply_to_leaf_nodes_only(server: Any, tmp_path: Path) -> None:
    """A ``<loop>`` (a container) is not retried by the default policy; the leaf inside
    it is, so the defaults never multiply."""
    calls = {"loop": 0}

    async def run_body_once(node: Any, ctx: Any) -> Any:
        calls["loop"] += 1
        outcome = await ctx.run_children(node.body, input=ctx.input)
        if not outcome.ok:
            raise NetworkError("the body failed")  # retryable, were the policy to apply
        return outcome.output

    registry.register("control:loop", run_body_once)
    try:
        server.routes({"/flaky": {"status": 503}})
        run = await run_flow(tmp_path, '<loop id="outer" max="1">' + flaky_source()
                             + "</loop>", server, front="runtime:\n  retry: 2\n")
    finally:
        registry.unregister("control:loop")
    assert run.node("outer").attempts == 1 and calls["loop"] == 1
    assert run.node("flaky").attempts == 3 and hits(server, "/flaky") == 3


async def test_a_node_without_policy_makes_one_attempt(server: Any, tmp_path: Path) -> None:
    server.routes({"/flaky": {"status": 503}})
    run = await run_flow(tmp_path, flaky_source(), server)
    assert run.node("flaky").attempts == 1 and run.clock.sleeps == []
