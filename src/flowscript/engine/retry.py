"""Retry policies, back-off and the attempt loop every node kind shares (SPEC §7.2–§7.4).

The executor's ``_run_with_retry`` layer calls :func:`retry_loop`; time comes from an
injected :class:`Clock`, so a test of a 30-second back-off runs on a :class:`FakeClock` in
milliseconds (lesson 7 of STYLE.md).
"""

from __future__ import annotations

import asyncio
import inspect
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from ..durations import parse_duration
from ..errors import NEVER_RETRIED, FlowScriptError
from ..expr.values import truthy

T = TypeVar("T")

BACKOFFS = ("exponential", "linear", "fixed")
_FIELDS = ("max_retries", "backoff", "base", "max_delay", "jitter", "timeout", "when",
           "fallback_node")
#: Spellings accepted for a field besides its own name (the ``<retry>`` attribute names).
_ALIASES = {"max": "max_retries", "maxretries": "max_retries", "maxdelay": "max_delay",
            "fallback": "fallback_node", "fallbacknode": "fallback_node"}
#: A CLI ``--retry`` spec is split only at commas that start a ``field=`` pair, so a
#: ``when`` expression may itself hold commas (``when=status in [429, 503]``).
_CLI_SPLIT = re.compile(r",(?=\s*(?:max_retries|max-retries|max|backoff|base|max_delay|"
                        r"max-delay|jitter|timeout|when|fallback_node|fallback-node|fallback)"
                        r"\s*=(?!=))")
#: Largest ``k`` for which ``2 ** k`` is computed; beyond it the delay is ``max_delay``.
_MAX_EXPONENT = 1000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a failing node is attempted again (SPEC §7.3). Durations are in seconds.

    Raises ``ValueError`` with a one-line reason when a field is invalid.
    """

    max_retries: int = 3
    """Retries after the first attempt (default 3): a node runs at most ``1 + max_retries``
    times."""
    backoff: str = "exponential"
    """``"exponential"`` (default), ``"linear"`` or ``"fixed"`` (§7.4)."""
    base: float = 1.0
    """Base delay in seconds (default 1.0)."""
    max_delay: float = 32.0
    """Upper bound of any delay in seconds (default 32.0)."""
    jitter: str | float | None = None
    """``None`` (default): ``"full"`` for exponential back-off, ``"none"`` otherwise; else
    ``"full"``, ``"none"`` or a fraction in (0, 1]."""
    timeout: float | None = None
    """Per-attempt limit in seconds (default ``None``: the node's or kind's limit, §7.5)."""
    when: str | None = None
    """Expression deciding alone whether an error is retried (default ``None``: the error's
    ``retryable`` flag, §7.2)."""
    fallback_node: str | None = None
    """Id of the handler node run when the node fails for good (default ``None``, §7.6)."""

    def __post_init__(self) -> None:
        if isinstance(self.jitter, int) and not isinstance(self.jitter, bool):
            object.__setattr__(self, "jitter", float(self.jitter))
        for name in ("base", "max_delay", "timeout"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, float(value))
        self._validate()

    def _validate(self) -> None:
        if type(self.max_retries) is not int or self.max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {self.max_retries!r}")
        if self.backoff not in BACKOFFS:
            raise ValueError(f"backoff must be exponential, linear or fixed, "
                             f"got {self.backoff!r}")
        if not _is_seconds(self.base):
            raise ValueError(f"base must be a duration >= 0 seconds, got {self.base!r}")
        if not _is_seconds(self.max_delay):
            raise ValueError(f"max_delay must be a duration >= 0 seconds, "
                             f"got {self.max_delay!r}")
        if not _valid_jitter(self.jitter):
            raise ValueError(f"jitter must be 'full', 'none' or a fraction in (0, 1], "
                             f"got {self.jitter!r}")
        if self.timeout is not None and not (_is_seconds(self.timeout) and self.timeout > 0):
            raise ValueError(f"timeout must be a duration > 0 seconds, got {self.timeout!r}")
        if self.when is not None and (not isinstance(self.when, str) or not self.when.strip()):
            raise ValueError(f"when must be a non-empty expression, got {self.when!r}")
        if self.fallback_node is not None and (not isinstance(self.fallback_node, str)
                                               or not self.fallback_node):
            raise ValueError(f"fallback_node must be a node id, got {self.fallback_node!r}")

    @property
    def effective_jitter(self) -> str | float:
        """The jitter in effect: the written one, else ``full`` for exponential back-off."""
        if self.jitter is None:
            return "full" if self.backoff == "exponential" else "none"
        return self.jitter

    @classmethod
    def from_mapping(cls, value: int | Mapping[str, Any]) -> RetryPolicy:
        """The policy of a frontmatter ``runtime.retry`` (§2.8) or of a state's options.

        An integer ``n`` means ``{max_retries: n}``. Keys may use the ``<retry>`` spellings
        (``max``, ``max-delay``); durations are strings (``2s``, ``PT1M``) or seconds.
        """
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(max_retries=value)
        if not isinstance(value, Mapping):
            raise ValueError(f"retry must be an integer or a mapping, got {value!r}")
        fields: dict[str, Any] = {}
        for key, raw in value.items():
            name = _field_name(str(key))
            fields[name] = _convert(name, raw)
        return cls(**fields)

    @classmethod
    def from_cli(cls, spec: str) -> RetryPolicy:
        """The policy of ``--retry SPEC``: ``"3"`` or ``"max_retries=3,backoff=linear,base=2s"``."""
        text = spec.strip()
        if re.fullmatch(r"[0-9]+", text):
            return cls(max_retries=int(text))
        fields: dict[str, Any] = {}
        for pair in _CLI_SPLIT.split(text):
            key, sep, raw = pair.partition("=")
            if not sep:
                raise ValueError(f"expected field=value in --retry, got {pair.strip()!r}")
            name = _field_name(key.strip())
            fields[name] = _convert(name, raw.strip(), from_text=True)
        return cls(**fields)

    def to_json(self) -> dict[str, Any]:
        """The policy as JSON values, as recorded in the state's ``options.default_retry``."""
        return {name: getattr(self, name) for name in _FIELDS}


