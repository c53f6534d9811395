"""Resuming a persisted run (SPEC §8.6).

The state is read (FS-RUN-007 when it cannot be), its lock taken (FS-RUN-008 when a live
process holds it) and kept until the resumed run ends. A completed run is reported as
recorded. Otherwise the workflow is loaded again — refused when its hash changed
(FS-RUN-006) unless forced — and a run is prepared exactly as a new one would be, from
the recorded ``$config`` and ``$input`` and freshly read secrets (FS-RUN-004), with the
recorded options unless the caller overrides them. Into that run go the recorded
variables, goto counters, breakers, activations and the successful, unredacted node
results; everything else starts again from ``pending``. The scheduler then settles the
kept nodes without running them, so the run continues from the first wave holding a
node that did not succeed, with the same run id, in the same snapshot and journal.
A foreach that runs again takes its recorded ``progress`` entry (handed over through
``RunServices.resumed_progress``) and runs only the iterations not completed (step 5).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..ast import Workflow
from ..errors import ResumeError
from .api import load_workflow, prepare
from .executor import Executor
from .options import ExecutionOptions
from .persistence import FilePersistence
from .planning import plan_facts
from .state import NodeResult, RunState
from .store import JsonFileStore

_UNREADABLE = "FS-RUN-007"
_CHANGED = "FS-RUN-006"
#: Options recorded in the state that a caller's explicit value overrides (§8.6).
_OVERRIDABLE = ("max_concurrency", "timeout", "default_retry", "base_dir")


async def resume_run(state_path: str | os.PathLike[str],
                     workflow: Workflow | str | os.PathLike[str] | None = None,
                     options: ExecutionOptions | None = None, *,
                     secrets: Mapping[str, str] | None = None,
                     answers: Mapping[str, Any] | None = None,
                     force: bool = False) -> RunState:
    """``flowscript.aresume``: continue the run persisted at ``state_path``."""
    store = JsonFileStore(state_path)
    store.read()  # FS-RUN-007 before anything is created beside a missing state
    store.lock()
    try:
        document = store.read()  # again: the state may have moved on before the lock
        if document["status"] == "completed":
            store.close()
            return RunState.from_json(document, state_path=os.fspath(state_path))
        executor = _prepare(store, document, workflow, options, secrets=secrets,
                            answers=answers, force=force)
    except BaseException:
        store.close()
        raise
    try:
        return await executor.execute()
    finally:
        await executor.aclose()


def _prepare(store: JsonFileStore, document: dict[str, Any],
             workflow: Workflow | str | os.PathLike[str] | None,
             options: ExecutionOptions | None, *, secrets: Mapping[str, str] | None,
             answers: Mapping[str, Any] | None, force: bool) -> Executor:
    """The executor of the resumed run, its state restored; nothing runs yet."""
    loaded = find_workflow(document, workflow, force=force)
    recorded = RunState.from_json(document)
    persistence = FilePersistence(store)
    executor = prepare(loaded, plan_facts(loaded), config=recorded.config,
                       input=recorded.input, secrets=secrets,
                       options=resume_options(document, options, store.path, answers),
                       persistence=persistence)
    persistence.bus = executor.services.bus
    restore(executor, recorded)
    return executor


def find_workflow(document: Mapping[str, Any],
                  workflow: Workflow | str | os.PathLike[str] | None, *,
                  force: bool = False) -> Workflow:
    """The workflow to continue: the given one, else the file recorded in the state.

    A file that cannot be read or parsed raises as ``run`` does (``ParseError``); one whose
    hash differs from the recorded hash is refused (FS-RUN-006) unless ``force``, because
    recorded results would be mixed with nodes that changed meaning.
    """
    info = document.get("workflow") or {}
    if isinstance(workflow, Workflow):
        loaded, where = load_workflow(workflow), workflow.path or "the given workflow"
    else:
        where = os.fspath(workflow) if workflow is not None else info.get("path")
        if not where:
            raise ResumeError("the state records no workflow file; pass the workflow "
                              "(--workflow FILE, workflow=...)", _UNREADABLE)
        loaded = load_workflow(where)
    recorded = info.get("hash")
    if recorded and loaded.hash != recorded and not force:
        raise ResumeError(f"the workflow {where} changed since the run was started "
                          f"(hash {loaded.hash} instead of {recorded}); resume with "
                          f"--force (force=True) to continue with the new version",
                          _CHANGED)
    return loaded


def resume_options(document: Mapping[str, Any], given: ExecutionOptions | None,
                   path: str | os.PathLike[str],
                   answers: Mapping[str, Any] | None) -> ExecutionOptions:
    """The recorded options (§8.4), overridden by the caller's explicit ones; always the
    recorded run id and the same state file, so the run continues where it was."""
    recorded = document.get("options") or {}
    given = given or ExecutionOptions()
    fields: dict[str, Any] = {}
    for name in _OVERRIDABLE:
        value = getattr(given, name)
        fields[name] = value if value is not None else recorded.get(name)
    fields["default_retry"] = _retry(fields["default_retry"])
    # Confinement stays lifted only if it was lifted, and the caller can lift it again.
    fields["restrict_paths"] = bool(given.restrict_paths
                                    and recorded.get("restrict_paths") is not False)
    if answers is not None:
        fields["answers"] = answers
    return replace(given, **fields, persistence_path=os.fspath(path),
                   run_id=str(document["run_id"] or Path(path).stem))


def _retry(value: Any) -> Any:
    """A recorded ``default_retry`` (``RetryPolicy.to_json()``) back as a policy."""
    if not isinstance(value, Mapping):
        return value
    from .retry import RetryPolicy

    try:
        return RetryPolicy.from_mapping(value)
    except (TypeError, ValueError):
        return dict(value)


def restore(executor: Executor, recorded: RunState) -> None:
    """Put the recorded run back into a freshly prepared one (§8.6 steps 3, 4 and 7)."""
    state = executor.state
    state.created = recorded.created
    state.resume_count = recorded.resume_count + 1
    kept = kept_results(executor, recorded.nodes)
    state.nodes.update(kept)
    executor.kept = {key for key in kept if key in executor.nodes}
    _restore_variables(state.variables, recorded.variables)
    state.gotos.update(recorded.gotos)
    state.breakers.update(recorded.breakers)
    state.activated.extend(recorded.activated)
    state.progress.update(recorded.progress)
    executor.services.resumed_progress.update(recorded.progress)
    state.checkpoints.update(recorded.checkpoints)
    state.usage = recorded.usage
    state.current_wave = _first_open_wave(executor) - 1
    execution = executor.tables.dollars["$execution"]
    execution.update(resumed=True, started_at=recorded.created_at)


def kept_results(executor: Executor, results: Mapping[str, NodeResult]
                 ) -> dict[str, NodeResult]:
    """The results a resumed run keeps: ``success`` and not redacted (a redacted output
    is no longer faithful, §8.5), of a node the workflow still has with the same kind.
    Every other node is pending again, those of the interrupted wave included."""
    kinds = {node.id: node.kind for top in executor.nodes.values() for node in top.walk()}
    return {key: result for key, result in results.items()
            if result.status == "success" and not result.redacted
            and kinds.get(result.id) == result.kind}


def _restore_variables(live: dict[str, Any], recorded: Mapping[str, Any]) -> None:
    """Into the live scopes, which the run's tables already reference."""
    live["global"].update(recorded.get("global") or {})
    for name, scope in (recorded.get("phases") or {}).items():
        live["phases"].setdefault(name, {}).update(scope or {})


def _first_open_wave(executor: Executor) -> int:
    """The first plan wave holding a node that is not kept (handler nodes aside), so the
    resumed waves are numbered as the plan numbers them."""
    facts = executor.facts
    for number, wave in enumerate(facts.waves):
        if any(node_id not in executor.kept and not facts.is_handler(node_id)
               for node_id in wave):
            return number
    return len(facts.waves)


__all__ = ["find_workflow", "kept_results", "restore", "resume_options", "resume_run"]
