"""Classification (SPEC §7.2) and the attempt loop with an injected clock (§7.3–§7.4)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from flowscript.engine.breaker import CircuitBreaker
from flowscript.engine.retry import (
    FakeClock,
    RetryPolicy,
    SystemClock,
    attempts_of,
    describe_error,
    retry_loop,
    should_retry,
)
from flowscript.errors import (
    AttemptTimeoutError,
    BudgetExceededError,
    CheckpointRejected,
    CircuitOpenError,
    ExpressionError,
    FormatError,
    HttpError,
    NetworkError,
    NodeFailure,
)

#: ``when`` sources of the tests and their meaning, standing in for the expression engine
#: the executor injects.
WHEN = {
    "status == 429": lambda b: b["status"] == 429,
    "retryable or type == 'FormatError'": lambda b: b["retryable"] or b["type"] == "FormatError",
    "true": lambda b: True,
    "false": lambda b: False,
    "attempt < 2": lambda b: b["attempt"] < 2,
    "message": lambda b: b["message"],
}


def evaluate_when(source: str, bindings: dict[str, Any]) -> Any:
    return WHEN[source](bindings)


class Flaky:
    """An attempt function failing with the given errors, then returning "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls: list[int] = []

    async def __call__(self, attempt: int) -> str:
        self.calls.append(attempt)
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def http(status: int, retry_after: float | None = None) -> HttpError:
    return HttpError(f"HTTP {status}", status=status, retry_after=retry_after)


# -- should_retry ----------------------------------------------------------------------

def test_without_when_the_retryable_flag_decides() -> None:
    policy = RetryPolicy()
    assert should_retry(describe_error(http(503)), policy)
    assert should_retry(describe_error(NetworkError("reset")), policy)
    assert not should_retry(describe_error(http(400)), policy)
    assert not should_retry(describe_error(FormatError("bad csv")), policy)


def test_when_alone_decides() -> None:
    only_429 = RetryPolicy(when="status == 429")
    assert should_retry(describe_error(http(429)), only_429, evaluate_when)
    assert not should_retry(describe_error(http(503)), only_429, evaluate_when)
    widened = RetryPolicy(when="retryable or type == 'FormatError'")
    assert should_retry(describe_error(FormatError("bad")), widened, evaluate_when)
    assert not should_retry(describe_error(http(404)), widened, evaluate_when)


def test_when_sees_the_bindings_of_the_spec() -> None:
    seen: list[dict[str, Any]] = []

    def record(source: str, bindings: dict[str, Any]) -> bool:
        seen.append(bindings)
        return False

    error = describe_error(http(503, retry_after=2.0))
    should_retry(error, RetryPolicy(when="x"), record, attempt=3)
    assert seen == [{"error": error, "status": 503, "message": "HTTP 503", "type": "HttpError",
                     "retryable": True, "attempt": 3}]


def test_when_uses_flowscript_truthiness() -> None:
    policy = RetryPolicy(when="message")
    assert should_retry({"type": "X", "message": "m"}, policy, evaluate_when)
    assert not should_retry({"type": "X", "message": ""}, policy, evaluate_when)


@pytest.mark.parametrize("error", [
    BudgetExceededError("budget", retryable=True),
    CheckpointRejected("rejected", retryable=True),
])
def test_never_retried_types_ignore_when(error: NodeFailure) -> None:
    policy = RetryPolicy(when="true")
    assert not should_retry(describe_error(error), policy, evaluate_when)
    for kind in ("CancelledError", "WorkflowTimeoutError"):
        assert not should_retry({"type": kind, "retryable": True}, policy, evaluate_when)


def test_non_flowscript_exceptions_are_internal_errors_never_retried() -> None:
    error = describe_error(KeyError("x"))
    assert error["type"] == "InternalError"
    assert not should_retry(error, RetryPolicy())


# -- retry_loop ------------------------------------------------------------------------

async def test_a_first_time_success_makes_one_attempt() -> None:
    clock = FakeClock()
    attempt = Flaky()
    assert await retry_loop(attempt, RetryPolicy(), clock) == ("ok", 1)
    assert attempt.calls == [1]
    assert clock.sleeps == []


async def test_retryable_failures_back_off_then_succeed() -> None:
    clock = FakeClock()
    attempt = Flaky(http(503), NetworkError("reset"), AttemptTimeoutError("slow"))
    result = await retry_loop(attempt, RetryPolicy(jitter="none"), clock)
    assert result == ("ok", 4)
    assert attempt.calls == [1, 2, 3, 4]
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert clock.monotonic() == 7.0


async def test_on_retry_runs_before_each_back_off() -> None:
    clock = FakeClock()
    events: list[tuple[int, float, str, float]] = []

    async def on_retry(attempt: int, delay_s: float, error: BaseException) -> None:
        events.append((attempt, delay_s, type(error).__name__, clock.monotonic()))

    await retry_loop(Flaky(http(500), http(502)), RetryPolicy(jitter="none"), clock,
                     on_retry=on_retry)
    assert events == [(1, 1.0, "HttpError", 0.0), (2, 2.0, "HttpError", 1.0)]


async def test_a_sync_on_retry_is_called_too() -> None:
    calls: list[int] = []
    await retry_loop(Flaky(http(500)), RetryPolicy(), FakeClock(),
                     on_retry=lambda attempt, delay_s, error: calls.append(attempt))
    assert calls == [1]


