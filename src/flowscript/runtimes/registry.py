"""Runtimes by registry key (``source:http``, ``transform:map``, …), imported lazily.

A runtime is an ``async def run(node, ctx) -> output`` plus a description of its
configuration keys. Built-in runtimes are listed here as ``RuntimeInfo(module_path, attr,
summary)`` and imported on first use, so ``flowscript --help`` pays for none of them.
Third-party runtimes register through the ``flowscript.runtimes`` entry-point group,
whose entry names are registry keys (``<element>:<type>``, SPEC §3.40).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, NamedTuple

#: The entry-point group third-party runtimes register under.
ENTRY_POINT_GROUP = "flowscript.runtimes"


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One configuration key a runtime accepts (SPEC §3.2.3)."""

    name: str
    #: Value kind of §3.2.2: text, tmpl, expr, int, number, bool, duration, value, block,
    #: list, or ``enum(a|b)``.
    kind: str = "text"
    required: bool = False
    default: Any = None


@dataclass(frozen=True, slots=True)
class Runtime:
    """A node runtime and what the executor needs to know about it."""

    #: ``async def run(node, ctx) -> output``.
    run: Callable[[Any, Any], Awaitable[Any]]
    #: Configuration keys (built-in runtimes take theirs from ``flowscript.elements``).
    keys: tuple[ConfigKey, ...] = ()
    #: Keys the runtime evaluates itself (per item, per call), left unevaluated for it.
    deferred: frozenset[str] = frozenset()
    #: Leaf nodes get the default retry policies (SPEC §6.5).
    leaf: bool = True
    #: The kind's default attempt timeout in seconds (SPEC §7.5), or None.
    timeout: float | None = None
    summary: str = ""


class RuntimeInfo(NamedTuple):
    """Where a built-in runtime lives; the module is imported on first use."""

    module_path: str
    attr: str
    summary: str


#: Built-in runtimes. Keys of the language without an entry here fail their node with
#: ``InternalError`` ("runtime not available") until their runtime is added.
BUILTIN: dict[str, RuntimeInfo] = {
    "source:http": RuntimeInfo("flowscript.runtimes.http", "SOURCE",
                               "Request an HTTP resource and parse the response."),
    "sink:http": RuntimeInfo("flowscript.runtimes.http", "SINK",
                             "Send the input to an HTTP endpoint."),
    "source:file": RuntimeInfo("flowscript.runtimes.file", "SOURCE",
                               "Read and parse a file under the base directory."),
    "sink:file": RuntimeInfo("flowscript.runtimes.file", "SINK",
                             "Serialise the input to a file, atomically."),
    "transform:template": RuntimeInfo("flowscript.runtimes.transform", "TEMPLATE",
                                      "Render a template."),
    "transform:map": RuntimeInfo("flowscript.runtimes.transform", "MAP",
                                 "Evaluate an expression per item."),
    "transform:filter": RuntimeInfo("flowscript.runtimes.transform", "FILTER",
                                    "Keep the items for which a condition holds."),
    "transform:reduce": RuntimeInfo("flowscript.runtimes.transform", "REDUCE",
                                    "Fold the items into one value."),
    "state:context": RuntimeInfo("flowscript.runtimes.state", "CONTEXT",
                                 "Declare and initialise variables."),
    "state:set": RuntimeInfo("flowscript.runtimes.state", "SET", "Assign a variable."),
    "control:foreach": RuntimeInfo("flowscript.runtimes.foreach", "FOREACH",
                                   "Run the body once per item."),
    "temporal:delay": RuntimeInfo("flowscript.runtimes.temporal", "DELAY",
                                  "Wait, then pass the input on."),
}

_loaded: dict[str, Runtime] = {}
_registered: dict[str, Runtime] = {}


class UnknownRuntimeError(LookupError):
    """No runtime is registered under a key; ``hints`` suggest close keys."""

    def __init__(self, key: str, hints: list[str]) -> None:
        text = f'no runtime is available for "{key}"'
        if hints:
            text += " (did you mean " + ", ".join(f'"{h}"' for h in hints) + "?)"
        super().__init__(text)
        self.key = key
        self.hints = hints


def register(key: str, runtime: Runtime | Callable[[Any, Any], Awaitable[Any]]) -> None:
    """Register a runtime under ``key`` in this process (plugins and tests)."""
    _registered[key] = as_runtime(runtime)
    _loaded.pop(key, None)


def unregister(key: str) -> None:
    _registered.pop(key, None)
    _loaded.pop(key, None)


def as_runtime(obj: Any) -> Runtime:
    """Accept a ``Runtime`` or a bare async ``run(node, ctx)`` callable (whose optional
    ``keys``, ``deferred``, ``leaf`` and ``timeout`` attributes describe it)."""
    if isinstance(obj, Runtime):
        return obj
    if not callable(obj):
        raise TypeError(f"a runtime must be a Runtime or an async callable, got {obj!r}")
    keys = tuple(k if isinstance(k, ConfigKey) else ConfigKey(**k)
                 for k in getattr(obj, "keys", ()))
    return Runtime(run=obj, keys=keys, deferred=frozenset(getattr(obj, "deferred", ())),
                   leaf=bool(getattr(obj, "leaf", True)), timeout=getattr(obj, "timeout", None),
                   summary=(getattr(obj, "__doc__", None) or "").strip().split("\n")[0])


def get_runtime(key: str) -> Runtime:
    """The runtime for ``key``; raises ``UnknownRuntimeError`` with "did you mean" hints."""
    runtime = _loaded.get(key)
    if runtime is not None:
        return runtime
    if key in _registered:
        runtime = _registered[key]
    elif key in BUILTIN:
        info = BUILTIN[key]
        runtime = as_runtime(getattr(importlib.import_module(info.module_path), info.attr))
    else:
        entry = _entry_points().get(key)
        if entry is None:
            raise UnknownRuntimeError(key, difflib.get_close_matches(key, available(), n=3))
        runtime = as_runtime(entry.load())
    _loaded[key] = runtime
    return runtime


def available() -> dict[str, str]:
    """Every registry key with its one-line summary, without importing any runtime."""
    keys = {key: info.summary for key, info in BUILTIN.items()}
    for name, entry in _entry_points().items():
        keys.setdefault(name, f"plugin runtime {entry.value}")
    keys.update({key: runtime.summary for key, runtime in _registered.items()})
    return dict(sorted(keys.items()))


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {entry.name: entry for entry in metadata.entry_points(group=ENTRY_POINT_GROUP)}


__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "ConfigKey", "Runtime", "RuntimeInfo",
           "UnknownRuntimeError", "as_runtime", "available", "get_runtime", "register",
           "unregister"]
