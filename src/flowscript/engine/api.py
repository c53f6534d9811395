"""``run`` and ``arun`` (SPEC §10.10): load, validate, resolve, plan and execute a run.

Everything that can be wrong with the invocation — a workflow with error diagnostics,
invalid config, input or secrets — is reported before the run exists (``ValidationError``,
``ConfigError``); from then on the run has an id, a state and events.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ast import Workflow
from ..errors import ValidationError
from .context import RunServices
from .dispatch import Dispatcher
from .events import EventBus
from .executor import Executor, Persistence
from .inputs import resolve_config, resolve_env, resolve_input, resolve_secrets, workflow_schemas
from .node import NodeRunner
from .options import ExecutionOptions
from .persistence import FilePersistence, attach_checkpoints
from .planning import PlanFacts, plan_facts
from .redact import Redactor
from .scope import RunTables
from .sequence import run_sequence
from .state import NodeTable, RunState, iso_instant, new_run_id

#: Maximum concurrency when neither the caller nor ``runtime.concurrency`` sets one.
DEFAULT_CONCURRENCY = 10


def run(workflow: Workflow | str | os.PathLike[str], *, config: Mapping[str, Any] | None = None,
        input: Any = None, secrets: Mapping[str, str] | None = None,
        options: ExecutionOptions | None = None) -> RunState:
    """Run a workflow to the end and return its state (``completed`` or ``waiting``).

    Raises ``ParseError``/``ValidationError`` for a workflow that cannot run,
    ``ConfigError`` for invalid config, input or secrets (nothing has run), and a
    ``RunError`` — ``NodeError`` (its ``cause`` is the original error),
    ``WorkflowTimeoutError``, ``OutputSchemaError`` — for a failed run; the exception's
    ``state`` is the final ``RunState``.
    """
    return asyncio.run(arun(workflow, config=config, input=input, secrets=secrets,
                            options=options))


async def arun(workflow: Workflow | str | os.PathLike[str], *,
               config: Mapping[str, Any] | None = None, input: Any = None,
               secrets: Mapping[str, str] | None = None,
               options: ExecutionOptions | None = None) -> RunState:
    """The coroutine form of ``run``; cancelling it cancels the run (recorded
    ``cancelled``) and propagates the cancellation."""
    loaded = load_workflow(workflow)
    executor = prepare(loaded, plan_facts(loaded), config=config, input=input,
                       secrets=secrets, options=options or ExecutionOptions())
    try:
        return await executor.execute()
    finally:
        await executor.aclose()


def resume(state_path: str | os.PathLike[str],
           workflow: Workflow | str | os.PathLike[str] | None = None,
           options: ExecutionOptions | None = None, *,
           secrets: Mapping[str, str] | None = None, answers: Mapping[str, Any] | None = None,
           force: bool = False) -> RunState:
    """Continue the run persisted at ``state_path`` (SPEC §8.6) and return its state.

    With ``options=None`` the options recorded in the state apply; given ones override
    them. Raises ``ResumeError`` (FS-RUN-006 workflow changed, FS-RUN-007 unreadable
    state, FS-RUN-008 locked by a live process), ``ConfigError`` (FS-RUN-004, a secret
    is missing) before anything runs, and ``RunError`` subclasses as ``run`` does.
    """
    return asyncio.run(aresume(state_path, workflow, options, secrets=secrets,
                               answers=answers, force=force))


async def aresume(state_path: str | os.PathLike[str],
                  workflow: Workflow | str | os.PathLike[str] | None = None,
                  options: ExecutionOptions | None = None, *,
                  secrets: Mapping[str, str] | None = None,
                  answers: Mapping[str, Any] | None = None, force: bool = False) -> RunState:
    """The coroutine form of ``resume``."""
    from .resume import resume_run

    return await resume_run(state_path, workflow, options, secrets=secrets, answers=answers,
                            force=force)


def load_workflow(workflow: Workflow | str | os.PathLike[str]) -> Workflow:
    """A ``Workflow`` as is, or the one loaded from a path; refuses error diagnostics."""
    if not isinstance(workflow, Workflow):
        from ..loader import load

        workflow = load(workflow)
    errors = [d for d in workflow.diagnostics if getattr(d, "is_error", False)]
    if errors:
        raise ValidationError(f"{len(errors)} error(s) in the workflow", errors)
    return workflow


@dataclass(frozen=True, slots=True)
class Start:
    """What a run starts from, resolved and checked (SPEC §2.5–§2.7)."""

    config: dict[str, Any]
    secrets: dict[str, str]
    input: Any
    env: dict[str, str | None]
    schemas: dict[str, Any]


def resolve_start(workflow: Workflow, *, config: Mapping[str, Any] | None, input: Any,
                  secrets: Mapping[str, str] | None,
                  environ: Mapping[str, str] | None = None) -> Start:
    """``$config``, secrets, ``$input`` and ``$env``; raises ``ConfigError``."""
    front = workflow.frontmatter
    environ = os.environ if environ is None else environ
    schemas = workflow_schemas(workflow)
    return Start(config=resolve_config(front.config, config, file=workflow.path),
                 secrets=resolve_secrets(workflow, secrets, environ),
                 input=resolve_input(front.input, input, schemas=schemas, file=workflow.path),
                 env=resolve_env(workflow, environ), schemas=schemas)


def prepare(workflow: Workflow, facts: PlanFacts, *, config: Mapping[str, Any] | None,
            input: Any, secrets: Mapping[str, str] | None, options: ExecutionOptions,
            persistence: Persistence | None = None,
            environ: Mapping[str, str] | None = None,
            dispatcher: Dispatcher | None = None) -> Executor:
    """Resolve what the run starts from and build its executor (nothing runs yet).

    ``persistence`` receives the state as it changes (SPEC §8.2); ``dispatcher`` runs the
    node runtimes (default: in this event loop). Raises ``ConfigError`` (FS-RUN-001…005)
    before any run state exists.
    """
    start = resolve_start(workflow, config=config, input=input, secrets=secrets,
                          environ=environ)
    runtime = workflow.frontmatter.runtime
    state = _new_state(options)
    max_concurrency = options.max_concurrency or runtime.concurrency or DEFAULT_CONCURRENCY
    timeout = options.timeout or runtime.timeout
    base_dir = _base_dir(workflow, options)
    _describe_run(state, workflow, facts, options, max_concurrency, timeout, base_dir,
                  start.config, start.input)
    redactor = Redactor(start.secrets)
    bus = EventBus(state.run_id, [options.on_event] if options.on_event else (),
                   redact=_event_redactor(redactor))
    services = RunServices(bus=bus, secrets=start.secrets, base_dir=base_dir,
                           restrict_paths=options.restrict_paths, declared=facts.declared,
                           schemas=start.schemas, redactor=redactor)
    tables = RunTables(results=state.nodes, node_ids=facts.referable,
                       phase_nodes=facts.phases, variables=state.variables, dollars={
                           "$config": start.config, "$secrets": start.secrets,
                           "$env": start.env, "$input": start.input,
                           "$execution": _execution(state, workflow)})
    runner = NodeRunner(services, tables, dispatcher)
    if persistence is None and state.state_path is not None:
        persistence = FilePersistence.at(state.state_path, bus)
    services.run_sequence = lambda sequence, scope, value: run_sequence(
        runner, sequence, scope, value)
    executor = Executor(workflow, state, facts, services=services, tables=tables,
                        runner=runner, max_concurrency=max_concurrency, timeout=timeout,
                        persistence=persistence, error_handler=options.error_handler)
    executor.redactor = state.redactor = redactor
    attach_checkpoints(services, state, executor.persistence)
    return executor


def _new_state(options: ExecutionOptions) -> RunState:
    """A new run's state. A persisted run's results table remembers what changed, so each
    journal patch carries only the changed results (SPEC §8.3); others pay nothing."""
    state_file = _optional_path(options.persistence_path)
    state = RunState(run_id=options.run_id or new_run_id(), state_path=state_file)
    if state_file is not None:
        state.nodes = NodeTable()
    return state


def _event_redactor(redactor: Redactor) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Events pass through the run's redactor (SPEC §12.4); it learns derived secret forms
    (basic credentials, tokens) as the run goes, so it is consulted at every event."""

    def redact(event: dict[str, Any]) -> dict[str, Any]:
        clean, _ = redactor.redact(event)
        return clean  # type: ignore[no-any-return]

    return redact


