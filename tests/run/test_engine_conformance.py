"""The conformance cases of the engine's features, run in-process from their .flow.md
files (shared/conformance/cases: data, config, expr, examples). Each step runs the way
``flowscript run`` would: command-line config strings converted, the state document
redacted as printed, and files, requests and secrets checked as the corpus says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from flowscript.engine.api import load_workflow, prepare
from flowscript.engine.inputs import convert_config_strings
from flowscript.engine.options import ExecutionOptions
from flowscript.engine.planning import plan_facts
from flowscript.engine.state import public_error
from flowscript.errors import ConfigError, RunError

from .conformance import (
    check_files,
    check_nodes,
    check_requests,
    matches,
    substitute,
)
from .support import CASES, HttpServer

#: Features this engine provides so far; cases needing others are left to later issues.
SUPPORTED = {"parse", "validate", "expr", "template", "config", "input", "output",
             "context", "secrets", "security", "file", "http", "transform"}
#: Cases that exercise the command line itself rather than the engine.
CLI_ONLY = {"data/dry-run-plan"}


def selected() -> list[str]:
    names = []
    for area in ("data", "config", "expr", "examples"):
        for case in sorted((CASES / area).iterdir()):
            expect = json.loads((case / "expect.json").read_text())
            name = f"{area}/{case.name}"
            if set(expect.get("features", [])) <= SUPPORTED and name not in CLI_ONLY \
                    and "exit_code" in json.dumps(expect):
                names.append(name)
    return names


@pytest.mark.parametrize("name", selected())
async def test_conformance_case(name: str, tmp_path: Path, server: HttpServer,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    expect = json.loads((CASES / name / "expect.json").read_text())
    folder = tmp_path / "case"
    shutil.copytree(CASES / name, folder, ignore=shutil.ignore_patterns("expect.json"))
    tokens = {"{http}": server.url, "{dir}": str(folder)}
    if "http_routes" in expect:
        server.routes(substitute(expect["http_routes"], tokens))
    monkeypatch.chdir(folder)
    monkeypatch.setenv("FS_TEST_HTTP", server.url)
    for key, value in substitute(expect.get("env", {}), tokens).items():
        monkeypatch.setenv(key, value)
    for step in expect.get("steps") or [expect]:
        step = substitute(step, tokens)
        for path, text in step.get("write", {}).items():
            (folder / path).write_text(text)
        document = await run_step(folder / expect.get("file", "workflow.flow.md"), step)
        problems = check_step(step, document, folder, server)
        assert not problems, "\n".join(problems)


def parse_args(step: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any], Any]:
    """The step's command-line arguments as config strings, options and the input."""
    args = list(step.get("args", []))
    strings: dict[str, str] = {}
    options: dict[str, Any] = {}
    input_value = step.get("input")
    while args:
        flag = args.pop(0)
        if flag == "--config":
            key, _, value = args.pop(0).partition("=")
            strings[key] = value
        elif flag == "--max-concurrency":
            options["max_concurrency"] = int(args.pop(0))
        elif flag == "--allow-any-path":
            options["restrict_paths"] = False
        elif flag == "--input":
            source = args.pop(0)
            input_value = json.loads(Path(source[1:]).read_text() if source.startswith("@")
                                     else source)
        else:
            raise AssertionError(f"flag {flag} is not handled by this harness")
    return strings, options, input_value


async def run_step(path: Path, step: dict[str, Any]) -> dict[str, Any]:
    """Run one step as ``flowscript run --format json`` would; return its document."""
    strings, options, input_value = parse_args(step)
    workflow = load_workflow(path)
    try:
        config = convert_config_strings(workflow.frontmatter.config, strings)
        executor = prepare(workflow, plan_facts(workflow), config=config, input=input_value,
                           secrets=None, options=ExecutionOptions(**options))
    except ConfigError as error:
        return {"status": "invalid", "run_id": None, "nodes": {}, "exit_code": 2,
                "diagnostics": [d.to_json() for d in error.diagnostics]}
    try:
        state = await executor.execute()
        exit_code = 0
    except RunError as error:
        state, exit_code = error.state, 1
    finally:
        await executor.aclose()
    document = {"run_id": state.run_id, "workflow": state.workflow["name"],
                "status": state.status, "duration_ms": state.duration_ms,
                "nodes": {k: r.to_json() for k, r in state.nodes.items()},
                "output": state.output, "error": public_error(state.error),
                "state_path": state.state_path}
    return {**executor.redactor.redact(document)[0], "exit_code": exit_code}


def check_step(step: dict[str, Any], document: dict[str, Any], folder: Path,
               server: HttpServer) -> list[str]:
    problems = []
    if "exit_code" in step and not matches(step["exit_code"], document["exit_code"]):
        problems.append(f"exit code {document['exit_code']}, expected {step['exit_code']}")
    if "status" in step and document["status"] != step["status"]:
        problems.append(f"status {document['status']}, expected {step['status']}: "
                        f"{document.get('error') or document.get('diagnostics')}")
    problems += check_nodes(step.get("nodes", {}), document["nodes"])
    if "output" in step and not matches(step["output"], document.get("output")):
        problems.append(f"output {document.get('output')}, expected {step['output']}")
    if "result" in step and not matches(step["result"], document):
        problems.append(f"document {document} does not match {step['result']}")
    problems += check_files(step.get("files", {}), folder)
    for path, count in step.get("http_hits", {}).items():
        if server.hits(path)["hits"] != count:
            problems.append(f"{path}: {server.hits(path)['hits']} hits, expected {count}")
    for path, count in step.get("http_inflight", {}).items():
        if server.hits(path)["max_inflight"] != count:
            problems.append(f"{path}: {server.hits(path)['max_inflight']} in flight, "
                            f"expected {count}")
    problems += check_requests(step.get("http_requests", []), server.log())
    written = json.dumps(document) + "".join(
        p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
    problems += [f"secret {s!r} leaked" for s in step.get("absent", []) if s in written]
    return problems
