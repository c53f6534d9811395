"""Persistence and resilience costs, measured on the store and helpers alone.

    python bench/bench_persistence.py [--dir DIR] [--records N]

Prints three tables: bytes written for chains of 1,000 and 2,000 node results (SPEC §8.3
asks for at most about 2.2×), the cost of one journal record with fsync on and off against
a store that does nothing, and the happy-path cost of ``retry_loop`` and of redaction.
``--dir`` picks the file system measured (fsync on tmpfs costs nothing).

Then the same through the real executor: a chain of 1,000 template nodes run with
persistence off and on (fsync off and on), per node, and the bytes the run's state store
wrote for chains of 1,000 and 2,000 nodes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from flowscript.engine.api import load_workflow, prepare
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.persistence import FilePersistence
from flowscript.engine.planning import plan_facts
from flowscript.engine.redact import Redactor
from flowscript.engine.retry import FakeClock, RetryPolicy, retry_loop
from flowscript.engine.store import FORMAT, JsonFileStore, MemoryStore


class NullStore:
    """The reference: a store that writes nothing."""

    def write_snapshot(self, document: Mapping[str, Any]) -> str:
        return "snapshot"

    def append(self, patch: Mapping[str, Any]) -> str:
        return "journal"

    def close(self) -> None:
        return None


def run_start() -> dict[str, Any]:
    """A run-start document of about 2 kB (plan, config, options)."""
    return {"format": FORMAT, "seq": 0, "run_id": "20250309-140507-3fa91c0d",
            "workflow": {"name": "chain", "version": "1.0.0", "path": "/work/chain.flow.md",
                         "hash": "sha256:" + "0" * 64},
            "status": "running", "created_at": "2025-03-09T14:05:07.042Z",
            "options": {"max_concurrency": 10, "timeout": None, "default_retry": None},
            "config": {"region": "eu", "notes": "n" * 1500}, "input": None,
            "plan": [], "current_wave": -1, "nodes": {}}


def node_patch(i: int) -> dict[str, Any]:
    """What the executor appends after wave ``i`` of a chain: one node result (§6.6)."""
    key = f"step-{i}"
    return {"nodes": {key: {
        "id": key, "kind": "transform:template", "status": "success",
        "output": {"value": i, "text": f"result of step {i}"}, "error": None, "attempts": 1,
        "started_at": "2025-03-09T14:05:07.042Z", "completed_at": "2025-03-09T14:05:07.043Z",
        "duration_ms": 1, "recovered_by": None, "fallback_error": None, "redacted": False,
        "meta": {}}},
        "current_wave": i, "updated_at": "2025-03-09T14:05:07.043Z"}


def chain_bytes(directory: Path, count: int) -> int:
    store = JsonFileStore(directory / f"chain-{count}.json", fsync=False)
    store.write_snapshot(run_start())
    for i in range(count):
        store.append(node_patch(i))
    store.append({"status": "completed", "completed_at": "2025-03-09T14:05:09.000Z"})
    store.close()
    return store.bytes_written


def per_record(make: Callable[[], Any], records: int) -> float:
    """Seconds per appended record (best of three runs)."""
    patches = [node_patch(i) for i in range(records)]
    best = float("inf")
    for _ in range(3):
        store = make()
        store.write_snapshot(run_start())
        start = time.perf_counter()
        for patch in patches:
            store.append(patch)
        best = min(best, (time.perf_counter() - start) / records)
        store.close()
    return best


def retry_overhead(calls: int) -> tuple[float, float]:
    """Seconds per call: awaiting an attempt directly, and through ``retry_loop``."""

    async def attempt(number: int) -> int:
        return number

    async def direct() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            await attempt(1)
        return (time.perf_counter() - start) / calls

    async def wrapped() -> float:
        policy, clock = RetryPolicy(), FakeClock()
        start = time.perf_counter()
        for _ in range(calls):
            await retry_loop(attempt, policy, clock)
        return (time.perf_counter() - start) / calls

    return (min(asyncio.run(direct()) for _ in range(3)),
            min(asyncio.run(wrapped()) for _ in range(3)))


def redaction_cost(calls: int) -> tuple[float, float]:
    """Seconds to redact one node output without secrets and with three."""
    value = node_patch(7)["nodes"]["step-7"]
    timings = []
    for redactor in (Redactor(), Redactor({"A": "token-abc-123", "B": "p@ssw0rd!",
                                           "C": "sk-live-0123456789"})):
        start = time.perf_counter()
        for _ in range(calls):
            redactor.redact(value)
        timings.append((time.perf_counter() - start) / calls)
    return timings[0], timings[1]


def chain_workflow(directory: Path, count: int) -> Path:
    """A chain of ``count`` template nodes, each using the previous node's output."""
    nodes = ['  <transform id="n0" type="template"><template>{{ 0 }}</template></transform>']
    nodes += [f'  <transform id="n{i}" type="template" input="n{i - 1}">'
              f"<template>{{{{ input + 1 }}}}</template></transform>" for i in range(1, count)]
    path = directory / f"chain-{count}.flow.md"
    path.write_text("---\nname: chain\nversion: 1.0.0\n---\n<workflow>\n"
                    + "\n".join(nodes) + "\n</workflow>\n")
    return path


