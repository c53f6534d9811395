"""Parsing and serialising the file formats of SPEC §3.8 and §3.16.

Pure functions over text: ``parse(format, text, …)`` and ``serialise(format, value, …)``.
Content that does not parse raises ``FormatError``; YAML data files may use aliases,
but their expanded size is bounded (SPEC §12.2).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import re
from typing import Any

import yaml

from ..errors import FormatError
from ..expr.values import MAX_ELEMENTS, text, to_json

FORMATS = ("json", "jsonl", "csv", "yaml", "text", "lines")
APPENDABLE = frozenset({"text", "lines", "jsonl", "csv"})
#: Extensions with a known format; every other extension reads as text and writes as
#: text or JSON depending on the value (SPEC §3.8, §3.16).
_EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
               ".yaml": "yaml", ".yml": "yaml", ".txt": "text", ".text": "text",
               ".md": "text", ".log": "text"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def format_for(path: str, value: Any = None, *, writing: bool = False) -> str:
    """The ``auto`` format of a path: by extension; otherwise ``text`` for reading, and
    for writing ``text`` when the value is a string, else ``json``."""
    dot = path.rfind(".")
    found = _EXTENSIONS.get(path[dot:].lower()) if dot > path.replace("\\", "/").rfind("/") \
        else None
    if found:
        return found
    if writing and not isinstance(value, str):
        return "json"
    return "text"


# ---------------------------------------------------------------------------------------
# Parsing

def parse(fmt: str, content: str, *, delimiter: str = ",", header: bool = True) -> Any:
    """Parse file ``content`` in ``fmt``; raises ``FormatError`` when it does not parse."""
    if fmt == "text":
        return content
    if fmt == "lines":
        lines = _LINE_BREAK.split(content)
        return lines[:-1] if lines and lines[-1] == "" else lines
    if fmt == "json":
        return _json_value(content, "JSON")
    if fmt == "jsonl":
        return [_json_value(line, f"JSON on line {number}")
                for number, line in enumerate(_LINE_BREAK.split(content), 1) if line.strip()]
    if fmt == "csv":
        return _parse_csv(content, delimiter, header)
    if fmt == "yaml":
        return _parse_yaml(content)
    raise FormatError(f"unknown format {fmt!r}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json_value(content: str, what: str) -> Any:
    try:
        return json.loads(content, parse_constant=_reject_constant)
    except ValueError as exc:
        raise FormatError(f"invalid {what}: {exc}") from None


def _parse_csv(content: str, delimiter: str, header: bool) -> list[Any]:
    try:
        rows = [row for row in csv.reader(io.StringIO(content, newline=""),
                                          delimiter=delimiter, strict=True) if row]
    except csv.Error as exc:
        raise FormatError(f"invalid CSV: {exc}") from None
    if not header:
        return rows
    if not rows:
        return []
    names, body = rows[0], rows[1:]
    return [{name: row[i] if i < len(row) else "" for i, name in enumerate(names)}
            for row in body]


class _DataLoader(yaml.SafeLoader):
    """Safe YAML for data files: standard tags only, timestamps as ISO-8601 strings."""


def _timestamp(loader: _DataLoader, node: yaml.Node) -> str:
    value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    return value.isoformat() if isinstance(value, _dt.date) else str(value)


def _refuse_tag(loader: _DataLoader, suffix: str, node: yaml.Node) -> Any:
    raise FormatError(f"YAML tag {node.tag!r} is not allowed (line {node.start_mark.line + 1})")


_DataLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    _DataLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                lambda loader, node: _refuse_tag(loader, "", node))
_DataLoader.add_multi_constructor("", _refuse_tag)


def _parse_yaml(content: str) -> Any:
    try:
        # _DataLoader is a SafeLoader subclass: no Python objects are ever constructed.
        loaded = yaml.load(content, Loader=_DataLoader)
    except yaml.YAMLError as exc:
        raise FormatError(f"invalid YAML: {exc}") from None
    try:
        return _expand(loaded, [0])
    except RecursionError:
        raise FormatError("YAML document is nested too deeply") from None


def _expand(value: Any, count: list[int]) -> Any:
    """A fresh JSON copy of loaded YAML, failing once aliases would expand it past
    ``MAX_ELEMENTS`` elements (a "billion laughs" document shares, then explodes)."""
    count[0] += 1
    if count[0] > MAX_ELEMENTS:
        raise FormatError(f"YAML document expands to more than {MAX_ELEMENTS} elements")
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: _expand(v, count)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(item, count) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise FormatError("YAML value .nan or .inf is not representable in JSON")
    return value


# ---------------------------------------------------------------------------------------
# Serialising

def serialise(fmt: str, value: Any, *, pretty: bool = True, delimiter: str = ",",
              with_header: bool = True) -> str:
    """Text of ``value`` in ``fmt`` (SPEC §3.16)."""
    if fmt == "json":
        return to_json(value, indent=2 if pretty else None) + "\n"
    if fmt == "jsonl":
        items = value if isinstance(value, list) else [value]
        return "".join(to_json(item) + "\n" for item in items)
    if fmt == "yaml":
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=True,
                              default_flow_style=False)
    if fmt == "text":
        return text(value)
    if fmt == "lines":
        items = value if isinstance(value, list) else [value]
        return "".join(text(item) + "\n" for item in items)
    if fmt == "csv":
        return _write_csv(value, delimiter, with_header)
    raise FormatError(f"unknown format {fmt!r}")


def _write_csv(value: Any, delimiter: str, with_header: bool) -> str:
    rows = [value] if isinstance(value, dict) else value
    if not isinstance(rows, list):
        raise FormatError("csv needs a list of objects or a list of lists")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if all(isinstance(row, list) for row in rows):
        writer.writerows([text(cell) for cell in row] for row in rows)
        return out.getvalue()
    if not all(isinstance(row, dict) for row in rows):
        raise FormatError("csv needs a list of objects or a list of lists, not a mix")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if with_header and columns:
        writer.writerow(columns)
    writer.writerows([text(row.get(column)) for column in columns] for row in rows)
    return out.getvalue()


__all__ = ["APPENDABLE", "FORMATS", "format_for", "parse", "serialise"]
