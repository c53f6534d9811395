"""Paths into values (SPEC §5.12): ``"a.b.0"`` or ``["a", "b", 0]``.

``get``, ``set``, ``pluck``, ``sort`` and ``group_by`` all follow paths, so the rule for
which segment indexes what is written once: integer segments index lists (negative from the
end, as ``[i]`` does), every segment is a key of an object.
"""

from __future__ import annotations

from typing import Any

from ..values import argument_error, is_number, text, type_name
from ._args import MISSING

Segment = str | int


def parse_path(path: Any, function: str) -> list[Segment]:
    """The segments of a path argument; a dotted string splits on every dot."""
    if isinstance(path, str):
        return list(path.split("."))
    if isinstance(path, list):
        for segment in path:
            if not (isinstance(segment, str) or _is_integer(segment)):
                raise argument_error(f"{function}() path segments must be strings or "
                                     f"integers, got {type_name(segment)}")
        return [segment if isinstance(segment, str) else int(segment) for segment in path]
    raise argument_error(f"{function}() expects a path (a dotted string or a list), got "
                         f"{type_name(path)}")


def follow(value: Any, segments: list[Segment]) -> Any:
    """The value at ``segments``, or MISSING when a step has nothing to follow."""
    current = value
    for segment in segments:
        current = step_into(current, segment)
        if current is MISSING:
            return MISSING
    return current


def step_into(value: Any, segment: Segment) -> Any:
    """One step: an object key, or a list index; MISSING when absent."""
    if isinstance(value, dict):
        return value.get(text(segment), MISSING)
    if isinstance(value, list):
        index = list_index(segment, len(value))
        return MISSING if index is None else value[index]
    return MISSING


def list_index(segment: Segment, length: int) -> int | None:
    """The list position a segment names, or None (not an integer, out of range)."""
    if isinstance(segment, str):
        stripped = segment[1:] if segment.startswith("-") else segment
        if not (stripped.isascii() and stripped.isdigit()):
            return None
        segment = int(segment)
    index = segment + length if segment < 0 else segment
    return index if 0 <= index < length else None


def with_value(container: Any, segments: list[Segment], value: Any) -> Any:
    """A copy of ``container`` with ``value`` at the path (not empty). Lists indexed in range
    stay lists; any other missing or non-object step becomes a new object. Iterative, so a
    long path cannot exhaust the Python stack."""
    root: Any = None
    parent: Any = None
    parent_key: str | int = ""
    current = container
    for segment in segments:
        copy, key = _copy_step(current, segment)
        if parent is None:
            root = copy
        else:
            parent[parent_key] = copy
        parent, parent_key = copy, key
        current = copy[key] if isinstance(key, int) else copy.get(key)
    parent[parent_key] = value
    return root


def _copy_step(current: Any, segment: Segment) -> tuple[Any, str | int]:
    if isinstance(current, list):
        index = list_index(segment, len(current))
        if index is not None:
            return list(current), index
    return (dict(current) if isinstance(current, dict) else {}), text(segment)


def _is_integer(value: Any) -> bool:
    return is_number(value) and float(value).is_integer()
