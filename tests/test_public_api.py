"""The public API is exactly SPEC §10.10's, reachable lazily, and never shadowed by a
submodule of the same name (importing ``flowscript.engine`` must not replace ``run``)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import flowscript


def test_all_lists_every_export_once_sorted() -> None:
    assert flowscript.__all__ == sorted(set(flowscript.__all__))
    assert set(flowscript.__all__) == set(flowscript._EXPORTS)


def test_every_export_resolves_and_reads_as_flowscript() -> None:
    for name in flowscript.__all__:
        value = getattr(flowscript, name)
        assert value is not None
        if isinstance(value, type):
            assert value.__module__ == "flowscript", name


def test_functions_stay_functions_after_every_module_is_imported() -> None:
    for module in ("flowscript.engine.api", "flowscript.parsing.body", "flowscript.planner",
                   "flowscript.validation", "flowscript.loader", "flowscript.expr.api"):
        importlib.import_module(module)
    for name in ("run", "arun", "resume", "aresume", "parse", "load", "plan", "validate",
                 "evaluate", "render", "match"):
        assert callable(getattr(flowscript, name)), name
        assert not isinstance(getattr(flowscript, name), type(sys)), name


def test_import_is_light() -> None:
    """``import flowscript`` loads no engine, parser or HTTP client (fast --help)."""
    code = ("import sys, flowscript; heavy = [m for m in ('httpx', 'yaml', 'rich', "
            "'flowscript.engine', 'flowscript.parsing') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_errors_form_one_tree() -> None:
    for name in flowscript.__all__:
        value = getattr(flowscript, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, flowscript.FlowScriptError), name
    assert issubclass(flowscript.NodeError, flowscript.RunError)
    assert issubclass(flowscript.HttpError, flowscript.NodeFailure)
