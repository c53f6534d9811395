"""Events: plain dicts, in order, observers that raise are detached (SPEC §6.12)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from flowscript.engine.events import EVENT_TYPES, EventBus


def test_events_carry_type_run_id_time_and_fields_in_order() -> None:
    seen: list[dict[str, Any]] = []
    bus = EventBus("run-1", [seen.append])
    bus.emit("wave_started", wave=0, nodes=["a"])
    bus.emit("run_finished", status="completed", duration_ms=3, error=None)
    assert [e["type"] for e in seen] == ["wave_started", "run_finished"]
    assert seen[0]["run_id"] == "run-1" and seen[0]["nodes"] == ["a"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", seen[0]["time"])


def test_a_raising_observer_is_logged_and_detached(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def broken(event: dict[str, Any]) -> None:
        calls.append(event["type"])
        raise RuntimeError("observer bug")

    good: list[str] = []
    bus = EventBus("r", [broken, lambda e: good.append(e["type"])])
    with caplog.at_level(logging.ERROR, logger="flowscript.events"):
        bus.emit("run_started", workflow="w", resumed=False)
        bus.emit("run_finished", status="completed", duration_ms=0, error=None)
    assert calls == ["run_started"]
    assert good == ["run_started", "run_finished"]
    assert "detached" in caplog.text


def test_without_observers_nothing_is_wanted() -> None:
    bus = EventBus("r")
    assert not bus.active and not bus.wants("node_started")
    bus.emit("node_started", key="a", id="a", kind="k", attempt=1)


def test_observers_may_choose_event_types() -> None:
    seen: list[str] = []
    bus = EventBus("r")
    bus.subscribe(lambda e: seen.append(e["type"]), types=["run_finished"])
    assert bus.wants("run_finished") and not bus.wants("node_started")
    bus.emit("node_started", key="a", id="a", kind="k", attempt=1)
    bus.emit("run_finished", status="failed", duration_ms=1, error=None)
    assert seen == ["run_finished"]
    with pytest.raises(ValueError):
        bus.subscribe(print, types=["no_such_event"])


def test_unsubscribe_and_the_redaction_hook() -> None:
    seen: list[dict[str, Any]] = []
    bus = EventBus("r", [seen.append],
                   redact=lambda e: {k: ("***" if v == "tok-1234" else v)
                                     for k, v in e.items()})
    bus.emit("handler_failed", handler="callback", error="tok-1234")
    assert seen[0]["error"] == "***"
    bus.unsubscribe(seen.append)
    assert not bus.active
    assert "state_saved" in EVENT_TYPES
