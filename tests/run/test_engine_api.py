"""``flowscript.run``/``arun`` from .flow.md files (SPEC §10.10)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import flowscript
from flowscript.engine.api import arun, run
from flowscript.errors import ConfigError, NodeError, ParseError, ValidationError

WORKFLOW = """---
name: api-test
version: 1.0.0
config:
  factor: 3
input:
  values:
    type: number[]
    required: true
---
<workflow>
  <transform id="scaled" type="map" input="$input.values">
    <expression>item * $config.factor</expression>
  </transform>
  <transform id="total" type="reduce" input="scaled">
    <initial>0</initial>
    <reducer>acc + item</reducer>
  </transform>
  <sink id="save" type="file" input="total">
    <path>out/total.json</path>
  </sink>
  <output>
    <set field="total" value="{{ total }}"/>
  </output>
</workflow>
"""


def write(tmp_path: Path, text: str = WORKFLOW) -> Path:
    path = tmp_path / "flow.flow.md"
    path.write_text(text)
    return path


def test_run_a_workflow_file(tmp_path: Path) -> None:
    state = run(write(tmp_path), input={"values": [1, 2, 3]}, config={"factor": 2})
    assert state.status == "completed" and state.output == {"total": 12}
    assert (tmp_path / "out" / "total.json").read_text() == "12\n"
    document = state.to_json()
    assert document["workflow"]["name"] == "api-test"
    assert document["workflow"]["path"] == str(tmp_path / "flow.flow.md")
    assert document["workflow"]["hash"].startswith("sha256:")
    assert document["plan"] == [["scaled"], ["total"], ["save"]]
    assert document["options"]["base_dir"] == str(tmp_path)


def test_the_public_facade_runs_too(tmp_path: Path) -> None:
    state = flowscript.run(str(write(tmp_path)), input={"values": [5]})
    assert state.output == {"total": 15}
    state = asyncio.run(flowscript.arun(write(tmp_path), input={"values": [1]}))
    assert state.output == {"total": 3}


async def test_arun_reports_config_and_input_errors_first(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        await arun(write(tmp_path), input={"values": "nope"})
    assert [d.code for d in caught.value.diagnostics] == ["FS-RUN-005"]
    assert not (tmp_path / "out").exists()


def test_invalid_and_unparsable_workflows_are_refused(tmp_path: Path) -> None:
    broken = WORKFLOW.replace('input="scaled"', 'input="scaled-typo"')
    with pytest.raises(ValidationError) as caught:
        run(write(tmp_path, broken), input={"values": [1]})
    assert any(d.code.startswith("FS-REF") for d in caught.value.diagnostics)
    with pytest.raises(ParseError):
        run(write(tmp_path, "no frontmatter"))


def test_a_failed_node_raises_node_error_with_the_state(tmp_path: Path) -> None:
    text = WORKFLOW.replace("<path>out/total.json</path>", "<path>../escape.json</path>")
    with pytest.raises(NodeError) as caught:
        run(write(tmp_path, text), input={"values": [1]})
    assert caught.value.node_id == "save"
    assert caught.value.cause.type_name == "PathError"
    assert caught.value.state.status == "failed"
    assert caught.value.state.nodes["total"].output == 3
