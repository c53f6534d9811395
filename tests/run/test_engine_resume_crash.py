"""Crash safety of a real run (SPEC §8.3, §8.6): a workflow run in a subprocess is killed
with SIGKILL at random moments, then resumed, again and again. Every state left behind
parses; the last resume reaches the outputs of an uninterrupted run; and no node that a
state recorded as successful ever runs again — counted by its side effects, the requests
the HTTP test server received per path and the lines a file sink appended."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.store import JsonFileStore
from flowscript.errors import ResumeError

from .support import HttpServer

SRC = str(Path(__file__).resolve().parents[2] / "src")
STEPS = 20
KILLS = 15

#: Runs (or resumes) the workflow through the public API and prints the outcome.
DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import flowscript
mode, workflow, state = sys.argv[2:5]
if mode == "run":
    result = flowscript.run(workflow, options=flowscript.ExecutionOptions(
        persistence_path=state))
else:
    result = flowscript.resume(state)
print(json.dumps({"status": result.status, "output": result.output,
                  "nodes": {k: r.output for k, r in result.nodes.items()}}))
"""


def chain_workflow() -> str:
    """``f<i>`` asks the server for ``/step/<i>``; ``l<i>`` appends ``l<i>`` to a file."""
    nodes = []
    for i in range(STEPS):
        after = f' input="l{i - 1}"' if i else ""
        nodes.append(f'  <source id="f{i}" type="http"{after}><request>'
                     f'url: "{{{{ $env.FS_TEST_HTTP }}}}/step/{i}"</request></source>')
        nodes.append(f'  <sink id="l{i}" type="file" input="f{i}"><path>counts.txt</path>'
                     f"<format>lines</format><mode>append</mode>"
                     f"<content>{{{{ ['l{i}'] }}}}</content></sink>")
    paths = ", ".join(f"f{i}.output.path" for i in range(STEPS))
    return ("---\nname: crashy\nversion: 1.0.0\nenv: [FS_TEST_HTTP]\n---\n<workflow>\n"
            + "\n".join(nodes) + f'\n  <output><set field="paths" value="{{{{ [{paths}] }}}}"/>'
            "</output>\n</workflow>\n")


def start(mode: str, workflow: Path, state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", DRIVER, SRC, mode, str(workflow),
                             str(state)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out)


def side_effects(server: HttpServer, directory: Path) -> Counter[str]:
    """Executions per node: requests per ``/step/<i>`` path, appended lines per sink."""
    counts: Counter[str] = Counter()
    for path, hits in server._call("GET", "/_hits").items():
        if path.startswith("/step/"):
            counts["f" + path.rsplit("/", 1)[1]] = hits
    counts_file = directory / "counts.txt"
    if counts_file.exists():
        counts.update(counts_file.read_text().split())
    return counts


class Round:
    """One run of the workflow in its own directory, killed and resumed until it ends."""

    def __init__(self, directory: Path, server: HttpServer, seed: int) -> None:
        directory.mkdir()
        self.directory, self.server, self.seed = directory, server, seed
        self.workflow, self.state = directory / "flow.flow.md", directory / "s.json"
        self.workflow.write_text(chain_workflow())
        server._call("POST", "/_reset")
        #: node → its executions when a state first recorded it as successful
        self.recorded: dict[str, int] = {}

    def start(self) -> subprocess.Popen[str]:
        return start("resume" if self.state.exists() else "run", self.workflow, self.state)

    def check_state(self, kill: int) -> str | None:
        """The state left by a kill parses, and its successful nodes have not run again
        since a state first recorded them. Returns the run status (None: no state yet)."""
        if not self.state.exists():
            return None  # killed before the first snapshot: nothing ran yet
        try:
            document = JsonFileStore(self.state).read()
        except ResumeError as error:  # pragma: no cover - the failure tested for
            raise AssertionError(f"kill {kill} left an unreadable state "
                                 f"(seed {self.seed})") from error
        counts = side_effects(self.server, self.directory)
        done = {key for key, node in document["nodes"].items() if node["status"] == "success"}
        for node in done & self.recorded.keys():
            assert counts[node] == self.recorded[node], \
                f"{node} ran again (seed {self.seed}, kill {kill})"
        self.recorded.update({node: counts[node] for node in done - self.recorded.keys()})
        return str(document["status"])

    def finish(self, reference: dict[str, Any]) -> None:
        """Resume to the end: the outputs of an uninterrupted run, nothing recorded rerun."""
        assert finish(self.start()) == reference, f"seed {self.seed}"
        counts = side_effects(self.server, self.directory)
        for node, executions in self.recorded.items():
            assert counts[node] == executions, \
                f"{node} ran again after being recorded (seed {self.seed})"
        assert all(counts[f"{kind}{i}"] >= 1 for kind in "fl" for i in range(STEPS))
        assert JsonFileStore(self.state).read()["status"] == "completed"


@pytest.mark.slow
def test_killed_runs_resume_to_the_same_outputs_without_rerunning_recorded_nodes(
        tmp_path: Path, server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    server.routes({"/step/*": {"delay": 0.02, "echo": True}})
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    (reference_dir / "flow.flow.md").write_text(chain_workflow())
    began = time.monotonic()
    reference = finish(start("run", reference_dir / "flow.flow.md", reference_dir / "s.json"))
    span = time.monotonic() - began  # kill moments spread over a whole run, startup included
    assert reference["status"] == "completed"
    assert side_effects(server, reference_dir) == Counter(
        {f"{kind}{i}": 1 for kind in "fl" for i in range(STEPS)})

    seed = random.randrange(2**32)
    chance = random.Random(seed)
    rounds = 0
    current = Round(tmp_path / "round-0", server, seed)
    for kill in range(KILLS):
        process = current.start()
        time.sleep(chance.uniform(0, span))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        if current.check_state(kill) == "completed":  # the kill came too late: next run
            current.finish(reference)
            rounds += 1
            current = Round(tmp_path / f"round-{rounds}", server, seed)
    current.finish(reference)
