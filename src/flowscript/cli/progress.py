"""What the CLI shows while a run goes on: observers of the engine's events (SPEC §6.12,
§10.2). The engine never prints; these do.

- ``PlainProgress``: one line per finished node, for pipes and logs.
- ``LiveProgress``: a live table of waves and nodes on a terminal (rich).
- ``Silent``: for ``--quiet`` and ``--format json`` (one JSON document on stdout).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..durations import format_duration


class Silent:
    def on_event(self, event: dict[str, Any]) -> None:
        return None

    def close(self) -> None:
        return None


class PlainProgress(Silent):
    """``[wave 2] fetch-users success 1.20s (2 attempts)`` per finished node."""

    def __init__(self) -> None:
        self.wave = 0

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "wave_started":
            self.wave = int(event.get("wave", 0))
        elif kind == "node_finished":
            click.echo(node_line(self.wave, event))
        elif kind == "node_retrying":
            click.echo(f"[wave {self.wave}] {event.get('key')} retrying in "
                       f"{float(event.get('delay_s') or 0):.2f}s after attempt "
                       f"{event.get('attempt')}: {_error_text(event.get('error'))}")


def node_line(wave: int, event: dict[str, Any]) -> str:
    attempts = int(event.get("attempts") or 0)
    duration = format_duration((event.get("duration_ms") or 0) / 1000)
    line = f"[wave {wave}] {event.get('key')} {event.get('status')} {duration}"
    if attempts > 1:
        line += f" ({attempts} attempts)"
    if event.get("error"):
        line += f": {_error_text(event['error'])}"
    return line


class LiveProgress(Silent):
    """A live table: one row per node with its wave, status and duration."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self.rows: dict[str, list[str]] = {}
        self.wave = 0
        self.live = Live(self._table(), console=console or Console(), refresh_per_second=8,
                         transient=False)
        self.live.start()

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(box=None, show_header=True, header_style="bold")
        for column in ("wave", "node", "kind", "status", "time"):
            table.add_column(column)
        for row in self.rows.values():
            table.add_row(*row)
        return table

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        key = str(event.get("key", ""))
        if kind == "wave_started":
            self.wave = int(event.get("wave", 0))
            return
        if kind == "node_started" and key not in self.rows:
            self.rows[key] = [str(self.wave), key, str(event.get("kind", "")), "running", ""]
        elif kind == "node_finished":
            duration = format_duration((event.get("duration_ms") or 0) / 1000)
            self.rows[key] = [str(self.wave), key, str(event.get("kind", "")),
                              _styled(str(event.get("status"))), duration]
        elif kind == "node_retrying" and key in self.rows:
            self.rows[key][3] = f"retrying (attempt {event.get('attempt')})"
        else:
            return
        self.live.update(self._table())

    def close(self) -> None:
        self.live.stop()


def _styled(status: str) -> str:
    colour = {"success": "green", "failed": "red", "skipped": "dim",
              "cancelled": "yellow", "waiting": "cyan"}.get(status)
    return f"[{colour}]{status}[/{colour}]" if colour else status


def make_observer(fmt: str, quiet: bool) -> Silent:
    if fmt == "json" or quiet:
        return Silent()
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb":
        return LiveProgress()
    return PlainProgress()


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        status = f" {error['status']}" if error.get("status") is not None else ""
        return f"{error.get('type')}{status}: {error.get('message')}"
    return str(error)


def summary(state: Any) -> str:
    """Run id, status, duration, state path, and the failed nodes with their errors."""
    duration = format_duration((state.duration_ms or 0) / 1000)
    lines = [f"run {state.run_id}: {state.status} in {duration}"]
    if state.state_path:
        lines.append(f"state: {state.state_path}")
    if state.status == "completed" and state.output is not None:
        from ..expr.values import to_json

        lines.append(f"output: {to_json(state.output)}")
    for key, result in state.nodes.items():
        if result.status == "failed" and result.error:
            lines.append(f"  {key} failed: {_error_text(result.error)}")
    if state.status == "failed" and state.error and not any(
            r.status == "failed" for r in state.nodes.values()):
        lines.append(f"  {_error_text(state.error)}")
    if state.status == "waiting":
        lines.append("  waiting for an answer: resume with --approve ID[=ACTION]")
    return "\n".join(lines)


def runs_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no runs"
    header = ("run id", "workflow", "status", "started (UTC)", "duration")
    table = [header]
    for row in rows:
        duration = row.get("duration_ms")
        table.append((str(row.get("run_id")), str(row.get("workflow")),
                      str(row.get("status")),
                      str(row.get("started_at") or "")[:19].replace("T", " "),
                      format_duration(duration / 1000) if duration is not None else ""))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in table)
