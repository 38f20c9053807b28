"""The audit log: what the operator did, one JSON object per line, append-only.

The ``audit`` folder in the state directory (folder 0700, files 0600) holds one file per
writing process (see :mod:`efile_tui.store.eventlog`): no file is ever written by two
processes or two hosts, so nothing depends on a lock a network filesystem may not share.
Each event is one line, written with one ``write`` and ``fsync``-ed. Readers merge every
file (and the ``audit.jsonl`` of older versions) by time, and skip lines they cannot parse
(a torn last line after a crash, or a hand edit) rather than fail.

The log never holds a credential: it is only given models, and :meth:`AuditLog.record` refuses
any field whose name mentions a token, password or secret, at any depth.

An event looks like::

    {"time": "2025-01-02T03:04:05.678+08:00", "event": "submit", "profile": "default",
     "region": "kunshan", "operation": "delete", "count": 1,
     "items": [{"path": "/home/u/a", "answer": {"taskId": "...", "status": "waiting",
                "errorCode": null, "errorMsg": null}}],
     "exit": "ok"}
"""

from __future__ import annotations

import enum
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from efile_tui.api.models import CancelResult, Operation, SubmitOutcome
from efile_tui.config import state_dir
from efile_tui.store.eventlog import WriterFile, parse_lines, read_lines, writer_files
from efile_tui.store.fs import GONE, open_private, private_dir, read_from

AUDIT_DIR = "audit"  # the folder in the state directory
LEGACY_FILE = "audit.jsonl"  # the single shared file of older versions, still read
EVENTS = ("submit", "cancel", "import", "login", "logout")
EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_UNKNOWN = "ok", "partial", "failed", "unknown"
_FORBIDDEN = ("token", "password", "passwd", "secret")
_RESERVED = ("time", "event")


