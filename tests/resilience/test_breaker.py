"""The circuit breaker's transitions on a fake clock, and its state document (SPEC §7.7)."""

from __future__ import annotations

import asyncio

import pytest

from flowscript.engine.breaker import CircuitBreaker
from flowscript.engine.retry import FakeClock, RetryPolicy, describe_error, should_retry
from flowscript.errors import CircuitOpenError, HttpError


def make(clock: FakeClock, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker("fetch", threshold=threshold, window=60.0, cooldown=300.0,
                          clock=clock)


def fail(breaker: CircuitBreaker) -> None:
    with pytest.raises(HttpError), breaker.attempt():
        raise HttpError("down", status=503)


def succeed(breaker: CircuitBreaker) -> None:
    with breaker.attempt():
        pass


def test_it_opens_after_threshold_failures_within_the_window() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker)
    fail(breaker)
    assert breaker.state == "closed"
    fail(breaker)
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError) as caught, breaker.attempt():
        pytest.fail("an open breaker must not admit an attempt")
    assert "fetch" in str(caught.value)
    assert "open until 2025-01-01T00:05:00.000Z" in str(caught.value)


def test_the_open_error_is_not_retried() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=1)
    fail(breaker)
    try:
        breaker.acquire()
    except CircuitOpenError as exc:
        assert not should_retry(describe_error(exc), RetryPolicy())
    else:
        pytest.fail("expected CircuitOpenError")


def test_failures_leave_the_sliding_window() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker)
    fail(breaker)
    clock.advance(61.0)
    fail(breaker)
    fail(breaker)
    assert breaker.state == "closed"
    fail(breaker)
    assert breaker.state == "open"


def test_successes_while_closed_keep_the_window() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker)
    succeed(breaker)
    fail(breaker)
    succeed(breaker)
    fail(breaker)
    assert breaker.state == "open"


def test_after_the_cooldown_one_probe_may_attempt() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=1)
    fail(breaker)
    clock.advance(299.0)
    assert breaker.state == "open"
    clock.advance(1.0)
    assert breaker.state == "half-open"
    assert breaker.acquire() is True
    with pytest.raises(CircuitOpenError, match="probe"):
        breaker.acquire()
    breaker.record_success(True)
    assert breaker.state == "closed"
    assert breaker.to_json()["failures"] == []


def test_a_failed_probe_opens_it_again() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=1)
    fail(breaker)
    clock.advance(300.0)
    fail(breaker)
    assert breaker.state == "open"
    assert breaker.to_json()["opened_at"] == "2025-01-01T00:05:00.000Z"
    clock.advance(300.0)
    assert breaker.state == "half-open"


async def test_other_executions_fail_while_the_probe_runs() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=1)
    fail(breaker)
    clock.advance(300.0)
    release = asyncio.Event()
    outcomes: list[str] = []

    async def execution(name: str) -> None:
        try:
            with breaker.attempt():
                await release.wait()
            outcomes.append(f"{name}: success")
        except CircuitOpenError:
            outcomes.append(f"{name}: open")

    probe = asyncio.create_task(execution("probe"))
    await asyncio.sleep(0)
    await execution("other")
    release.set()
    await probe
    assert outcomes == ["other: open", "probe: success"]
    assert breaker.state == "closed"


async def test_a_cancelled_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=1)
    fail(breaker)
    clock.advance(300.0)

    async def hang() -> None:
        with breaker.attempt():
            await asyncio.Event().wait()

    task = asyncio.create_task(hang())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state == "half-open"
    assert breaker.acquire() is True


def test_to_json_describes_the_breaker() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=2)
    fail(breaker)
    clock.advance(1.5)
    fail(breaker)
    assert breaker.to_json() == {
        "state": "open",
        "failures": ["2025-01-01T00:00:00.000Z", "2025-01-01T00:00:01.500Z"],
        "opened_at": "2025-01-01T00:00:01.500Z"}


def test_from_json_round_trips() -> None:
    clock = FakeClock()
    breaker = make(clock, threshold=2)
    fail(breaker)
    fail(breaker)
    restored = CircuitBreaker.from_json(breaker.to_json(), "fetch", threshold=2, window=60.0,
                                        cooldown=300.0, clock=clock)
    assert restored.to_json() == breaker.to_json()
    with pytest.raises(CircuitOpenError):
        restored.acquire()
    clock.advance(300.0)
    assert restored.acquire() is True


def test_from_json_tolerates_absent_fields() -> None:
    clock = FakeClock()
    assert CircuitBreaker.from_json(None, "n", clock=clock).state == "closed"
    assert CircuitBreaker.from_json({}, "n", clock=clock).state == "closed"
    half = CircuitBreaker.from_json({"state": "half-open"}, "n", clock=clock)
    assert half.state == "half-open"
    assert half.acquire() is True


def test_a_restored_window_still_counts_old_failures() -> None:
    clock = FakeClock()
    state = {"state": "closed", "failures": ["2024-12-31T23:59:30.000Z"], "opened_at": None}
    breaker = CircuitBreaker.from_json(state, "n", threshold=2, window=60.0, clock=clock)
    fail(breaker)
    assert breaker.state == "open"


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        CircuitBreaker("n", threshold=0)
    with pytest.raises(ValueError, match="window"):
        CircuitBreaker("n", window=0)
