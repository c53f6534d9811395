"""Back-off formulas, jitter bounds and Retry-After (SPEC §7.4)."""

from __future__ import annotations

import random

import pytest

from flowscript.engine.retry import RetryPolicy, delay


def delays(policy: RetryPolicy, count: int, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [delay(policy, k, None, rng) for k in range(count)]


def test_exponential_without_jitter_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(jitter="none")
    assert delays(policy, 8) == [1, 2, 4, 8, 16, 32, 32, 32]


def test_linear_and_fixed_backoff() -> None:
    assert delays(RetryPolicy(backoff="linear", base=2.0, max_delay=7.0), 5) == [2, 4, 6, 7, 7]
    assert delays(RetryPolicy(backoff="fixed", base=3.0), 3) == [3, 3, 3]
    assert delays(RetryPolicy(backoff="fixed", base=50.0), 1) == [32]


def test_linear_and_fixed_keep_regular_spacing_by_default() -> None:
    assert delays(RetryPolicy(backoff="linear"), 3) == [1, 2, 3]


def test_a_huge_retry_number_is_capped_not_overflowed() -> None:
    assert delay(RetryPolicy(jitter="none"), 5000) == 32.0
    assert delay(RetryPolicy(jitter="none"), 1030) == 32.0


def test_full_jitter_draws_from_zero_to_the_nominal_delay() -> None:
    rng = random.Random(1234)
    policy = RetryPolicy()
    for k, nominal in enumerate([1, 2, 4, 8, 16, 32, 32]):
        samples = [delay(policy, k, None, rng) for _ in range(300)]
        assert all(0.0 <= s <= nominal for s in samples)
        # Spread over the whole range, not stuck at one end.
        assert min(samples) < 0.1 * nominal
        assert max(samples) > 0.9 * nominal


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    policy = RetryPolicy()
    assert delays(policy, 6, seed=99) == delays(policy, 6, seed=99)
    assert delays(policy, 6, seed=99) != delays(policy, 6, seed=100)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 1.0])
def test_fractional_jitter_stays_within_its_band(fraction: float) -> None:
    rng = random.Random(5)
    policy = RetryPolicy(backoff="fixed", base=10.0, max_delay=100.0, jitter=fraction)
    samples = [delay(policy, 0, None, rng) for _ in range(500)]
    low, high = 10.0 * (1 - fraction), 10.0 * (1 + fraction)
    assert all(low <= s <= high for s in samples)
    assert min(samples) < low + 0.1 * (high - low)
    assert max(samples) > high - 0.1 * (high - low)


def test_fractional_jitter_is_capped_at_max_delay() -> None:
    rng = random.Random(3)
    policy = RetryPolicy(base=32.0, jitter=0.5)
    samples = [delay(policy, 0, None, rng) for _ in range(300)]
    assert max(samples) == 32.0
    assert min(samples) >= 16.0
    assert any(s < 32.0 for s in samples)


def test_retry_after_raises_the_delay() -> None:
    policy = RetryPolicy(jitter="none")
    assert delay(policy, 0, 10.0) == 10.0


def test_retry_after_below_the_delay_changes_nothing() -> None:
    policy = RetryPolicy(jitter="none")
    assert delay(policy, 4, 3.0) == 16.0


def test_retry_after_is_capped_at_max_delay() -> None:
    policy = RetryPolicy(jitter="none", max_delay=20.0)
    assert delay(policy, 0, 3600.0) == 20.0


def test_retry_after_applies_after_full_jitter() -> None:
    rng = random.Random(8)
    policy = RetryPolicy(base=4.0)
    samples = [delay(policy, 0, 2.5, rng) for _ in range(200)]
    assert all(2.5 <= s <= 4.0 for s in samples)
    assert samples.count(2.5) > 0