def _check_fields(value: object, where: str) -> None:
    """Raise ValueError if any mapping key, at any depth, names a credential."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            name = str(key).lower()
            if any(word in name for word in _FORBIDDEN):
                raise ValueError(
                    f"refusing to write {where}{key} to the audit log: it may hold a credential"
                )
            _check_fields(sub, f"{where}{key}.")
    elif isinstance(value, (list, tuple)):
        for index, sub in enumerate(value):
            _check_fields(sub, f"{where}{index}.")


def _json_default(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} to the audit log")


def exit_status(ok: int, failed: int, unknown: int) -> str:
    """Sum up per-item results: "ok", "failed", "unknown" when all agree, else "partial"."""
    total = ok + failed + unknown
    if ok == total:
        return EXIT_OK
    if failed == total:
        return EXIT_FAILED
    if unknown == total:
        return EXIT_UNKNOWN
    return EXIT_PARTIAL


class AuditLog:
    """The append-only audit log on disk; safe to share between processes and hosts."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time):
        """Use the log folder ``path`` (default: ``audit`` in the state directory).

        Existing files are checked now (no links, owned by this user, not writable by
        others: StateFileError otherwise), so a problem shows before any request is sent.
        Nothing is created until the first event.
        """
        self.path = state_dir() / AUDIT_DIR if path is None else path
        self.legacy = self.path.parent / LEGACY_FILE
        self._clock = clock
        self._writer = WriterFile(self.path)
        self.skipped_lines = 0
        self.check()

    def close(self) -> None:
        """Close this process's log file (a later event opens it again)."""
        self._writer.close()

    def check(self) -> None:
        """Refuse unsafe existing files (see :func:`efile_tui.store.fs.open_private`)."""
        if self.path.exists() or self.path.is_symlink():
            private_dir(self.path)
        for path in [self.legacy, *(self.path / n for n in writer_files(self.path).values())]:
            try:
                os.close(open_private(path, os.O_RDONLY))
            except OSError as exc:
                if exc.errno not in GONE:
                    raise

    def record_submit(
        self,
        operation: Operation,
        outcomes: Sequence[SubmitOutcome],
        *,
        profile: str | None,
        region: str | None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Log one submit (delete, copy or move) with the service's answer per item."""
        items: list[dict[str, Any]] = []
        ok = failed = unknown = 0
        for outcome in outcomes:
            item: dict[str, Any] = {"path": outcome.item.source_path}
            if outcome.item.target_path is not None:
                item["target"] = outcome.item.target_path
                item["conflict"] = outcome.item.duplicate_handle_type
            task = outcome.task
            if task is not None:
                item["answer"] = {
                    "taskId": task.task_id,
                    "status": task.status.value,
                    "errorCode": task.error_code,
                    "errorMsg": task.error_msg,
                }
            else:
                item["answer"] = {
                    "outcomeUnknown": outcome.unknown,
                    "errorCode": outcome.error_code,
                    "errorMsg": outcome.error,
                }
            items.append(item)
            if outcome.ok:
                ok += 1
            elif outcome.unknown:
                unknown += 1
            else:
                failed += 1
        return self.record(
            "submit",
            profile=profile,
            region=region,
            operation=operation.value,
            count=len(items),
            items=items,
            exit=exit_status(ok, failed, unknown),
            **({"note": note} if note else {}),
        )

    def record_cancel(
        self,
        results: Sequence[CancelResult],
        *,
        profile: str | None,
        region: str | None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Log one cancel request with the service's answer per task id.

        An id that was not cancelled (already final, unknown) counts as failed; an id whose
        request failed without an answer counts as unknown.
        """
        items: list[dict[str, Any]] = []
        ok = failed = unknown = 0
        for result in results:
            answer = result.to_api()
            answer["verdict"] = result.verdict
            items.append({"taskId": result.task_id, "answer": answer})
            if result.error:
                unknown += 1
            elif result.result:
                ok += 1
            else:
                failed += 1
        return self.record(
            "cancel",
            profile=profile,
            region=region,
            count=len(items),
            items=items,
            exit=exit_status(ok, failed, unknown),
            **({"note": note} if note else {}),
        )

    def record(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event (with the current time) and return it as written.

        Raises ValueError for a field that names a credential (token, password, secret, at
        any depth) or one of the reserved names ``time``/``event``; TypeError for a value that
        is not plain JSON data.
        """
        if not event:
            raise ValueError("an audit event needs a name")
        for name in _RESERVED:
            if name in fields:
                raise ValueError(f"{name!r} is set by the audit log itself")
        _check_fields(fields, "")
        now = datetime.fromtimestamp(self._clock(), tz=timezone.utc).astimezone()
        entry: dict[str, Any] = {"time": now.isoformat(timespec="milliseconds"), "event": event}
        entry.update(fields)
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=_json_default)
        self._append((line + "\n").encode("utf-8"))
        return entry

    def _append(self, data: bytes) -> None:
        if not self.path.is_dir():
            if not self.path.parent.exists():
                private_dir(self.path.parent)
            private_dir(self.path)
        self._writer.append([data])

    def read(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Events of every writer, oldest first (the last ``limit`` if given).

        With ``limit`` only the end of each file is read (``TAIL_BYTES_PER_EVENT`` per event
        wanted, at least ``TAIL_MIN_BYTES``), so a huge log costs no more than a small one.
        Lines that are not a JSON object are skipped and counted in ``skipped_lines``.
        """
        self.skipped_lines = 0
        sources: list[list[bytes]] = []
        try:
            fd = open_private(self.legacy, os.O_RDONLY)
        except OSError as exc:
            if exc.errno not in GONE:
                raise
        else:
            try:
                start = _tail_start(os.fstat(fd).st_size, limit)
                lines = read_from(fd, start).split(b"\n")
                sources.append(lines[1:] if start else lines)  # the first may be cut
            finally:
                os.close(fd)
        for name in sorted(writer_files(self.path).values()):
            try:
                start = _tail_start((self.path / name).stat().st_size, limit)
                read = read_lines(self.path / name, start)
            except OSError as exc:
                if exc.errno in GONE:
                    continue
                raise
            sources.append(read.lines[1:] if start else read.lines)
            self.skipped_lines += read.torn
        events: list[tuple[float, int, int, dict[str, Any]]] = []
        for number, lines in enumerate(sources):
            lines = [line for line in lines if line.strip()]
            values, bad = parse_lines(lines)
            self.skipped_lines += bad
            for index, value in enumerate(values):
                if isinstance(value, dict):
                    events.append((_when(value), number, index, value))
                else:
                    self.skipped_lines += 1
        events.sort(key=lambda item: item[:3])
        merged = [event for *_, event in events]
        if limit is not None:
            return merged[-limit:] if limit > 0 else []
        return merged


TAIL_BYTES_PER_EVENT = 4096
TAIL_MIN_BYTES = 1 << 20


def _tail_start(size: int, limit: int | None) -> int:
    """Where to start reading a file of ``size`` bytes for its last ``limit`` events."""
    if limit is None:
        return 0
    return max(0, size - max(TAIL_MIN_BYTES, limit * TAIL_BYTES_PER_EVENT))


def _when(event: dict[str, Any]) -> float:
    """An event's time as a number (events from every host sort together)."""
    try:
        return datetime.fromisoformat(str(event.get("time"))).timestamp()
    except ValueError:
        return 0.0