def _optional_path(path: str | os.PathLike[str] | None) -> str | None:
    return os.fspath(path) if path else None


def _base_dir(workflow: Workflow, options: ExecutionOptions) -> Path:
    if options.base_dir is not None:
        return Path(options.base_dir)
    if workflow.path:
        return Path(workflow.path).resolve().parent
    return Path.cwd()


def _describe_run(state: RunState, workflow: Workflow, facts: PlanFacts,
                  options: ExecutionOptions, max_concurrency: int, timeout: float | None,
                  base_dir: Path, config: dict[str, Any], input_value: Any) -> None:
    state.workflow = {"name": workflow.name, "version": workflow.version,
                      "path": os.path.abspath(workflow.path) if workflow.path else None,
                      "hash": workflow.hash}
    retry = options.default_retry
    state.options = {"max_concurrency": max_concurrency, "timeout": timeout,
                     "default_retry": retry.to_json() if hasattr(retry, "to_json") else retry,
                     "base_dir": str(base_dir.resolve()),
                     "restrict_paths": options.restrict_paths}
    state.config = config
    state.input = input_value
    state.plan = [list(wave) for wave in facts.waves]


def _execution(state: RunState, workflow: Workflow) -> dict[str, Any]:
    return {"run_id": state.run_id, "workflow": workflow.name, "version": workflow.version,
            "started_at": iso_instant(state.created), "state_path": state.state_path,
            "resumed": state.resume_count > 0}


__all__ = ["DEFAULT_CONCURRENCY", "Start", "aresume", "arun", "load_workflow", "prepare",
           "resolve_start", "resume", "run"]
