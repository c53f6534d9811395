"""Run state: node results (SPEC §6.6), the run state (§10.10) and its JSON document
(§8.4), and error objects (§7.1).

Instants are kept as ``time.time()`` floats and formatted only when read, so recording a
result costs no string formatting on the executor's hot path.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import traceback as _traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import FlowScriptError, NodeError

#: The state document's format tag (SPEC §8.4).
STATE_FORMAT = "flowscript-state/1"

RUN_STATUSES = ("pending", "running", "completed", "failed", "waiting", "cancelled")
NODE_STATUSES = ("pending", "running", "success", "failed", "skipped", "cancelled", "waiting")


def iso_instant(instant: float | None) -> str | None:
    """ISO-8601 UTC with milliseconds: ``2025-03-09T14:05:07.042Z``."""
    if instant is None:
        return None
    millis = int(instant * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000)) + \
        f".{millis % 1000:03d}Z"


def parse_instant(text: Any) -> float | None:
    """The ``time.time()`` value of an ISO-8601 instant read back from a state document
    (``None`` for null or text that is not an instant: a reader tolerates odd fields)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp()


def new_run_id(instant: float | None = None) -> str:
    """``YYYYMMDD-HHMMSS-xxxxxxxx``: UTC start time and 8 random hex digits (SPEC §8.1)."""
    stamp = time.strftime("%Y%m%d-%H%M%S",
                          time.gmtime(time.time() if instant is None else instant))
    return f"{stamp}-{secrets.token_hex(4)}"


def _millis(start: float | None, end: float | None) -> int | None:
    """``end − start`` between the millisecond instants as recorded (§6.6), so a result
    read back from the state has the duration it was written with."""
    if start is None or end is None:
        return None
    return max(0, int(end * 1000) - int(start * 1000))


class NodeResult:
    """The recorded result of one node execution, under its result key (SPEC §6.6).

    Attributes carry the §6.6 fields; ``exception`` keeps the original error object of a
    failed node (never serialised) so ``NodeError.cause`` can be the real exception.
    """

    __slots__ = ("attempts", "completed", "error", "exception", "fallback_error", "id",
                 "key", "kind", "meta", "output", "recovered_by", "redacted", "started",
                 "status")

    def __init__(self, id: str, kind: str, *, key: str | None = None,
                 status: str = "pending", output: Any = None) -> None:
        self.id = id
        #: The result key (SPEC §4.1); the id except inside foreach bodies and sub-workflows.
        self.key = key or id
        self.kind = kind
        self.status = status
        self.output = output
        self.error: dict[str, Any] | None = None
        self.attempts = 0
        #: ``time.time()`` of the first attempt's start, and of settlement.
        self.started: float | None = None
        self.completed: float | None = None
        self.recovered_by: str | None = None
        self.fallback_error: dict[str, Any] | None = None
        self.redacted = False
        self.meta: dict[str, Any] = {}
        self.exception: BaseException | None = None

    @property
    def started_at(self) -> str | None:
        return iso_instant(self.started)

    @property
    def completed_at(self) -> str | None:
        return iso_instant(self.completed)

    @property
    def duration_ms(self) -> int | None:
        return _millis(self.started, self.completed)

    @property
    def settled(self) -> bool:
        return self.status not in ("pending", "running")

    def view(self) -> dict[str, Any]:
        """The ``$nodes.<id>`` view (SPEC §4.4)."""
        return {"status": self.status, "output": self.output, "error": self.error,
                "attempts": self.attempts, "duration_ms": self.duration_ms,
                "recovered_by": self.recovered_by}

    def to_json(self) -> dict[str, Any]:
        """The node result object of SPEC §6.6."""
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "output": self.output, "error": self.error, "attempts": self.attempts,
                "started_at": self.started_at, "completed_at": self.completed_at,
                "duration_ms": self.duration_ms, "recovered_by": self.recovered_by,
                "fallback_error": self.fallback_error, "redacted": self.redacted,
                "meta": self.meta}

    @classmethod
    def from_json(cls, key: str, data: Mapping[str, Any]) -> NodeResult:
        """A result read back from a state document (resume, SPEC §8.6); absent fields
        read as null, as merge patches delete null members (§8.3)."""
        result = cls(str(data.get("id") or key), str(data.get("kind") or ""), key=key,
                     status=str(data.get("status") or "pending"), output=data.get("output"))
        result.error = data.get("error")
        result.attempts = int(data.get("attempts") or 0)
        result.started = parse_instant(data.get("started_at"))
        result.completed = parse_instant(data.get("completed_at"))
        result.recovered_by = data.get("recovered_by")
        result.fallback_error = data.get("fallback_error")
        result.redacted = bool(data.get("redacted"))
        result.meta = dict(data.get("meta") or {})
        return result

    def __repr__(self) -> str:
        return f"NodeResult({self.key!r}, status={self.status!r}, output={self.output!r})"


