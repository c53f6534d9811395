"""``flowscript.resume``/``aresume`` (SPEC §8.6, §10.10): what a resumed run keeps, what
it runs again, and what it refuses — on real files, real HTTP requests and a real lock
held by another process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import flowscript
from flowscript.engine.api import aresume, resume, run
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.store import JsonFileStore, lock_holder
from flowscript.errors import ConfigError, NodeError, ResumeError

from .support import HttpServer

SRC = str(Path(__file__).resolve().parents[2] / "src")

AFTER_FAILURE = """---
name: resumable
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <source id="first" type="http"><request>url: "{{ $env.FS_TEST_HTTP }}/first"</request></source>
  <source id="second" type="http" input="first">
    <request>url: "{{ $env.FS_TEST_HTTP }}/second?from={{ input.id }}"</request>
  </source>
  <transform id="report" type="template" input="second">
    <template>{{ {'done': input.done, 'resumed': $execution.resumed} }}</template>
  </transform>
  <output><set field="report" value="{{ report }}"/></output>
</workflow>
"""

ROUTES = {"/first": {"json": {"id": 42}},
          "/second": {"sequence": [{"status": 500}, {"json": {"done": True}}]}}


@pytest.fixture
def env(server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> HttpServer:
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    server.routes(ROUTES)
    return server


def write(tmp_path: Path, text: str, name: str = "flow.flow.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def fail_first(tmp_path: Path, text: str = AFTER_FAILURE, **options: Any) -> Path:
    """Run ``text`` once, expecting it to fail; returns the state path."""
    state_file = tmp_path / "state" / "run.json"
    with pytest.raises(NodeError):
        run(write(tmp_path, text), options=ExecutionOptions(persistence_path=state_file,
                                                            **options))
    return state_file


def hits(server: HttpServer, path: str) -> int:
    return int(server.hits(path)["hits"])


def test_resume_keeps_successes_and_reruns_the_failed_node(tmp_path: Path,
                                                           env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    failed = JsonFileStore(state_file).read()
    events: list[dict[str, Any]] = []
    state = resume(state_file, options=ExecutionOptions(on_event=events.append))
    assert state.status == "completed"
    assert state.output == {"report": {"done": True, "resumed": True}}
    assert state.run_id == failed["run_id"] and state.state_path == str(state_file)
    assert hits(env, "/first") == 1 and hits(env, "/second") == 2
    assert state.nodes["first"].output == {"id": 42}
    # persisted as running first, then announced (SPEC §6.1)
    assert [e["type"] for e in events[:2]] == ["state_saved", "run_started"]
    assert events[1]["resumed"] is True
    assert [e["nodes"] for e in events if e["type"] == "wave_started"] == [["second"],
                                                                          ["report"]]
    assert [e["wave"] for e in events if e["type"] == "wave_started"] == [1, 2]
    on_disk = JsonFileStore(state_file).read()
    assert on_disk["status"] == "completed" and on_disk["resume_count"] == 1
    assert on_disk["run_id"] == failed["run_id"]
    assert on_disk["created_at"] == failed["created_at"]
    assert on_disk["nodes"]["first"] == failed["nodes"]["first"]
    assert lock_holder(state_file) is None


def test_the_public_names_resume_too(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path)

    async def main() -> Any:
        return await flowscript.aresume(str(state_file))

    assert asyncio.run(main()).status == "completed"
    assert flowscript.resume is resume and flowscript.aresume is aresume


def test_a_partial_wave_reruns_only_its_failed_node(tmp_path: Path, env: HttpServer) -> None:
    env.routes({"/left": {"json": "L"}, "/right": {"json": "R"},
                "/middle": {"sequence": [{"status": 500}, {"json": "M"}]}})
    text = """---
name: wave
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <source id="left" type="http"><request>url: "{{ $env.FS_TEST_HTTP }}/left"</request></source>
  <source id="middle" type="http"><request>url: "{{ $env.FS_TEST_HTTP }}/middle"</request></source>
  <source id="right" type="http"><request>url: "{{ $env.FS_TEST_HTTP }}/right"</request></source>
  <transform id="joined" type="template">
    <template>{{ [left.output, middle.output, right.output] }}</template>
  </transform>
