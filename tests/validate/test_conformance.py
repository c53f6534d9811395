"""Every conformance case of ``cases/invalid`` reproduces its expected diagnostics, and
every file of ``cases/parse`` is valid with exactly the warnings it expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowscript.diagnostics import Diagnostic
from flowscript.errors import ParseError
from flowscript.validation import validate

from .conftest import CONFORMANCE, parse_workflow


def _cases(area: str) -> list[Path]:
    folder = CONFORMANCE / area
    return sorted(p for p in folder.iterdir() if (p / "expect.json").exists()) \
        if folder.is_dir() else []


def _diagnostics(path: Path) -> list[Diagnostic]:
    try:
        workflow = parse_workflow(path.read_text(encoding="utf-8"), str(path))
    except ParseError as error:
        return list(error.diagnostics)
    return validate(workflow)


def _matches(found: Diagnostic, wanted: dict[str, Any]) -> bool:
    code = wanted["code"]
    codes = code if isinstance(code, list) else [code]
    if not any(found.code == c or found.code.startswith(c + "-") for c in codes):
        return False
    lines = wanted.get("line", found.line)
    if found.line not in (lines if isinstance(lines, list) else [lines]):
        return False
    text = (found.message + " " + " ".join(found.hints)).lower()
    for key in ("message_contains", "hint_contains"):
        if key in wanted and wanted[key].lower() not in text:
            return False
    return wanted.get("severity", found.severity) == found.severity


def test_the_corpus_is_there() -> None:
    assert _cases("invalid") and _cases("parse"), f"no conformance cases at {CONFORMANCE}"


@pytest.mark.parametrize("case", _cases("invalid"), ids=lambda p: p.name)
def test_invalid_case(case: Path) -> None:
    expect = json.loads((case / "expect.json").read_text(encoding="utf-8"))
    found = _diagnostics(case / expect.get("file", "workflow.flow.md"))
    assert any(d.is_error for d in found)
    for wanted in expect["diagnostics"]:
        assert any(_matches(d, wanted) for d in found), (wanted, [str(d) for d in found])


@pytest.mark.parametrize("case", _cases("parse"), ids=lambda p: p.name)
def test_parse_case_is_valid(case: Path) -> None:
    expect = json.loads((case / "expect.json").read_text(encoding="utf-8"))
    found = _diagnostics(case / expect.get("file", "workflow.flow.md"))
    assert not [str(d) for d in found if d.is_error]
    for wanted in expect.get("diagnostics", []):
        assert any(_matches(d, wanted) for d in found), (wanted, [str(d) for d in found])
