"""Events (SPEC §6.12): plain dicts delivered synchronously, in order, to observers.

An observer is any callable taking the event dict, optionally limited to some event
types. An observer that raises is logged and detached; the run goes on (STYLE lesson 11).
With no observer the executor skips building events altogether: check ``bus.active``
(or ``bus.wants(type)``) before assembling a payload.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from .state import iso_instant

logger = logging.getLogger("flowscript.events")

Event = dict[str, Any]
Observer = Callable[[Event], Any]

#: Every event type of SPEC §6.12.
EVENT_TYPES = frozenset({
    "run_started", "wave_started", "wave_finished", "node_started", "node_retrying",
    "node_finished", "checkpoint_waiting", "state_saved", "handler_failed", "run_finished",
})


class EventBus:
    """Delivers a run's events to its observers.

    ``redact`` is the single point where payload redaction applies (SPEC §12.4): when set,
    every event passes through it before any observer sees it.
    """

    __slots__ = ("_observers", "_wanted", "active", "redact", "run_id")

    def __init__(self, run_id: str, observers: Iterable[Observer] = (),
                 redact: Callable[[Event], Event] | None = None) -> None:
        self.run_id = run_id
        self.redact = redact
        self._observers: list[tuple[Observer, frozenset[str] | None]] = []
        self._wanted: set[str] = set()
        #: True when at least one observer is attached.
        self.active = False
        for observer in observers:
            self.subscribe(observer)

    def subscribe(self, observer: Observer, types: Iterable[str] | None = None) -> None:
        """Attach ``observer``; with ``types``, it receives only those event types."""
        wanted = frozenset(types) if types is not None else None
        if wanted is not None and not wanted <= EVENT_TYPES:
            raise ValueError(f"unknown event types: {sorted(wanted - EVENT_TYPES)}")
        self._observers.append((observer, wanted))
        self._refresh()

    def unsubscribe(self, observer: Observer) -> None:
        self._observers = [entry for entry in self._observers if entry[0] != observer]
        self._refresh()

    def _refresh(self) -> None:
        self.active = bool(self._observers)
        self._wanted = set()
        for _, wanted in self._observers:
            self._wanted |= EVENT_TYPES if wanted is None else wanted

    def wants(self, event_type: str) -> bool:
        """Whether any observer would receive ``event_type``."""
        return event_type in self._wanted

    def emit(self, event_type: str, **fields: Any) -> None:
        """Build the event (``type``, ``run_id``, ``time`` + ``fields``) and deliver it."""
        if event_type not in self._wanted:
            return
        event: Event = {"type": event_type, "run_id": self.run_id,
                        "time": iso_instant(time.time()), **fields}
        if self.redact is not None:
            event = self.redact(event)
        for observer, wanted in list(self._observers):
            if wanted is not None and event_type not in wanted:
                continue
            try:
                observer(event)
            except Exception:
                logger.exception("event observer %r raised on %s; detached",
                                 observer, event_type)
                self.unsubscribe(observer)


def node_fields(key: str, node_id: str, kind: str) -> dict[str, Any]:
    """The fields every node event carries."""
    return {"key": key, "id": node_id, "kind": kind}


__all__ = ["EVENT_TYPES", "Event", "EventBus", "Observer", "node_fields"]
