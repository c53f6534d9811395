"""Diagnostics: what is wrong, where, and what to do next (SPEC §10.9, §11).

A Diagnostic is plain data; ``render`` turns it into the text of §10.9 with a code frame
and caret, ``to_json`` into the object of §10.8.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: Codes that are parse errors (SPEC §11.1): they stop ``load`` and give exit code 2.
_PARSE_PREFIXES = ("FS-FILE-", "FS-XML-")
_PARSE_YAML = {f"FS-YAML-00{n}" for n in range(1, 10)}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    hints: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def is_parse_error(self) -> bool:
        """Parse errors stop loading (SPEC §11.1): FS-FILE, FS-YAML-001…009, FS-XML, FS-SEC."""
        if not self.is_error:
            return False
        return (self.code.startswith(_PARSE_PREFIXES) or self.code in _PARSE_YAML
                or self.code.startswith("FS-SEC-"))

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line or 0, self.column or 0, self.code)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "line": self.line, "column": self.column, "hints": list(self.hints)}

    def render(self, source: str | None = None) -> str:
        """Text of §10.9: the headline, a code frame from ``source``, one line per hint."""
        where = self.file or "<workflow>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        out = [f"{where}: {self.severity} {self.code}: {self.message}"]
        if source is not None and self.line is not None:
            out.extend(_code_frame(source, self.line, self.column or 1, self.end_line,
                                   self.end_column))
        out.extend(f"   = hint: {hint}" for hint in self.hints)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


def _code_frame(source: str, line: int, column: int, end_line: int | None,
                end_column: int | None) -> list[str]:
    lines = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1].replace("\t", " ")
    gutter = len(str(line)) + 3
    width = 1
    if end_line == line and end_column and end_column > column:
        width = end_column - column
    marker = "^" + "~" * (min(width, max(1, len(text) - column + 1)) - 1)
    return [f"{line:>{gutter}} | {text}", f"{'':>{gutter}} | {' ' * (column - 1)}{marker}"]


def did_you_mean(name: str, candidates: Iterable[str]) -> list[str]:
    """The best three names within edit distance max(2, len/3) of ``name`` (SPEC §11.1)."""
    limit = max(2, len(name) // 3)
    scored = sorted((_distance(name, c), c) for c in set(candidates) if c != name)
    return [f'did you mean "{c}"?' for d, c in scored if d <= limit][:3]


def _distance(a: str, b: str) -> int:
    if abs(len(a) - len(b)) > 8:
        return 99
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def summary_line(path: str, diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    return (f"{path}: {errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}")


@dataclass(slots=True)
class DiagnosticSink:
    """Collects diagnostics for one file; ``error``/``warning`` are the one way to report."""

    file: str | None = None
    items: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, severity: Severity, message: str, line: int | None = None,
            column: int | None = None, *, end_line: int | None = None,
            end_column: int | None = None, hints: Iterable[str] = ()) -> None:
        self.items.append(Diagnostic(code, severity, message, self.file, line, column,
                                     end_line, end_column, tuple(hints)))

    def error(self, code: str, message: str, line: int | None = None,
              column: int | None = None, **kw: Any) -> None:
        self.add(code, "error", message, line, column, **kw)

    def warning(self, code: str, message: str, line: int | None = None,
                column: int | None = None, **kw: Any) -> None:
        self.add(code, "warning", message, line, column, **kw)


__all__ = ["Diagnostic", "DiagnosticSink", "did_you_mean", "summary_line"]
