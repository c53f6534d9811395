"""Persisting a run while it executes (SPEC §8.1–§8.5): a snapshot at run start, one
journal patch per wave carrying only what changed, the lock while the run is active,
redaction of everything written, and ``flowscript runs`` over the result."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.api import arun, load_workflow, prepare, run
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.planning import plan_facts
from flowscript.engine.runs import list_runs
from flowscript.engine.state import NodeTable
from flowscript.engine.store import JsonFileStore, lock_holder
from flowscript.errors import NodeError

from .support import HttpServer

CHAIN = """---
name: chain
version: 1.0.0
---
<workflow>
  <transform id="a" type="template"><template>{{ 1 }}</template></transform>
  <transform id="b" type="template" input="a"><template>{{ input + 1 }}</template></transform>
  <transform id="c" type="template" input="b"><template>{{ input + 1 }}</template></transform>
  <output><set field="last" value="{{ c }}"/></output>
</workflow>
"""


def write(tmp_path: Path, text: str, name: str = "flow.flow.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def journal_patches(path: Path) -> list[dict[str, Any]]:
    journal = path.with_name(path.name + ".journal")
    if not journal.exists():
        return []
    return [json.loads(line)["patch"] for line in journal.read_text().splitlines()]


def chain_text(count: int) -> str:
    nodes = ['  <transform id="n0" type="template"><template>{{ 0 }}</template></transform>']
    nodes += [f'  <transform id="n{i}" type="template" input="n{i - 1}">'
              f"<template>{{{{ input + 1 }}}}</template></transform>" for i in range(1, count)]
    return "---\nname: long\nversion: 1.0.0\n---\n<workflow>\n" + "\n".join(nodes) + \
        "\n</workflow>\n"


def test_the_state_document_on_disk_is_the_final_state(tmp_path: Path) -> None:
    state_file = tmp_path / "runs" / "chain" / "r1.json"
    state = run(write(tmp_path, CHAIN),
                options=ExecutionOptions(persistence_path=state_file, run_id="r1"))
    on_disk = JsonFileStore(state_file).read()
    expected = state.to_json()
    assert {k: v for k, v in on_disk.items() if k != "seq"} == \
        {k: v for k, v in expected.items() if k != "seq"}
    assert on_disk["status"] == "completed" and on_disk["output"] == {"last": 3}
    assert on_disk["plan"] == [["a"], ["b"], ["c"]] and on_disk["current_wave"] == 2
    assert state.state_path == str(state_file)


def test_a_snapshot_at_start_then_one_patch_per_wave_with_only_what_changed(
        tmp_path: Path) -> None:
    state_file = tmp_path / "s.json"
    seen: list[tuple[str, Any]] = []

    def observe(event: dict[str, Any]) -> None:
        if event["type"] == "state_saved":
            assert event["path"] == str(state_file)
            patches = journal_patches(state_file)
            seen.append((event["write"], patches[-1] if event["write"] == "journal" else
                         JsonFileStore(state_file).read()["status"]))
        elif event["type"] in ("run_started", "wave_finished", "run_finished"):
            seen.append((event["type"], None))

    # A large config keeps the snapshot larger than the journal: no compaction here.
    padded = CHAIN.replace("version: 1.0.0\n", "version: 1.0.0\nconfig:\n  padding: "
                           + "p" * 4000 + "\n")
    run(write(tmp_path, padded),
        options=ExecutionOptions(persistence_path=state_file, on_event=observe))
    kinds = [kind for kind, _ in seen]
    assert kinds == ["snapshot", "run_started", "journal", "wave_finished", "journal",
                     "wave_finished", "journal", "wave_finished", "journal", "run_finished"]
    assert seen[0][1] == "running"
    wave_patches = [patch for kind, patch in seen if kind == "journal"][:3]
    for number, (key, patch) in enumerate(zip("abc", wave_patches, strict=True)):
        # updated_at only when the clock moved a millisecond since the last write
        assert {"nodes", "current_wave"} <= set(patch) <= {"nodes", "current_wave",
                                                         "updated_at"}
        assert list(patch["nodes"]) == [key] and patch["current_wave"] == number
        assert patch["nodes"][key]["status"] == "success"
        assert set(patch["nodes"][key]) >= {"id", "kind", "output", "error", "attempts",
                                            "started_at", "completed_at", "redacted", "meta"}
    final = seen[-2][1]
    assert final["status"] == "completed" and final["output"] == {"last": 3}
    assert "plan" not in final and "config" not in final and "nodes" not in final


def test_the_lock_is_held_while_the_run_executes_and_released_after(tmp_path: Path) -> None:
    state_file = tmp_path / "s.json"
    holders: list[int | None] = []

    def observe(event: dict[str, Any]) -> None:
        if event["type"] == "wave_started":
            holders.append(lock_holder(state_file))

    run(write(tmp_path, CHAIN),
        options=ExecutionOptions(persistence_path=state_file, on_event=observe))
    assert holders == [os.getpid()] * 3
    assert lock_holder(state_file) is None


def test_a_run_without_persistence_path_writes_nothing(tmp_path: Path) -> None:
    state = run(write(tmp_path, CHAIN))
    assert state.state_path is None and type(state.nodes) is dict
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.flow.md"]


def test_a_failed_run_is_persisted_with_its_error_and_unstarted_nodes_absent(
        tmp_path: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    server.routes({"/broken": {"status": 500}})
    text = """---
name: failing
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <transform id="first" type="template"><template>ok</template></transform>
  <source id="fetch" type="http" input="first">
    <request>url: "{{ $env.FS_TEST_HTTP }}/broken"</request>
  </source>
  <transform id="after" type="template" input="fetch"><template>x</template></transform>
