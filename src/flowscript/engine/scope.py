"""The names an expression sees (SPEC §4.4–§4.6), as a read-only, lazy chain of scopes.

One ``RunTables`` per run holds everything shared: the results table (``RunState.nodes``),
the variable scopes and the ``$`` values. A ``Scope`` is a small per-site object over it
— site bindings, iteration/lane frames, the phase, and result-key prefixes — that resolves
a bare name on demand, so evaluating a node never copies other nodes' outputs.

Reading order of a bare name: site bindings → iteration/lane frames (innermost first) →
the phase scope → global variables → node ids (a ``NodeRef``) → phase names (``PhaseRef``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..expr.values import NodeRef, PhaseRef
from .state import NodeResult

_MISSING: Any = object()

#: ``$`` names bound only at some sites (§4.6); elsewhere they read ``null``.
SITE_DOLLARS = frozenset({
    "$attempt", "$item", "$index", "$first", "$last", "$items", "$acc", "$iteration",
    "$branch", "$branches", "$primaryError", "$primaryInput", "$goto", "$error",
})
#: ``$`` names every site can read, from the run tables.
RUN_DOLLARS = frozenset({"$config", "$secrets", "$env", "$input", "$execution"})


class RunTables:
    """What every scope of one run shares. Nothing here is copied per node."""

    __slots__ = ("dollars", "globals", "node_ids", "phase_nodes", "phases", "results",
                 "version")

    def __init__(self, *, results: dict[str, NodeResult], node_ids: frozenset[str],
                 phase_nodes: Mapping[str, tuple[str, ...]], variables: dict[str, Any],
                 dollars: dict[str, Any]) -> None:
        #: Result key → result: the one results table (``RunState.nodes``).
        self.results = results
        #: Ids that expressions may reference (explicit ids; automatic ids cannot be).
        self.node_ids = node_ids
        #: Phase name → the ids of its nodes.
        self.phase_nodes = phase_nodes
        self.globals: dict[str, Any] = variables["global"]
        self.phases: dict[str, dict[str, Any]] = variables["phases"]
        #: ``$config``, ``$secrets``, ``$env``, ``$input``, ``$execution``.
        self.dollars = dollars
        #: Bumped whenever a result is recorded; keys the ``$nodes`` view cache.
        self.version = 0

    def record(self, result: NodeResult) -> None:
        self.results[result.key] = result
        self.version += 1


class Scope(Mapping[str, Any]):
    """The names visible at one evaluation site. Cheap to create; never copies data."""

    __slots__ = ("_nodes_cache", "bindings", "frames", "phase", "prefixes", "tables")

    def __init__(self, tables: RunTables, *, bindings: dict[str, Any] | None = None,
                 frames: tuple[dict[str, Any], ...] = (), phase: str | None = None,
                 prefixes: tuple[str, ...] = ("",)) -> None:
        self.tables = tables
        #: Site bindings: ``input``, ``item``, ``$attempt``, …
        self.bindings = bindings if bindings is not None else {}
        #: Foreach-iteration and parallel-lane variable scopes, innermost first.
        self.frames = frames
        #: The phase of the node being evaluated, or None.
        self.phase = phase
        #: Result-key prefixes tried when reading a node id, innermost first ("" last).
        self.prefixes = prefixes
        self._nodes_cache: tuple[int, dict[str, Any]] | None = None

    # -- derived scopes ------------------------------------------------------------------

    def bind(self, bindings: Mapping[str, Any]) -> Scope:
        """The same site with more bindings (later ones shadow earlier ones)."""
        return Scope(self.tables, bindings={**self.bindings, **bindings},
                     frames=self.frames, phase=self.phase, prefixes=self.prefixes)

    def enter(self, *, prefix: str | None = None, frame: dict[str, Any] | None = None,
              bindings: Mapping[str, Any] | None = None) -> Scope:
        """A nested site: a new result-key prefix (foreach iteration) and/or a new
        variable frame (iteration or lane); site bindings start afresh."""
        return Scope(self.tables, bindings=dict(bindings or {}),
                     frames=(frame, *self.frames) if frame is not None else self.frames,
                     phase=self.phase,
                     prefixes=(prefix, *self.prefixes) if prefix else self.prefixes)

    # -- reading -------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        value = self.bindings.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name[:1] == "$":
            return self._dollar(name, default)
        value = self.variable(name)
        if value is not _MISSING:
            return value
        tables = self.tables
        if name in tables.node_ids:
            return NodeRef(self.output_of(name))
        if name in tables.phase_nodes:
            return PhaseRef(name, _PhaseNodes(self, name))
        return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name, _MISSING) is not _MISSING

    def variable(self, name: str) -> Any:
        """The variable ``name`` through frames, phase and global scope, else a sentinel."""
        for frame in self.frames:
            if name in frame:
                return frame[name]
        if self.phase is not None:
            phase_vars = self.tables.phases.get(self.phase)
            if phase_vars and name in phase_vars:
                return phase_vars[name]
        return self.tables.globals.get(name, _MISSING)

    def result_of(self, node_id: str) -> NodeResult | None:
        """The result visible from here for ``node_id`` (this iteration's first)."""
        results = self.tables.results
        for prefix in self.prefixes:
            result = results.get(prefix + node_id if prefix else node_id)
            if result is not None:
                return result
        return None

    def output_of(self, node_id: str) -> Any:
        """The node's output when it succeeded, else ``None`` (SPEC §4.4)."""
        result = self.result_of(node_id)
        return result.output if result is not None and result.status == "success" else None

    def _dollar(self, name: str, default: Any) -> Any:
        value = self.tables.dollars.get(name, _MISSING)
        if value is not _MISSING:
            return value
        if name == "$context":
            return self.context()
        if name == "$nodes":
            return self.nodes_view()
        if name in SITE_DOLLARS:
            return None
        return default

    def context(self) -> dict[str, Any]:
        """``$context``: a fresh merged dict of the visible variables (inner shadow outer)."""
        merged = dict(self.tables.globals)
        if self.phase is not None:
            merged.update(self.tables.phases.get(self.phase, {}))
        for frame in reversed(self.frames):
            merged.update(frame)
        return merged

    def nodes_view(self) -> dict[str, Any]:
        """``$nodes``: result views by node id, rebuilt only when a result was recorded."""
        version = self.tables.version
        if self._nodes_cache is not None and self._nodes_cache[0] == version:
            return self._nodes_cache[1]
        view: dict[str, Any] = {}
        for node_id in self.tables.node_ids:
            result = self.result_of(node_id)
            if result is not None:
                view[node_id] = result.view()
        self._nodes_cache = (version, view)
        return view

    def __iter__(self) -> Iterator[str]:
        """Every name in scope (for "names in scope" messages); values are not read."""
        seen: dict[str, None] = dict.fromkeys(self.bindings)
        for frame in self.frames:
            seen.update(dict.fromkeys(frame))
        if self.phase is not None:
            seen.update(dict.fromkeys(self.tables.phases.get(self.phase, {})))
        seen.update(dict.fromkeys(self.tables.globals))
        seen.update(dict.fromkeys(sorted(self.tables.node_ids)))
        seen.update(dict.fromkeys(self.tables.phase_nodes))
        seen.update(dict.fromkeys(sorted(RUN_DOLLARS | {"$context", "$nodes"})))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    # -- writing (SPEC §4.5) -----------------------------------------------------------------

    def declare(self, name: str, value: Any, *, phase_scope: bool = False) -> None:
        """``<context>``: declare ``name`` globally, or in this phase's scope."""
        if phase_scope and self.phase is not None:
            self.tables.phases.setdefault(self.phase, {})[name] = value
        else:
            self.tables.globals[name] = value

    def assign(self, dotted: str, value: Any) -> None:
        """``<set var>``: assign to the nearest scope declaring the root name (global when
        none does); inside an iteration or lane, always in the innermost frame. A dotted
        name sets a nested key, copying the objects on its path (never mutating a value
        another result may hold)."""
        root, *path = dotted.split(".")
        current = self.variable(root)
        new_value = _with_path(None if current is _MISSING else current, path, value)
        if self.frames:
            self.frames[0][root] = new_value
            return
        if self.phase is not None:
            phase_vars = self.tables.phases.get(self.phase)
            if phase_vars is not None and root in phase_vars:
                phase_vars[root] = new_value
                return
        self.tables.globals[root] = new_value


def _with_path(root: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    base = dict(root) if isinstance(root, dict) else {}
    base[path[0]] = _with_path(base.get(path[0]), path[1:], value)
    return base


class _PhaseNodes(Mapping[str, NodeRef]):
    """The nodes of one phase as ``NodeRef``s, read lazily from the results table."""

    __slots__ = ("_ids", "_scope")

    def __init__(self, scope: Scope, phase: str) -> None:
        self._scope = scope
        self._ids = scope.tables.phase_nodes[phase]

    def __getitem__(self, node_id: str) -> NodeRef:
        if node_id not in self._ids:
            raise KeyError(node_id)
        return NodeRef(self._scope.output_of(node_id))

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


__all__ = ["RUN_DOLLARS", "SITE_DOLLARS", "RunTables", "Scope"]
