"""The executor's ``Persistence`` written to a ``JsonFileStore`` (SPEC §8.1–§8.5).

At run start the whole state document goes into a fresh snapshot; after every wave, and
when the run ends (and again after the workflow error handler), one journal patch carries
only what changed: the node results recorded since the last write — each one whole,
because the store replaces node results whole — and the run fields whose value changed.
Fields fixed at run start (plan, config, input, options…) are never compared again, so
the work and the bytes per wave do not grow with the run (§8.3). Everything written
passes through the run's redactor first (§8.5), as ``RunState.to_json`` does.

Iteration checkpoints (§8.2) write the same kind of patch — the iteration results and the
``progress`` entry — grouped: at most one write a second, and a write is scheduled for the
rest of that second, so at most about a second of completed iterations is ever unrecorded.

The adapter holds the state's exclusive lock from the first write until ``close``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import TYPE_CHECKING, Any

from .events import EventBus
from .state import MUTABLE_FIELDS, NodeTable, RunState
from .store import ATOMIC_FIELDS, JsonFileStore, diff

if TYPE_CHECKING:
    from .context import RunServices

#: Run fields holding a string, a number or null: compared directly.
_SCALARS = ("status", "updated_at", "completed_at", "duration_ms", "current_wave")
#: The other changing run fields (objects and lists, or null).
_OBJECTS = tuple(name for name in MUTABLE_FIELDS if name not in _SCALARS)
_UNSET: Any = object()
#: Seconds of completed iterations that may stay unrecorded (SPEC §8.2).
CHECKPOINT_INTERVAL = 1.0


class FilePersistence:
    """Writes one run's state to ``store``; emits ``state_saved`` on ``bus``."""

    def __init__(self, store: JsonFileStore, bus: EventBus | None = None) -> None:
        self.store = store
        self.bus = bus
        #: Scalar run field → the value last written.
        self._scalars: dict[str, Any] = {}
        #: Object run field → a private copy of the value last written, for diffs; and
        #: the JSON text of all of them, to tell cheaply that none changed.
        self._objects: dict[str, Any] = {}
        self._objects_text = ""
        #: ``time.monotonic()`` of the last write, and the grouped checkpoint write
        #: scheduled for later, if any.
        self._written_at = 0.0
        self._pending: asyncio.TimerHandle | None = None

    @classmethod
    def at(cls, path: str | os.PathLike[str], bus: EventBus | None = None) -> FilePersistence:
        """Persistence into the snapshot file ``path`` (journal and lock beside it)."""
        return cls(JsonFileStore(path), bus)

    @property
    def path(self) -> str:
        return os.fspath(self.store.path)

    # -- the Persistence protocol --------------------------------------------------------

    def on_run_started(self, state: RunState) -> None:
        """Take the lock (FS-RUN-008 when a live process holds it), then write the full
        document as a new snapshot, which also drops any journal left behind."""
        self.store.lock()
        self._snapshot(state)

    def on_wave_finished(self, state: RunState) -> None:
        self._save(state)

    def on_run_finished(self, state: RunState) -> None:
        self._save(state)

    def save_progress(self, state: RunState, *, final: bool = False) -> None:
        """An iteration checkpoint: write now when ``final`` or a second has passed since
        the last write; otherwise make sure a write follows within that second."""
        wait = self._written_at + CHECKPOINT_INTERVAL - time.monotonic()
        if final or wait <= 0:
            return self._save(state)
        if self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(wait, self._save, state)
        return None

    def close(self) -> None:
        """Close the journal and release the lock (the run is over)."""
        self._cancel_pending()
        self.store.close()

    # -- writing -------------------------------------------------------------------------

    def _save(self, state: RunState) -> None:
        self._cancel_pending()
        self._written_at = time.monotonic()
        patch = self._run_patch(state)
        if patch is None:
            return self._snapshot(state)
        nodes = _changed_keys(state)
        if nodes:
            patch["nodes"] = {key: state.node_json(key) for key in nodes}
        if patch:
            self._announce(self.store.append(patch))
        return None

    def _cancel_pending(self) -> None:
        """Drop a scheduled checkpoint write: the write happening now includes it."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _snapshot(self, state: RunState) -> None:
        document = state.to_json()
        _changed_keys(state)
        for name in _SCALARS:
            self._scalars[name] = document[name]
        self._remember_objects([document[name] for name in _OBJECTS])
        self._announce(self.store.write_snapshot(document))

    def _run_patch(self, state: RunState) -> dict[str, Any] | None:
        """The changed run fields as a merge patch, or None when one of them cannot be
        expressed as one (a variable set to null would read back as undeclared), in
        which case a snapshot is written instead.

        Scalars are compared as they are; the object fields are serialised together
        once, and field by field only when that text changed — most waves change none.
        """
        fields = state.mutable_json()
        patch: dict[str, Any] = {}
        for name in _SCALARS:
            value, old = fields[name], self._scalars.get(name, _UNSET)
            if type(value) is not type(old) or value != old:
                patch[name] = self._scalars[name] = value
        values = [fields[name] for name in _OBJECTS]
        text = _dumps(values)
        if text == self._objects_text:
            return patch
        for name, value in zip(_OBJECTS, values, strict=True):
            old = self._objects[name]
            if _dumps(value) == _dumps(old):
                continue
            if name == "variables" and _holds_null(value):
                return None
            both = isinstance(value, dict) and isinstance(old, dict)
            patch[name] = diff(old, value) if both and name not in ATOMIC_FIELDS else value
        self._remember_objects(values, text)
        return patch

    def _remember_objects(self, values: list[Any], text: str | None = None) -> None:
        """Keep a private copy of the object fields as written, to diff against."""
        text = _dumps(values) if text is None else text
        self._objects_text = text
        self._objects = dict(zip(_OBJECTS, json.loads(text), strict=True))

    def _announce(self, write: str) -> None:
        bus = self.bus
        if bus is not None and bus.wants("state_saved"):
            bus.emit("state_saved", path=self.path, write=write)


def attach_checkpoints(services: RunServices, state: RunState, persistence: Any) -> None:
    """Wire the runtimes' ``services.checkpoint`` to the run: progress goes into the
    state's own ``progress`` table and, with a state file, is written (SPEC §8.2)."""
    services.progress = state.progress
    if isinstance(persistence, FilePersistence):
        services.checkpoint_hook = lambda final: persistence.save_progress(state, final=final)


def _changed_keys(state: RunState) -> list[str]:
    """Result keys recorded since the last write (every key for a plain results dict,
    which only hand-built runs use)."""
    nodes = state.nodes
    if isinstance(nodes, NodeTable):
        return nodes.take_dirty()
    return list(nodes)


def _holds_null(value: Any) -> bool:
    """Whether an object holds a null member at some depth (lists are written whole)."""
    if not isinstance(value, dict):
        return False
    return any(item is None or _holds_null(item) for item in value.values())


#: One encoder for the run (``json.dumps`` with options builds a new one per call).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


__all__ = ["CHECKPOINT_INTERVAL", "FilePersistence", "attach_checkpoints"]
