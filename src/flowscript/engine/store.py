"""Where a run's state document lives on disk, written crash-safely (SPEC §8.1–§8.4).

A state is a snapshot ``S`` (replaced atomically) plus a journal ``S.journal`` of
``{"seq": n, "patch": P}`` lines, ``P`` a JSON Merge Patch (RFC 7386). Reading applies
the journal's complete, valid lines after the snapshot's ``seq`` and stops at the first
torn one. ``S.lock`` carries the exclusive advisory lock of the process running the run.

Compaction: the journal is folded into a new snapshot once it is larger than the snapshot
*and* the document has, by estimate, doubled since that snapshot (or the journal reaches
twice the snapshot). Snapshot sizes therefore double from one compaction to the next, so
the bytes written stay linear in the work done whatever the size of one record.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from ..errors import ResumeError

FORMAT = "flowscript-state/1"
#: The top-level fields of a state document (§8.4); absent ones read as null.
STATE_FIELDS = ("format", "seq", "run_id", "workflow", "status", "created_at", "started_at",
                "updated_at", "completed_at", "duration_ms", "resume_count", "options",
                "config", "input", "plan", "current_wave", "variables", "nodes", "progress",
                "activated", "gotos", "breakers", "checkpoints", "usage", "error", "errors",
                "error_handler", "output")
#: Lowest and highest estimate of document bytes gained per journal byte.
_GROWTH_BOUNDS = (0.5, 1.0)
_UNREADABLE = "FS-RUN-007"
_LOCKED = "FS-RUN-008"


# ---------------------------------------------------------------------------------------
# JSON Merge Patch (RFC 7386)

def merge_patch(target: Any, patch: Any) -> Any:
    """Apply ``patch`` to ``target`` and return the result (RFC 7386).

    A dict target is changed in place; a null member of the patch deletes that key, so a
    reader treats absent fields as null. Lists and scalars replace what was there.
    """
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


#: Top-level fields whose values are whole JSON values, replaced rather than merged.
ATOMIC_FIELDS = frozenset({"output", "input", "config", "error"})


def apply_patch(document: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a journal patch to a state document.

    As RFC 7386, except that each node result under ``nodes`` and the fields of
    ``ATOMIC_FIELDS`` are replaced whole: a node's output is data, and a ``null`` inside it
    (``{"a": null}``) must survive a resume, which a plain merge patch would delete.
    """
    for key, value in patch.items():
        if key == "nodes" and isinstance(value, dict):
            nodes = document.get("nodes")
            if not isinstance(nodes, dict):
                nodes = document["nodes"] = {}
            for result_key, result in value.items():
                if result is None:
                    nodes.pop(result_key, None)
                else:
                    nodes[result_key] = result
        elif key in ATOMIC_FIELDS and value is not None:
            document[key] = value
        else:
            document = merge_patch(document, {key: value})
    return document


def diff(old: Any, new: Any) -> Any:
    """The merge patch that turns ``old`` into ``new``, carrying only what changed.

    A member that became null (or vanished) is a deletion, which reads back as null.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        if key not in old:
            if value is not None:
                patch[key] = value
        elif not _same(old[key], value):
            both = isinstance(old[key], dict) and isinstance(value, dict)
            patch[key] = diff(old[key], value) if both else value
    return patch


def _same(a: Any, b: Any) -> bool:
    """JSON equality that tells ``1`` from ``1.0`` and ``true``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# ---------------------------------------------------------------------------------------
# Stores

class StateStore(Protocol):
    """What the executor needs from a state store. ``append`` and ``write_snapshot`` return
    what was written (``"journal"`` or ``"snapshot"``) for the ``state_saved`` event."""

    def read(self) -> dict[str, Any]: ...

    def write_snapshot(self, document: Mapping[str, Any]) -> str: ...

    def append(self, patch: Mapping[str, Any]) -> str: ...

    def lock(self) -> None: ...

    def unlock(self) -> None: ...

    def close(self) -> None: ...


