"""Circuit breakers inside real runs (SPEC §7.7): one breaker per node per run, shared by
every execution of the node; open circuits fail at once without a request; half-open
probes after the cooldown (virtual time); the state keeps the breakers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flowscript.runtimes import registry

from .engine_support import flaky, hits, run_flow

CALL = """<loop id="calls" max="{times}">
  <source id="call" type="http">
    <request>
      url: "{{{{ $env.FS_TEST_HTTP }}}}/down"
    </request>
    <on-error>
      {retry}
      <circuit-breaker threshold="2" window="1m" cooldown="5m"/>
      {fallback}
    </on-error>
  </source>
</loop>
"""


def calls(times: int = 4, *, retry: str = "", fallback: str = "") -> str:
    return CALL.format(times=times, retry=retry, fallback=fallback)


@contextmanager
def repeating(pauses: Mapping[int, float] | None = None) -> Iterator[None]:
    """``<loop max=N>`` runs its body N times, each in its own iteration, collecting the
    outcomes (as a foreach with ``on-item-error="collect"``); before iteration ``i`` it
    waits ``pauses[i]`` seconds on the run's clock."""

    async def repeat(node: Any, ctx: Any) -> dict[str, Any]:
        results: list[Any] = []
        errors: list[str] = []
        for index in range(int(node.attr_value("max"))):
            if pauses and index in pauses:
                await ctx.services.clock.sleep(pauses[index])
            outcome = await ctx.run_children(node.body, input=index, frame={},
                                             prefix=f"{ctx.key}[{index}]/")
            if outcome.ok:
                results.append(outcome.output)
            else:
                errors.append(outcome.failed.error["type"])
        return {"results": results, "errors": errors}

    registry.register("control:loop", repeat)
    try:
        yield
    finally:
        registry.unregister("control:loop")


async def test_the_breaker_opens_after_the_threshold(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": {"status": 503}})
    with repeating():
        run = await run_flow(tmp_path, calls(), server)
    assert run.node("calls").output["errors"] == [
        "HttpError", "HttpError", "CircuitOpenError", "CircuitOpenError"]
    assert hits(server, "/down") == 2, "an open circuit makes no request"
    assert "open until" in run.node("calls[2]/call").error["message"]
    breaker = run.state.breakers["call"]
    assert breaker["state"] == "open" and len(breaker["failures"]) == 2
    assert run.state.to_json()["breakers"]["call"]["state"] == "open"


async def test_an_open_circuit_may_fall_back(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": {"status": 503}})
    body = calls(fallback='<fallback node="cached" when="type == \'CircuitOpenError\'"/>')
    body += ('<transform id="cached" type="template">'
             "<template>{{ $primaryError.type }}</template></transform>")
    with repeating():
        run = await run_flow(tmp_path, body, server)
    output = run.node("calls").output
    assert output == {"results": ["CircuitOpenError"] * 2,
                      "errors": ["HttpError", "HttpError"]}
    assert run.node("calls[3]/call").recovered_by == "cached"
    assert run.node("calls[3]/cached").status == "success"


async def test_a_successful_probe_closes_the_breaker(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": flaky({"status": 503}, {"status": 503}, {"json": {"up": 1}})})
    with repeating({2: 299.0, 3: 2.0}):
        run = await run_flow(tmp_path, calls(5), server)
    assert run.node("calls").output == {
        "results": [{"up": 1}, {"up": 1}],
        "errors": ["HttpError", "HttpError", "CircuitOpenError"]}
    assert hits(server, "/down") == 4
    assert run.state.breakers["call"] == {"state": "closed", "failures": [],
                                          "opened_at": None}


async def test_a_failed_probe_opens_the_breaker_again(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": {"status": 503}})
    with repeating({2: 301.0}):
        run = await run_flow(tmp_path, calls(), server)
    assert run.node("calls").output["errors"] == [
        "HttpError", "HttpError", "HttpError", "CircuitOpenError"]
    assert hits(server, "/down") == 3
    assert run.state.breakers["call"]["state"] == "open"


async def test_retries_stop_at_an_open_circuit(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": {"status": 503}})
    with repeating():
        run = await run_flow(tmp_path, calls(1, retry='<retry max="3" base="50ms"/>'),
                             server)
    result = run.node("calls[0]/call")
    assert result.error["type"] == "CircuitOpenError" and result.attempts == 3
    assert hits(server, "/down") == 2


async def test_a_breaker_is_restored_from_the_state(server: Any, tmp_path: Path) -> None:
    server.routes({"/down": {"json": {"up": 1}}})

    def opened(executor: Any) -> None:
        executor.state.breakers["call"] = {
            "state": "open", "failures": [], "opened_at": "2025-01-01T00:00:00.000Z"}

    with repeating():
        run = await run_flow(tmp_path, calls(1), server, before=opened)
    assert run.node("calls").output["errors"] == ["CircuitOpenError"]
    assert hits(server, "/down") == 0
