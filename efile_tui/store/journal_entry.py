"""One journal row as a value (:class:`JournalEntry`), its states, and row <-> task mapping.

Kept apart from :mod:`efile_tui.store.journal` (the database) so the table and the CLI can
use entries without caring how they are stored. Import from ``efile_tui.store.journal``,
which re-exports everything here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from efile_tui.api.models import FINAL_STATUSES, Operation, Task, TaskStatus

SUBMITTING = "submitting"
OUTCOME_UNKNOWN = "unknown"
REJECTED = "rejected"
ORIGIN_SUBMITTED = "submitted"
ORIGIN_IMPORTED = "imported"

TASK_FINAL = frozenset(s.value for s in FINAL_STATUSES)
FINAL_STATES = TASK_FINAL | {REJECTED}
FINAL_SQL = ",".join(f"'{s}'" for s in sorted(FINAL_STATES))

# The columns JournalEntry.from_row expects, in the order of its fields.
COLUMNS = (
    "local_id, task_id, operation, source_path, target_path, conflict, profile, region, origin,"
    " state, submitted_at, updated_at, final_at, expired, cancel_requested_at, error_code,"
    " error_msg, total_num, processed_num, total_size, processed_size, progress,"
    " server_submit_time, server_update_time, dismissed_at"
)

# The fields a server task sets on a row, in the order of task_values()'s result.
SET_FROM_TASK = (
    "state = ?, updated_at = ?, final_at = ?, operation = ?, source_path = ?, target_path = ?,"
    " conflict = ?, error_code = ?, error_msg = ?, total_num = ?, processed_num = ?,"
    " total_size = ?, processed_size = ?, progress = ?, server_submit_time = ?,"
    " server_update_time = ?"
)


def iso_time(ts: float | None) -> str | None:
    """Render epoch seconds as ISO 8601 in local time with its UTC offset."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class JournalEntry:
    """One journal row: a task (or an item that never became one) and its last known state.

    ``state`` is ``"submitting"`` (intent written, no answer yet), ``"unknown"`` with no task id
    (the answer was lost), ``"rejected"`` (refused before a task existed) or a
    :class:`TaskStatus` value as last reported by the service. ``dismissed_at`` is set when
    the operator dismissed the entry: it is hidden and no longer polled.
    """

    local_id: int
    task_id: str | None
    operation: Operation
    source_path: str
    target_path: str | None
    conflict: str | None
    profile: str | None
    region: str | None
    origin: str
    state: str
    submitted_at: float
    updated_at: float
    final_at: float | None
    expired: bool
    cancel_requested_at: float | None
    error_code: str | None
    error_msg: str | None
    total_num: int
    processed_num: int
    total_size: int
    processed_size: int
    progress: str | None
    server_submit_time: str | None
    server_update_time: str | None
    dismissed_at: float | None = None

    @property
    def is_final(self) -> bool:
        """True for a final task status (complete, fail, cancel) and for rejected items."""
        return self.state in FINAL_STATES

    @property
    def outcome_unknown(self) -> bool:
        """True when the submit was sent but its answer was lost: the task may exist."""
        return self.task_id is None and self.state == OUTCOME_UNKNOWN

    @property
    def dismissed(self) -> bool:
        """True once the operator dismissed the entry."""
        return self.dismissed_at is not None

    @property
    def dismissable(self) -> bool:
        """True when nothing more can be learned from the service about it.

        An item without a task id (answer lost, rejected), a final task or one expired on the
        server. A running task and a submit still waiting for its answer are not.
        """
        if self.state == SUBMITTING:
            return False
        return self.task_id is None or self.expired or self.state in FINAL_STATES

    def to_task(self) -> Task:
        """A :class:`Task` with the last known fields, for display.

        A rejected item shows as FAIL; "submitting" and "unknown" show as UNKNOWN.
        """
        status = TaskStatus.FAIL if self.state == REJECTED else TaskStatus.parse(self.state)
        return Task(
            task_id=self.task_id or "",
            operation=self.operation,
            status=status,
            source_path=self.source_path or None,
            target_path=self.target_path,
            duplicate_handle_type=self.conflict,
            error_code=self.error_code,
            error_msg=self.error_msg,
            total_size=self.total_size,
            total_num=self.total_num,
            processed_size=self.processed_size,
            processed_num=self.processed_num,
            progress=self.progress,
            submit_time=self.server_submit_time,
            update_time=self.server_update_time,
        )

    def to_json(self) -> dict[str, Any]:
        """Render with the API's field names where they exist, plus the journal's own."""
        return {
            "journalId": self.local_id,
            "taskId": self.task_id,
            "operationType": self.operation.value,
            "sourcePath": self.source_path,
            "targetPath": self.target_path,
            "duplicateHandleType": self.conflict,
            "status": self.state,
            "errorCode": self.error_code,
            "errorMsg": self.error_msg,
            "totalSize": self.total_size,
            "totalNum": self.total_num,
            "processedSize": self.processed_size,
            "processedNum": self.processed_num,
            "progress": self.progress,
            "submitTime": self.server_submit_time,
            "updateTime": self.server_update_time,
            "origin": self.origin,
            "profile": self.profile,
            "region": self.region,
            "submittedAt": iso_time(self.submitted_at),
            "updatedAt": iso_time(self.updated_at),
            "finalAt": iso_time(self.final_at),
            "cancelRequestedAt": iso_time(self.cancel_requested_at),
            "dismissedAt": iso_time(self.dismissed_at),
            "expiredOnServer": self.expired,
            "outcomeUnknown": self.outcome_unknown,
        }

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> JournalEntry:
        """Build from a row selected with :data:`COLUMNS` (same order as the fields)."""
        return cls(
            local_id=row[0],
            task_id=row[1],
            operation=Operation.parse(row[2]),
            source_path=row[3],
            target_path=row[4],
            conflict=row[5],
            profile=row[6],
            region=row[7],
            origin=row[8],
            state=row[9],
            submitted_at=row[10],
            updated_at=row[11],
            final_at=row[12],
            expired=bool(row[13]),
            cancel_requested_at=row[14],
            error_code=row[15],
            error_msg=row[16],
            total_num=row[17],
            processed_num=row[18],
            total_size=row[19],
            processed_size=row[20],
            progress=row[21],
            server_submit_time=row[22],
            server_update_time=row[23],
            dismissed_at=row[24],
        )


def task_values(
    task: Task, now: float, *, final_at: float | None, current: Sequence[Any]
) -> tuple[Any, ...]:
    """Values for :data:`SET_FROM_TASK`; ``current`` is (operation, source, target, conflict).

    What the journal already knows about operation and paths wins; the server fills gaps.
    """
    operation, source, target, conflict = current
    state = task.status.value
    if final_at is None and state in TASK_FINAL:
        final_at = now
    if operation == Operation.UNKNOWN.value:
        operation = task.operation.value
    return (
        state,
        now,
        final_at,
        operation,
        source or task.source_path or "",
        target if target is not None else task.target_path,
        conflict if conflict is not None else task.duplicate_handle_type,
        task.error_code,
        task.error_msg,
        task.total_num,
        task.processed_num,
        task.total_size,
        task.processed_size,
        task.progress,
        task.submit_time,
        task.update_time,
    )
