"""The examples run end to end through the ``flowscript`` command (SPEC §10.2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .conftest import flowscript


def test_quickstart_runs_offline_and_writes_report_state_and_footer(examples: Path) -> None:
    result = flowscript("run", "quickstart.flow.md", cwd=examples)
    assert result.returncode == 0, result.stderr
    assert "[wave 0] orders success" in result.stdout
    assert "completed" in result.stdout
    report = (examples / "out" / "large-orders.md").read_text(encoding="utf-8")
    assert "3 of 5 orders are at least 50, 264.5 in all." in report
    assert "- Ada: 120.50" in report
    footer = (examples / "quickstart.flow.md").read_text(encoding="utf-8")
    assert "<!-- flowscript:log:start" in footer and "| save | sink:file | success |" in footer
    states = list((examples / ".flowscript" / "runs" / "quickstart").glob("*.json"))
    assert len(states) == 1


def test_quickstart_json_document_and_config_override(examples: Path) -> None:
    result = flowscript("run", "quickstart.flow.md", "--format", "json", "--no-log",
                        "-c", "min_amount=100", cwd=examples)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "completed"
    assert document["output"] == {"large_orders": 1, "total": 120.5,
                                  "report": "out/large-orders.md"}
    assert document["nodes"]["large"]["output"] == [
        {"id": 1, "customer": "Ada", "amount": 120.5}]
    assert set(document) >= {"run_id", "workflow", "status", "duration_ms", "nodes",
                             "output", "error", "state_path"}


def test_fan_in_runs_sources_in_one_wave(examples: Path) -> None:
    result = flowscript("run", "fan-in.flow.md", "--no-log", cwd=examples)
    assert result.returncode == 0, result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()[:3]] == [
        ["[wave", "0]"]] * 3
    summary = json.loads((examples / "out" / "sales-summary.json").read_text())
    assert summary == {"regions": {"north": 242.5, "south": 312, "east": 200}, "days": 9,
                       "total": 754.5}


def test_api_report_against_a_local_server(examples: Path, http_server) -> None:
    http_server.routes({
        "/users": {"json": [{"id": 1, "name": "Ada", "email": "ADA@X.ORG"},
                            {"id": 2, "name": "Grace", "email": "grace@x.org"}]},
        "/posts": {"sequence": [{"status": 503}, {"json": [
            {"userId": 1}, {"userId": 1}, {"userId": 2}]}]},
    })
    result = flowscript("run", "api-report.flow.md", "--no-log", "--format", "json",
                        "-c", f"api={http_server.url}", cwd=examples)
    document = json.loads(result.stdout)
    assert result.returncode == 0, document
    assert document["output"] == {"users": 2, "file": "out/users.csv"}
    with (examples / "out" / "users.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["id", "name", "email", "posts"], ["1", "Ada", "ada@x.org", "2"],
                    ["2", "Grace", "grace@x.org", "1"]]


def test_dry_run_prints_the_plan_and_makes_no_request(examples: Path, http_server) -> None:
    http_server.routes({})
    result = flowscript("run", "api-report.flow.md", "--dry-run", "--format", "json",
                        "-c", f"api={http_server.url}", cwd=examples)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["plan"] == [["users", "posts"], ["rows"], ["report"]]
    assert http_server.log() == []
    assert not (examples / "out").exists()


def test_every_example_validates(examples: Path) -> None:
    files = sorted(p.name for p in examples.glob("*.flow.md"))
    result = flowscript("validate", "--strict", *files, cwd=examples)
    assert result.returncode == 0, result.stdout
