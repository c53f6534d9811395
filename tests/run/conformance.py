"""A small in-process reading of the conformance corpus (``shared/conformance``): the
matchers of its README, and one case step run through ``flowscript.engine`` directly.

The corpus's own runner drives the CLI; this harness checks the engine underneath it, so
a failure points at the engine rather than at argument parsing or output printing.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import math
import re
from pathlib import Path
from typing import Any

_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}


def matches(expected: Any, actual: Any) -> bool:
    """The README's JSON-subset match with ``$`` matchers."""
    if isinstance(expected, dict) and expected and all(k.startswith("$") for k in expected):
        return all(_matcher(key, arg, actual) for key, arg in expected.items())
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        for key, value in expected.items():
            if isinstance(value, dict) and value == {"$absent": True}:
                if key in actual:
                    return False
            elif key not in actual or not matches(value, actual[key]):
                return False
        return True
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            matches(e, a) for e, a in zip(expected, actual, strict=True))
    if _number(expected) and _number(actual):
        return math.isclose(expected, actual, rel_tol=0, abs_tol=1e-12) or expected == actual
    return type(expected) is type(actual) and expected == actual


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if _number(value):
        return "integer" if isinstance(value, int) or float(value).is_integer() else "number"
    return next((name for name, kind in _TYPES.items() if isinstance(value, kind)), "?")


def _matcher(key: str, arg: Any, actual: Any) -> bool:
    if key == "$type":
        kinds = arg if isinstance(arg, list) else [arg]
        kind = _json_type(actual)
        return kind in kinds or (kind == "integer" and "number" in kinds)
    if key == "$contains":
        if isinstance(actual, str):
            return isinstance(arg, str) and arg in actual
        return isinstance(actual, list) and any(matches(arg, item) for item in actual)
    if key == "$includes":
        return isinstance(actual, list) and all(any(matches(e, a) for a in actual) for e in arg)
    if key == "$unordered":
        return isinstance(actual, list) and len(actual) == len(arg) and all(
            any(matches(e, a) for a in actual) for e in arg)
    if key == "$regex":
        return isinstance(actual, str) and re.search(arg, actual, re.DOTALL) is not None
    if key in ("$lt", "$le", "$gt", "$ge"):
        compare = {"$lt": lambda a, b: a < b, "$le": lambda a, b: a <= b,
                   "$gt": lambda a, b: a > b, "$ge": lambda a, b: a >= b}[key]
        return _number(actual) and compare(actual, arg)
    if key == "$approx":
        return _number(actual) and abs(actual - arg[0]) <= arg[1]
    if key == "$len":
        return hasattr(actual, "__len__") and matches(arg, len(actual))
    if key == "$any_of":
        return any(matches(option, actual) for option in arg)
    if key == "$ne":
        return not matches(arg, actual)
    if key == "$not":
        return not matches(arg, actual)
    raise AssertionError(f"unknown matcher {key}")


def check_nodes(expected: dict[str, Any], nodes: dict[str, Any]) -> list[str]:
    problems = []
    for key, want in expected.items():
        got = nodes.get(key)
        if want == {"$absent": True}:
            ok = got is None
        elif want == {"$not_run": True}:
            ok = got is None or got["status"] not in ("success", "failed")
        else:
            ok = got is not None and matches(want, got)
        if not ok:
            problems.append(f"node {key}: expected {want}, got {got}")
    return problems


def check_files(expected: dict[str, Any], folder: Path) -> list[str]:
    problems = []
    for pattern, want in expected.items():
        paths = [Path(p) for p in glob.glob(str(folder / pattern))]
        if isinstance(want, dict) and "exists" in want:
            if bool(paths) != want["exists"]:
                problems.append(f"file {pattern}: exists should be {want['exists']}")
            continue
        if not paths:
            problems.append(f"file {pattern} is missing")
        for path in paths:
            if not _file_matches(want, path.read_text(encoding="utf-8")):
                problems.append(f"file {pattern}: {want} does not match {path.read_text()!r}")
    return problems


def _file_matches(want: Any, text: str) -> bool:
    text = text.replace("\r\n", "\n")
    if isinstance(want, dict) and len(want) == 1:
        (kind, value), = want.items()
        if kind == "text":
            return text.rstrip("\n") == value.rstrip("\n")
        if kind == "lines":
            return text.rstrip("\n").split("\n") == value
        if kind == "csv":
            return list(csv.reader(io.StringIO(text))) == value
        if kind == "contains":
            return all(part in text for part in value)
        if kind == "regex":
            return re.search(value, text) is not None
        if kind == "json":
            return matches(value, json.loads(text))
    return matches(want, json.loads(text))


def check_requests(patterns: list[Any], log: list[dict[str, Any]]) -> list[str]:
    """Each pattern matches a later log entry than the previous one (in order)."""
    position = 0
    for pattern in patterns:
        while position < len(log) and not matches(pattern, log[position]):
            position += 1
        if position == len(log):
            return [f"no request matching {pattern} (in order) in {log}"]
        position += 1
    return []


def substitute(value: Any, tokens: dict[str, str]) -> Any:
    if isinstance(value, str):
        for token, replacement in tokens.items():
            value = value.replace(token, replacement)
        return value
    if isinstance(value, list):
        return [substitute(item, tokens) for item in value]
    if isinstance(value, dict):
        return {substitute(k, tokens): substitute(v, tokens) for k, v in value.items()}
    return value
