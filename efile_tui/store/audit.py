"""The audit log: what the operator did, one JSON object per line, append-only.

``audit.jsonl`` in the state directory (file 0600, directory 0700). Each event is written with
one ``os.write`` on an ``O_APPEND`` descriptor while holding an exclusive ``flock``, so lines
from several processes never interleave. Readers skip lines they cannot parse (a torn last
line after a crash, or a hand edit) rather than fail.

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
import fcntl
import json
import os
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from efile_tui.api.models import CancelResult, Operation, SubmitOutcome
from efile_tui.locations import ensure_private_dir, state_dir

AUDIT_FILE = "audit.jsonl"
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
    """The append-only audit log on disk; safe to share between processes."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time):
        """Use the log at ``path`` (default: the state directory); nothing is created yet."""
        self._default = path is None
        self.path = state_dir() / AUDIT_FILE if path is None else path
        self._clock = clock
        self.skipped_lines = 0

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
        if self._default or not self.path.parent.exists():
            ensure_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            info = os.fstat(fd)
            if stat.S_IMODE(info.st_mode) & 0o077:
                os.fchmod(fd, 0o600)
            # A torn last line (writer killed mid-write) must not swallow this event too.
            if info.st_size and os.pread(fd, 1, info.st_size - 1) != b"\n":
                data = b"\n" + data
            view = memoryview(data)
            while view:  # one write takes the whole line; loop only on a short write
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)  # also releases the lock

    def read(self, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Events, oldest first (the last ``limit`` if given).

        Lines that are not a JSON object are skipped and counted in ``skipped_lines``.
        """
        self.skipped_lines = 0
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return []
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read()
        finally:
            os.close(fd)
        events: list[dict[str, Any]] = []
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            if isinstance(event, dict):
                events.append(event)
            else:
                self.skipped_lines += 1
        if limit is not None:
            return events[-limit:] if limit > 0 else []
        return events