def _is_seconds(value: Any) -> bool:
    return (isinstance(value, float) and value >= 0 and value != float("inf"))


def _valid_jitter(value: Any) -> bool:
    if value is None or value in ("full", "none"):
        return True
    return isinstance(value, float) and 0 < value <= 1


def _field_name(key: str) -> str:
    normal = key.replace("-", "_").lower()
    compact = normal.replace("_", "")
    if normal in _FIELDS:
        return normal
    if compact in _ALIASES:
        return _ALIASES[compact]
    raise ValueError(f"unknown retry field {key!r}; expected one of {', '.join(_FIELDS)}")


def _convert(name: str, raw: Any, from_text: bool = False) -> Any:
    """One field value from YAML, JSON or CLI text, in the type the dataclass wants."""
    if raw is None or (from_text and (raw in ("", "null")
                                      or (raw == "none" and name == "timeout"))):
        return None
    if name == "max_retries":
        if from_text and isinstance(raw, str) and re.fullmatch(r"[0-9]+", raw):
            return int(raw)
        return raw
    if name in ("base", "max_delay", "timeout"):
        seconds = parse_duration(raw)
        if seconds is None:
            raise ValueError(f"{name} must be a duration, got {raw!r}")
        return seconds
    if name == "jitter" and isinstance(raw, str) and raw not in ("full", "none"):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


# ---------------------------------------------------------------------------------------
# Back-off (§7.4)

