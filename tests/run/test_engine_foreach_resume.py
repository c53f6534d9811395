"""Foreach iteration checkpoints and resume inside a foreach (SPEC §8.2, §8.4 ``progress``,
§8.6 step 5), on real state files and real HTTP requests: a resumed run keeps the
iterations recorded as completed and runs only the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.api import resume, run
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.store import JsonFileStore
from flowscript.errors import NodeError

from .support import HttpServer

ITEMS = [1, 2, 3, 4, 5, 6]

FOREACH = """---
name: foreach-resume
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <foreach id="each" collection="[1, 2, 3, 4, 5, 6]" concurrency="1" on-item-error="fail">
    <source id="get" type="http">
      <request>url: "{{ $env.FS_TEST_HTTP }}/item/{{ item }}"</request>
    </source>
  </foreach>
  <output><set field="values" value="{{ each }}"/></output>
</workflow>
"""


def routes() -> dict[str, Any]:
    """Every item answers ``{"n": i}``; item 4 fails with 500 on its first request."""
    table: dict[str, Any] = {f"/item/{i}": {"json": {"n": i}} for i in ITEMS}
    table["/item/4"] = {"sequence": [{"status": 500}, {"json": {"n": 4}}]}
    return table


@pytest.fixture
def env(server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> HttpServer:
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    server.routes(routes())
    return server


def hits(server: HttpServer, path: str) -> int:
    return int(server.hits(path)["hits"])


def fail_first(tmp_path: Path, **options: Any) -> Path:
    """Run the foreach once; item 4 fails it. Returns the state path."""
    workflow = tmp_path / "flow.flow.md"
    workflow.write_text(FOREACH)
    state_file = tmp_path / "state" / "run.json"
    with pytest.raises(NodeError):
        run(workflow, options=ExecutionOptions(persistence_path=state_file, **options))
    return state_file


def test_a_failed_foreach_records_its_completed_iterations(tmp_path: Path,
                                                            env: HttpServer) -> None:
    on_disk = JsonFileStore(fail_first(tmp_path)).read()
    assert on_disk["status"] == "failed"
    assert on_disk["progress"]["each"] == {"iteration": 3, "completed": [0, 1, 2]}
    for index in range(3):
        recorded = on_disk["nodes"][f"each[{index}]/get"]
        assert recorded["status"] == "success"
        assert recorded["output"] == {"n": index + 1}
    assert on_disk["nodes"]["each[3]/get"]["status"] == "failed"
    assert "each[4]/get" not in on_disk["nodes"]
    assert [hits(env, f"/item/{i}") for i in ITEMS] == [1, 1, 1, 1, 0, 0]


def test_progress_is_written_while_the_foreach_runs(tmp_path: Path,
                                                    env: HttpServer) -> None:
    state_file = tmp_path / "state" / "run.json"
    seen: list[dict[str, Any]] = []

    def observe(event: dict[str, Any]) -> None:
        """Read the state as written at each save made before the foreach finished."""
        if event["type"] == "node_finished" and event.get("key") == "each":
            seen.append({"foreach finished": True})
        elif event["type"] == "state_saved" and not any("foreach finished" in s
                                                         for s in seen):
            seen.append(JsonFileStore(state_file).read())

    fail_first(tmp_path, on_event=observe)
    during = [document for document in seen[1:] if "foreach finished" not in document]
    assert during, "no state write happened inside the foreach"
    first = during[0]
    assert first["status"] == "running"
    assert first["progress"]["each"] == {"iteration": 1, "completed": [0]}
    assert first["nodes"]["each[0]/get"]["output"] == {"n": 1}


def test_resume_runs_only_the_iterations_not_completed(tmp_path: Path,
                                                       env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    state = resume(state_file)
    expected = [{"n": i} for i in ITEMS]
    assert state.status == "completed"
    assert state.output == {"values": expected}
    assert state.nodes["each"].output == expected
    assert [hits(env, f"/item/{i}") for i in ITEMS] == [1, 1, 1, 2, 1, 1]
    assert state.progress["each"] == {"iteration": 6, "completed": [0, 1, 2, 3, 4, 5]}
    on_disk = JsonFileStore(state_file).read()
    assert on_disk["status"] == "completed" and on_disk["resume_count"] == 1
    assert on_disk["progress"]["each"] == {"iteration": 6, "completed": [0, 1, 2, 3, 4, 5]}
    assert on_disk["output"] == {"values": expected}


def test_resumed_output_equals_an_uninterrupted_run(tmp_path: Path,
                                                    env: HttpServer) -> None:
    resumed = resume(fail_first(tmp_path))
    env.routes({f"/item/{i}": {"json": {"n": i}} for i in ITEMS})
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    workflow = fresh_dir / "flow.flow.md"
    workflow.write_text(FOREACH)
    fresh = run(workflow, options=ExecutionOptions(persistence_path=fresh_dir / "s.json"))
    assert resumed.output == fresh.output
    assert resumed.nodes["each"].meta == fresh.nodes["each"].meta
