"""Plain, frozen data parsed at the API edge.

Parsing is lenient on purpose: the real service may differ from the documented contract,
so unknown fields are ignored, nulls are tolerated and numbers that arrive as strings are
accepted. Models do no I/O and hold no reference to a client.
"""

from __future__ import annotations

import enum
import math
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class TaskStatus(str, enum.Enum):
    """A task's state as the service reports it (plus UNKNOWN for anything else)."""

    WAITING = "waiting"
    PROCESSING = "processing"
    CANCEL = "cancel"
    COMPLETE = "complete"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> TaskStatus:
        """Map a status string (any case) to a member; anything unrecognised is UNKNOWN."""
        text = str(value or "").strip().lower()
        aliases = {
            "canceled": "cancel",
            "cancelled": "cancel",
            "failed": "fail",
            "completed": "complete",
            "success": "complete",
            "running": "processing",
        }
        text = aliases.get(text, text)
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_final(self) -> bool:
        """True for complete, fail and cancel: the task will not change any more."""
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({TaskStatus.CANCEL, TaskStatus.COMPLETE, TaskStatus.FAIL})


class Operation(str, enum.Enum):
    """What a task does."""

    DELETE = "delete"
    COPY = "copy"
    MOVE = "move"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> Operation:
        """Map an operationType string to a member; anything unrecognised is UNKNOWN."""
        try:
            return cls(str(value or "").strip().lower())
        except ValueError:
            return cls.UNKNOWN


MAX_COUNT = 2**60  # bytes or files; anything larger is not a real size (1 EiB)


def as_int(value: object, default: int = 0) -> int:
    """Read a count or size that may arrive as int, float, numeric string or null.

    Negative, non-finite, out-of-range (above ``MAX_COUNT``) and unreadable values give
    ``default``: the number is unknown, never an exception or a 300-digit figure.
    """
    number = as_count(value)
    return default if number is None else number


def as_count(value: object) -> int | None:
    """A count or size in 0..``MAX_COUNT``, or None when absent or not believable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if len(text) > 40:
            return None
        try:
            real = float(text)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(real):
            return None
        number = int(real) if abs(real) <= MAX_COUNT else -1
    return number if 0 <= number <= MAX_COUNT else None


def as_bool(value: object, default: bool = False) -> bool:
    """Read a boolean that may arrive as bool, "true"/"false", 0/1 or null."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    return default


def as_str(value: object) -> str | None:
    """Read an optional string; null and empty become None."""
    if value is None:
        return None
    text = str(value)
    return text if text else None


class EntryRefused(ValueError):
    """A listing entry whose name or path cannot be trusted; ``str()`` describes it."""


def folder_path(path: str) -> str:
    """``path`` with ``//`` collapsed and no trailing slash (``..`` is kept, not resolved)."""
    return "/" + "/".join(p for p in path.split("/") if p)


