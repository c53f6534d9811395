"""The state directory: run ids, state paths, `flowscript runs` and run-id lookup
(SPEC §8.1, §10.5, §10.6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.runs import default_state_dir, find_run, list_runs, new_run_id, state_path
from flowscript.engine.store import FORMAT, JsonFileStore
from flowscript.errors import ResumeError


def record(state_dir: Path, workflow: str, run_id: str, status: str, started: str,
           **fields: Any) -> Path:
    path = state_path(state_dir, workflow, run_id)
    store = JsonFileStore(path, fsync=False)
    store.write_snapshot({"format": FORMAT, "run_id": run_id, "status": "running",
                          "workflow": {"name": workflow, "version": "1.0"},
                          "started_at": started, "duration_ms": None, **fields})
    store.append({"status": status, "duration_ms": 1500})
    store.close()
    return path


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    record(root, "orders", "20250309-140507-3fa91c0d", "completed", "2025-03-09T14:05:07.042Z")
    record(root, "orders", "20250310-090000-0be41d77", "failed", "2025-03-10T09:00:00.000Z")
    record(root, "reports", "20250308-120000-aa11bb22", "completed",
           "2025-03-08T12:00:00.000Z")
    return root


def test_run_ids_are_the_utc_start_and_eight_hex_digits() -> None:
    run_id = new_run_id(datetime(2025, 3, 9, 15, 5, 7, tzinfo=timezone(timedelta(hours=1))))
    assert re.fullmatch(r"20250309-140507-[0-9a-f]{8}", run_id)
    assert re.fullmatch(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}", new_run_id())
    assert new_run_id() != new_run_id()


def test_state_paths_and_the_default_state_dir(tmp_path: Path) -> None:
    assert state_path(tmp_path, "orders", "r1") == tmp_path / "orders" / "r1.json"
    assert default_state_dir({}) == Path(".flowscript") / "runs"
    assert default_state_dir({"FLOWSCRIPT_STATE_DIR": "/x/y"}) == Path("/x/y")


def test_runs_are_listed_newest_first(state_dir: Path) -> None:
    runs = list_runs(state_dir)
    assert [run["run_id"] for run in runs] == ["20250310-090000-0be41d77",
                                               "20250309-140507-3fa91c0d",
                                               "20250308-120000-aa11bb22"]
    assert runs[0] == {"run_id": "20250310-090000-0be41d77", "workflow": "orders",
                       "status": "failed", "started_at": "2025-03-10T09:00:00.000Z",
                       "duration_ms": 1500,
                       "state_path": str(state_dir / "orders" / "20250310-090000-0be41d77.json")}


def test_runs_are_filtered_and_limited(state_dir: Path) -> None:
    assert [r["run_id"] for r in list_runs(state_dir, workflow="reports")] == \
        ["20250308-120000-aa11bb22"]
    assert [r["run_id"] for r in list_runs(state_dir, status="completed")] == \
        ["20250309-140507-3fa91c0d", "20250308-120000-aa11bb22"]
    assert len(list_runs(state_dir, limit=1)) == 1
    assert len(list_runs(state_dir, limit=None)) == 3


def test_listing_tolerates_torn_journals_and_skips_foreign_files(state_dir: Path) -> None:
    path = state_path(state_dir, "orders", "20250309-140507-3fa91c0d")
    with open(str(path) + ".journal", "ab") as journal:
        journal.write(b'{"seq": 2, "patch": {"status": "runn')
    (state_dir / "orders" / "notes.json").write_text('{"format": "something-else"}')
    (state_dir / "orders" / "broken.json").write_text("{")
    runs = {run["run_id"]: run for run in list_runs(state_dir)}
    assert set(runs) == {"20250310-090000-0be41d77", "20250309-140507-3fa91c0d",
                         "20250308-120000-aa11bb22"}
    assert runs["20250309-140507-3fa91c0d"]["status"] == "completed"


def test_a_missing_state_dir_lists_nothing(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "nowhere") == []


def test_find_run_by_id_or_unique_prefix(state_dir: Path) -> None:
    full = state_dir / "orders" / "20250309-140507-3fa91c0d.json"
    assert find_run(state_dir, "20250309-140507-3fa91c0d") == full
    assert find_run(state_dir, "20250309") == full
    assert find_run(state_dir, "20250308-") == \
        state_dir / "reports" / "20250308-120000-aa11bb22.json"


def test_an_ambiguous_prefix_names_the_candidates(state_dir: Path) -> None:
    with pytest.raises(ResumeError) as caught:
        find_run(state_dir, "202503")
    assert caught.value.code == "FS-RUN-007"
    message = str(caught.value)
    assert "ambiguous" in message and "orders/20250309-140507-3fa91c0d" in message


@pytest.mark.parametrize("query", ["", "   ", "2024", "zzz"])
def test_unknown_runs_are_fs_run_007(state_dir: Path, query: str) -> None:
    with pytest.raises(ResumeError) as caught:
        find_run(state_dir, query)
    assert caught.value.code == "FS-RUN-007"


def test_a_missing_state_dir_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="does not exist") as caught:
        find_run(tmp_path / "nowhere", "2025")
    assert caught.value.code == "FS-RUN-007"


def test_a_run_id_recorded_in_two_workflows_is_ambiguous(tmp_path: Path) -> None:
    started = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    record(tmp_path, "a", "same-id", "completed", started)
    record(tmp_path, "b", "same-id", "completed", started)
    with pytest.raises(ResumeError, match="ambiguous"):
        find_run(tmp_path, "same-id")