async def test_exhausted_retries_raise_the_last_error_with_attempts() -> None:
    clock = FakeClock()
    errors = [http(503) for _ in range(5)]
    attempt = Flaky(*errors)
    with pytest.raises(HttpError) as caught:
        await retry_loop(attempt, RetryPolicy(max_retries=3, jitter="none"), clock)
    assert caught.value is errors[3]
    assert attempts_of(caught.value) == 4
    assert attempt.calls == [1, 2, 3, 4]
    assert clock.sleeps == [1.0, 2.0, 4.0]


async def test_a_non_retryable_error_fails_at_once() -> None:
    clock = FakeClock()
    with pytest.raises(HttpError) as caught:
        await retry_loop(Flaky(http(400)), RetryPolicy(), clock)
    assert attempts_of(caught.value) == 1
    assert clock.sleeps == []


async def test_no_policy_means_a_single_attempt() -> None:
    attempt = Flaky(http(503))
    with pytest.raises(HttpError):
        await retry_loop(attempt, None, FakeClock())
    assert attempt.calls == [1]


async def test_max_retries_zero_means_a_single_attempt() -> None:
    attempt = Flaky(http(503))
    with pytest.raises(HttpError):
        await retry_loop(attempt, RetryPolicy(max_retries=0), FakeClock())
    assert attempt.calls == [1]


async def test_when_limits_retries_by_attempt() -> None:
    attempt = Flaky(http(503), http(503), http(503))
    with pytest.raises(HttpError) as caught:
        await retry_loop(attempt, RetryPolicy(when="attempt < 2"), FakeClock(),
                         evaluate_when=evaluate_when)
    assert attempts_of(caught.value) == 2


async def test_an_error_in_when_fails_the_node_with_it() -> None:
    def broken(source: str, bindings: dict[str, Any]) -> Any:
        raise ExpressionError("unknown name 'stauts'", kind="name", source=source)

    with pytest.raises(ExpressionError) as caught:
        await retry_loop(Flaky(http(503)), RetryPolicy(when="stauts == 429"), FakeClock(),
                         evaluate_when=broken)
    assert attempts_of(caught.value) == 1


async def test_never_retried_errors_stop_the_loop_whatever_when_says() -> None:
    attempt = Flaky(BudgetExceededError("spent", retryable=True))
    with pytest.raises(BudgetExceededError):
        await retry_loop(attempt, RetryPolicy(when="true"), FakeClock(),
                         evaluate_when=evaluate_when)
    assert attempt.calls == [1]


async def test_retry_after_is_honoured_up_to_the_cap() -> None:
    clock = FakeClock()
    attempt = Flaky(http(429, retry_after=10.0), http(503, retry_after=600.0))
    await retry_loop(attempt, RetryPolicy(jitter="none"), clock)
    assert clock.sleeps == [10.0, 32.0]


async def test_long_back_offs_take_virtual_time_only() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_retries=10, base=30.0, max_delay=30.0, jitter="none")
    result = await retry_loop(Flaky(*[http(503) for _ in range(10)]), policy, clock)
    assert result == ("ok", 11)
    assert clock.sleeps == [30.0] * 10
    assert clock.monotonic() == 300.0
    assert (clock.utcnow() - FakeClock().utcnow()).total_seconds() == 300.0


async def test_jitter_comes_from_the_given_rng() -> None:
    first, second = FakeClock(), FakeClock()
    for clock in (first, second):
        await retry_loop(Flaky(http(503), http(503)), RetryPolicy(), clock,
                         rng=random.Random(42))
    assert first.sleeps == second.sleeps
    assert 0 <= first.sleeps[0] <= 1 and 0 <= first.sleeps[1] <= 2


async def test_a_custom_describe_feeds_classification() -> None:
    attempt = Flaky(ValueError("plugin says retry"))
    result = await retry_loop(
        attempt, RetryPolicy(), FakeClock(),
        describe=lambda exc: {"type": "X", "retryable": True, "retry_after": None})
    assert result == ("ok", 2)


async def test_cancellation_during_a_back_off_propagates_at_once() -> None:
    attempt = Flaky(http(503))
    task = asyncio.create_task(
        retry_loop(attempt, RetryPolicy(base=3600.0, max_delay=3600.0, jitter="none"),
                   SystemClock()))
    while not attempt.calls:
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert attempt.calls == [1]


async def test_cancellation_of_an_attempt_is_never_retried() -> None:
    started = asyncio.Event()
    calls: list[int] = []

    async def hang(attempt: int) -> None:
        calls.append(attempt)
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(retry_loop(hang, RetryPolicy(when="true"), FakeClock(),
                                          evaluate_when=evaluate_when))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == [1]


async def test_fake_clock_sleeps_are_cancellable() -> None:
    clock = FakeClock()
    task = asyncio.create_task(clock.sleep(30.0))
    await asyncio.sleep(0)  # the task starts and parks in its sleep
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.monotonic() == 0.0


async def test_concurrent_fake_sleeps_overlap() -> None:
    clock = FakeClock()
    await asyncio.gather(clock.sleep(10.0), clock.sleep(10.0))
    assert clock.monotonic() == 10.0
    await clock.sleep(5.0)
    assert clock.monotonic() == 15.0


async def test_an_open_breaker_stops_the_retries() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("fetch", threshold=2, window=60.0, cooldown=300.0, clock=clock)
    runtime = Flaky(*[http(503) for _ in range(5)])

    async def attempt(n: int) -> str:
        with breaker.attempt():
            return await runtime(n)

    with pytest.raises(CircuitOpenError) as caught:
        await retry_loop(attempt, RetryPolicy(max_retries=5, jitter="none"), clock)
    assert runtime.calls == [1, 2]
    assert attempts_of(caught.value) == 3
    assert breaker.state == "open"
