"""``flowscript run``, ``resume`` and ``runs`` (SPEC §10.2, §10.5, §10.6, §10.8).

Turns command-line options into an engine call, shows progress through an observer,
prints the summary or the JSON document, writes the execution log, and returns the exit
code of §10.1. Errors before the run (parse, validation, config) never create a run.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

import click

from ..diagnostics import Diagnostic
from ..errors import (
    ConfigError,
    FlowScriptError,
    ParseError,
    ResumeError,
    RunCancelledError,
    RunError,
    ValidationError,
)
from .check import is_valid, load_with_diagnostics, render_diagnostics
from .progress import make_observer, summary

_EXIT = {"completed": 0, "failed": 1, "waiting": 3, "cancelled": 130}


class UsageError(click.UsageError):
    """A flag value that cannot be used (exit code 2)."""


def run_command(file: str, opts: Mapping[str, Any]) -> int:
    fmt = str(opts["fmt"])
    workflow, diagnostics, source = load_with_diagnostics(file, bool(opts["strict"]))
    if workflow is None or not is_valid(diagnostics, bool(opts["strict"])):
        return _invalid(file, fmt, diagnostics, source, parse_error=workflow is None)
    _print_warnings(file, fmt, diagnostics, source)
    try:
        call = _run_call(workflow, file, opts)
    except ConfigError as error:
        return _config_error(fmt, error)
    return _execute(call, workflow, opts)


def _run_call(workflow: Any, file: str, opts: Mapping[str, Any]) -> Callable[..., Any]:
    """Resolve every option; returns the coroutine factory of the run (or dry run)."""
    from ..engine import api
    from ..engine.inputs import load_secrets_file

    config = _config(workflow, opts)
    input_value = _input(opts.get("input_arg"))
    secrets = load_secrets_file(str(opts["secrets_file"])) if opts.get("secrets_file") else None
    if opts.get("dry_run"):
        from ..engine.dry_run import dry_run

        return lambda **_: dry_run(workflow, config=config, input=input_value,
                                   secrets=secrets)
    options = _options(workflow, opts, base_dir=opts.get("base_dir"))
    return lambda **kw: api.arun(workflow, config=config, input=input_value,
                                 secrets=secrets, options=_with(options, **kw))


def resume_command(target: str, opts: Mapping[str, Any]) -> int:
    from ..engine import api
    from ..engine.inputs import load_secrets_file
    from ..engine.runs import default_state_dir, find_run

    fmt = str(opts["fmt"])
    if opts.get("config_pairs") or opts.get("input_arg"):
        raise UsageError("--config and --input cannot be changed on resume (SPEC §8.6)")
    state_dir = Path(str(opts["state_dir"])) if opts.get("state_dir") else default_state_dir()
    try:
        path = Path(target) if Path(target).is_file() else find_run(state_dir, target)
        secrets = load_secrets_file(str(opts["secrets_file"])) if opts.get("secrets_file") else None
    except ResumeError as error:
        return _refused(fmt, error)
    except ConfigError as error:
        return _config_error(fmt, error)
    options = _options(None, opts, state_path=path)
    workflow_path = opts.get("workflow_path")

    def call(**kw: Any) -> Coroutine[Any, Any, Any]:
        return api.aresume(path, workflow=workflow_path, options=_with(options, **kw),
                           secrets=secrets, answers=_answers(opts), force=bool(opts["force"]))

    return _execute(call, None, opts)


def runs_command(workflow: str | None, status: str | None, limit: int, state_dir: str | None,
                 fmt: str) -> int:
    from ..engine.runs import default_state_dir, list_runs

    directory = Path(state_dir) if state_dir else default_state_dir()
    rows = list_runs(directory, workflow=workflow, status=status, limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"runs": rows}, ensure_ascii=False, default=str))
        return 0
    from .progress import runs_table

    click.echo(runs_table(rows))
    return 0


# ---------------------------------------------------------------------------------------
# Running and reporting

def _execute(call: Callable[..., Any], workflow: Any, opts: Mapping[str, Any]) -> int:
    fmt, quiet = str(opts["fmt"]), bool(opts.get("quiet"))
    observer = make_observer(fmt, quiet)
    try:
        result = _run_with_signals(call(on_event=observer.on_event))
    except RunCancelledError as error:
        return _report(error.state, fmt, quiet, observer, opts)
    except RunError as error:
        return _report(error.state, fmt, quiet, observer, opts)
    except ConfigError as error:
        return _config_error(fmt, error)
    except ResumeError as error:
        return _refused(fmt, error)
    except (ParseError, ValidationError) as error:  # a resumed workflow that became invalid
        return _invalid(str(opts.get("workflow_path") or "workflow"), fmt, error.diagnostics,
                        None, parse_error=isinstance(error, ParseError))
    finally:
        observer.close()
    if isinstance(result, dict):  # a dry run's plan document
        click.echo(json.dumps(result, ensure_ascii=False) if fmt == "json"
                   else _plan_text(result))
        return 0
    return _report(result, fmt, quiet, observer, opts)


def _run_with_signals(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run the engine; SIGINT/SIGTERM cancel it (recorded ``cancelled``), a second SIGINT
    exits at once (SPEC §6.10)."""

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        hits = 0

        def cancel() -> None:
            nonlocal hits
            hits += 1
            if hits > 1:
                sys.exit(130)
            task.cancel()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, cancel)
        try:
            return await coroutine
        except asyncio.CancelledError as cancelled:
            raise RunCancelledError("the run was interrupted") from cancelled

    return asyncio.run(main())


