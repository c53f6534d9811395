"""The runtime registry: lazy built-ins, plugins by entry point, "did you mean"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowscript.runtimes import registry
from flowscript.runtimes.registry import ConfigKey, Runtime, UnknownRuntimeError


def test_listing_runtimes_imports_none_of_them() -> None:
    code = ("import sys, flowscript.runtimes.registry as r; keys = r.available(); "
            "assert 'source:http' in keys and 'transform:map' in keys, keys; "
            "assert not any(m.startswith('flowscript.runtimes.') and m != "
            "'flowscript.runtimes.registry' for m in sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_builtin_runtimes_load_on_first_use() -> None:
    runtime = registry.get_runtime("source:http")
    assert runtime.timeout == 30.0 and runtime.leaf
    assert registry.get_runtime("source:http") is runtime
    assert registry.get_runtime("state:set").leaf is False
    assert "template" in registry.get_runtime("transform:template").deferred


def test_unknown_keys_suggest_close_ones() -> None:
    with pytest.raises(UnknownRuntimeError) as caught:
        registry.get_runtime("source:htp")
    assert caught.value.hints[0] == "source:http"
    assert 'did you mean "source:http"' in str(caught.value)


def test_registering_a_bare_async_function() -> None:
    async def shout(node: object, ctx: object) -> str:
        """Shout the input."""
        return "HEY"

    shout.keys = [{"name": "volume", "kind": "int", "default": 3}]  # type: ignore[attr-defined]
    registry.register("transform:shout", shout)
    try:
        runtime = registry.get_runtime("transform:shout")
        assert runtime.keys == (ConfigKey("volume", "int", False, 3),)
        assert runtime.summary == "Shout the input."
        assert registry.available()["transform:shout"] == "Shout the input."
    finally:
        registry.unregister("transform:shout")
    with pytest.raises(UnknownRuntimeError):
        registry.get_runtime("transform:shout")


def test_a_runtime_must_be_callable() -> None:
    with pytest.raises(TypeError):
        registry.as_runtime(42)


def test_third_party_runtimes_come_from_the_entry_point_group(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fs_plugin_echo.py").write_text(
        "from flowscript.runtimes.registry import Runtime\n"
        "async def run(node, ctx):\n    return ctx.input\n"
        "RUNTIME = Runtime(run=run, summary='Echo the input.')\n")
    dist = tmp_path / "fs_plugin_echo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fs-plugin-echo\n"
                                   "Version: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[flowscript.runtimes]\nsource:echo = fs_plugin_echo:RUNTIME\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "source:echo" in registry.available()
    runtime = registry.get_runtime("source:echo")
    assert isinstance(runtime, Runtime) and runtime.summary == "Echo the input."
    registry.unregister("source:echo")