</workflow>
"""
    state_file = tmp_path / "s.json"
    with pytest.raises(NodeError):
        run(write(tmp_path, text), options=ExecutionOptions(persistence_path=state_file))
    document = JsonFileStore(state_file).read()
    assert document["status"] == "failed"
    assert document["error"]["type"] == "HttpError" and document["error"]["node"] == "fetch"
    assert [error["node"] for error in document["errors"]] == ["fetch"]
    assert {key: node["status"] for key, node in document["nodes"].items()} == {
        "first": "success", "fetch": "failed"}
    assert document["completed_at"] is not None and lock_holder(state_file) is None


async def test_a_cancelled_run_is_persisted_cancelled(
        tmp_path: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    server.routes({"/slow": {"delay": 5, "json": {}}})
    text = """---
name: slow
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <source id="wait" type="http"><request>url: "{{ $env.FS_TEST_HTTP }}/slow"</request></source>
</workflow>
"""
    state_file = tmp_path / "s.json"
    started = asyncio.Event()

    def observe(event: dict[str, Any]) -> None:
        if event["type"] == "node_started":
            started.set()

    task = asyncio.create_task(arun(write(tmp_path, text), options=ExecutionOptions(
        persistence_path=state_file, on_event=observe)))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    document = JsonFileStore(state_file).read()
    assert document["status"] == "cancelled"
    assert document["nodes"]["wait"]["status"] == "cancelled"
    assert lock_holder(state_file) is None


def test_secrets_never_reach_the_state_and_redacted_nodes_are_marked(
        tmp_path: Path) -> None:
    text = """---
name: secretive
version: 1.0.0
secrets: [TOKEN]
---
<workflow>
  <transform id="leak" type="template"><template>key={{ $secrets.TOKEN }}</template></transform>
  <transform id="clean" type="template" input="leak"><template>fine</template></transform>
  <context><set var="copied" value="{{ $secrets.TOKEN }}"/></context>
</workflow>
"""
    state_file = tmp_path / "s.json"
    secret = "s3cr3t-t0ken-value"
    state = run(write(tmp_path, text), secrets={"TOKEN": secret},
                options=ExecutionOptions(persistence_path=state_file))
    for path in tmp_path.iterdir():
        assert secret not in path.read_text(errors="replace"), path
    document = JsonFileStore(state_file).read()
    assert document["nodes"]["leak"]["output"] == "key=***"
    assert document["nodes"]["leak"]["redacted"] is True
    assert document["nodes"]["clean"]["redacted"] is False
    assert document["variables"]["global"] == {"copied": "***"}
    assert state.nodes["leak"].redacted is True and state.nodes["leak"].output == "key=" + secret


def test_variables_set_to_null_read_back_as_null(tmp_path: Path) -> None:
    text = """---
name: nulls
version: 1.0.0
---
<workflow>
  <context><set var="x" value="1"/><set var="y" value="{{ {'a': 1} }}"/></context>
  <set id="clear" var="x" value="null"/>
  <set id="clear-inner" var="y.a" value="null" input="clear"/>
</workflow>
"""
    state_file = tmp_path / "s.json"
    run(write(tmp_path, text), options=ExecutionOptions(persistence_path=state_file))
    assert JsonFileStore(state_file).read()["variables"]["global"] == {"x": None,
                                                                       "y": {"a": None}}


def test_the_state_is_persisted_again_after_the_workflow_error_handler(
        tmp_path: Path) -> None:
    text = """---
name: handled
version: 1.0.0
---
<workflow>
  <source id="read" type="file"><path>missing.json</path></source>
  <on-workflow-error>
    <transform id="note" type="template">
      <template>failed at {{ $error.node }}</template>
    </transform>
  </on-workflow-error>
</workflow>
"""
    state_file = tmp_path / "s.json"
    with pytest.raises(NodeError):
        run(write(tmp_path, text), options=ExecutionOptions(persistence_path=state_file))
    document = JsonFileStore(state_file).read()
    assert document["status"] == "failed"
    assert document["error_handler"]["on_workflow_error"]["status"] == "success"
    assert document["nodes"]["note"]["output"] == "failed at read"


def test_bytes_written_grow_linearly_with_the_chain(tmp_path: Path) -> None:
    written = {}
    for count in (150, 300):
        workflow = load_workflow(write(tmp_path, chain_text(count), f"c{count}.flow.md"))
        executor = prepare(workflow, plan_facts(workflow), config=None, input=None,
                           secrets=None, options=ExecutionOptions(
                               persistence_path=tmp_path / f"c{count}.json"))
        assert isinstance(executor.state.nodes, NodeTable)

        async def main(executor: Any = executor) -> None:
            try:
                await executor.execute()
            finally:
                await executor.aclose()

        asyncio.run(main())
        assert executor.state.nodes[f"n{count - 1}"].output == count - 1
        written[count] = executor.persistence.store.bytes_written
        assert JsonFileStore(tmp_path / f"c{count}.json").read()["nodes"][f"n{count - 1}"][
            "output"] == count - 1
    assert written[300] <= 2.2 * written[150]


def test_runs_lists_the_persisted_runs(tmp_path: Path) -> None:
    state_dir = tmp_path / "runs"
    path = write(tmp_path, CHAIN)
    first = run(path, options=ExecutionOptions(
        persistence_path=state_dir / "chain" / "20250101-000000-aaaaaaaa.json",
        run_id="20250101-000000-aaaaaaaa"))
    rows = list_runs(state_dir)
    assert len(rows) == 1
    assert rows[0]["run_id"] == first.run_id and rows[0]["workflow"] == "chain"
    assert rows[0]["status"] == "completed"
    assert rows[0]["started_at"] == first.started_at
    assert rows[0]["duration_ms"] == first.duration_ms
