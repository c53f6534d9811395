"""Run the ``flowscript`` command in-process and capture exit code and output."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest

from flowscript.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    """``cli(*args)`` runs the command in ``tmp_path`` with a private state directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FLOWSCRIPT_STATE_DIR", str(tmp_path / ".state"))

    def run(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 0
            else:  # pragma: no cover - main always exits
                code = 0
        sys.stdout.flush()
        return Result(code, out.getvalue(), err.getvalue())

    return run
