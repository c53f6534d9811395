"""End-to-end fixtures: the ``flowscript`` command as a subprocess and a copy of the
examples (the HTTP server fixture is in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def flowscript(*args: str, cwd: Path, timeout: float = 60,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m flowscript`` with no standard input, as CI and users do."""
    environ = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environ.pop("FLOWSCRIPT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "flowscript", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A private copy of ``examples/`` (runs write outputs and footers)."""
    target = tmp_path / "examples"
    shutil.copytree(REPO / "examples", target, ignore=shutil.ignore_patterns("out", ".flowscript"))
    return target