def _report(state: Any, fmt: str, quiet: bool, observer: Any, opts: Mapping[str, Any]) -> int:
    if state is None:
        click.echo("error: the run ended without a state", err=True)
        return 1
    warning = _write_log(state, opts)
    if fmt == "json":
        click.echo(json.dumps(run_document(state), ensure_ascii=False, default=str))
    else:
        click.echo(summary(state))
    if warning:
        click.echo(f"warning: {warning}", err=True)
    return _EXIT.get(state.status, 1)


def run_document(state: Any) -> dict[str, Any]:
    """The JSON document of §10.8 for a run or resume."""
    document = state.to_json()
    error = document.get("error")
    if isinstance(error, dict):
        error = {k: v for k, v in error.items() if k != "traceback"}
    return {"run_id": state.run_id, "workflow": document["workflow"]["name"],
            "status": state.status, "duration_ms": state.duration_ms,
            "nodes": document["nodes"], "output": document.get("output"), "error": error,
            "errors": document.get("errors", []),
            "state_path": str(state.state_path) if state.state_path else None}


def _write_log(state: Any, opts: Mapping[str, Any]) -> str | None:
    """The execution log in the footer (SPEC §9), unless --no-log or runtime.log is false."""
    if opts.get("no_log") or not getattr(state, "log_enabled", True):
        return None
    path = state.to_json().get("workflow", {}).get("path")
    if not path:
        return None
    from ..engine.log import write_execution_log
    from ..engine.runs import default_state_dir

    lock_dir = Path(str(opts["state_dir"])) if opts.get("state_dir") else default_state_dir()
    return write_execution_log(path, state.to_json(), getattr(state, "redactor", None),
                               lock_dir=lock_dir)


def _invalid(file: str, fmt: str, diagnostics: list[Diagnostic], source: str | None, *,
             parse_error: bool) -> int:
    if fmt == "json":
        click.echo(json.dumps(_invalid_document(diagnostics), ensure_ascii=False))
    else:
        click.echo(render_diagnostics(file, diagnostics, source), err=True)
    return 2 if parse_error else 1