def delay(policy: RetryPolicy, k: int, retry_after: float | None = None,
          rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``k`` (0 for the first retry), per SPEC §7.4.

    ``retry_after`` (from a ``Retry-After`` header) is honoured up to ``max_delay``;
    ``rng`` draws the jitter (a seeded ``random.Random`` in tests).
    """
    cap = policy.max_delay
    if policy.backoff == "exponential":
        nominal = cap if k > _MAX_EXPONENT else min(cap, policy.base * 2.0 ** k)
    elif policy.backoff == "linear":
        nominal = min(cap, policy.base * (k + 1))
    else:
        nominal = min(cap, policy.base)
    jitter = policy.effective_jitter
    if jitter == "full":
        actual = (rng or _RNG).uniform(0.0, nominal)
    elif jitter == "none":
        actual = nominal
    else:
        fraction = float(jitter)
        actual = min(cap, nominal * (rng or _RNG).uniform(1.0 - fraction, 1.0 + fraction))
    if retry_after is not None and retry_after > 0:
        actual = min(cap, max(actual, retry_after))
    return actual


_RNG = random.Random()


# ---------------------------------------------------------------------------------------
# Classification (§7.2)

#: ``evaluate_when(expression, bindings)`` evaluates a ``when`` source with the bare names
#: of §7.2 bound; the executor supplies it (compiled once, cached by source).
WhenEvaluator = Callable[[str, dict[str, Any]], Any]


def describe_error(exc: BaseException) -> dict[str, Any]:
    """The fields of the §7.1 error object that classification needs, from an exception.

    Exceptions that are not FlowScript errors are bugs: type ``InternalError``, not retried.
    """
    if isinstance(exc, FlowScriptError):
        return {"type": exc.type_name, "message": exc.message, "status": exc.status,
                "retryable": bool(exc.retryable), "retry_after": exc.retry_after}
    if isinstance(exc, asyncio.CancelledError):
        return {"type": "CancelledError", "message": "cancelled", "status": None,
                "retryable": False, "retry_after": None}
    return {"type": "InternalError", "message": f"{type(exc).__name__}: {exc}",
            "status": None, "retryable": False, "retry_after": None}


def should_retry(error: Mapping[str, Any], policy: RetryPolicy,
                 evaluate_when: WhenEvaluator | None = None, *, attempt: int = 1) -> bool:
    """Whether the error of failed attempt ``attempt`` is retried under ``policy`` (§7.2).

    The never-retried types lose whatever ``when`` says; otherwise ``when`` alone decides
    when given, else the error's ``retryable`` flag. An error raised by ``evaluate_when``
    (an ``ExpressionError``) propagates: it fails the node.
    """
    kind = error.get("type")
    if kind in NEVER_RETRIED:
        return False
    if policy.when is None:
        return bool(error.get("retryable"))
    if evaluate_when is None:
        raise ValueError("a policy with a 'when' expression needs evaluate_when")
    bindings = {"error": dict(error), "status": error.get("status"),
                "message": error.get("message"), "type": kind,
                "retryable": bool(error.get("retryable")), "attempt": attempt}
    return truthy(evaluate_when(policy.when, bindings))


# ---------------------------------------------------------------------------------------
# Clocks

class Clock(Protocol):
    """Where retry, back-off and breakers read time and wait."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; cancellable."""
        ...

    def utcnow(self) -> datetime:
        """The current UTC instant (timezone-aware)."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic``, ``asyncio.sleep`` and ``datetime.now(UTC)``."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def utcnow(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """Virtual time for tests: a sleep returns at once, having moved time to its deadline.

    Concurrent sleeps overlap (each ends at its own start time plus its length, and time
    only moves forward), sequential ones add up. Every sleep still yields to the event loop,
    so it is a cancellation point. ``sleeps`` lists the requested lengths, in order.
    """

    def __init__(self, start: datetime | None = None, monotonic: float = 0.0) -> None:
        self._start = start or datetime(2025, 1, 1, tzinfo=UTC)
        self._origin = monotonic
        self._now = monotonic
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._now

    def utcnow(self) -> datetime:
        return self._start + timedelta(seconds=self._now - self._origin)

    def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds``."""
        self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        deadline = self._now + max(0.0, seconds)
        await asyncio.sleep(0)
        self._now = max(self._now, deadline)


def format_instant(moment: datetime) -> str:
    """An ISO-8601 UTC instant with milliseconds: ``2025-03-09T14:05:07.042Z``."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """The timezone-aware instant of an ISO-8601 string (``Z`` or an offset; naive = UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------
# The attempt loop

#: ``on_retry(attempt, delay_s, error)`` runs before each back-off (sync or async).
OnRetry = Callable[[int, float, BaseException], Any]


async def retry_loop(attempt_fn: Callable[[int], Awaitable[T]], policy: RetryPolicy | None,
                     clock: Clock | None = None, rng: random.Random | None = None,
                     on_retry: OnRetry | None = None,
                     evaluate_when: WhenEvaluator | None = None, *,
                     describe: Callable[[BaseException], Mapping[str, Any]] = describe_error,
                     ) -> tuple[T, int]:
    """Attempt, classify, back off, attempt again (SPEC §7.2–§7.4).

    ``attempt_fn(n)`` runs attempt ``n`` (1-based). Returns ``(result, attempts)``. When the
    node fails for good, the last error is raised with ``attempts`` set on it (read it with
    :func:`attempts_of`). ``policy=None`` means a single attempt. Cancellation is never
    caught: it propagates from an attempt or a back-off at once.
    """
    attempt = 1
    while True:
        try:
            return await attempt_fn(attempt), attempt
        except Exception as exc:  # classification decides; CancelledError is not an Exception
            failure = exc
        wait = _next_delay(failure, attempt, policy, rng, evaluate_when, describe)
        if wait is None:
            _set_attempts(failure, attempt)
            raise failure
        if on_retry is not None:
            outcome = on_retry(attempt, wait, failure)
            if inspect.isawaitable(outcome):
                await outcome
        await (clock or _SYSTEM_CLOCK).sleep(wait)
        attempt += 1


def _next_delay(failure: BaseException, attempt: int, policy: RetryPolicy | None,
                rng: random.Random | None, evaluate_when: WhenEvaluator | None,
                describe: Callable[[BaseException], Mapping[str, Any]]) -> float | None:
    """The back-off before the next attempt, or None when the node fails for good."""
    if policy is None or attempt > policy.max_retries:
        return None
    error = describe(failure)
    try:
        retry = should_retry(error, policy, evaluate_when, attempt=attempt)
    except BaseException as when_error:
        _set_attempts(when_error, attempt)
        raise
    if not retry:
        return None
    return delay(policy, attempt - 1, error.get("retry_after"), rng)


def _set_attempts(exc: BaseException, attempts: int) -> None:
    try:
        exc.attempts = attempts  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        pass


def attempts_of(exc: BaseException, default: int = 1) -> int:
    """Attempts made before ``exc`` ended a :func:`retry_loop` (``default`` if unknown)."""
    value = getattr(exc, "attempts", None)
    return value if isinstance(value, int) else default


_SYSTEM_CLOCK = SystemClock()
