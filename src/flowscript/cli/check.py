"""``flowscript validate`` and ``flowscript inspect`` (SPEC §10.3, §10.4, §10.8, §10.9)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..diagnostics import Diagnostic, summary_line
from ..errors import ParseError


def load_with_diagnostics(path: str, strict: bool = False):  # type: ignore[no-untyped-def]
    """Parse and validate ``path``: (workflow or None, sorted diagnostics, source text)."""
    from ..loader import load
    from ..validation import validate

    try:
        workflow = load(path)
    except ParseError as error:
        return None, sorted(error.diagnostics, key=Diagnostic.sort_key), _source_of(path)
    return workflow, validate(workflow, strict=strict), workflow.source


def _source_of(path: str) -> str | None:
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def is_valid(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return not any(d.is_error or strict for d in diagnostics)


def render_diagnostics(path: str, diagnostics: list[Diagnostic], source: str | None) -> str:
    """The §10.9 text: each diagnostic with its code frame, then a count line."""
    blocks = [d.render(source) for d in diagnostics]
    blocks.append(summary_line(path, diagnostics))
    return "\n".join(blocks)


def validate_files(files: tuple[str, ...], fmt: str, strict: bool) -> int:
    reports = []
    all_valid = True
    for path in files:
        _, diagnostics, source = load_with_diagnostics(path, strict)
        valid = is_valid(diagnostics, strict)
        all_valid &= valid
        reports.append((path, valid, diagnostics, source))
    if fmt == "json":
        click.echo(json.dumps({"files": [
            {"path": path, "valid": valid, "diagnostics": [d.to_json() for d in diagnostics]}
            for path, valid, diagnostics, _ in reports]}, ensure_ascii=False))
    else:
        for path, _, diagnostics, source in reports:
            click.echo(render_diagnostics(path, diagnostics, source))
    return 0 if all_valid else 1


def inspect_file(path: str, fmt: str) -> int:
    from .. import inspect as inspection

    workflow, diagnostics, source = load_with_diagnostics(path)
    if workflow is None:
        click.echo(render_diagnostics(path, diagnostics, source), err=True)
        return 2
    if fmt == "json":
        document = inspection.inspect_json(workflow, diagnostics)
        click.echo(json.dumps(document, ensure_ascii=False))
    elif fmt == "mermaid":
        click.echo(inspection.to_mermaid(workflow))
    elif fmt == "dot":
        click.echo(inspection.to_dot(workflow))
    else:
        click.echo(inspection.inspect_text(workflow, diagnostics))
        if diagnostics:
            click.echo(render_diagnostics(path, diagnostics, source))
    return 1 if any(d.is_error for d in diagnostics) else 0
