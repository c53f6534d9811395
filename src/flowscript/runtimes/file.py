"""``<source type="file">`` and ``<sink type="file">`` (SPEC §3.8, §3.16).

Paths are resolved by the node context, which confines them to the base directory
(§12.5). Sinks create missing directories and write atomically: a temporary file in the
destination directory, flushed, then renamed over the destination.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import FileError, FormatError, NodeConfigError
from . import formats
from .registry import Runtime


def _delimiter(config: dict[str, Any]) -> str:
    delimiter = config.get("delimiter") or ","
    if len(delimiter) != 1:
        raise NodeConfigError(f"delimiter must be one character, got {delimiter!r}")
    return delimiter


def _path_text(config: dict[str, Any]) -> str:
    path = config.get("path")
    if not isinstance(path, str) or not path.strip():
        raise NodeConfigError("path is empty")
    return path


def _format(config: dict[str, Any], path: str, value: Any = None, *,
            writing: bool = False) -> str:
    fmt = config.get("format") or "auto"
    return formats.format_for(path, value, writing=writing) if fmt == "auto" else fmt


async def read_file(node: Any, ctx: Any) -> Any:
    """Read and parse the file at ``path``."""
    config = ctx.config
    text = _path_text(config)
    path = ctx.resolve_path(text)
    fmt = _format(config, text)
    encoding = config.get("encoding") or "utf-8"
    delimiter = _delimiter(config)
    content = await asyncio.to_thread(_read_text, path, text, encoding)
    header = config.get("header")
    return formats.parse(fmt, content, delimiter=delimiter,
                         header=True if header is None else bool(header))


def _read_text(path: Path, shown: str, encoding: str) -> str:
    try:
        with open(path, encoding=encoding, newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise FileError(f"file not found: {shown}") from None
    except IsADirectoryError:
        raise FileError(f"{shown} is a directory, not a file") from None
    except LookupError:
        raise NodeConfigError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise FormatError(f"{shown} is not valid {encoding}: {exc.reason} "
                          f"at byte {exc.start}") from None
    except OSError as exc:
        raise FileError(f"cannot read {shown}: {exc.strerror or exc}") from None


async def write_file(node: Any, ctx: Any) -> dict[str, Any]:
    """Serialise the input (or ``content``) to ``path``; output ``{path, bytes, format}``."""
    config = ctx.config
    text = _path_text(config)
    path = ctx.resolve_path(text)
    value = config.get("content") if "content" in node.config else ctx.input
    fmt = _format(config, text, value, writing=True)
    mode = config.get("mode") or "write"
    if mode == "append" and fmt not in formats.APPENDABLE:
        raise NodeConfigError(f"mode append is not allowed for format {fmt}; "
                              f"use one of {', '.join(sorted(formats.APPENDABLE))}")
    encoding = config.get("encoding") or "utf-8"
    mkdir = config.get("mkdir")
    written = await asyncio.to_thread(
        _write, path, text, fmt, value, append=mode == "append", encoding=encoding,
        mkdir=True if mkdir is None else bool(mkdir),
        pretty=config.get("pretty") is not False, delimiter=_delimiter(config))
    return {"path": text, "bytes": written, "format": fmt}


def _write(path: Path, shown: str, fmt: str, value: Any, *, append: bool, encoding: str,
           mkdir: bool, pretty: bool, delimiter: str) -> int:
    if mkdir:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FileError(f"cannot create the directory of {shown}: "
                            f"{exc.strerror or exc}") from None
    elif not path.parent.is_dir():
        raise FileError(f"the directory of {shown} does not exist (mkdir is false)")
    if path.is_dir():
        raise FileError(f"{shown} is a directory, not a file")
    new_file = not append or not path.exists() or path.stat().st_size == 0
    content = formats.serialise(fmt, value, pretty=pretty, delimiter=delimiter,
                                with_header=new_file)
    try:
        data = content.encode(encoding)
    except LookupError:
        raise NodeConfigError(f"unknown encoding {encoding!r}") from None
    except UnicodeEncodeError as exc:
        raise FormatError(f"cannot encode the content as {encoding}: {exc.reason}") from None
    try:
        if append:
            with open(path, "ab") as handle:
                handle.write(data)
        else:
            _replace_atomically(path, data)
    except OSError as exc:
        raise FileError(f"cannot write {shown}: {exc.strerror or exc}") from None
    return len(data)


def _replace_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                     suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


SOURCE = Runtime(run=read_file, summary="Read and parse a file under the base directory.")
SINK = Runtime(run=write_file, summary="Serialise the input to a file, atomically.")

__all__ = ["SINK", "SOURCE", "read_file", "write_file"]