class NodeTable(dict[str, NodeResult]):
    """The results table of a persisted run: remembers the keys recorded since the last
    write, so each journal patch carries only the results that changed (SPEC §8.3) without
    scanning the whole table after every wave. Runs without persistence use a plain dict
    and pay nothing for this."""

    __slots__ = ("dirty",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Result keys recorded (or re-recorded) since ``take_dirty`` last ran.
        self.dirty: set[str] = set()

    def __setitem__(self, key: str, value: NodeResult) -> None:
        self.dirty.add(key)
        dict.__setitem__(self, key, value)

    def take_dirty(self) -> list[str]:
        """The changed keys still in the table, in recording order; forgets them."""
        dirty, self.dirty = self.dirty, set()
        return [key for key in dirty if key in self]


#: Run fields that change while a run executes; the others are fixed at run start, so a
#: journal patch never needs to compare or carry them (SPEC §8.3 "only what changed").
MUTABLE_FIELDS = ("status", "updated_at", "completed_at", "duration_ms", "current_wave",
                  "variables", "progress", "activated", "gotos", "breakers", "checkpoints",
                  "usage", "error", "errors", "error_handler", "output")


@dataclass(slots=True, kw_only=True, repr=False)
class RunState:
    """One run: its status, node results by result key, output and errors (SPEC §10.10).

    ``to_json()`` returns the state document of §8.4. The executor owns the object while
    the run is active; callers get it back when the run returns or inside ``RunError``.
    """

    run_id: str
    status: str = "pending"
    #: Result key → node result; also the executor's one shared results table.
    nodes: dict[str, NodeResult] = field(default_factory=dict)
    output: Any = None
    #: The run's error object (§7.1): the first failed node's in document order.
    error: dict[str, Any] | None = None
    #: Error objects of every failed top-level node.
    errors: list[dict[str, Any]] = field(default_factory=list)
    state_path: str | None = None
    workflow: dict[str, Any] = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    started: float | None = None
    updated: float | None = None
    completed: float | None = None
    resume_count: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    input: Any = None
    plan: list[list[str]] = field(default_factory=list)
    current_wave: int = -1
    #: ``{"global": {…}, "phases": {name: {…}}}``: the live variable scopes.
    variables: dict[str, Any] = field(default_factory=lambda: {"global": {}, "phases": {}})
    progress: dict[str, Any] = field(default_factory=dict)
    activated: list[str] = field(default_factory=list)
    gotos: dict[str, int] = field(default_factory=dict)
    breakers: dict[str, Any] = field(default_factory=dict)
    checkpoints: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=lambda: {"ai": {
        "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})
    error_handler: dict[str, Any] | None = None
    seq: int = 0
    #: The run's secret redactor (``engine.redact.Redactor``); ``to_json`` applies it.
    redactor: Any = None

    @property
    def duration_ms(self) -> int | None:
        return _millis(self.started, self.completed)

    @property
    def created_at(self) -> str | None:
        return iso_instant(self.created)

    @property
    def started_at(self) -> str | None:
        return iso_instant(self.started)

    @property
    def updated_at(self) -> str | None:
        return iso_instant(self.updated)

    @property
    def completed_at(self) -> str | None:
        return iso_instant(self.completed)

    def __repr__(self) -> str:
        return (f"RunState(run_id={self.run_id!r}, status={self.status!r}, "
                f"nodes={len(self.nodes)}, error={(self.error or {}).get('type')!r})")

    def to_json(self) -> dict[str, Any]:
        """The ``flowscript-state/1`` document (SPEC §8.4) as a dict of JSON values, with
        every secret redacted (§8.5): a node whose output lost a secret is marked
        ``redacted``. Values without secrets are shared with the run, not copied: treat
        the document as read-only, or copy it before changing it.
        """
        document = self._document()
        redactor = self.redactor
        if not redactor:
            return document
        nodes = document["nodes"]
        for key, node in nodes.items():
            nodes[key] = self._mark_redacted(key, node)
        return redactor.redact(document)[0]  # type: ignore[no-any-return]

    def node_json(self, key: str) -> dict[str, Any]:
        """One node result as the state records it (a journal patch): redacted exactly
        as ``to_json`` would, so the snapshot and the journal never disagree (§8.5)."""
        node = self.nodes[key].to_json()
        redactor = self.redactor
        if not redactor:
            return node
        return redactor.redact(self._mark_redacted(key, node))[0]  # type: ignore[no-any-return]

    def mutable_json(self) -> dict[str, Any]:
        """The ``MUTABLE_FIELDS`` of the document, redacted: what a journal patch may
        need to carry besides node results."""
        document = {
            "status": self.status, "updated_at": self.updated_at,
            "completed_at": self.completed_at, "duration_ms": self.duration_ms,
            "current_wave": self.current_wave, "variables": self.variables,
            "progress": self.progress, "activated": self.activated, "gotos": self.gotos,
            "breakers": self.breakers, "checkpoints": self.checkpoints, "usage": self.usage,
            "error": self.error, "errors": self.errors, "error_handler": self.error_handler,
            "output": self.output}
        if self.redactor:
            return self.redactor.redact(document)[0]  # type: ignore[no-any-return]
        return document

    def _mark_redacted(self, key: str, node: dict[str, Any]) -> dict[str, Any]:
        """A node whose output lost a secret is recorded ``redacted: true`` and re-run
        on resume, as its recorded output is no longer faithful (§8.5)."""
        clean, changed = self.redactor.redact(node["output"])
        if not changed:
            return node
        self.nodes[key].redacted = True
        return {**node, "output": clean, "redacted": True}

    @classmethod
    def from_json(cls, document: Mapping[str, Any], *,
                  state_path: str | None = None) -> RunState:
        """The run state of a state document (§8.4), e.g. a completed run that resume
        reports without running it. Absent fields read as null."""
        nodes = document.get("nodes") or {}
        variables = document.get("variables") or {}
        state = cls(run_id=str(document.get("run_id") or ""), state_path=state_path)
        state.status = str(document.get("status") or "pending")
        state.nodes = {key: NodeResult.from_json(key, data) for key, data in nodes.items()
                       if isinstance(data, Mapping)}
        state.output, state.error = document.get("output"), document.get("error")
        state.errors = list(document.get("errors") or [])
        state.workflow = dict(document.get("workflow") or {})
        created = parse_instant(document.get("created_at"))
        state.created = created if created is not None else state.created
        state.started = parse_instant(document.get("started_at"))
        state.updated = parse_instant(document.get("updated_at"))
        state.completed = parse_instant(document.get("completed_at"))
        state.resume_count = int(document.get("resume_count") or 0)
        state._restore_fields(document, variables)
        return state

    def _restore_fields(self, document: Mapping[str, Any],
                        variables: Mapping[str, Any]) -> None:
        self.options = dict(document.get("options") or {})
        self.config = dict(document.get("config") or {})
        self.input = document.get("input")
        self.plan = [list(wave) for wave in document.get("plan") or []]
        wave = document.get("current_wave")
        self.current_wave = wave if type(wave) is int else -1
        self.variables = {"global": dict(variables.get("global") or {}),
                          "phases": {name: dict(scope or {}) for name, scope
                                     in (variables.get("phases") or {}).items()}}
        self.progress = dict(document.get("progress") or {})
        self.activated = list(document.get("activated") or [])
        self.gotos = dict(document.get("gotos") or {})
        self.breakers = dict(document.get("breakers") or {})
        self.checkpoints = dict(document.get("checkpoints") or {})
        self.usage = document.get("usage") or self.usage
        self.error_handler = document.get("error_handler")
        self.seq = int(document.get("seq") or 0)

    def _document(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT, "seq": self.seq, "run_id": self.run_id,
            "workflow": dict(self.workflow), "status": self.status,
            "created_at": self.created_at, "started_at": self.started_at,
            "updated_at": self.updated_at, "completed_at": self.completed_at,
            "duration_ms": self.duration_ms, "resume_count": self.resume_count,
            "options": dict(self.options), "config": self.config, "input": self.input,
            "plan": [list(wave) for wave in self.plan], "current_wave": self.current_wave,
            "variables": {"global": dict(self.variables["global"]),
                          "phases": {name: dict(scope) for name, scope
                                     in self.variables["phases"].items()}},
            "nodes": {key: result.to_json() for key, result in self.nodes.items()},
            "progress": dict(self.progress), "activated": list(self.activated),
            "gotos": dict(self.gotos), "breakers": dict(self.breakers),
            "checkpoints": dict(self.checkpoints), "usage": self.usage,
            "error": self.error, "errors": list(self.errors),
            "error_handler": self.error_handler, "output": self.output,
        }


# ---------------------------------------------------------------------------------------
# Error objects (SPEC §7.1)

def error_object(exc: BaseException, node_key: str | None = None,
                 attempts: int | None = None, *, with_traceback: bool = True
                 ) -> dict[str, Any]:
    """The error object of SPEC §7.1 for ``exc``; never empty, ``message`` never blank.

    A ``NodeError`` is described by its cause. Exceptions that are not FlowScript errors
    are bugs in the engine or a plugin and are reported as ``InternalError``.
    """
    if isinstance(exc, NodeError):
        node_key = node_key or exc.node_id
        attempts = exc.attempts if attempts is None else attempts
        exc = exc.cause
    type_name, message, status, retryable, retry_after = _describe(exc)
    return {
        "type": type_name, "message": message or type_name, "status": status,
        "retryable": retryable, "node": node_key, "attempts": attempts,
        "retry_after": retry_after,
        "traceback": _format_traceback(exc) if with_traceback else None,
    }


def _describe(exc: BaseException) -> tuple[str, str, int | None, bool, float | None]:
    if isinstance(exc, FlowScriptError):
        return (exc.type_name, str(exc).strip() or exc.message, exc.status,
                bool(exc.retryable), exc.retry_after)
    if isinstance(exc, asyncio.CancelledError):
        return "CancelledError", "cancelled", None, False, None
    detail = str(exc).strip()
    message = f"internal error: {type(exc).__name__}" + (f": {detail}" if detail else "")
    return "InternalError", message + " (a bug in the engine or a plugin)", None, False, None


def _format_traceback(exc: BaseException) -> str | None:
    if exc.__traceback__ is None:
        return None
    return "".join(_traceback.format_exception(exc)).rstrip()


def public_error(error: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An error object without its ``traceback`` (for output documents, SPEC §10.8)."""
    if error is None:
        return None
    return {key: value for key, value in error.items() if key != "traceback"}


__all__ = ["MUTABLE_FIELDS", "NODE_STATUSES", "RUN_STATUSES", "STATE_FORMAT", "NodeResult",
           "NodeTable", "RunState", "error_object", "iso_instant", "new_run_id",
           "parse_instant", "public_error"]