class MemoryStore:
    """A store that keeps the document in memory (tests, and runs without persistence)."""

    def __init__(self) -> None:
        self.document: dict[str, Any] | None = None
        self.seq = 0

    def read(self) -> dict[str, Any]:
        if self.document is None:
            raise ResumeError("no state has been written", _UNREADABLE)
        return _with_nulls(json.loads(_dumps(self.document)))

    def write_snapshot(self, document: Mapping[str, Any]) -> str:
        self.document = json.loads(_dumps({**document, "seq": self.seq}))
        return "snapshot"

    def append(self, patch: Mapping[str, Any]) -> str:
        self.seq += 1
        self.document = apply_patch(self.document or {}, json.loads(_dumps(patch)))
        self.document["seq"] = self.seq
        return "journal"

    def lock(self) -> None:
        return None

    def unlock(self) -> None:
        return None

    def close(self) -> None:
        return None


class JsonFileStore:
    """The state of one run at ``path`` (the snapshot), with ``path.journal`` and
    ``path.lock`` beside it. ``fsync=False`` skips fsync (benchmarks only)."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.fsync = fsync
        #: Bytes written to the snapshot and the journal by this object.
        self.bytes_written = 0
        self._seq: int | None = None
        self._journal_fd: int | None = None
        self._lock_fd: int | None = None
        self._snapshot_bytes = 0
        self._journal_bytes = 0
        self._growth = _GROWTH_BOUNDS[1]
        self._failed_append = False

    # -- reading -----------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        """The state document: snapshot plus the valid journal lines after its ``seq``.

        Raises ``ResumeError`` (FS-RUN-007) when the snapshot is missing, unreadable, not
        JSON or of another format. Absent top-level fields read as null.
        """
        document = self._read_snapshot()
        seq = document.get("seq") if type(document.get("seq")) is int else 0
        for line_seq, patch in _journal_lines(self._read_journal()):
            if line_seq <= seq:
                continue
            if line_seq != seq + 1:
                break
            document = apply_patch(document, patch)
            seq = line_seq
        document["seq"] = seq
        return _with_nulls(document)

    def open_existing(self) -> dict[str, Any]:
        """Read the state to continue it (resume): a fresh snapshot drops any torn journal
        tail, so later appends are never hidden behind it. Returns the document."""
        document = self.read()
        self._seq = document["seq"]
        self.write_snapshot(document)
        return document

    def _read_snapshot(self) -> dict[str, Any]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise ResumeError(f"no state file at {self.path}", _UNREADABLE)
        except OSError as exc:
            raise ResumeError(f"cannot read state {self.path}: {exc.strerror}", _UNREADABLE)
        try:
            document = json.loads(data)
        except ValueError:
            raise ResumeError(f"state {self.path} is not valid JSON", _UNREADABLE)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            found = document.get("format") if isinstance(document, dict) else None
            raise ResumeError(f"state {self.path} has format {found!r}, expected "
                              f"{FORMAT!r}", _UNREADABLE)
        return document

    def _read_journal(self) -> bytes:
        try:
            return self.journal_path.read_bytes()
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise ResumeError(f"cannot read journal {self.journal_path}: {exc.strerror}",
                              _UNREADABLE)

    def _existing_seq(self) -> int:
        """The highest seq already on disk, so a new snapshot outranks every old line."""
        try:
            return int(self.read()["seq"])
        except ResumeError:
            lines = list(_journal_lines(self._read_journal()))
            return max((seq for seq, _ in lines), default=0)

    # -- writing -----------------------------------------------------------------------

    def write_snapshot(self, document: Mapping[str, Any]) -> str:
        """Replace the snapshot atomically with ``document`` (its ``seq`` set to the last
        journal seq), then empty the journal."""
        if self._seq is None:
            self._seq = self._existing_seq()
        body = {"format": FORMAT, **document, "seq": self._seq}
        data = _dumps(body).encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.path, data, self.fsync)
        if self._journal_bytes:
            gained = (len(data) - self._snapshot_bytes) / self._journal_bytes
            low, high = _GROWTH_BOUNDS
            self._growth = min(high, max(low, gained))
        self.bytes_written += len(data)
        self._snapshot_bytes = len(data)
        self._truncate_journal()
        return "snapshot"

    def append(self, patch: Mapping[str, Any]) -> str:
        """Append one merge patch to the journal (flushed and fsynced); compact when due.
        Returns ``"snapshot"`` when the append ended in a compaction, else ``"journal"``."""
        if self._seq is None:
            self._seq = self._existing_seq()
        if self._failed_append:
            self.compact()
        line = f'{{"seq":{self._seq + 1},"patch":{_dumps(patch)}}}\n'.encode()
        fd = self._journal()
        try:
            _write_all(fd, line)
            if self.fsync:
                os.fsync(fd)
        except BaseException:
            # The line may be torn or whole: the next append first re-reads what is on
            # disk into a snapshot, so nothing is written behind a torn line.
            self._failed_append = True
            raise
        self._seq += 1
        self.bytes_written += len(line)
        self._journal_bytes += len(line)
        if (self._journal_bytes > self._snapshot_bytes
                and self._journal_bytes * self._growth >= self._snapshot_bytes):
            self.compact()
            return "snapshot"
        return "journal"

    def compact(self) -> None:
        """Fold the journal into a new snapshot carrying the last seq, then truncate it."""
        document = self.read()
        self._seq = document["seq"]
        self.write_snapshot(document)
        self._failed_append = False

    def _journal(self) -> int:
        if self._journal_fd is None:
            created = not self.journal_path.exists()
            self.journal_path.parent.mkdir(parents=True, exist_ok=True)
            self._journal_fd = os.open(self.journal_path,
                                       os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if created and self.fsync:
                _fsync_dir(self.journal_path.parent)
        return self._journal_fd

    def _truncate_journal(self) -> None:
        self._journal_bytes = 0
        if self._journal_fd is None and not self.journal_path.exists():
            return
        fd = self._journal()
        os.ftruncate(fd, 0)
        if self.fsync:
            os.fsync(fd)

    # -- locking -----------------------------------------------------------------------

    def lock(self) -> None:
        """Take the exclusive advisory lock on ``S.lock`` and write our pid into it.

        Raises ``ResumeError`` (FS-RUN-008) when another live process holds it.
        """
        if self._lock_fd is not None:
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise ResumeError(f"run {self.path.stem} is locked by a running process "
                              f"(pid {holder})", _LOCKED)
        os.ftruncate(fd, 0)
        _write_all(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def unlock(self) -> None:
        """Release the lock (the lock file stays, emptied)."""
        if self._lock_fd is None:
            return
        fd, self._lock_fd = self._lock_fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    @contextlib.contextmanager
    def locked(self) -> Iterator[JsonFileStore]:
        """``with store.locked(): …`` holds the lock for the block."""
        self.lock()
        try:
            yield self
        finally:
            self.unlock()

    def close(self) -> None:
        """Close the journal and release the lock."""
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        self.unlock()


def lock_holder(path: str | os.PathLike[str]) -> int | None:
    """The pid of the live process holding the lock of the state at ``path``, else None
    (0 when it is held but the pid is not written yet). A dead holder's lock is free."""
    lock_path = Path(path).with_name(Path(path).name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_pid(fd)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else 0


def _journal_lines(data: bytes) -> Iterator[tuple[int, Any]]:
    """``(seq, patch)`` of each complete, valid line, stopping at the first torn one."""
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            return
        try:
            entry = json.loads(data[start:end])
        except ValueError:
            return
        if (not isinstance(entry, dict) or type(entry.get("seq")) is not int
                or "patch" not in entry):
            return
        yield entry["seq"], entry["patch"]
        start = end + 1


def _with_nulls(document: dict[str, Any]) -> dict[str, Any]:
    for name in STATE_FIELDS:
        document.setdefault(name, None)
    return document


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_atomic(path: Path, data: bytes, fsync: bool) -> None:
    """Temp file in the same directory, flush, fsync, rename over ``path``, fsync the dir."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_all(fd, data)
        if fsync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(temp, path)
    if fsync:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