def _invalid_document(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    return {"run_id": None, "workflow": None, "status": "invalid", "duration_ms": None,
            "nodes": {}, "output": None, "error": None, "state_path": None,
            "diagnostics": [d.to_json() for d in diagnostics]}


def _config_error(fmt: str, error: ConfigError) -> int:
    if fmt == "json":
        document = _invalid_document(error.diagnostics)
        document["error"] = {"type": "ConfigError", "message": error.message}
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        lines = [f"{d.severity} {d.code}: {d.message}" for d in error.diagnostics]
        lines = lines or [f"error: {error.message}"]
        click.echo("\n".join(lines), err=True)
    return 2


def _refused(fmt: str, error: ResumeError) -> int:
    if fmt == "json":
        click.echo(json.dumps({"status": "refused", "error": {
            "type": "ResumeError", "code": error.code, "message": error.message}},
            ensure_ascii=False))
    click.echo(f"error {error.code}: {error.message}", err=True)
    return error.exit_code


def _print_warnings(file: str, fmt: str, diagnostics: list[Diagnostic],
                    source: str | None) -> None:
    if diagnostics and fmt == "text":
        click.echo(render_diagnostics(file, diagnostics, source), err=True)


def _plan_text(document: Mapping[str, Any]) -> str:
    lines = [f"plan of {document.get('workflow')}:"]
    for number, wave in enumerate(document.get("plan", [])):
        lines.append(f"  wave {number}: {', '.join(wave)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Options

def _config(workflow: Any, opts: Mapping[str, Any]) -> dict[str, Any]:
    """--config-file values, then --config KEY=VALUE strings converted by §2.5."""
    from ..engine.inputs import convert_config_strings

    values: dict[str, Any] = {}
    if opts.get("config_file"):
        values.update(_config_file(str(opts["config_file"])))
    pairs: dict[str, str] = {}
    for pair in opts.get("config_pairs") or ():
        key, sep, value = str(pair).partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--config expects KEY=VALUE, got {pair!r}")
        pairs[key.strip()] = value
    values.update(convert_config_strings(workflow.frontmatter.config, pairs))
    return values


def _config_file(path: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UsageError(f"cannot read --config-file {path}: {error}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--config-file {path} must hold a mapping")
    return data


def _input(arg: Any) -> Any:
    """--input JSON | @PATH | - (standard input); invalid JSON is FS-RUN-005."""
    if arg is None:
        return None
    text = str(arg)
    try:
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            text = Path(text[1:]).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        diagnostic = Diagnostic("FS-RUN-005", "error", f"invalid --input: {error}")
        raise ConfigError(diagnostic.message, [diagnostic]) from None


def _answers(opts: Mapping[str, Any]) -> dict[str, Any] | None:
    answers: dict[str, Any] = {}
    if opts.get("answers"):
        try:
            answers.update(json.loads(Path(str(opts["answers"])).read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot read --answers: {error}") from None
    for approval in opts.get("approve") or ():
        key, _, action = str(approval).partition("=")
        answers[key] = action or "approve"
    return answers or None


def _options(workflow: Any, opts: Mapping[str, Any], *, base_dir: Any = None,
             state_path: Path | None = None) -> Any:
    from ..durations import parse_duration
    from ..engine.options import ExecutionOptions
    from ..engine.retry import RetryPolicy
    from ..engine.runs import default_state_dir, new_run_id
    from ..engine.runs import state_path as make_state_path

    timeout = None
    if opts.get("run_timeout") is not None:
        timeout = parse_duration(str(opts["run_timeout"]))
        if not timeout:
            raise UsageError(f"--timeout: not a duration: {opts['run_timeout']!r}")
    retry = None
    if opts.get("retry_spec"):
        try:
            retry = RetryPolicy.from_cli(str(opts["retry_spec"]))
        except ValueError as error:
            raise UsageError(f"--retry: {error}") from None
    run_id = None
    if workflow is not None and state_path is None and not opts.get("no_persist"):
        run_id = new_run_id()
        directory = Path(str(opts["state_dir"])) if opts.get("state_dir") else default_state_dir()
        state_path = make_state_path(directory, workflow.name, run_id)
    fields: dict[str, Any] = {"max_concurrency": opts.get("max_concurrency"),
                              "timeout": timeout, "default_retry": retry,
                              "answers": _answers(opts), "run_id": run_id,
                              "persistence_path": state_path}
    if workflow is not None:
        fields["base_dir"] = str(base_dir) if base_dir else None
        fields["restrict_paths"] = not opts.get("allow_any_path")
    if opts.get("fmt") == "json" or opts.get("quiet"):
        fields["interactive"] = False
    return ExecutionOptions(**{k: v for k, v in fields.items()
                               if k in ExecutionOptions.__dataclass_fields__})


def _with(options: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(options, **changes)


__all__ = ["FlowScriptError", "resume_command", "run_command", "runs_command"]
