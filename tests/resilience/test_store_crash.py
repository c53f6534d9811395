"""SIGKILL fault injection: a writer killed at random moments leaves a state that reads as
a prefix of what it wrote (SPEC §8.3, §8.6)."""

from __future__ import annotations

import copy
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from flowscript.engine.store import FORMAT, STATE_FIELDS, JsonFileStore, lock_holder, merge_patch

SRC = str(Path(__file__).resolve().parents[2] / "src")
KILLS = 30

#: The writer: continues the state (or starts it), then appends patch after patch, with an
#: explicit snapshot now and then besides the store's own compactions, until killed.
WRITER = """
import sys
sys.path.insert(0, {src!r})
from pathlib import Path
from flowscript.engine.store import JsonFileStore
sys.path.insert(0, {here!r})
from test_store_crash import initial, patch

store = JsonFileStore({path!r})
store.lock()
if Path({path!r}).exists():
    document = store.open_existing()
else:
    document = initial()
    store.write_snapshot(document)
seq = document["seq"] or 0
print("ready", flush=True)
while True:
    seq += 1
    store.append(patch(seq))
    if seq % 17 == 0:
        store.write_snapshot(store.read())
"""


def initial() -> dict[str, Any]:
    return {"format": FORMAT, "seq": 0, "run_id": "crash", "status": "running",
            "config": {"padding": "c" * 3000}, "nodes": {}, "current_wave": -1}


def patch(seq: int) -> dict[str, Any]:
    """Patch number ``seq``: a new node result, and every 10th a deletion of an older one."""
    body: dict[str, Any] = {"nodes": {f"n{seq}": {"seq": seq, "output": "o" * (seq % 300)}},
                            "current_wave": seq}
    if seq % 10 == 0:
        body["nodes"][f"n{seq - 5}"] = None
    return body


def expected(seq: int) -> dict[str, Any]:
    document = copy.deepcopy(initial())
    for n in range(1, seq + 1):
        document = merge_patch(document, patch(n))
    document["seq"] = seq
    return {**{name: None for name in STATE_FIELDS}, **document}


def test_sigkill_at_random_moments_leaves_a_prefix_of_the_history(tmp_path: Path) -> None:
    path = tmp_path / "state" / "crash.json"
    here = str(Path(__file__).resolve().parent)
    script = WRITER.format(src=SRC, here=here, path=str(path))
    rng = random.Random(20250309)
    last_seq = 0
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        document = JsonFileStore(path).read()
        assert document == expected(document["seq"])
        # Every append was fsynced before the next one began: nothing is ever lost.
        assert document["seq"] >= last_seq
        last_seq = document["seq"]
        assert lock_holder(path) is None
    assert last_seq > KILLS  # the writers made progress between kills
