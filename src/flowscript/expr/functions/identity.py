"""Identifiers (SPEC §5.21): random version-4 UUIDs from the operating system's generator."""

from __future__ import annotations

import uuid as _uuid

from ..values import builtin


@builtin("uuid")
def uuid() -> str:
    return str(_uuid.uuid4())
