"""The circuit breaker of a node's ``<circuit-breaker>`` (SPEC §7.7).

One breaker per node per run, shared by every execution of the node. The executor wraps
each attempt in :meth:`CircuitBreaker.attempt`; the breaker records its outcome and, while
open, refuses it with ``CircuitOpenError``. Time comes from the injected clock, and the
breaker round-trips through the state document's ``breakers`` field.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from ..errors import CircuitOpenError
from .retry import Clock, SystemClock, format_instant, parse_instant

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half-open"


class CircuitBreaker:
    """Closed → open after ``threshold`` failed attempts within ``window`` seconds; open for
    ``cooldown`` seconds; then half-open: one probe attempt closes it (success) or opens it
    again (failure), while other attempts fail with ``CircuitOpenError``."""

    def __init__(self, node_id: str, *, threshold: int = 5, window: float = 60.0,
                 cooldown: float = 300.0, clock: Clock | None = None) -> None:
        if threshold < 1:
            raise ValueError(f"threshold must be >= 1, got {threshold!r}")
        if window <= 0 or cooldown < 0:
            raise ValueError("window must be > 0 seconds and cooldown >= 0 seconds")
        self.node_id = node_id
        self.threshold = threshold
        self.window = timedelta(seconds=window)
        self.cooldown = timedelta(seconds=cooldown)
        self._clock = clock or SystemClock()
        #: Instants of failed attempts still inside the window, oldest first.
        self._failures: deque[datetime] = deque()
        self._opened_at: datetime | None = None
        #: Invariant: True only while half-open and one probe attempt is in flight.
        self._probing = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open`` (an open breaker whose cooldown is over)."""
        if self._opened_at is None:
            return CLOSED
        if self._clock.utcnow() >= self._opened_at + self.cooldown:
            return HALF_OPEN
        return OPEN

    def acquire(self) -> bool:
        """Admit one attempt; returns True when it is the half-open probe.

        Raises ``CircuitOpenError`` (not retryable) while open, or while half-open with a
        probe in flight.
        """
        state = self.state
        if state == CLOSED:
            return False
        if state == HALF_OPEN and not self._probing:
            self._probing = True
            return True
        raise self._open_error()

    def record_success(self, probe: bool) -> None:
        """The admitted attempt succeeded: a probe closes the breaker and clears history."""
        if probe:
            self._probing = False
        if self._opened_at is not None and probe:
            self._opened_at = None
            self._failures.clear()

    def record_failure(self, probe: bool) -> None:
        """The admitted attempt failed: record it; open on a failed probe or the threshold."""
        now = self._clock.utcnow()
        self._failures.append(now)
        self._prune(now)
        if probe:
            self._probing = False
            self._opened_at = now
        elif self._opened_at is None and len(self._failures) >= self.threshold:
            self._opened_at = now

    def release(self, probe: bool) -> None:
        """The admitted attempt ended without an outcome (cancelled): free the probe slot."""
        if probe:
            self._probing = False

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Run one attempt under the breaker: ``with breaker.attempt(): await run()``."""
        probe = self.acquire()
        try:
            yield
        except (asyncio.CancelledError, GeneratorExit):
            self.release(probe)
            raise
        except BaseException:
            self.record_failure(probe)
            raise
        self.record_success(probe)

    def _prune(self, now: datetime) -> None:
        horizon = now - self.window
        while self._failures and self._failures[0] <= horizon:
            self._failures.popleft()

    def _open_error(self) -> CircuitOpenError:
        assert self._opened_at is not None
        until = format_instant(self._opened_at + self.cooldown)
        if self.state == HALF_OPEN:
            detail = "half-open and its probe attempt is still running"
        else:
            detail = f"open until {until}"
        return CircuitOpenError(f"circuit breaker of node '{self.node_id}' is {detail}",
                                retryable=False)

    def to_json(self) -> dict[str, Any]:
        """``{state, failures: [ISO instants], opened_at}`` for the state's ``breakers``."""
        self._prune(self._clock.utcnow())
        return {"state": self.state, "failures": [format_instant(f) for f in self._failures],
                "opened_at": format_instant(self._opened_at) if self._opened_at else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, node_id: str, *, threshold: int = 5,
                  window: float = 60.0, cooldown: float = 300.0,
                  clock: Clock | None = None) -> CircuitBreaker:
        """A breaker restored from the state (absent fields read as null). A probe that was
        in flight when the run stopped is forgotten, so the resumed run may probe."""
        breaker = cls(node_id, threshold=threshold, window=window, cooldown=cooldown,
                      clock=clock)
        data = data or {}
        breaker._failures.extend(sorted(parse_instant(f) for f in data.get("failures") or []))
        state = data.get("state") or CLOSED
        opened = data.get("opened_at")
        if state in (OPEN, HALF_OPEN):
            breaker._opened_at = (parse_instant(opened) if opened
                                  else breaker._clock.utcnow() - breaker.cooldown)
        return breaker
