"""``flowscript run``, ``resume`` and ``runs`` through the command line (SPEC §10.2,
§10.5, §10.6): exit codes, the JSON document, resuming without redoing work."""

from __future__ import annotations

import json
from pathlib import Path

WORKFLOW = """---
name: two-steps
version: 1.0.0
config:
  factor: 2
---
<workflow>
  <source id="numbers" type="file" path="numbers.json"/>
  <sink id="log" type="file" input="numbers" path="out/log.txt" mode="append" format="lines"/>
  <source id="extra" type="file" path="extra.json"/>
  <transform id="scaled" type="map" input="extra">
    <expression>item * $config.factor</expression>
  </transform>
  <output value="{{ scaled }}"/>
</workflow>
"""


def test_failed_run_resumes_to_completion_without_redoing_work(cli, tmp_path: Path) -> None:
    (tmp_path / "w.flow.md").write_text(WORKFLOW, encoding="utf-8")
    (tmp_path / "numbers.json").write_text("[1, 2]", encoding="utf-8")

    failed = cli("run", "w.flow.md", "--format", "json", "--no-log")
    assert failed.exit_code == 1
    document = json.loads(failed.stdout)
    assert document["status"] == "failed"
    assert document["error"]["type"] == "FileError" and document["error"]["node"] == "extra"
    assert "traceback" not in document["error"]
    assert Path(document["state_path"]).is_file()

    (tmp_path / "extra.json").write_text("[5, 6]", encoding="utf-8")
    resumed = cli("resume", document["run_id"][:15], "--format", "json", "--no-log")
    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr
    again = json.loads(resumed.stdout)
    assert (again["run_id"], again["status"], again["output"]) == (
        document["run_id"], "completed", [10, 12])
    # the sink ran once: its success was kept, not redone
    assert (tmp_path / "out" / "log.txt").read_text(encoding="utf-8") == "1\n2\n"

    listed = json.loads(cli("runs", "--format", "json").stdout)["runs"]
    assert [(r["run_id"], r["status"]) for r in listed] == [(document["run_id"], "completed")]
    assert cli("resume", document["run_id"], "--format", "json").exit_code == 0


def test_config_errors_exit_2_before_anything_runs(cli, tmp_path: Path) -> None:
    (tmp_path / "w.flow.md").write_text(WORKFLOW, encoding="utf-8")
    result = cli("run", "w.flow.md", "--format", "json", "-c", "factor=two", "-c", "nope=1")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["status"] == "invalid" and document["run_id"] is None
    # every problem at once: the unconvertible value and the undeclared key
    assert {d["code"] for d in document["diagnostics"]} == {"FS-RUN-001", "FS-RUN-002"}
    assert not (tmp_path / "out").exists()


def test_resume_refuses_config_and_unknown_runs(cli, tmp_path: Path) -> None:
    assert cli("resume", "20990101", "-c", "a=1").exit_code == 2
    missing = cli("resume", "20990101-000000-deadbeef")
    assert missing.exit_code == 2 and "FS-RUN-007" in missing.stderr


def test_input_that_is_not_json_is_fs_run_005(cli, tmp_path: Path) -> None:
    (tmp_path / "w.flow.md").write_text(WORKFLOW, encoding="utf-8")
    result = cli("run", "w.flow.md", "--input", "{nope", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["diagnostics"][0]["code"] == "FS-RUN-005"


def test_resuming_into_an_invalid_workflow_prints_the_diagnostics(cli, tmp_path: Path) -> None:
    (tmp_path / "w.flow.md").write_text(WORKFLOW, encoding="utf-8")
    run_id = json.loads(cli("run", "w.flow.md", "--format", "json", "--no-log").stdout)["run_id"]
    broken = WORKFLOW.replace("$config.factor", "$config.missing")
    (tmp_path / "w.flow.md").write_text(broken, encoding="utf-8")
    refused = cli("resume", run_id, "--format", "json", "--no-log")
    assert refused.exit_code == 1 and "FS-RUN-006" in refused.stderr
    forced = cli("resume", run_id, "--force", "--format", "json", "--no-log")
    assert forced.exit_code == 1
    document = json.loads(forced.stdout)
    assert document["status"] == "invalid"
    assert [d["code"] for d in document["diagnostics"]] == ["FS-REF-004"]