</workflow>
"""
    state = resume(fail_first(tmp_path, text))
    assert state.nodes["joined"].output == ["L", "M", "R"]
    assert [hits(env, p) for p in ("/left", "/middle", "/right")] == [1, 2, 1]


def test_a_completed_run_is_reported_without_running(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    resume(state_file)
    before = JsonFileStore(state_file).read()
    again = resume(state_file)
    assert again.status == "completed" and again.output == before["output"]
    assert again.nodes["second"].output == {"done": True}
    assert again.to_json()["nodes"] == before["nodes"]
    assert hits(env, "/second") == 2
    assert JsonFileStore(state_file).read() == before


def test_missing_unreadable_and_foreign_states_are_refused(tmp_path: Path) -> None:
    foreign = write(tmp_path, json.dumps({"format": "other/1"}), "foreign.json")
    garbage = write(tmp_path, "{not json", "garbage.json")
    for path in (tmp_path / "missing.json", foreign, garbage):
        with pytest.raises(ResumeError) as caught:
            resume(path)
        assert caught.value.code == "FS-RUN-007"
    assert not (tmp_path / "missing.json.lock").exists()


def test_a_run_locked_by_a_live_process_is_refused(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[1]);"
         "from flowscript.engine.store import JsonFileStore;"
         "s = JsonFileStore(sys.argv[2]); s.lock(); print('locked', flush=True);"
         "sys.stdin.read()", SRC, str(state_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(ResumeError) as caught:
            resume(state_file)
        assert caught.value.code == "FS-RUN-008" and str(holder.pid) in caught.value.message
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert resume(state_file).status == "completed"
    assert hits(env, "/second") == 2


def test_a_changed_workflow_is_refused_unless_forced(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    changed = AFTER_FAILURE.replace("<output>", '<transform id="extra" type="template">'
                                    "<template>new</template></transform>\n  <output>")
    write(tmp_path, changed)
    with pytest.raises(ResumeError) as caught:
        resume(state_file)
    assert caught.value.code == "FS-RUN-006"
    assert hits(env, "/second") == 1 and lock_holder(state_file) is None
    state = resume(state_file, force=True)
    assert state.status == "completed" and state.nodes["extra"].output == "new"
    assert hits(env, "/first") == 1
    recorded = JsonFileStore(state_file).read()["workflow"]["hash"]
    assert recorded == flowscript.load(tmp_path / "flow.flow.md").hash


def test_the_workflow_can_be_given_when_the_file_moved(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path)
    moved = tmp_path / "elsewhere" / "moved.flow.md"
    moved.parent.mkdir()
    (tmp_path / "flow.flow.md").rename(moved)
    with pytest.raises(flowscript.ParseError):
        resume(state_file)
    assert resume(state_file, workflow=moved).status == "completed"


def test_secrets_are_read_again_and_a_missing_one_is_refused(
        tmp_path: Path, env: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    text = AFTER_FAILURE.replace("env: [FS_TEST_HTTP]", "env: [FS_TEST_HTTP]\nsecrets: [KEY]")
    text = text.replace("/first", "/first?k={{ $secrets.KEY }}")
    state_file = tmp_path / "state" / "run.json"
    with pytest.raises(NodeError):
        run(write(tmp_path, text), secrets={"KEY": "key-value-1"},
            options=ExecutionOptions(persistence_path=state_file))
    monkeypatch.delenv("KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        resume(state_file)
    assert caught.value.diagnostics[0].code == "FS-RUN-004"
    assert lock_holder(state_file) is None
    assert resume(state_file, secrets={"KEY": "key-value-1"}).status == "completed"


def test_redacted_results_are_run_again(tmp_path: Path, env: HttpServer) -> None:
    env.routes({"/echo-secret": {"echo": True},
                "/boom": {"sequence": [{"status": 500}, {"json": 1}]}})
    text = """---
name: redacted
version: 1.0.0
env: [FS_TEST_HTTP]
secrets: [KEY]
---
<workflow>
  <source id="leaky" type="http">
    <request>url: "{{ $env.FS_TEST_HTTP }}/echo-secret?k={{ $secrets.KEY }}"</request>
  </source>
  <source id="boom" type="http" input="leaky">
    <request>url: "{{ $env.FS_TEST_HTTP }}/boom"</request>
  </source>
</workflow>
"""
    state_file = tmp_path / "state" / "run.json"
    with pytest.raises(NodeError):
        run(write(tmp_path, text), secrets={"KEY": "very-secret-key"},
            options=ExecutionOptions(persistence_path=state_file))
    assert JsonFileStore(state_file).read()["nodes"]["leaky"]["redacted"] is True
    state = resume(state_file, secrets={"KEY": "very-secret-key"})
    assert state.status == "completed" and hits(env, "/echo-secret") == 2
    assert "very-secret-key" not in state_file.read_text()


def test_variables_are_restored_and_kept_set_nodes_not_rerun(
        tmp_path: Path, env: HttpServer) -> None:
    env.routes({"/boom": {"sequence": [{"status": 500}, {"json": 1}]}})
    text = """---
name: counter
version: 1.0.0
env: [FS_TEST_HTTP]
---
<workflow>
  <context><set var="count" value="0"/></context>
  <set id="bump" var="count" value="{{ count + 1 }}" input="$input"/>
  <source id="boom" type="http" input="bump">
    <request>url: "{{ $env.FS_TEST_HTTP }}/boom"</request>
  </source>
  <transform id="seen" type="template" input="boom"><template>{{ count }}</template></transform>
</workflow>
"""
    state = resume(fail_first(tmp_path, text))
    assert state.nodes["seen"].output == 1
    assert state.to_json()["variables"]["global"] == {"count": 1}


def test_recorded_options_apply_unless_overridden(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path, max_concurrency=3, timeout=50)
    assert JsonFileStore(state_file).read()["options"]["max_concurrency"] == 3
    resumed = resume(state_file)
    assert resumed.to_json()["options"]["max_concurrency"] == 3
    assert resumed.to_json()["options"]["timeout"] == 50


def test_given_options_override_the_recorded_ones(tmp_path: Path, env: HttpServer) -> None:
    state_file = fail_first(tmp_path, max_concurrency=3)
    resumed = resume(state_file, options=ExecutionOptions(max_concurrency=7, timeout=40))
    options = JsonFileStore(state_file).read()["options"]
    assert options["max_concurrency"] == 7 and options["timeout"] == 40
    assert resumed.status == "completed"


def test_a_resumed_run_that_fails_again_stays_resumable(tmp_path: Path,
                                                        env: HttpServer) -> None:
    env.routes({"/first": {"json": {"id": 1}},
                "/second": {"sequence": [{"status": 500}, {"status": 500},
                                         {"json": {"done": True}}]}})
    state_file = fail_first(tmp_path)
    with pytest.raises(NodeError) as caught:
        resume(state_file)
    assert caught.value.state.status == "failed"
    document = JsonFileStore(state_file).read()
    assert document["resume_count"] == 1 and document["status"] == "failed"
    assert resume(state_file).status == "completed"
    assert JsonFileStore(state_file).read()["resume_count"] == 2
    assert hits(env, "/first") == 1 and hits(env, "/second") == 3
