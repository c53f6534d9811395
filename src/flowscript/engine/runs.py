"""The state directory: run ids, where a run's state lives, and finding runs again
(SPEC §8.1, §10.5, §10.6)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ResumeError
from .store import JsonFileStore

_UNREADABLE = "FS-RUN-007"


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-xxxxxxxx``: the UTC start time and 8 random lower-case hex digits."""
    moment = (now or datetime.now(UTC))
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``FLOWSCRIPT_STATE_DIR``, else ``.flowscript/runs`` in the working directory."""
    value = (os.environ if environ is None else environ).get("FLOWSCRIPT_STATE_DIR")
    return Path(value) if value else Path(".flowscript") / "runs"


def state_path(state_dir: str | os.PathLike[str], workflow: str, run_id: str) -> Path:
    """``<state-dir>/<workflow name>/<run id>.json``."""
    return Path(state_dir) / workflow / f"{run_id}.json"


def list_runs(state_dir: str | os.PathLike[str], workflow: str | None = None,
              status: str | None = None, limit: int | None = 20) -> list[dict[str, Any]]:
    """Runs of the state directory, newest first, for ``flowscript runs`` (§10.6).

    Each entry is ``{run_id, workflow, status, started_at, duration_ms, state_path}``.
    Unreadable states are left out; a torn journal tail is ignored as when resuming.
    """
    runs = []
    for path in Path(state_dir).glob("*/*.json"):
        try:
            document = JsonFileStore(path).read()
        except ResumeError:
            continue
        info = document["workflow"] if isinstance(document["workflow"], dict) else {}
        entry = {"run_id": document["run_id"] or path.stem,
                 "workflow": info.get("name") or path.parent.name,
                 "status": document["status"],
                 "started_at": document["started_at"] or document["created_at"],
                 "duration_ms": document["duration_ms"], "state_path": str(path)}
        if workflow is not None and entry["workflow"] != workflow:
            continue
        if status is not None and entry["status"] != status:
            continue
        runs.append(entry)
    runs.sort(key=lambda run: (str(run["started_at"] or ""), str(run["run_id"])),
              reverse=True)
    return runs if limit is None else runs[:max(0, limit)]


def find_run(state_dir: str | os.PathLike[str], run_id_or_prefix: str) -> Path:
    """The snapshot path of a run id, or of the one run whose id starts with the prefix.

    Raises ``ResumeError`` (FS-RUN-007) when nothing or more than one run matches.
    """
    prefix = run_id_or_prefix.strip()
    directory = Path(state_dir)
    if not prefix:
        raise ResumeError("give a run id or a prefix of one", _UNREADABLE)
    if not directory.is_dir():
        raise ResumeError(f"no run {prefix!r}: the state directory {directory} does not "
                          f"exist", _UNREADABLE)
    found = sorted(p for p in directory.glob("*/*.json") if p.stem.startswith(prefix))
    exact = [p for p in found if p.stem == prefix]
    matches = exact or found
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ResumeError(f"no run {prefix!r} in {directory} (see `flowscript runs`)",
                          _UNREADABLE)
    names = ", ".join(f"{p.parent.name}/{p.stem}" for p in matches[:5])
    more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
    raise ResumeError(f"run id {prefix!r} is ambiguous: it matches {names}{more}; give "
                      f"more characters", _UNREADABLE)
