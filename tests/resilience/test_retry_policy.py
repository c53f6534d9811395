"""RetryPolicy: defaults, validation and its constructors (SPEC §7.3, §2.8, §10.2)."""

from __future__ import annotations

import dataclasses

import pytest

from flowscript.engine.retry import RetryPolicy


def test_defaults_follow_the_spec_table() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.backoff, policy.base, policy.max_delay) == \
        (3, "exponential", 1.0, 32.0)
    assert (policy.jitter, policy.timeout, policy.when, policy.fallback_node) == \
        (None, None, None, None)


@pytest.mark.parametrize(("backoff", "expected"), [
    ("exponential", "full"), ("linear", "none"), ("fixed", "none")])
def test_jitter_defaults_depend_on_the_backoff(backoff: str, expected: str) -> None:
    assert RetryPolicy(backoff=backoff).effective_jitter == expected


def test_a_written_jitter_wins() -> None:
    assert RetryPolicy(jitter="none").effective_jitter == "none"
    assert RetryPolicy(backoff="fixed", jitter=0.25).effective_jitter == 0.25
    assert RetryPolicy(jitter=1).jitter == 1.0


@pytest.mark.parametrize(("fields", "reason"), [
    ({"max_retries": -1}, "max_retries must be an integer >= 0"),
    ({"max_retries": 1.5}, "max_retries must be an integer >= 0"),
    ({"max_retries": True}, "max_retries must be an integer >= 0"),
    ({"backoff": "quadratic"}, "backoff must be exponential, linear or fixed"),
    ({"base": -1.0}, "base must be a duration >= 0 seconds"),
    ({"max_delay": "32s"}, "max_delay must be a duration >= 0 seconds"),
    ({"jitter": 0}, "jitter must be 'full', 'none' or a fraction in (0, 1]"),
    ({"jitter": 1.5}, "jitter must be 'full', 'none' or a fraction in (0, 1]"),
    ({"jitter": "half"}, "jitter must be 'full', 'none' or a fraction in (0, 1]"),
    ({"timeout": 0}, "timeout must be a duration > 0 seconds"),
    ({"when": "  "}, "when must be a non-empty expression"),
    ({"fallback_node": ""}, "fallback_node must be a node id"),
])
def test_invalid_fields_give_a_one_line_reason(fields: dict, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        RetryPolicy(**fields)
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_policies_are_frozen_values() -> None:
    policy = RetryPolicy(max_retries=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_retries = 5  # type: ignore[misc]
    assert policy == RetryPolicy(max_retries=2)
    assert hash(policy) == hash(RetryPolicy(max_retries=2))


def test_from_mapping_takes_an_integer_as_max_retries() -> None:
    assert RetryPolicy.from_mapping(5) == RetryPolicy(max_retries=5)


def test_from_mapping_parses_durations_and_retry_attribute_spellings() -> None:
    policy = RetryPolicy.from_mapping({"max": 2, "backoff": "linear", "base": "500ms",
                                       "max-delay": "1m", "jitter": 0.5, "timeout": "PT30S",
                                       "when": "status == 429", "fallback_node": "backup"})
    assert policy == RetryPolicy(max_retries=2, backoff="linear", base=0.5, max_delay=60.0,
                                 jitter=0.5, timeout=30.0, when="status == 429",
                                 fallback_node="backup")


def test_from_mapping_takes_seconds_as_numbers() -> None:
    policy = RetryPolicy.from_mapping({"base": 2, "max_delay": 10.5})
    assert (policy.base, policy.max_delay) == (2.0, 10.5)


@pytest.mark.parametrize(("value", "reason"), [
    ({"retries": 3}, "unknown retry field 'retries'"),
    ({"base": "soon"}, "base must be a duration"),
    ({"backoff": "random"}, "backoff must be exponential"),
    ("three", "retry must be an integer or a mapping"),
    (-2, "max_retries must be an integer >= 0"),
])
def test_from_mapping_refuses_bad_values(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        RetryPolicy.from_mapping(value)  # type: ignore[arg-type]


def test_from_cli_takes_a_bare_integer() -> None:
    assert RetryPolicy.from_cli("3") == RetryPolicy(max_retries=3)


def test_from_cli_takes_field_pairs() -> None:
    policy = RetryPolicy.from_cli("max_retries=3,backoff=linear,base=2s")
    assert policy == RetryPolicy(max_retries=3, backoff="linear", base=2.0)


def test_from_cli_keeps_commas_inside_a_when_expression() -> None:
    policy = RetryPolicy.from_cli("max=2, when=status in [429, 503], jitter=none,timeout=5s")
    assert policy.when == "status in [429, 503]"
    assert (policy.max_retries, policy.jitter, policy.timeout) == (2, "none", 5.0)


def test_from_cli_keeps_comparisons_inside_a_when_expression() -> None:
    policy = RetryPolicy.from_cli("when=type == 'FormatError', status == 1,max-delay=4s")
    assert policy.when == "type == 'FormatError', status == 1"
    assert policy.max_delay == 4.0


@pytest.mark.parametrize(("spec", "reason"), [
    ("max_retries", "expected field=value"),
    ("tries=3", "unknown retry field 'tries'"),
    ("max_retries=x", "max_retries must be an integer"),
    ("jitter=2", "jitter must be"),
    ("base=fast", "base must be a duration"),
])
def test_from_cli_refuses_bad_specs(spec: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        RetryPolicy.from_cli(spec)


def test_to_json_round_trips_through_from_mapping() -> None:
    policy = RetryPolicy(max_retries=4, backoff="fixed", base=0.25, max_delay=8.0,
                         jitter=0.1, timeout=12.0, when="retryable", fallback_node="alt")
    document = policy.to_json()
    assert document == {"max_retries": 4, "backoff": "fixed", "base": 0.25,
                        "max_delay": 8.0, "jitter": 0.1, "timeout": 12.0,
                        "when": "retryable", "fallback_node": "alt"}
    assert RetryPolicy.from_mapping(document) == policy
    assert RetryPolicy.from_mapping(RetryPolicy().to_json()) == RetryPolicy()
