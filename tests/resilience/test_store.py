"""The file store: atomic snapshots, the merge-patch journal, torn lines, compaction, the
lock and the format check (SPEC §8.1–§8.4)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript.engine.store import (
    FORMAT,
    STATE_FIELDS,
    JsonFileStore,
    MemoryStore,
    diff,
    lock_holder,
    merge_patch,
)
from flowscript.errors import ResumeError

SRC = str(Path(__file__).resolve().parents[2] / "src")


def initial_document(run_id: str = "r1") -> dict[str, Any]:
    """A run-start document; its config makes it about 2 kB, as real ones are."""
    return {"format": FORMAT, "seq": 0, "run_id": run_id, "status": "running",
            "workflow": {"name": "demo", "version": "1.0"}, "current_wave": -1,
            "config": {"padding": "p" * 2000}, "nodes": {}}


def node_patch(i: int, size: int = 40) -> dict[str, Any]:
    return {"nodes": {f"n{i}": {"id": f"n{i}", "status": "success", "output": "x" * size,
                                "attempts": 1}},
            "current_wave": i}


def with_nulls(document: dict[str, Any]) -> dict[str, Any]:
    return {**{name: None for name in STATE_FIELDS}, **document}


def replay(patches: list[dict[str, Any]], upto: int) -> dict[str, Any]:
    document = copy.deepcopy(initial_document())
    for patch in patches[:upto]:
        document = merge_patch(document, copy.deepcopy(patch))
    document["seq"] = upto
    return with_nulls(document)


# -- merge patches ---------------------------------------------------------------------

#: The examples of RFC 7386, appendix A.
RFC_7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC_7386)
def test_merge_patch_follows_rfc_7386(target: Any, patch: Any, expected: Any) -> None:
    assert merge_patch(copy.deepcopy(target), patch) == expected


JSON_LEAVES = st.one_of(st.booleans(), st.integers(), st.text(max_size=5),
                        st.floats(allow_nan=False, allow_infinity=False))
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12)
JSON_OBJECTS = st.dictionaries(st.text(max_size=3), JSON_VALUES, max_size=5)


@given(JSON_OBJECTS, JSON_OBJECTS)
@settings(max_examples=300)
def test_diff_is_the_patch_from_old_to_new(old: dict, new: dict) -> None:
    patch = diff(old, new)
    assert merge_patch(copy.deepcopy(old), copy.deepcopy(patch)) == new
    if old == new and json.dumps(old) == json.dumps(new):
        assert patch == {}


def test_diff_carries_only_what_changed() -> None:
    old = {"status": "running", "nodes": {"a": {"status": "success"}}, "current_wave": 0}
    new = {"status": "running", "nodes": {"a": {"status": "success"},
                                          "b": {"status": "failed"}}, "current_wave": 1}
    assert diff(old, new) == {"nodes": {"b": {"status": "failed"}}, "current_wave": 1}
    assert diff({"x": 1}, {"x": 1.0}) == {"x": 1.0}
    assert diff({"x": 1, "y": 2}, {"y": None}) == {"x": None, "y": None}


# -- snapshots and journal -------------------------------------------------------------

def test_a_snapshot_reads_back(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "runs" / "demo" / "r1.json")
    assert store.write_snapshot(initial_document()) == "snapshot"
    assert store.read() == with_nulls(initial_document())
    assert sorted(os.listdir(store.path.parent)) == ["r1.json"]
    store.close()


def test_appends_are_merge_patch_lines(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    assert store.append(node_patch(1)) == "journal"
    assert store.append({"nodes": {"n1": {"attempts": 2}}, "status": "failed"}) == "journal"
    lines = store.journal_path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert [json.loads(line) for line in lines[:-1]] == [
        {"seq": 1, "patch": node_patch(1)},
        {"seq": 2, "patch": {"nodes": {"n1": {"attempts": 2}}, "status": "failed"}}]
    document = store.read()
    assert document["seq"] == 2
    assert document["status"] == "failed"
    # a node result is replaced whole (apply_patch), never merged field by field
    assert document["nodes"]["n1"] == {"attempts": 2}
    store.close()


def test_absent_fields_read_as_null(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot({"format": FORMAT, "run_id": "r1", "extra": 1})
    store.append({"run_id": None})
    document = store.read()
    assert all(name in document for name in STATE_FIELDS)
    assert document["run_id"] is None and document["output"] is None
    assert document["extra"] == 1  # unknown fields are kept for the reader to ignore
    store.close()


def test_every_torn_journal_prefix_reads_as_a_prefix_of_the_history(tmp_path: Path) -> None:
    patches = [node_patch(i, size=i) for i in range(1, 6)]
    patches.append({"nodes": {"n2": None}, "status": "completed"})
    store = JsonFileStore(tmp_path / "r1.json", fsync=False)
    store.write_snapshot(initial_document())
    for patch in patches:
        store.append(patch)
    store.close()
    journal = store.journal_path.read_bytes()
    ends = [i + 1 for i, byte in enumerate(journal) if byte == ord("\n")]
    for cut in range(len(journal) + 1):
        store.journal_path.write_bytes(journal[:cut])
        complete = sum(1 for end in ends if end <= cut)
        assert JsonFileStore(store.path).read() == replay(patches, complete), cut


def test_reading_stops_at_an_invalid_line(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    store.append(node_patch(1))
    store.close()
    with open(store.journal_path, "ab") as journal:
        journal.write(b'{"seq": 2, "patch": {"status": "fai\n')
        journal.write(b'{"seq": 3, "patch": {"status": "completed"}}\n')
    assert store.read() == replay([node_patch(1)], 1)


@pytest.mark.parametrize("line", [b'["not", "an", "entry"]\n', b'{"seq": "2", "patch": {}}\n',
                                  b'{"seq": 2}\n', b'{"seq": 4, "patch": {"a": 1}}\n'])
def test_malformed_or_out_of_order_entries_end_the_journal(tmp_path: Path,
                                                           line: bytes) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    store.append(node_patch(1))
    store.close()
    with open(store.journal_path, "ab") as journal:
        journal.write(line)
    assert store.read()["seq"] == 1


def test_journal_lines_covered_by_the_snapshot_are_skipped(tmp_path: Path) -> None:
    """A crash between the snapshot rename and the journal truncation leaves old lines."""
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    patches = [node_patch(1), node_patch(2), {"nodes": {"n1": None}}]
    for patch in patches:
        store.append(patch)
    old_journal = store.journal_path.read_bytes()
    store.compact()
    store.close()
    assert store.journal_path.read_bytes() == b""
    store.journal_path.write_bytes(old_journal)
    assert store.read() == replay(patches, 3)
    assert json.loads(store.path.read_bytes())["seq"] == 3


def test_a_new_store_on_an_existing_state_continues_its_seq(tmp_path: Path) -> None:
    first = JsonFileStore(tmp_path / "r1.json")
    first.write_snapshot(initial_document())
    first.append(node_patch(1))
    first.append({"status": "failed"})
    first.close()
    second = JsonFileStore(tmp_path / "r1.json")
    second.write_snapshot({**initial_document(), "status": "running", "resume_count": 1})
    second.append({"status": "completed"})
    second.close()
    document = JsonFileStore(tmp_path / "r1.json").read()
    assert (document["seq"], document["status"], document["resume_count"]) == (3, "completed", 1)
    assert document["nodes"] == {}


def test_open_existing_drops_a_torn_tail_so_later_appends_are_read(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    store.append(node_patch(1))
    store.close()
    with open(store.journal_path, "ab") as journal:
        journal.write(b'{"seq": 2, "pat')
    resumed = JsonFileStore(tmp_path / "r1.json")
    assert resumed.open_existing() == replay([node_patch(1)], 1)
    resumed.append(node_patch(2))
    resumed.close()
    assert JsonFileStore(tmp_path / "r1.json").read() == replay([node_patch(1),
                                                                 node_patch(2)], 2)


def test_an_append_torn_by_a_write_error_is_repaired_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    store.append(node_patch(1))

    def disk_full(fd: int, data: bytes) -> None:
        os.write(fd, data[:10])
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("flowscript.engine.store._write_all", disk_full)
        with pytest.raises(OSError):
            store.append(node_patch(2))
    store.append(node_patch(3))
    store.close()
    expected = replay([node_patch(1), node_patch(3)], 2)
    assert JsonFileStore(store.path).read() == expected


def test_an_append_whose_fsync_failed_is_not_written_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    store.append(node_patch(1))

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patched:
        patched.setattr("flowscript.engine.store.os.fsync", failing_fsync)
        with pytest.raises(OSError):
            store.append(node_patch(2))  # the line is whole; only its fsync failed
    store.append(node_patch(3))
    store.close()
    patches = [node_patch(1), node_patch(2), node_patch(3)]
    assert JsonFileStore(store.path).read() == replay(patches, 3)


def test_compaction_folds_the_journal_into_a_snapshot(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json", fsync=False)
    store.write_snapshot(initial_document())
    patches = [node_patch(i) for i in range(1, 201)]
    kinds = [store.append(patch) for patch in patches]
    assert "snapshot" in kinds
    last_compaction = len(kinds) - kinds[::-1].index("snapshot")
    assert json.loads(store.path.read_bytes())["seq"] == last_compaction
    assert store.journal_path.stat().st_size > 0  # appends after the last compaction
    assert store.journal_path.stat().st_size <= 2 * store.path.stat().st_size
    assert store.read() == replay(patches, 200)
    store.close()


def test_compaction_keeps_the_journal_no_larger_than_twice_the_snapshot(
        tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json", fsync=False)
    store.write_snapshot(initial_document())
    for i in range(1, 400):
        store.append({"progress": {"loop": {"iteration": i}}})  # the document never grows
        assert store.journal_path.stat().st_size <= 2 * store.path.stat().st_size + 200
    assert store.read()["progress"] == {"loop": {"iteration": 399}}
    store.close()


@pytest.mark.parametrize("size", [10, 300, 3000])
def test_bytes_written_grow_linearly(tmp_path: Path, size: int) -> None:
    written = {}
    for count in (1000, 2000):
        store = JsonFileStore(tmp_path / f"chain-{count}.json", fsync=False)
        store.write_snapshot(initial_document())
        for i in range(count):
            store.append(node_patch(i, size))
        store.append({"status": "completed"})
        written[count] = store.bytes_written
        store.close()
    assert written[2000] / written[1000] <= 2.2


def test_snapshots_are_replaced_atomically(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    store.write_snapshot(initial_document())
    before = os.stat(store.path).st_ino
    store.write_snapshot({**initial_document(), "status": "completed"})
    assert os.stat(store.path).st_ino != before  # a new file renamed over the old one
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert store.read()["status"] == "completed"
    store.close()


# -- refusing states -------------------------------------------------------------------

def test_a_foreign_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r1.json"
    path.write_text(json.dumps({"format": "flowscript-state/2", "seq": 0}))
    with pytest.raises(ResumeError) as caught:
        JsonFileStore(path).read()
    assert caught.value.code == "FS-RUN-007"
    assert "flowscript-state/2" in str(caught.value)


@pytest.mark.parametrize("content", [None, "", "{not json", "[1, 2]", '{"seq": 0}'])
def test_missing_or_unreadable_states_are_fs_run_007(tmp_path: Path,
                                                     content: str | None) -> None:
    path = tmp_path / "r1.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ResumeError) as caught:
        JsonFileStore(path).read()
    assert caught.value.code == "FS-RUN-007"
    assert caught.value.exit_code == 2


# -- the lock --------------------------------------------------------------------------

def test_the_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "r1.json")
    assert lock_holder(store.path) is None
    store.lock()
    assert lock_holder(store.path) == os.getpid()
    assert store.lock_path.read_text().strip() == str(os.getpid())
    with pytest.raises(ResumeError) as caught:
        JsonFileStore(tmp_path / "r1.json").lock()
    assert caught.value.code == "FS-RUN-008"
    assert str(os.getpid()) in str(caught.value)
    store.unlock()
    assert lock_holder(store.path) is None
    with JsonFileStore(tmp_path / "r1.json").locked():
        assert lock_holder(store.path) == os.getpid()
    assert lock_holder(store.path) is None


HOLD_LOCK = """
import sys, time
sys.path.insert(0, {src!r})
from flowscript.engine.store import JsonFileStore
store = JsonFileStore({path!r})
store.lock()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_lock_held_by_a_live_process_is_seen_and_freed_when_it_dies(
        tmp_path: Path) -> None:
    path = tmp_path / "r1.json"
    child = subprocess.Popen([sys.executable, "-c", HOLD_LOCK.format(src=SRC, path=str(path))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        assert lock_holder(path) == child.pid
        with pytest.raises(ResumeError) as caught:
            JsonFileStore(path).lock()
        assert caught.value.code == "FS-RUN-008"
        assert str(child.pid) in str(caught.value)
    finally:
        child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()
    assert lock_holder(path) is None
    JsonFileStore(path).lock()


# -- the memory store ------------------------------------------------------------------

def test_the_memory_store_behaves_like_the_file_store() -> None:
    store = MemoryStore()
    with pytest.raises(ResumeError):
        store.read()
    store.write_snapshot(initial_document())
    patches = [node_patch(1), node_patch(2), {"nodes": {"n1": None}}]
    for patch in patches:
        assert store.append(patch) == "journal"
    assert store.read() == replay(patches, 3)


def test_nulls_inside_node_outputs_survive_the_journal(tmp_path: Path) -> None:
    """Node results and the output are data: a null inside them is kept on replay."""
    store = JsonFileStore(tmp_path / "s.json", fsync=False)
    store.write_snapshot({"format": FORMAT, "nodes": {}, "status": "running"})
    result = {"status": "success", "output": {"a": None, "b": [None, {"c": None}]}}
    store.append({"nodes": {"fetch": result}, "status": "completed",
                  "output": {"x": None}})
    document = JsonFileStore(tmp_path / "s.json").read()
    assert document["nodes"]["fetch"] == result
    assert document["output"] == {"x": None}
    assert document["status"] == "completed"
