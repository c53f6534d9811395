"""End-to-end fixtures: the ``flowscript`` command as a subprocess, a copy of the
examples, and the corpus's HTTP test server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.run.support import HttpServer

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


@pytest.fixture(scope="session")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer()
    try:
        yield server
    finally:
        server.close()
