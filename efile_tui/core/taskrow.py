"""One row of the task table, built from a journal entry: a compact record of plain values.

Rows are keyed by task id; journal entries without a task id (a submit whose answer was
lost) get the key ``local:<journal id>``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from efile_tui.api.models import TaskStatus
from efile_tui.store.journal import JournalEntry

# Display state for rows that are not (yet) a server task.
OUTCOME_UNKNOWN = "outcome unknown"
REJECTED = "rejected"
SUBMITTING = "submitting"
EXPIRED = "expired"

# Journal states shown under another name (the rest show the task status).
_STATE_DISPLAY = {"unknown": OUTCOME_UNKNOWN, "rejected": REJECTED}

STATUS_ORDER = {
    TaskStatus.PROCESSING.value: 0,
    TaskStatus.WAITING.value: 1,
    SUBMITTING: 2,
    OUTCOME_UNKNOWN: 3,
    TaskStatus.FAIL.value: 4,
    REJECTED: 5,
    TaskStatus.CANCEL.value: 6,
    TaskStatus.COMPLETE.value: 7,
    TaskStatus.UNKNOWN.value: 8,
}


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One row of the task table: everything it shows, as plain values."""

    key: str
    task_id: str | None
    operation: str
    status: str
    source: str = ""
    target: str = ""
    processed_num: int = 0
    total_num: int = 0
    processed_size: int = 0
    total_size: int = 0
    percent: float | None = None
    submitted: float = 0.0
    submitted_text: str = ""
    updated_text: str = ""
    error: str = ""
    expired: bool = False
    cancelling: bool = False
    label: str = ""

    @property
    def is_final(self) -> bool:
        """No further change is expected."""
        return self.status in ("complete", "fail", "cancel", REJECTED) or self.expired

    @property
    def cancellable(self) -> bool:
        """Only live server tasks can be cancelled."""
        return self.task_id is not None and not self.is_final

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> TaskRow:
        """Build a row from the journal (the source of truth for the table)."""
        task = entry.to_task()
        status = _STATE_DISPLAY.get(entry.state) or task.status.value
        if entry.task_id is None and entry.state == "submitting":
            status = SUBMITTING
        code, msg = entry.error_code, entry.error_msg
        error = f"{code} {msg}" if code and msg else (code or msg or "")
        return cls(
            key=entry.task_id or f"local:{entry.local_id}",
            task_id=entry.task_id,
            operation=entry.operation.value,
            status=status,
            source=entry.source_path,
            target=entry.target_path or "",
            processed_num=task.processed_num,
            total_num=task.total_num,
            processed_size=task.processed_size,
            total_size=task.total_size,
            percent=task.percent,
            submitted=entry.submitted_at,
            submitted_text=entry.server_submit_time or _clock(entry.submitted_at),
            updated_text=entry.server_update_time or _clock(entry.updated_at),
            error=error,
            expired=entry.expired,
            cancelling=bool(entry.cancel_requested_at) and not entry.is_final,
        )


def _clock(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else ""


__all__ = ["EXPIRED", "OUTCOME_UNKNOWN", "REJECTED", "STATUS_ORDER", "SUBMITTING", "TaskRow"]
