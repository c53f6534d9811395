"""Running small ``.flow.md`` workflows against the real local HTTP server, on virtual
time: the run's clock is a ``FakeClock`` and its jitter comes from a seeded generator, so a
32-second back-off takes no time and the delays it asked for can be read back."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowscript.engine.api import load_workflow, prepare
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.planning import plan_facts
from flowscript.engine.retry import FakeClock
from flowscript.engine.state import RunState
from flowscript.errors import RunError

FRONT = """---
name: resilience
version: 1.0.0
env:
  - FS_TEST_HTTP
{extra}---
"""


@dataclass
class Outcome:
    """How a run ended: its state, the error it raised (if any), the events it emitted and
    the back-off delays it asked the clock for."""

    state: RunState
    error: BaseException | None
    events: list[dict[str, Any]] = field(default_factory=list)
    clock: FakeClock = field(default_factory=FakeClock)

    def node(self, key: str) -> Any:
        return self.state.nodes[key]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]


def write_flow(tmp_path: Path, body: str, *, front: str = "") -> Path:
    """A workflow file: the standard frontmatter (plus ``front`` lines) and ``body``."""
    path = tmp_path / "workflow.flow.md"
    path.write_text(FRONT.format(extra=front) + "<workflow>\n" + body + "\n</workflow>\n")
    return path


async def run_flow(tmp_path: Path, body: str, server: Any, *, front: str = "",
                   seed: int = 7, persistence: Any = None,
                   before: Callable[[Any], None] | None = None, **options: Any) -> Outcome:
    """Run ``body`` with ``$env.FS_TEST_HTTP`` pointing at ``server``; never raises for a
    failed run (the error is in the outcome). ``before(executor)`` runs just before the
    run starts."""
    workflow = load_workflow(write_flow(tmp_path, body, front=front))
    events: list[dict[str, Any]] = []
    executor = prepare(workflow, plan_facts(workflow), config=None, input=None,
                       secrets=None, persistence=persistence,
                       options=ExecutionOptions(on_event=events.append, base_dir=tmp_path,
                                                **options),
                       environ={"FS_TEST_HTTP": server.url})
    clock = FakeClock()
    executor.services.clock = clock
    executor.services.rng = random.Random(seed)
    if before is not None:
        before(executor)
    error: BaseException | None = None
    try:
        state = await executor.execute()
    except RunError as exc:
        error, state = exc, exc.state
    finally:
        await executor.aclose()
    return Outcome(state, error, events, clock)


def flaky(*responses: Mapping[str, Any]) -> dict[str, Any]:
    """A route answering ``responses`` in turn (the last one repeats)."""
    return {"sequence": list(responses)}


async def outcome_of(server: Any, path: str) -> list[str]:
    """The outcomes the server logged for ``path`` once none is pending any more (an
    aborted request is logged when the server notices the closed connection)."""
    outcomes: list[str] = []
    for _ in range(200):
        outcomes = [entry["outcome"] for entry in server.log() if entry["path"] == path]
        if outcomes and "pending" not in outcomes:
            return outcomes
        await asyncio.sleep(0.025)
    return outcomes


def hits(server: Any, path: str) -> int:
    return sum(1 for entry in server.log() if entry["path"] == path)
