"""The resilience conformance cases (retry, timeouts, fallbacks, the workflow error
handler) run in-process through the engine conformance harness, so the suite guards them
too. Cases that need control-flow runtimes or command-line flags are left to the
``conformance/run`` runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..run.support import CASES, HttpServer
from ..run.test_engine_conformance import SUPPORTED
from ..run.test_engine_conformance import test_conformance_case as run_case

#: What this engine adds to the harness's features for the resilience area.
RESILIENCE = {"retry", "fallback", "timeout", "error-handler"}


def resilience_cases() -> list[str]:
    names = []
    for case in sorted((CASES / "resilience").iterdir()):
        expect = json.loads((case / "expect.json").read_text())
        if set(expect.get("features", [])) <= SUPPORTED | RESILIENCE \
                and not expect.get("args"):
            names.append(f"resilience/{case.name}")
    return names


def test_the_selection_covers_retry_fallback_and_handlers() -> None:
    names = {name.split("/")[1] for name in resilience_cases()}
    assert {"retry-503-then-success", "retry-429-retry-after", "fallback-primary-error",
            "fallback-not-retried", "on-workflow-error-fails", "run-timeout"} <= names


@pytest.mark.parametrize("name", resilience_cases())
async def test_resilience_case(name: str, tmp_path: Path, server: HttpServer,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    await run_case(name, tmp_path, server, monkeypatch)