def executor_chain(directory: Path, count: int, persist: bool | None) -> tuple[float, int]:
    """Seconds per node and bytes written for one run of the chain through the executor:
    ``persist`` None is no persistence, False a store without fsync, True with fsync."""
    workflow = load_workflow(chain_workflow(directory, count))
    facts = plan_facts(workflow)
    state_file = directory / f"exec-{count}-{persist}-{time.monotonic_ns()}.json"
    options = ExecutionOptions(persistence_path=state_file if persist is not None else None)
    persistence = None
    if persist is not None:
        persistence = FilePersistence(JsonFileStore(state_file, fsync=persist))
    executor = prepare(workflow, facts, config=None, input=None, secrets=None,
                       options=options, persistence=persistence)

    async def main() -> float:
        start = time.perf_counter()
        try:
            await executor.execute()
        finally:
            await executor.aclose()
        return time.perf_counter() - start

    seconds = asyncio.run(main())
    written = persistence.store.bytes_written if persistence is not None else 0
    return seconds / count, written


def executor_figures(directory: Path) -> None:
    """Per-node cost with persistence off and on (goal: on ≤ 2× off, SPEC §8.3), and the
    bytes the executor's store writes for 1,000 vs 2,000 nodes (goal ≤ 2.2×)."""
    rows = []
    base = min(executor_chain(directory, 1000, None)[0] for _ in range(3))
    for name, persist in (("persistence off", None), ("persistence on, fsync off", False),
                          ("persistence on, fsync on", True)):
        seconds = min(executor_chain(directory, 1000, persist)[0] for _ in range(3))
        rows.append((name, f"{seconds * 1e6:,.1f} µs", f"{seconds / base:.2f}×"))
    table(f"Executor: 1,000-node template chain, per node (best of 3, "
          f"{os.path.abspath(directory)})", ("run", "per node", "vs off"), rows)
    small = executor_chain(directory, 1000, False)[1]
    large = executor_chain(directory, 2000, False)[1]
    table("Executor: bytes written by the run's state store", ("nodes", "bytes", "ratio"),
          [("1000", f"{small:,}", "1.00×"), ("2000", f"{large:,}", f"{large / small:.2f}×")])


def table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=None, help="directory on the file system to measure")
    parser.add_argument("--records", type=int, default=500, help="records per timing run")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="fs-bench-", dir=args.dir))
    try:
        small, large = chain_bytes(directory, 1000), chain_bytes(directory, 2000)
        table("Bytes written by a chain (snapshot + journal + compactions)",
              ("nodes", "bytes", "ratio"),
              [("1000", f"{small:,}", "1.00×"), ("2000", f"{large:,}", f"{large / small:.2f}×")])

        counter = iter(range(10**9))
        stores: list[tuple[str, Callable[[], Any]]] = [
            ("no-op store", NullStore),
            ("MemoryStore", MemoryStore),
            ("JsonFileStore fsync off",
             lambda: JsonFileStore(directory / f"r{next(counter)}.json", fsync=False)),
            ("JsonFileStore fsync on",
             lambda: JsonFileStore(directory / f"r{next(counter)}.json", fsync=True)),
        ]
        base = per_record(NullStore, args.records)
        rows = []
        for name, make in stores:
            seconds = per_record(make, args.records)
            added = max(0.0, seconds - base)
            rows.append((name, f"{seconds * 1e6:,.1f} µs", f"+{added * 1e6:,.1f} µs"))
        table(f"Cost of one node-result record ({args.records} records, best of 3, "
              f"{os.path.abspath(directory)})", ("store", "per record", "added vs no-op"), rows)

        direct, wrapped = retry_overhead(20000)
        clean, secret = redaction_cost(20000)
        table("Happy-path helpers", ("operation", "per call", "note"), [
            ("await attempt()", f"{direct * 1e9:,.0f} ns", "reference"),
            ("retry_loop(attempt) first-time success", f"{wrapped * 1e9:,.0f} ns",
             f"+{(wrapped - direct) * 1e9:,.0f} ns"),
            ("Redactor().redact(result), no secrets", f"{clean * 1e9:,.0f} ns", "no-op path"),
            ("redact(result), 3 secrets, none present", f"{secret * 1e9:,.0f} ns",
             "substring pre-check"),
        ])
        executor_figures(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
