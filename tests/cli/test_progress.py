"""The CLI's observers: plain lines for pipes, a live table on terminals (SPEC §10.2)."""

from __future__ import annotations

import io

from rich.console import Console

from flowscript.cli.progress import LiveProgress, PlainProgress, node_line, runs_table

STARTED = {"type": "node_started", "key": "fetch-users", "kind": "source:http"}
FINISHED = {"type": "node_finished", "key": "fetch-users", "kind": "source:http",
            "status": "success", "attempts": 2, "duration_ms": 1200, "error": None}


def test_plain_line_names_wave_node_status_duration_and_attempts() -> None:
    assert node_line(2, FINISHED) == "[wave 2] fetch-users success 1.20s (2 attempts)"


def test_plain_progress_follows_the_wave(capsys) -> None:
    progress = PlainProgress()
    for event in ({"type": "wave_started", "wave": 3}, STARTED, FINISHED):
        progress.on_event(event)
    assert capsys.readouterr().out == "[wave 3] fetch-users success 1.20s (2 attempts)\n"


def test_live_progress_shows_each_node_with_its_status() -> None:
    out = io.StringIO()
    progress = LiveProgress(Console(file=out, force_terminal=True, width=100))
    for event in ({"type": "wave_started", "wave": 1}, STARTED, FINISHED):
        progress.on_event(event)
    progress.close()
    text = out.getvalue()
    assert "fetch-users" in text and "source:http" in text and "success" in text
    assert progress.rows["fetch-users"][0] == "1"


def test_runs_table_lists_runs() -> None:
    table = runs_table([{"run_id": "20250309-140507-3fa91c0d", "workflow": "orders",
                         "status": "completed", "started_at": "2025-03-09T14:05:07.042Z",
                         "duration_ms": 4210}])
    assert table.splitlines()[1].split() == ["20250309-140507-3fa91c0d", "orders",
                                             "completed", "2025-03-09", "14:05:07", "4.21s"]