def bounded_repr(value: object, limit: int = 60) -> str:
    """``repr`` of a server value for a message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Task:
    """One asynchronous file task (copy, move or delete)."""

    task_id: str
    operation: Operation = Operation.UNKNOWN
    status: TaskStatus = TaskStatus.UNKNOWN
    source_path: str | None = None
    target_path: str | None = None
    duplicate_handle_type: str | None = None
    synchronous_execution: bool = False
    error_code: str | None = None
    error_msg: str | None = None
    total_size: int = 0
    total_num: int = 0
    processed_size: int = 0
    processed_num: int = 0
    progress: str | None = None
    submit_time: str | None = None
    start_time: str | None = None
    update_time: str | None = None
    user_name: str | None = None
    cluster_name: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Task:
        """Parse a task object from the service (unknown fields ignored)."""
        return cls(
            task_id=str(data.get("taskId") or ""),
            operation=Operation.parse(data.get("operationType")),
            status=TaskStatus.parse(data.get("status")),
            source_path=as_str(data.get("sourcePath")),
            target_path=as_str(data.get("targetPath")),
            duplicate_handle_type=as_str(data.get("duplicateHandleType")),
            synchronous_execution=as_bool(data.get("synchronousExecution")),
            error_code=as_str(data.get("errorCode")),
            error_msg=as_str(data.get("errorMsg")),
            total_size=as_int(data.get("totalSize")),
            total_num=as_int(data.get("totalNum")),
            processed_size=as_int(data.get("processedSize")),
            processed_num=as_int(data.get("processedNum")),
            progress=as_str(data.get("progress")),
            submit_time=as_str(data.get("submitTime")),
            start_time=as_str(data.get("startTime")),
            update_time=as_str(data.get("updateTime")),
            user_name=as_str(data.get("userName")),
            cluster_name=as_str(data.get("clusterName")),
        )

    def to_api(self) -> dict[str, Any]:
        """Render with the API's own field names (for ``--json`` output)."""
        return {
            "taskId": self.task_id,
            "operationType": self.operation.value,
            "status": self.status.value,
            "sourcePath": self.source_path,
            "targetPath": self.target_path,
            "duplicateHandleType": self.duplicate_handle_type,
            "synchronousExecution": self.synchronous_execution,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
            "totalSize": self.total_size,
            "totalNum": self.total_num,
            "processedSize": self.processed_size,
            "processedNum": self.processed_num,
            "progress": self.progress,
            "submitTime": self.submit_time,
            "startTime": self.start_time,
            "updateTime": self.update_time,
        }

    @property
    def percent(self) -> float | None:
        """Progress in percent, from files or bytes; None when nothing is known."""
        return percent_of(
            self.status is TaskStatus.COMPLETE,
            self.progress,
            self.processed_num,
            self.total_num,
            self.processed_size,
            self.total_size,
        )


def percent_of(
    complete: bool,
    progress: str | None,
    processed_num: int,
    total_num: int,
    processed_size: int,
    total_size: int,
) -> float | None:
    """Progress in percent, from files or bytes; None when nothing is known.

    The service's numbers are not always consistent (processed may exceed total, or be
    zero on a finished task), so the result is clamped and never divides by zero.
    """
    if complete:
        return 100.0
    if progress:
        try:
            value = float(progress.strip().rstrip("%"))
        except ValueError:
            value = math.nan
        if math.isfinite(value):  # "NaN" or "inf" from the service: not a percentage
            return max(0.0, min(100.0, value))
    if total_num > 0:
        return max(0.0, min(100.0, 100.0 * processed_num / total_num))
    if total_size > 0:
        return max(0.0, min(100.0, 100.0 * processed_size / total_size))
    return None


@dataclass(frozen=True)
class CancelResult:
    """The service's answer for one task id given to task/cancel."""

    task_id: str
    result: bool
    status: TaskStatus | None
    error: str | None = None
    error_code: str | None = None  # of a refused request: an API code or ``http-401``/``-403``
    lost: bool = False  # sent, but no answer came back: the cancel may have been done

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CancelResult:
        """Parse one element of the task/cancel answer."""
        raw = data.get("status")
        return cls(
            task_id=str(data.get("taskId") or ""),
            result=as_bool(data.get("result")),
            status=None if raw in (None, "") else TaskStatus.parse(raw),
        )

    @property
    def verdict(self) -> str:
        """A short phrase for humans: what the service said about this task."""
        if self.lost:
            return "cancel sent, answer lost"
        if self.error:
            return "error"
        if self.result:
            return "cancelled"
        if self.status is TaskStatus.COMPLETE:
            return "already complete"
        if self.status is TaskStatus.FAIL:
            return "already failed"
        if self.status is TaskStatus.CANCEL:
            return "already cancelled"
        return "unknown or expired"

    def to_api(self) -> dict[str, Any]:
        """Render as ``{taskId, result, status}`` like the service."""
        return {
            "taskId": self.task_id,
            "result": self.result,
            "status": None if self.status is None else self.status.value,
            **({"error": self.error} if self.error else {}),
            **({"answerLost": True} if self.lost else {}),
        }


