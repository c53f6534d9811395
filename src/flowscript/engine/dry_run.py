"""``--dry-run`` (SPEC §10.2, §10.8): everything a run checks before it starts, and the
plan it would follow — nothing runs and no request is made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..ast import Workflow
from ..planner import plan
from .api import load_workflow, resolve_start


async def dry_run(workflow: Workflow, *, config: Mapping[str, Any] | None = None,
                  input: Any = None, secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve config, input and secrets (raising ``ConfigError`` as a run would), then
    return ``{"workflow", "plan", "nodes"}``."""
    workflow = load_workflow(workflow)
    resolve_start(workflow, config=config, input=input, secrets=secrets)
    return {"workflow": workflow.name, **plan(workflow).to_json()}
