"""``ExecutionOptions``: what the caller decides about a run (SPEC §10.10).

Every field defaults to "not given", so the workflow's own ``runtime`` settings apply
unless the caller overrides them (API beats frontmatter, §6.4 and §7.5).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


@dataclass(slots=True, kw_only=True)
class ExecutionOptions:
    """Options of one run. Durations are seconds; ``None`` means "not given"."""

    max_concurrency: int | None = None
    """Most top-level nodes running at once. Default: ``runtime.concurrency``, else 10.
    Must be at least 1."""

    timeout: float | None = None
    """Limit for the whole run, in seconds. Default: ``runtime.timeout``, else none."""

    persistence_path: str | os.PathLike[str] | None = None
    """Snapshot file of the run state. Default: the state is not persisted."""

    error_handler: Callable[..., Any] | None = None
    """Called as ``error_handler(error, state)`` (sync or async) when the run fails."""

    default_retry: Any = None
    """Default retry policy for leaf nodes (a ``RetryPolicy``, a mapping of its fields or
    an integer ``max_retries``). Default: ``runtime.retry``, else a single attempt."""

    log: bool = False
    """Write the execution log into the workflow file's footer (SPEC §9)."""

    answers: Mapping[str, Any] | None = None
    """Checkpoint answers by checkpoint id (SPEC §3.27)."""

    base_dir: str | os.PathLike[str] | None = None
    """Base directory of relative paths. Default: the workflow file's directory, else the
    current directory."""

    restrict_paths: bool = True
    """Confine file paths to the base directory (SPEC §12.5); only the caller can lift it."""

    run_id: str | None = None
    """Explicit run id. Default: ``YYYYMMDD-HHMMSS-xxxxxxxx`` (SPEC §8.1)."""

    on_event: Callable[[dict[str, Any]], Any] | None = None
    """Observer called synchronously with every event dict (SPEC §6.12)."""

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        """Raise ``ValueError`` with a one-line reason for a value that cannot work."""
        if self.max_concurrency is not None and (
                isinstance(self.max_concurrency, bool)
                or not isinstance(self.max_concurrency, int) or self.max_concurrency < 1):
            raise ValueError(f"max_concurrency must be an integer >= 1, "
                             f"got {self.max_concurrency!r}")
        if self.timeout is not None and (isinstance(self.timeout, bool)
                                         or not isinstance(self.timeout, int | float)
                                         or self.timeout <= 0):
            raise ValueError(f"timeout must be a number of seconds > 0, got {self.timeout!r}")
        if self.run_id is not None and not _RUN_ID.fullmatch(str(self.run_id)):
            raise ValueError(f"run_id must match [A-Za-z0-9][A-Za-z0-9_.-]*, "
                             f"got {self.run_id!r}")
        if self.on_event is not None and not callable(self.on_event):
            raise ValueError("on_event must be callable")
        if self.error_handler is not None and not callable(self.error_handler):
            raise ValueError("error_handler must be callable")


__all__ = ["ExecutionOptions"]