@dataclass(frozen=True)
class FileEntry:
    """One entry of a folder listing."""

    name: str
    path: str
    size: int | None = 0  # None: the service sent no believable size
    is_dir: bool = False
    is_symlink: bool = False
    modified: str | None = None
    permission: str | None = None
    owner: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any], parent: str) -> FileEntry:
        """Parse one ``fileList`` element of the listing of ``parent``.

        The path is built from ``parent`` and the name, never taken from the answer: an
        entry whose own ``path`` disagrees, or whose name is empty, ``.``, ``..`` or holds a
        ``/``, raises ``EntryRefused`` (it could make an action hit another path).
        """
        name = str(data.get("name") or "")
        if not name or name in (".", "..") or "/" in name or "\x00" in name:
            raise EntryRefused(f"an entry named {bounded_repr(name)} (not a file name)")
        path = posixpath.join(folder_path(parent), name)
        sent = data.get("path")
        if sent is not None and folder_path(str(sent)) != path:
            raise EntryRefused(
                f"the entry {bounded_repr(name)} whose path {bounded_repr(sent)} is not {path}"
            )
        kind = str(data.get("type") or "").lower()
        is_dir = as_bool(data.get("isDirectory"), default=kind in ("dir", "directory", "folder"))
        return cls(
            name=name,
            path=path,
            size=as_count(data.get("size")),
            is_dir=is_dir,
            is_symlink=as_bool(data.get("isSymbolicLink")),
            modified=as_str(data.get("lastModifiedTime")),
            permission=as_str(data.get("permission")),
            owner=as_str(data.get("owner")),
        )

    def to_api(self) -> dict[str, Any]:
        """Render with the API's own field names."""
        return {
            "name": self.name,
            "path": self.path,
            "size": self.size,
            "isDirectory": self.is_dir,
            "isSymbolicLink": self.is_symlink,
            "lastModifiedTime": self.modified,
            "permission": self.permission,
            "owner": self.owner,
        }


@dataclass(frozen=True)
class DirPage:
    """One page of a folder listing: ``total`` counts every entry, not just this page.

    ``refused`` describes the entries left out because their name or path was unsafe.
    """

    path: str
    total: int
    start: int
    entries: tuple[FileEntry, ...] = ()
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionToken:
    """A token for one region, as returned by the login endpoints."""

    cluster_id: str
    cluster_name: str
    token: str | None = field(default=None, repr=False)

    @property
    def is_platform(self) -> bool:
        """The clusterId "0" entry is for platform APIs only."""
        return self.cluster_id == "0"


@dataclass(frozen=True)
class Region:
    """A region (center) and where its efile service lives."""

    id: str
    name: str
    user_name: str | None
    home_path: str | None
    efile_url: str | None
    efile_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmitItem:
    """One element of an async-remove/copy/move request."""

    source_path: str
    target_path: str | None = None
    duplicate_handle_type: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Render as the request body element."""
        body: dict[str, Any] = {"sourcePath": self.source_path}
        if self.target_path is not None:
            body["targetPath"] = self.target_path
            body["duplicateHandleType"] = self.duplicate_handle_type
        return body


@dataclass(frozen=True)
class SubmitOutcome:
    """What became of one submitted item.

    Exactly one of ``task`` and ``error`` is set. ``unknown`` is True when the request was
    sent but its answer was lost: the task may exist on the service.
    """

    item: SubmitItem
    task: Task | None = None
    error: str | None = None
    error_code: str | None = None
    unknown: bool = False

    @property
    def ok(self) -> bool:
        """The service accepted the item (the task itself may still fail later)."""
        return self.task is not None and self.task.status is not TaskStatus.FAIL
